import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runCli } from '../../../src/cli/run';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

test('an unknown command exits 1 with a message naming it', async () => {
  const out = capture();
  const err = capture();
  const code = await runCli(['frobnicate'], { stdout: out.stream, stderr: err.stream, env: {}, cwd: process.cwd() });
  assert.equal(code, 1);
  assert.match(err.text(), /unknown command 'frobnicate'/);
});
