import { keepYoungGenerationSmall } from '../core/young-generation';
import { runCli } from './run';

// Commands that load a whole data file: long-lived servers keep V8's own sizing, which suits their
// many short-lived request objects.
const DATA_COMMANDS = new Set(['train', 'tune', 'retrain', 'pipeline', 'predict', 'validate']);

const args = process.argv.slice(2);
if (DATA_COMMANDS.has(args[0] ?? '')) keepYoungGenerationSmall();
runCli(args, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then((code) => {
  process.exitCode = code;
});
