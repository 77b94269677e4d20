import { parseArgs } from 'node:util';
import { ModelOpsError, errorMessage, isUserError } from '../core/errors';
import { VERSION } from '../core/version';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes: 0 ok, 1 user error (clear message, no stack), 2 internal error. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: { version: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: false,
    });
    if (values.version) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (values.help || positionals.length === 0) {
      io.stdout.write('usage: modelops <command> [options]\n');
      return 0;
    }
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `unknown command '${positionals[0]}'`);
  } catch (e) {
    io.stderr.write(`modelops: ${errorMessage(e)}\n`);
    return isUserError(e) ? 1 : 2;
  }
}
