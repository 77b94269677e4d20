import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import initSqlJs from 'sql.js';
import { ModelOpsError } from '../../../../src/core/errors';
import { StoreDatabase } from '../../../../src/store/sqljs/database';
import { MODELOPS_SCHEMA_DDL } from '../../../../src/store/sqljs/modelops-schema';
import { copyReference, REFERENCE_SCHEMA_DIR, tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

type Rows = unknown[][];

async function schemaOf(bytes: Uint8Array): Promise<{ sql: Rows; columns: Map<string, Rows> }> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(bytes);
  const sql = db.exec("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'modelops_%' AND tbl_name NOT LIKE 'modelops_%' AND name <> 'sqlite_sequence' ORDER BY name")[0]!.values;
  const columns = new Map<string, Rows>();
  for (const [type, name] of sql) {
    if (type === 'table') columns.set(String(name), db.exec(`PRAGMA table_info("${String(name)}")`)[0]!.values);
  }
  db.close();
  return { sql, columns };
}

async function rejects(p: Promise<unknown>, code: string, mention: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ModelOpsError, `expected ModelOpsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.ok(e.message.includes(mention), `message '${e.message}' should mention ${mention}`);
    return true;
  });
}

describe('StoreDatabase', () => {
  test('creates a new file with exactly MLflow 2.10.2 schema, alembic head and the Default experiment', async () => {
    const file = join(tmp.dir, 'new', '.modelops', 'mlflow.db');
    const store = await StoreDatabase.open(file);
    await store.close();
    const ours = await schemaOf(readFileSync(file));
    const mlflow = await schemaOf(readFileSync(join(REFERENCE_SCHEMA_DIR, 'mlflow-fresh.db')));
    assert.deepEqual(ours.sql, mlflow.sql);
    assert.deepEqual([...ours.columns.entries()], [...mlflow.columns.entries()]);
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(file));
    assert.deepEqual(db.exec('SELECT version_num FROM alembic_version')[0]!.values, [['acf3f17fdcc7']]);
    const [row] = db.exec('SELECT experiment_id, name, artifact_location, lifecycle_stage FROM experiments')[0]!.values;
    assert.deepEqual(row, [0, 'Default', join(tmp.dir, 'new', '.modelops', 'artifacts', '0'), 'active']);
    const extra = db.exec("SELECT name FROM sqlite_master WHERE name LIKE 'modelops_%'")[0]!.values.length;
    assert.ok(extra >= MODELOPS_SCHEMA_DDL.filter((d) => /CREATE TABLE/i.test(d)).length);
    db.close();
  });

  test('opens a database that real MLflow wrote, and leaves it byte-identical when only read', async () => {
    const file = copyReference('mlflow-after-transcripts.db', tmp.dir);
    const before = readFileSync(file);
    const store = await StoreDatabase.open(file);
    const names = await store.read((db) => db.exec('SELECT name FROM experiments ORDER BY experiment_id')[0]!.values.map((r) => r[0]));
    assert.deepEqual(names, ['Default', 'peer-exp-renamed', 'peer-exp-2']);
    await store.close();
    assert.deepEqual(readFileSync(file), before);
  });

  test('a write is visible to a second handle on the same file (reload-if-changed)', async () => {
    const file = join(tmp.dir, 'two-handles.db');
    const a = await StoreDatabase.open(file);
    const b = await StoreDatabase.open(file);
    let notified = 0;
    const dispose = a.onDidChange(() => notified++);
    await a.write((db) => db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('x', 'active')"));
    const seen = await b.read((db) => db.exec("SELECT count(*) FROM experiments WHERE name = 'x'")[0]!.values[0]![0]);
    assert.equal(seen, 1);
    assert.equal(notified, 1);
    dispose();
    await a.close();
    await b.close();
  });

  test('a transaction that throws writes nothing', async () => {
    const file = join(tmp.dir, 'rollback.db');
    const store = await StoreDatabase.open(file);
    const before = readFileSync(file);
    await assert.rejects(
      store.write((db) => {
        db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('y', 'active')");
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await store.read((db) => db.exec("SELECT count(*) FROM experiments WHERE name = 'y'")[0]!.values[0]![0]), 0);
    assert.deepEqual(readFileSync(file), before);
    await store.close();
  });

  test('a file that is not a database gets an error naming it and stays untouched', async () => {
    const file = join(tmp.dir, 'notes.db');
    writeFileSync(file, 'hello, I am a text file, not SQLite at all. '.repeat(10));
    const before = readFileSync(file);
    await rejects(StoreDatabase.open(file), 'STORE_CORRUPT', file);
    assert.deepEqual(readFileSync(file), before);
  });

  test('an empty file is refused, not overwritten', async () => {
    const file = join(tmp.dir, 'empty.db');
    writeFileSync(file, '');
    await rejects(StoreDatabase.open(file), 'STORE_CORRUPT', file);
    assert.equal(readFileSync(file).length, 0);
  });

  test('a corrupt (truncated, scribbled) MLflow file gets a clear error and stays untouched', async () => {
    const good = readFileSync(join(REFERENCE_SCHEMA_DIR, 'mlflow-after-transcripts.db'));
    const scribbled = Buffer.from(good);
    for (let i = 4096; i < scribbled.length; i += 7) scribbled[i] = 0xa5;
    const file = join(tmp.dir, 'corrupt.db');
    writeFileSync(file, scribbled);
    await rejects(StoreDatabase.open(file), 'STORE_CORRUPT', file);
    assert.deepEqual(readFileSync(file), scribbled);
  });

  test('an unknown (newer) alembic revision is refused with the revision named', async () => {
    const file = copyReference('mlflow-fresh.db', tmp.dir);
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(file));
    db.run("UPDATE alembic_version SET version_num = 'ffffffffffff'");
    writeFileSync(file, db.export());
    db.close();
    const before = readFileSync(file);
    await rejects(StoreDatabase.open(file), 'STORE_UNSUPPORTED_SCHEMA', 'ffffffffffff');
    assert.deepEqual(readFileSync(file), before);
  });

  test('an SQLite database that is not an MLflow store is refused', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE t (x)');
    const file = join(tmp.dir, 'other.db');
    writeFileSync(file, db.export());
    db.close();
    await rejects(StoreDatabase.open(file), 'STORE_UNSUPPORTED_SCHEMA', 'not an MLflow store');
  });

  test('a store path under a regular file (unusable folder) fails clearly', async () => {
    const blocker = join(tmp.dir, 'blocker');
    writeFileSync(blocker, 'x');
    await rejects(StoreDatabase.open(join(blocker, 'mlflow.db')), 'STORE_IO', blocker);
  });

  test('a hot journal beside the file makes readers wait, then give up with STORE_BUSY', async () => {
    const file = join(tmp.dir, 'journal.db');
    (await StoreDatabase.open(file)).close();
    writeFileSync(`${file}-journal`, 'x'.repeat(512));
    await rejects(StoreDatabase.open(file, { journalWaitMs: 100 }), 'STORE_BUSY', 'journal');
    assert.ok(existsSync(file));
  });

  test('a stale lock left by a dead process is broken', async () => {
    const file = join(tmp.dir, 'stale.db');
    const store = await StoreDatabase.open(file);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), token: 'dead' }));
    await store.write((db) => db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('after-stale', 'active')"));
    assert.equal(existsSync(`${file}.lock`), false);
    await store.close();
  });
});

describe('StoreDatabase, permissions (checked as an unprivileged user)', () => {
  const NOBODY = 65534;
  const asUser = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  const tryStore = (file: string): { read: string; write?: string } =>
    JSON.parse(execFileSync(process.execPath, [join(__dirname, 'fixtures', 'try-store.js'), file], { ...asUser }).toString()) as { read: string; write?: string };

  test('a store in a read-only folder reads fine, and a write fails with STORE_IO naming the folder, changing nothing', async () => {
    const dir = join(tmp.dir, 'ro-folder');
    mkdirSync(dir);
    const file = join(dir, 'mlflow.db');
    await (await StoreDatabase.open(file)).close();
    chmodSync(tmp.dir, 0o755);
    chmodSync(dir, 0o555);
    chmodSync(file, 0o644);
    const before = readFileSync(file);
    try {
      const r = tryStore(file);
      assert.equal(r.read, 'Default');
      assert.match(r.write ?? '', /^STORE_IO: .*ro-folder.*permission denied/);
    } finally {
      chmodSync(dir, 0o755);
    }
    assert.deepEqual(readFileSync(file), before);
  });

  test('an unreadable store file fails with STORE_IO naming it', async () => {
    const dir = join(tmp.dir, 'unreadable');
    mkdirSync(dir, { mode: 0o755 });
    const file = join(dir, 'mlflow.db');
    await (await StoreDatabase.open(file)).close();
    chmodSync(tmp.dir, 0o755);
    chmodSync(file, 0o000);
    try {
      const r = tryStore(file);
      assert.match(r.read, /^STORE_IO: .*unreadable\/mlflow\.db: cannot read the store file \(permission denied\)/);
    } finally {
      chmodSync(file, 0o644);
    }
  });
});

describe('StoreDatabase.watch', () => {
  test('a handle that watches is told when another handle (or process) commits', async () => {
    const file = join(tmp.dir, 'watched.db');
    const watcher = await StoreDatabase.open(file);
    const writer = await StoreDatabase.open(file);
    let fired = 0;
    watcher.onDidChange(() => fired++);
    const stop = watcher.watch();
    await writer.write((db) => db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('watched', 'active')"));
    for (let i = 0; i < 300 && fired === 0; i++) await new Promise((r) => setTimeout(r, 10));
    stop();
    assert.ok(fired >= 1, 'the watcher fired');
    assert.equal(await watcher.read((db) => db.exec("SELECT count(*) FROM experiments WHERE name = 'watched'")[0]!.values[0]![0]), 1);
    await watcher.close();
    await writer.close();
  });
  test('a watcher still reports another handle\'s commit that a read already loaded', async () => {
    const file = join(tmp.dir, 'watched-read-first.db');
    const watcher = await StoreDatabase.open(file);
    const writer = await StoreDatabase.open(file);
    let fired = 0;
    watcher.onDidChange(() => fired++);
    const stop = watcher.watch();
    await writer.write((db) => db.run("INSERT INTO experiments (name, lifecycle_stage) VALUES ('read-first', 'active')"));
    // The read reloads the new file before the watcher's debounced check runs.
    assert.equal(await watcher.read((db) => db.exec("SELECT count(*) FROM experiments WHERE name = 'read-first'")[0]!.values[0]![0]), 1);
    for (let i = 0; i < 300 && fired === 0; i++) await new Promise((r) => setTimeout(r, 10));
    stop();
    assert.ok(fired >= 1, 'listeners were told about the other handle\'s commit');
    await watcher.close();
    await writer.close();
  });
});

