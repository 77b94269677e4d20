import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/run';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `modelops <argv>` in-process in `cwd`, capturing stdout and stderr. */
export async function runCliCaptured(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await runCli(argv, { stdout: out, stderr: err, env, cwd });
  return { code, out: Buffer.concat(o).toString('utf8'), err: Buffer.concat(e).toString('utf8') };
}
