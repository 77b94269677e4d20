import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import initSqlJs from 'sql.js';
import { ModelOpsError } from '../../../../src/core/errors';
import { openStoreFile } from '../../../../src/store/engine';
import { MODELOPS_SCHEMA_DDL } from '../../../../src/store/schema/modelops-schema';
import type { StoreFile, StoreFileOptions } from '../../../../src/store/sql/store-file';
import { ENGINES, ENGINE_NAME, engineEnv } from '../helpers/engines';
import { copyReference, REFERENCE_SCHEMA_DIR, tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

type Rows = unknown[][];

async function schemaOf(bytes: Uint8Array): Promise<{ sql: Rows; columns: Map<string, Rows> }> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(bytes);
  const sql = db.exec(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'modelops_%' AND tbl_name NOT LIKE 'modelops_%' AND name <> 'sqlite_sequence' ORDER BY name",
  )[0]!.values;
  const columns = new Map<string, Rows>();
  for (const [type, name] of sql) {
    if (type === 'table') columns.set(String(name), db.exec(`PRAGMA table_info("${String(name)}")`)[0]!.values);
  }
  db.close();
  return { sql, columns };
}

async function rejects(p: Promise<unknown>, code: string, mention: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ModelOpsError, `expected ModelOpsError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof mention === 'string') assert.ok(e.message.includes(mention), `message '${e.message}' should mention ${mention}`);
    else assert.match(e.message, mention);
    return true;
  });
}

const count = (store: StoreFile, name: string): Promise<number> =>
  store.read((db) => Number(db.get('SELECT count(*) AS n FROM experiments WHERE name = ?', [name])?.n));

for (const engine of ENGINES) {
  const open = (file: string, options: StoreFileOptions = {}): Promise<StoreFile> => openStoreFile(file, { ...options, engine });
  const dir = (name: string): string => join(tmp.dir, `${engine}-${name}`);

  describe(`store file (${ENGINE_NAME[engine]})`, () => {
    test('runs on the engine asked for', async () => {
      const store = await open(join(dir('engine'), 'mlflow.db'));
      assert.equal(store.engine.name, ENGINE_NAME[engine]);
      assert.equal(store.engine.safeBesideOtherWriters, engine === 'sqlite');
      await store.close();
    });

    test("creates a new file with MLflow's newest known schema (3.13), its workspaces row and the Default experiment", async () => {
      const file = join(dir('new'), '.modelops', 'mlflow.db');
      const store = await open(file);
      assert.equal(store.schema.revision, 'da6fb0208061');
      assert.equal(store.schema.workspaces, true);
      await store.close();
      const SQL = await initSqlJs();
      const db = new SQL.Database(readFileSync(file));
      assert.deepEqual(db.exec('SELECT version_num FROM alembic_version')[0]!.values, [['da6fb0208061']]);
      const [row] = db.exec('SELECT experiment_id, name, artifact_location, lifecycle_stage, workspace FROM experiments')[0]!.values;
      assert.deepEqual(row, [0, 'Default', join(dir('new'), '.modelops', 'artifacts', '0'), 'active', 'default']);
      assert.deepEqual(db.exec('SELECT name FROM workspaces')[0]!.values, [['default']]);
      const extra = db.exec("SELECT name FROM sqlite_master WHERE name LIKE 'modelops_%'")[0]!.values.length;
      assert.ok(extra >= MODELOPS_SCHEMA_DDL.filter((d) => /CREATE TABLE/i.test(d)).length);
      db.close();
    });

    test("with schema 2.10 a new file has exactly MLflow 2.10.2's DDL, statement for statement", async () => {
      const file = join(dir('new-2.10'), '.modelops', 'mlflow.db');
      await (await open(file, { schema: '2.10.2' })).close();
      const ours = await schemaOf(readFileSync(file));
      const mlflow = await schemaOf(readFileSync(join(REFERENCE_SCHEMA_DIR, 'mlflow-fresh.db')));
      assert.deepEqual(ours.sql, mlflow.sql);
      assert.deepEqual([...ours.columns.entries()], [...mlflow.columns.entries()]);
    });

    test('opens a database that real MLflow wrote, and leaves it byte-identical when only read', async () => {
      mkdirSync(dir('reference'), { recursive: true });
      const file = copyReference('mlflow-after-transcripts.db', dir('reference'));
      const before = readFileSync(file);
      const store = await open(file);
      const names = await store.read((db) => db.all('SELECT name FROM experiments ORDER BY experiment_id').map((r) => r.name));
      assert.deepEqual(names, ['Default', 'peer-exp-renamed', 'peer-exp-2']);
      // MLflow made this file: our tables are not in it, yet reading them works (empty).
      assert.equal(await store.read((db) => db.all('SELECT * FROM modelops_registry_audit').length), 0);
      await store.close();
      assert.deepEqual(readFileSync(file), before);
    });

    test('the first write to an MLflow-made file adds the modelops tables, which another handle then reads', async () => {
      mkdirSync(dir('first-write'), { recursive: true });
      const file = copyReference('mlflow-after-transcripts.db', dir('first-write'));
      const reader = await open(file);
      assert.equal(await reader.read((db) => db.all('SELECT * FROM modelops_meta WHERE "key" = \'k\'').length), 0);
      const writer = await open(file);
      await writer.write((db) => db.run("INSERT INTO modelops_meta (\"key\", value) VALUES ('k', 'v')"));
      await writer.close();
      assert.deepEqual(await reader.read((db) => db.all('SELECT value FROM modelops_meta WHERE "key" = \'k\'').map((r) => r.value)), ['v']);
      await reader.close();
    });

    test("a write is visible to a second handle on the same file, and tells the writer's listeners", async () => {
      const file = join(dir('two-handles'), 'mlflow.db');
      const a = await open(file);
      const b = await open(file);
      let notified = 0;
      const dispose = a.onDidChange(() => notified++);
      await a.write((db) => db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('x', 'active')"));
      assert.equal(await count(b, 'x'), 1);
      assert.equal(notified, 1);
      dispose();
      await a.close();
      await b.close();
    });

    test('a transaction that throws writes nothing', async () => {
      const file = join(dir('rollback'), 'mlflow.db');
      const store = await open(file);
      const before = readFileSync(file);
      await assert.rejects(
        store.write((db) => {
          db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('y', 'active')");
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await count(store, 'y'), 0);
      assert.deepEqual(readFileSync(file), before);
      await store.close();
    });

    test('a file that is not a database gets an error naming it and stays untouched', async () => {
      mkdirSync(dir('notes'), { recursive: true });
      const file = join(dir('notes'), 'notes.db');
      writeFileSync(file, 'hello, I am a text file, not SQLite at all. '.repeat(10));
      const before = readFileSync(file);
      await rejects(open(file), 'STORE_CORRUPT', file);
      assert.deepEqual(readFileSync(file), before);
    });

    test('an empty file is refused, not overwritten', async () => {
      mkdirSync(dir('empty'), { recursive: true });
      const file = join(dir('empty'), 'empty.db');
      writeFileSync(file, '');
      await rejects(open(file), 'STORE_CORRUPT', file);
      assert.equal(readFileSync(file).length, 0);
    });

    test('a corrupt (truncated, scribbled) MLflow file gets a clear error and stays untouched', async () => {
      const good = readFileSync(join(REFERENCE_SCHEMA_DIR, 'mlflow-after-transcripts.db'));
      const scribbled = Buffer.from(good);
      for (let i = 4096; i < scribbled.length; i += 7) scribbled[i] = 0xa5;
      mkdirSync(dir('corrupt'), { recursive: true });
      const file = join(dir('corrupt'), 'corrupt.db');
      writeFileSync(file, scribbled);
      await rejects(open(file), 'STORE_CORRUPT', file);
      assert.deepEqual(readFileSync(file), scribbled);
    });

    test('an SQLite database that is not an MLflow store is refused', async () => {
      const SQL = await initSqlJs();
      const db = new SQL.Database();
      db.run('CREATE TABLE t (x)');
      mkdirSync(dir('other'), { recursive: true });
      const file = join(dir('other'), 'other.db');
      writeFileSync(file, db.export());
      db.close();
      await rejects(open(file), 'STORE_UNSUPPORTED_SCHEMA', 'not an MLflow store');
    });

    test('a store path under a regular file (unusable folder) fails clearly', async () => {
      mkdirSync(dir('blocked'), { recursive: true });
      const blocker = join(dir('blocked'), 'blocker');
      writeFileSync(blocker, 'x');
      await rejects(open(join(blocker, 'mlflow.db')), 'STORE_IO', blocker);
    });

    test('a stale lock left by a dead process is broken', async () => {
      const file = join(dir('stale'), 'mlflow.db');
      const store = await open(file);
      writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), token: 'dead' }));
      await store.write((db) => db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('after-stale', 'active')"));
      assert.equal(existsSync(`${file}.lock`), false);
      await store.close();
    });

    test('a handle that listens is told when another handle commits, even one a read already loaded', async () => {
      const file = join(dir('watched'), 'mlflow.db');
      const watcher = await open(file);
      const writer = await open(file);
      let fired = 0;
      const stop = watcher.onDidChange(() => fired++);
      await writer.write((db) => db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('watched', 'active')"));
      // The read sees the new state before the watcher's debounced check runs.
      assert.equal(await count(watcher, 'watched'), 1);
      for (let i = 0; i < 300 && fired === 0; i++) await new Promise((r) => setTimeout(r, 10));
      stop();
      assert.ok(fired >= 1, 'the watcher fired');
      await watcher.close();
      await writer.close();
    });
  });

  describe(`store file, permissions, checked as an unprivileged user (${ENGINE_NAME[engine]})`, () => {
    const NOBODY = 65534;
    const asUser = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
    const tryStore = (file: string): { read: string; write?: string } =>
      JSON.parse(
        execFileSync(process.execPath, [join(__dirname, '..', 'fixtures', 'try-store.js'), file], { ...asUser, env: engineEnv(engine) }).toString(),
      ) as {
        read: string;
        write?: string;
      };

    test('a store in a read-only folder reads fine, and a write fails with STORE_IO naming the folder, changing nothing', async () => {
      const folder = join(dir('ro'), 'ro-folder');
      mkdirSync(folder, { recursive: true });
      const file = join(folder, 'mlflow.db');
      await (await open(file)).close();
      chmodSync(tmp.dir, 0o755);
      chmodSync(dir('ro'), 0o755);
      chmodSync(folder, 0o555);
      chmodSync(file, 0o644);
      const before = readFileSync(file);
      try {
        const r = tryStore(file);
        assert.equal(r.read, 'Default');
        assert.match(r.write ?? '', /^STORE_IO: .*ro-folder.*permission denied/);
      } finally {
        chmodSync(folder, 0o755);
      }
      assert.deepEqual(readFileSync(file), before);
    });

    test('an unreadable store file fails with STORE_IO naming it', async () => {
      const folder = join(dir('unreadable'), 'unreadable');
      mkdirSync(folder, { recursive: true, mode: 0o755 });
      const file = join(folder, 'mlflow.db');
      await (await open(file)).close();
      chmodSync(tmp.dir, 0o755);
      chmodSync(dir('unreadable'), 0o755);
      chmodSync(file, 0o000);
      try {
        const r = tryStore(file);
        assert.match(r.read, /^STORE_IO: .*unreadable\/mlflow\.db: cannot read the store file \(permission denied\)/);
      } finally {
        chmodSync(file, 0o644);
      }
    });
  });
}

describe('store file, sql.js engine only', () => {
  test('a hot journal beside the file makes readers wait, then give up with STORE_BUSY', async () => {
    const file = join(tmp.dir, 'journal', 'mlflow.db');
    await (await openStoreFile(file, { engine: 'sqljs' })).close();
    writeFileSync(`${file}-journal`, 'x'.repeat(512));
    await rejects(openStoreFile(file, { engine: 'sqljs', journalWaitMs: 100 }), 'STORE_BUSY', 'journal');
    assert.ok(existsSync(file));
  });
});
