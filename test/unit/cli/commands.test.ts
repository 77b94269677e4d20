import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { CommandSpec } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/run';
import { startTrackingServer } from '../../../src/server/http-server';
import { openTrackingStore } from '../../../src/store/open';
import { tempDir } from '../store/helpers/temp';

interface Result {
  code: number;
  out: string;
  err: string;
}

async function cli(cwd: string, ...argv: string[]): Promise<Result> {
  const collect = (): { stream: PassThrough; text: () => string } => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = collect();
  const err = collect();
  const code = await runCli(argv, { stdout: out.stream, stderr: err.stream, env: {}, cwd });
  return { code, out: out.text(), err: err.text() };
}

describe('modelops experiments / runs', () => {
  const tmp = tempDir('modelops-cli-');
  const runIds: string[] = [];
  before(async () => {
    // A workspace with an experiment and three runs, made through the store API.
    const store = await openTrackingStore(join(tmp.dir, '.modelops', 'mlflow.db'));
    const exp = await store.createExperiment('churn');
    for (const [name, acc, model] of [
      ['rf-a', 0.93, 'rf'],
      ['knn-a', 0.88, 'knn'],
      ['rf-b', 0.95, 'rf'],
    ] as const) {
      const run = await store.createRun({ experimentId: exp, runName: name });
      await store.logBatch(run.info.runId, {
        metrics: [{ key: 'accuracy', value: acc, timestamp: Date.now(), step: 0 }],
        params: [{ key: 'model', value: model }],
      });
      await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
      runIds.push(run.info.runId);
    }
    await store.close();
  });
  after(() => tmp.cleanup());

  test('experiments list shows a table with the default store relative to the working folder', async () => {
    const r = await cli(tmp.dir, 'experiments', 'list');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ID\s+NAME\s+STAGE/m);
    assert.match(r.out, /churn/);
    assert.match(r.out, /Default/);
  });

  test('experiments create, rename, delete and restore work by name, with --json', async () => {
    assert.equal((await cli(tmp.dir, 'experiments', 'create', 'tuning', '--tag', 'team=ds')).code, 0);
    const created = await cli(tmp.dir, 'experiments', 'list', '--json');
    const list = JSON.parse(created.out) as { name: string; tags: { key: string; value: string }[] }[];
    assert.deepEqual(list.find((e) => e.name === 'tuning')?.tags, [{ key: 'team', value: 'ds' }]);
    assert.equal((await cli(tmp.dir, 'experiments', 'rename', 'tuning', 'tuning-2')).code, 0);
    assert.equal((await cli(tmp.dir, 'experiments', 'delete', 'tuning-2')).code, 0);
    assert.doesNotMatch((await cli(tmp.dir, 'experiments', 'list')).out, /tuning-2/);
    assert.match((await cli(tmp.dir, 'experiments', 'list', '--deleted')).out, /tuning-2/);
    assert.equal((await cli(tmp.dir, 'experiments', 'restore', 'tuning-2')).code, 0);
    assert.match((await cli(tmp.dir, 'experiments', 'list')).out, /tuning-2/);
  });

  test("creating a duplicate experiment exits 1 with MLflow's message and no stack trace", async () => {
    const r = await cli(tmp.dir, 'experiments', 'create', 'churn');
    assert.equal(r.code, 1);
    assert.match(r.err, /Experiment\(name=churn\) already exists/);
    assert.doesNotMatch(r.err, /\n\s+at /);
  });

  test('runs search filters and orders with MLflow syntax', async () => {
    const r = await cli(tmp.dir, 'runs', 'search', '-e', 'churn', '--filter', "params.model = 'rf'", '--order-by', 'metrics.accuracy DESC', '--json');
    assert.equal(r.code, 0, r.err);
    const names = (JSON.parse(r.out) as { runs: { info: { runName: string } }[] }).runs.map((x) => x.info.runName);
    assert.deepEqual(names, ['rf-b', 'rf-a']);
    const table = await cli(tmp.dir, 'runs', 'list');
    assert.match(table.out, /RUN ID\s+NAME/);
    assert.match(table.out, /knn-a/);
    assert.match(table.out, /accuracy/);
  });

  test('a malformed filter exits 1 and points at the offending token', async () => {
    const r = await cli(tmp.dir, 'runs', 'search', '--filter', 'metrics.accuracy >> 0.9');
    assert.equal(r.code, 1);
    assert.match(r.err, /column 18/);
    assert.match(r.err, /\n\s+\^/);
  });

  test('runs show prints params and metrics; runs delete and restore flip the run', async () => {
    const show = await cli(tmp.dir, 'runs', 'show', runIds[0]!);
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /model\s+rf/);
    assert.match(show.out, /accuracy\s+0\.93/);
    assert.equal((await cli(tmp.dir, 'runs', 'delete', runIds[1]!)).code, 0);
    assert.doesNotMatch((await cli(tmp.dir, 'runs', 'list')).out, /knn-a/);
    assert.equal((await cli(tmp.dir, 'runs', 'restore', runIds[1]!)).code, 0);
    assert.match((await cli(tmp.dir, 'runs', 'list')).out, /knn-a/);
    const missing = await cli(tmp.dir, 'runs', 'show', 'f'.repeat(32));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /not found/);
  });

  test('a read command on a missing store exits 1 without creating a file', async () => {
    const r = await cli(tmp.dir, '--store', 'nowhere/mlflow.db', 'runs', 'list');
    assert.equal(r.code, 1);
    assert.match(r.err, /nowhere\/mlflow\.db: no store file here/);
  });

  test('a corrupt store file exits 1 naming the file', async () => {
    const bad = join(tmp.dir, 'bad.db');
    writeFileSync(bad, 'not sqlite');
    const r = await cli(tmp.dir, '--store', bad, 'experiments', 'list');
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.db: not an SQLite database/);
  });

  test('an unknown option exits 1 and names it', async () => {
    const r = await cli(tmp.dir, 'runs', 'list', '--colour');
    assert.equal(r.code, 1);
    assert.match(r.err, /--colour/);
  });

  test('an http(s) store is an MLflow tracking server: tracking commands work; a server without the registry says so for registry commands', async () => {
    const backing = await openTrackingStore(join(tmp.dir, 'served', 'mlflow.db'));
    const server = await startTrackingServer(backing, { port: 0 });
    try {
      const created = await cli(tmp.dir, '--store', server.url, 'experiments', 'create', 'over-http');
      assert.equal(created.code, 0, created.err);
      const listed = await cli(tmp.dir, '--store', server.url, 'experiments', 'list', '--json');
      assert.ok((JSON.parse(listed.out) as { name: string }[]).some((e) => e.name === 'over-http'));
      assert.equal((await backing.getExperimentByName('over-http'))?.name, 'over-http');
      const models = await cli(tmp.dir, '--store', server.url, 'models', 'list');
      assert.equal(models.code, 1);
      // The registry commands work on a server that has it (test/unit/cli/server-store.test.ts); this one serves tracking only.
      assert.match(models.err, /No API endpoint GET \/api\/2\.0\/mlflow\/registered-models\/search here/);
    } finally {
      await server.close();
      await backing.close();
    }
    const gone = await cli(tmp.dir, '--store', server.url, 'experiments', 'list');
    assert.equal(gone.code, 1);
    assert.match(gone.err, /cannot reach the MLflow server/);
  });

  test('help lists every command of the table', async () => {
    const r = await cli(tmp.dir, '--help');
    assert.equal(r.code, 0);
    for (const c of ['experiments list', 'experiments create', 'runs search', 'runs restore']) assert.match(r.out, new RegExp(c));
  });

  test('an unexpected failure exits 2 with "internal error" and no stack trace', async () => {
    const boom: CommandSpec = {
      path: ['boom'],
      summary: 'fails',
      async run() {
        throw new Error('kaput');
      },
    };
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    err.on('data', (c: Buffer) => (text += c.toString()));
    const code = await runCli(['boom'], { stdout: out, stderr: err, env: {}, cwd: tmp.dir }, [boom]);
    assert.equal(code, 2);
    assert.match(text, /internal error: kaput/);
    assert.doesNotMatch(text, /\n\s+at /);
  });
});
