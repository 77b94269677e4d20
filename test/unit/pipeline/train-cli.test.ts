import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import { example } from '../ml/helpers';
import { repoRoot } from '../../repo-paths';
import { runCliCaptured } from '../cli/run-cli';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function cli(args: string[], onStderr?: (text: string) => void): Promise<{ code: number; out: string; err: string; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'modelops-cli-train-'));
  dirs.push(cwd);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => {
    err += b.toString();
    onStderr?.(err);
  });
  const code = await runCli(args, { stdout, stderr, env: {}, cwd });
  return { code, out, err, cwd };
}

describe('modelops train', () => {
  test('prints the run id and a summary table; progress goes to stderr', async () => {
    const r = await cli(['train', '--data', example('iris.csv'), '--target', 'species', '--cv', '3', '--models', 'rf,knn', '--seed', '3', '--baseline']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^run [0-9a-f]{32} \(experiment 0, classification\)/);
    assert.match(r.out, /METRIC\s+MEAN\s+STD\s+BASELINE/);
    assert.match(r.out, /accuracy\s+0\.9\d*/);
    assert.match(r.out, /baseline run [0-9a-f]{32}/);
    assert.match(r.err, /\[\s*\d+%\] fold 1\/3: fitting rf/);
    assert.ok(!r.out.includes('%]'), 'no progress on stdout');
  });

  test('--json prints the result object', async () => {
    const r = await cli(['train', '--data', example('wine.csv'), '--target', 'cultivar', '--cv', '2', '--models', 'tree', '--json']);
    assert.equal(r.code, 0, r.err);
    const v = JSON.parse(r.out) as { runId: string; metrics: Record<string, number>; classes: string[] };
    assert.match(v.runId, /^[0-9a-f]{32}$/);
    assert.deepEqual(v.classes, ['class_0', 'class_1', 'class_2']);
    assert.ok(v.metrics.accuracy > 0.8);
  });

  test('user errors exit 1 with a message naming what is wrong', async () => {
    assert.deepEqual((await cli(['train', '--target', 'x'])).code, 1);
    const r = await cli(['train', '--data', example('iris.csv'), '--target', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.err, /iris\.csv: no target column 'nope'/);
    const c = await cli(['train', '--data', example('iris.csv'), '--target', 'species', '--cv', 'many']);
    assert.match(c.err, /--cv must be an integer/);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    test(`${signal} (Ctrl-C, kill, a closed terminal) cancels training: exit 1, the run is marked KILLED, and the handler is gone afterwards`, async () => {
      const listenersBefore = process.listenerCount(signal);
      let sent = false;
      const r = await cli(['train', '--data', example('churn.csv'), '--target', 'churned', '--cv', '5'], (err) => {
        // process.emit runs the CLI's listener without a real signal (no default handler to kill us).
        if (!sent && err.includes('fold 1/5')) {
          sent = true;
          process.emit(signal);
        }
      });
      assert.ok(sent, r.err);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /cancel/i);
      assert.equal(process.listenerCount(signal), listenersBefore);
      const runs = await cli(['runs', 'list', '--json', '--store', join(r.cwd, '.modelops', 'mlflow.db')]);
      assert.equal(runs.code, 0, runs.err);
      const listed = JSON.parse(runs.out) as { runs: { info: { status: string } }[] };
      assert.deepEqual(
        listed.runs.map((x) => x.info.status),
        ['KILLED'],
      );
    });
  }

  test('kill -9 during training: the next command finds the run FAILED, saying its process is gone', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'modelops-cli-kill9-'));
    dirs.push(cwd);
    const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), 'train', '--data', example('churn.csv'), '--target', 'churned', '--cv', '5'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let err = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.includes('fold 1/5')) resolve();
      });
      void closed.then(() => resolve());
    });
    child.kill('SIGKILL');
    await closed;
    const runs = await runCliCaptured(cwd, ['runs', 'list', '--json']);
    assert.equal(runs.code, 0, runs.err);
    const listed = JSON.parse(runs.out) as { runs: { info: { status: string }; data: { tags: { key: string; value: string }[] } }[] };
    assert.deepEqual(
      listed.runs.map((x) => x.info.status),
      ['FAILED'],
      err,
    );
    assert.match(
      listed.runs[0]!.data.tags.find((t) => t.key === 'modelops.orphaned')?.value ?? '',
      /ended as FAILED when the store next opened: the process \d+ on .* that ran it is gone/,
    );
  });
});
