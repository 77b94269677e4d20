import { keepYoungGenerationSmall } from '../core/young-generation';
import { COMMANDS } from './command-table';
import { runCli } from './run';

const args = process.argv.slice(2);
// Only commands that load a whole data file: long-lived servers keep V8's own sizing, which suits
// their many short-lived request objects.
const command = COMMANDS.find((c) => c.path.every((word, i) => args[i] === word));
if (command?.loadsData) keepYoungGenerationSmall();
runCli(args, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then((code) => {
  process.exitCode = code;
});
