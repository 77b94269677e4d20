import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { FileLock } from '../../../../src/store/sql/file-lock';
import { tempDir } from '../helpers/temp';

const tmp = tempDir('modelops-lock-');
after(() => tmp.cleanup());

/** A pid no process has (Linux pids stay below 2^22). */
const DEAD_PID = 2 ** 22 + 4321;
let n = 0;
const folder = (): string => {
  const dir = join(tmp.dir, `case-${n++}`);
  mkdirSync(dir);
  return dir;
};
const owner = (file: string): { pid: number; token: string } => JSON.parse(readFileSync(file, 'utf8')) as { pid: number; token: string };

describe('FileLock', () => {
  test('a hold links the handle’s owner record to the lock name; release unlinks it; dispose leaves nothing', async () => {
    const dir = folder();
    const lock = new FileLock(join(dir, 'mlflow.db.lock'));
    await lock.acquire(1000);
    const [record, ...others] = readdirSync(dir).filter((f) => f.endsWith('.owner'));
    assert.ok(record !== undefined && others.length === 0, `one owner record, got ${readdirSync(dir).join(', ')}`);
    assert.equal(statSync(lock.lockPath).ino, statSync(join(dir, record)).ino, 'the lock is a second name of the record');
    assert.equal(owner(lock.lockPath).pid, process.pid);
    const token = owner(lock.lockPath).token;
    lock.release();
    assert.equal(existsSync(lock.lockPath), false);
    await lock.acquire(1000);
    assert.equal(owner(lock.lockPath).token, token, 'the same record serves every hold');
    lock.dispose();
    assert.deepEqual(readdirSync(dir), []);
  });

  test('the owner record goes when writing pauses, and comes back with the next hold', async () => {
    const dir = folder();
    const lock = new FileLock(join(dir, 'x.db.lock'), 20);
    await lock.acquire(1000);
    lock.release();
    assert.equal(readdirSync(dir).length, 1, 'the record outlives the hold for the next write');
    for (let i = 0; i < 200 && readdirSync(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(readdirSync(dir), [], 'an idle handle leaves no file');
    await lock.acquire(1000);
    assert.equal(owner(lock.lockPath).pid, process.pid);
    lock.release();
    await lock.acquire(1000); // a new pause timer is running; a hold outlasting it keeps the record
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(readdirSync(dir).length, 2, 'the lock and its record, while held');
    lock.dispose();
    assert.deepEqual(readdirSync(dir), []);
  });

  test('two handles exclude each other: the second waits, then gives up with STORE_BUSY naming the holder', async () => {
    const dir = folder();
    const a = new FileLock(join(dir, 'x.db.lock'));
    const b = new FileLock(join(dir, 'x.db.lock'));
    await a.acquire(1000);
    await assert.rejects(b.acquire(60), (e: unknown) => e instanceof ModelOpsError && e.code === 'STORE_BUSY' && e.message.includes(`process ${process.pid}`));
    const waiting = b.acquire(5000);
    setTimeout(() => a.release(), 30);
    await waiting;
    assert.equal(b.isHeld, true);
    assert.equal(a.isHeld, false);
    a.dispose();
    b.dispose();
    assert.deepEqual(readdirSync(dir), []);
  });

  test('a lock created the older way (a file with its owner inside) by a live process is respected', async () => {
    const dir = folder();
    const path = join(dir, 'x.db.lock');
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), token: 'old-style' }));
    const lock = new FileLock(path);
    await assert.rejects(lock.acquire(60), (e: unknown) => e instanceof ModelOpsError && e.code === 'STORE_BUSY');
    assert.equal(owner(path).token, 'old-style', 'the live lock was left alone');
    lock.dispose();
  });

  test('a linked lock whose holder died is broken, and the records of dead processes are swept; live and foreign ones stay', async () => {
    const dir = folder();
    const path = join(dir, 'x.db.lock');
    const dead = join(dir, 'x.db.lock.dead1.owner');
    writeFileSync(dead, JSON.stringify({ pid: DEAD_PID, host: hostname(), token: 'dead1' }));
    linkSync(dead, path);
    const deadIdle = join(dir, 'x.db.lock.dead2.owner');
    writeFileSync(deadIdle, JSON.stringify({ pid: DEAD_PID + 1, host: hostname(), token: 'dead2' }));
    const live = join(dir, 'x.db.lock.live.owner');
    writeFileSync(live, JSON.stringify({ pid: process.pid, host: hostname(), token: 'live' }));
    const foreign = join(dir, 'x.db.lock.far.owner');
    writeFileSync(foreign, JSON.stringify({ pid: DEAD_PID, host: `not-${hostname()}`, token: 'far' }));
    const lock = new FileLock(path);
    await lock.acquire(2000);
    assert.notEqual(owner(path).token, 'dead1');
    assert.equal(owner(path).pid, process.pid);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(deadIdle), false);
    assert.equal(existsSync(live), true, 'a live process keeps its record');
    assert.equal(existsSync(foreign), true, 'another host’s processes cannot be checked, so their records stay');
    lock.dispose();
  });

  test('a process that exits without closing its store leaves no record behind', () => {
    const dir = folder();
    const module = join(__dirname, '..', '..', '..', '..', 'src', 'store', 'sql', 'file-lock.js');
    const script = `const { FileLock } = require(${JSON.stringify(module)});
      const l = new FileLock(${JSON.stringify(join(dir, 'x.db.lock'))});
      l.acquire(1000).then(() => { l.release(); process.stdout.write(String(require('fs').readdirSync(${JSON.stringify(dir)}).length)); });`;
    assert.equal(execFileSync(process.execPath, ['-e', script]).toString(), '1', 'the child held a record while it ran');
    assert.deepEqual(readdirSync(dir), []);
  });
});
