import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { removeOrphanTempFiles, tempPathBeside, writeDurable, writeDurableTemp, writeFileAtomic } from '../../../src/core/atomic-file';

describe('atomic file replacement', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modelops-atomic-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('text, bytes and chunks replace the file whole, and no temp file is left', () => {
    const file = join(dir, 'a.txt');
    writeFileAtomic(file, 'first\n');
    assert.equal(readFileSync(file, 'utf8'), 'first\n');
    writeFileAtomic(file, new TextEncoder().encode('bytes\n'));
    assert.equal(readFileSync(file, 'utf8'), 'bytes\n');
    writeFileAtomic(file, ['one ', new TextEncoder().encode('two '), 'three\n']);
    assert.equal(readFileSync(file, 'utf8'), 'one two three\n');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('a.txt')),
      ['a.txt'],
    );
  });

  test('content that fails mid-way leaves the previous file untouched and no temp file', () => {
    const file = join(dir, 'b.txt');
    writeFileAtomic(file, 'old\n');
    const failing = (function* () {
      yield 'half of the new ';
      throw new Error('the producer broke');
    })();
    assert.throws(() => writeFileAtomic(file, failing), /the producer broke/);
    assert.equal(readFileSync(file, 'utf8'), 'old\n');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('b.txt')),
      ['b.txt'],
    );
  });

  test('keepModeOf gives the new file the old one’s permissions (a 0600 store stays 0600)', () => {
    const file = join(dir, 'c.db');
    writeFileSync(file, 'x');
    chmodSync(file, 0o600);
    writeFileAtomic(file, 'y', { keepModeOf: file });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileAtomic(file, 'z', { mode: 0o640 });
    assert.equal(statSync(file).mode & 0o777, 0o640 & ~process.umask());
  });

  test('writeDurable never writes into, nor removes, a file that already exists', () => {
    const file = join(dir, 'd.txt');
    writeFileSync(file, 'theirs');
    assert.throws(
      () => writeDurable(file, 'ours'),
      (e: NodeJS.ErrnoException) => e.code === 'EEXIST',
    );
    assert.equal(readFileSync(file, 'utf8'), 'theirs');
  });

  test('a temp file of a writer that died is removed; one of a live writer is kept', () => {
    const file = join(dir, 'e.db');
    const live = writeDurableTemp(file, 'in progress');
    // A pid that no process has: beyond Linux's pid_max.
    const dead = tempPathBeside(file).replace(`.${process.pid}.`, '.4194305.');
    writeFileSync(dead, 'orphan');
    removeOrphanTempFiles(file);
    const left = readdirSync(dir).filter((n) => n.includes('e.db'));
    assert.deepEqual(left, [live.slice(dir.length + 1)]);
  });
});
