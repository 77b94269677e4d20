import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import initSqlJs from 'sql.js';
import type { Database } from 'sql.js';
import { SqljsStoreFile } from '../../../../src/store/sqljs/sqljs-store';
import { imageWithHeadroom, LiveImage } from '../../../../src/store/sqljs/live-image';
import { tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

const pageCount = (db: Database): number => Number(db.exec('PRAGMA page_count')[0]!.values[0]![0]);

/** A small rollback-journal database image, as the store writes them. */
async function seedImage(): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.exec('PRAGMA page_size = 4096; CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)');
  db.run('INSERT INTO t (v) VALUES (?)', ['seed']);
  const bytes = db.export();
  db.close();
  return bytes;
}

/**
 * The two images agree byte for byte except the file change counter (24..27) and its copy at
 * 92..95: export() goes through a fresh file whose counter starts again, ours keeps counting.
 */
function assertSameDatabase(ours: Uint8Array, exported: Uint8Array): void {
  assert.equal(ours.length, exported.length);
  const mask = (b: Uint8Array): Buffer => {
    const c = Buffer.from(b);
    c.fill(0, 24, 28);
    c.fill(0, 92, 96);
    return c;
  };
  assert.ok(mask(ours).equals(mask(exported)), 'same pages');
  const v = new DataView(ours.buffer, ours.byteOffset, ours.byteLength);
  assert.equal(v.getUint32(24), v.getUint32(92), 'a valid in-header database size');
}

function insertRows(db: Database, n: number, width = 100): void {
  db.exec('BEGIN');
  const stmt = db.prepare('INSERT INTO t (v) VALUES (?)');
  for (let i = 0; i < n; i++) stmt.run(['x'.repeat(width)]);
  stmt.free();
  db.exec('COMMIT');
}

describe('LiveImage (the buffer sql.js keeps the file in)', () => {
  test('after each commit the buffer holds the same database as export() produces', async () => {
    const SQL = await initSqlJs();
    const seed = await seedImage();
    const buffer = imageWithHeadroom(seed, 8 << 20);
    const db = new SQL.Database(buffer);
    db.exec('PRAGMA journal_mode = MEMORY');
    const live = new LiveImage(buffer);
    for (let round = 0; round < 3; round++) {
      insertRows(db, 2000);
      const bytes = live.committed(pageCount(db));
      assert.ok(bytes, `round ${round}: MEMFS wrote the commit into our buffer`);
      assertSameDatabase(bytes, db.export());
    }
    db.close();
  });

  test('a commit that outgrows the buffer is detected (MEMFS moved the file elsewhere)', async () => {
    const SQL = await initSqlJs();
    const seed = await seedImage();
    const buffer = imageWithHeadroom(seed, 0);
    const db = new SQL.Database(buffer);
    db.exec('PRAGMA journal_mode = MEMORY');
    const live = new LiveImage(buffer);
    insertRows(db, 5000);
    assert.equal(live.committed(pageCount(db)), undefined);
    db.close();
  });

  test('after a rolled-back transaction the buffer still holds exactly the next commit', async () => {
    const SQL = await initSqlJs();
    const buffer = imageWithHeadroom(await seedImage(), 8 << 20);
    const db = new SQL.Database(buffer);
    db.exec('PRAGMA journal_mode = MEMORY; PRAGMA cache_size = -1048576');
    const live = new LiveImage(buffer);
    db.exec('BEGIN');
    db.run('INSERT INTO t (v) VALUES (?)', ['gone']);
    db.exec('ROLLBACK');
    insertRows(db, 10);
    // Nothing of the rolled-back transaction reached the file (the 1 GB page cache never spills),
    // so the buffer is still the file, holding exactly the next commit.
    const bytes = live.committed(pageCount(db));
    assert.ok(bytes);
    assertSameDatabase(bytes, db.export());
    db.close();
  });

  test('a commit without a matching header change (a buffer MEMFS does not write) is refused', async () => {
    const SQL = await initSqlJs();
    const seed = await seedImage();
    const ours = imageWithHeadroom(seed, 8 << 20);
    // The database is opened on a copy: our buffer never sees its commits.
    const db = new SQL.Database(imageWithHeadroom(seed, 8 << 20));
    db.exec('PRAGMA journal_mode = MEMORY');
    const live = new LiveImage(ours);
    insertRows(db, 10);
    assert.equal(live.committed(pageCount(db)), undefined);
    db.close();
  });
});

describe('the sql.js store file writes from the live buffer', () => {
  test('files written commit after commit, across a failed transaction and a move to a bigger buffer, equal the in-memory database', async () => {
    const file = join(tmp.dir, 'live.db');
    const store = await SqljsStoreFile.open(file);
    const SQL = await initSqlJs();
    const check = async (): Promise<void> => {
      const onDisk = new SQL.Database(readFileSync(file));
      const disk = onDisk.exec('SELECT count(*), coalesce(sum(length(value)), 0) FROM modelops_meta')[0]!.values[0];
      onDisk.close();
      const mem = await store.read((db) => Object.values(db.get('SELECT count(*), coalesce(sum(length(value)), 0) FROM modelops_meta')!));
      assert.deepEqual(disk, mem);
    };
    const put = (from: number, n: number, width: number): Promise<void> =>
      store.write((db) => {
        for (let i = from; i < from + n; i++) db.run('INSERT INTO modelops_meta ("key", value) VALUES (?, ?)', [`k${i}`, 'v'.repeat(width)]);
      });
    await put(0, 100, 10);
    await check();
    await assert.rejects(
      store.write((db) => {
        db.run('INSERT INTO modelops_meta ("key", value) VALUES (?, ?)', ['doomed', 'x']);
        throw new Error('boom');
      }),
      /boom/,
    );
    await put(100, 100, 10);
    await check();
    // ~80 MB: past the reserved room, so the image moves to a new buffer on the way.
    for (let i = 0; i < 8; i++) {
      await put(1000 + i * 1000, 1000, 10_000);
      await check();
    }
    await store.close();
    const reopened = await SqljsStoreFile.open(file);
    assert.equal(await reopened.read((db) => db.get('SELECT count(*) AS n FROM modelops_meta WHERE "key" LIKE \'k%\'')?.n), 8200);
    await reopened.close();
  });
});
