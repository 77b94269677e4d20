import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStores } from '../../../src/store/open';
import { logMetric, setTag } from '../../../src/store/tracking-helpers';
import type { TestEngine } from './helpers/engines';
import { ENGINES, ENGINE_NAME, engineEnv } from './helpers/engines';
import { tempDir } from './helpers/temp';

/**
 * The store file shared with other SQLite programs (MLflow's clients, `mlflow ui`, notebooks) as
 * DESIGN.md promises for the native engine: nobody's commit is lost, a connection held open sees
 * every commit, and the file stays the file the user made (inode, mode, symlink).
 */
const tmp = tempDir();
after(() => tmp.cleanup());
const PYTHON = '/usr/bin/python3';
const METRIC_WRITER = join(__dirname, 'fixtures', 'metric-writer.js');
const HAS_NATIVE = ENGINES.includes('sqlite');

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** 300 commits of one metric row each into MLflow's tables, as MLflow's SQLAlchemy store makes them. */
const PY_WRITER = `import random, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=60)
for i in range(300):
    c.execute('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)', ('py', random.random(), 1700000000000 + i, sys.argv[2], i))
    c.commit()
    if i % 25 == 0: time.sleep(0.01)
print('done 300')`;

/** A connection opened before the writers start and never reopened (as mlflow ui pools them), polling. */
const PY_READER = `import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=60)
want, deadline, seen = int(sys.argv[3]), time.time() + 120, -1
print('ready', flush=True)
while time.time() < deadline:
    seen = c.execute('SELECT count(*) FROM metrics WHERE run_uuid = ?', (sys.argv[2],)).fetchone()[0]
    if seen >= want: break
    time.sleep(0.05)
print('seen', seen)`;

describe(
  'the store shared with other SQLite programs (node:sqlite)',
  { skip: !HAS_NATIVE && 'this Node has no node:sqlite (the Node 24 run covers it)' },
  () => {
    test(
      'Python sqlite3 commits 300 metric rows while two of our processes commit 100 transactions each: every row is kept, and a reader opened before saw the end without reopening',
      { skip: !existsSync(PYTHON) && 'no python3' },
      async () => {
        const file = join(tmp.dir, 'shared', 'mlflow.db');
        const stores = await openStores(file, { engine: 'sqlite' });
        const run = await stores.tracking.createRun({ experimentId: '0', runName: 'shared' });
        await stores.close();
        const runId = run.info.runId;
        const inode = statSync(file).ino;
        const reader = spawn(PYTHON, ['-c', PY_READER, file, runId, '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let readerOut = '';
        reader.stdout.on('data', (d: Buffer) => (readerOut += d.toString()));
        const readerDone = new Promise<void>((resolve) => reader.on('close', () => resolve()));
        for (let i = 0; i < 500 && !readerOut.includes('ready'); i++) await new Promise((r) => setTimeout(r, 10));
        const [py, a, b] = await Promise.all([
          runProcess(PYTHON, ['-c', PY_WRITER, file, runId]),
          runProcess(process.execPath, [METRIC_WRITER, file, runId, 'ours_a', '100'], engineEnv('sqlite')),
          runProcess(process.execPath, [METRIC_WRITER, file, runId, 'ours_b', '100'], engineEnv('sqlite')),
        ]);
        for (const r of [py, a, b]) assert.equal(r.code, 0, r.stderr);
        await readerDone;
        assert.match(readerOut, /seen 500\b/, `the held-open reader saw: ${readerOut}`);
        const check = await openStores(file, { engine: 'sqlite', create: false });
        const history = async (key: string): Promise<number[]> => (await check.tracking.getMetricHistory(runId, key)).map((m) => m.step);
        const steps = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
        assert.deepEqual(await history('py'), steps(300));
        assert.deepEqual(await history('ours_a'), steps(100));
        assert.deepEqual(await history('ours_b'), steps(100));
        assert.equal(await check.file!.read((db) => String(db.get('PRAGMA integrity_check')?.integrity_check)), 'ok');
        await check.close();
        assert.equal(statSync(file).ino, inode, 'written in place: the same file');
      },
    );

    test("a node:sqlite connection notices that a sql.js process replaced the file, and both see each other's commits", async () => {
      const file = join(tmp.dir, 'mixed', 'mlflow.db');
      const native = await openStores(file, { engine: 'sqlite' });
      const run = await native.tracking.createRun({ experimentId: '0', runName: 'mixed' });
      const runId = run.info.runId;
      await logMetric(native.tracking, runId, 'native', 1, 0);
      const before = statSync(file).ino;
      const r = await runProcess(process.execPath, [METRIC_WRITER, file, runId, 'by_sqljs', '10'], engineEnv('sqljs'));
      assert.equal(r.code, 0, r.stderr);
      assert.notEqual(statSync(file).ino, before, 'sql.js renamed a new file over it');
      assert.equal((await native.tracking.getMetricHistory(runId, 'by_sqljs')).length, 10);
      await logMetric(native.tracking, runId, 'native', 2, 1);
      await native.close();
      const sqljs = await openStores(file, { engine: 'sqljs', create: false });
      assert.deepEqual(
        (await sqljs.tracking.getMetricHistory(runId, 'native')).map((m) => m.value),
        [1, 2],
      );
      await sqljs.close();
    });
  },
);

for (const engine of ENGINES) {
  describe(`the store file stays the user's file (${ENGINE_NAME[engine]})`, () => {
    test('a symlinked store is still a symlink, and a 0600 store still 0600, after 10 writes', async () => {
      const dir = join(tmp.dir, `kept-${engine}`);
      const real = join(dir, 'elsewhere', 'mlflow.db');
      const link = join(dir, 'workspace', '.modelops', 'mlflow.db');
      mkdirSync(join(dir, 'workspace', '.modelops'), { recursive: true });
      const first = await openStores(real, { engine });
      await first.close();
      chmodSync(real, 0o600);
      symlinkSync(real, link);
      await tenWrites(link, engine);
      assert.ok(lstatSync(link).isSymbolicLink(), 'still a symlink');
      assert.equal(statSync(real).mode & 0o777, 0o600, 'still 0600');
      const reopened = await openStores(real, { engine, create: false });
      assert.equal(
        (await reopened.tracking.searchExperiments()).items.some((e) => e.name === 'kept-9'),
        true,
      );
      await reopened.close();
    });
  });
}

async function tenWrites(file: string, engine: TestEngine): Promise<void> {
  const stores = await openStores(file, { engine, create: false });
  const run = await stores.tracking.createRun({ experimentId: '0' });
  for (let i = 0; i < 10; i++) {
    if (i % 2 === 0) await stores.tracking.createExperiment(`kept-${i + 1}`);
    else await setTag(stores.tracking, run.info.runId, 'n', String(i));
  }
  await stores.close();
}
