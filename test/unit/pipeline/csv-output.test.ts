import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../../src/ml/dataset/csv';
import { writeCsvAtomic } from '../../../src/pipeline/csv-output';

test('cells with commas, quotes, newlines and edge spaces survive a round trip, and no temp file is left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-csv-'));
  try {
    const file = join(dir, 'out.csv');
    const rows = [
      ['a,b', 'say "hi"', 'line\nbreak'],
      [' padded ', 'plain', ''],
    ];
    writeCsvAtomic(file, ['x', 'y', 'z'], rows);
    const back = parseCsv(readFileSync(file, 'utf8'), file);
    assert.deepEqual(back.header, ['x', 'y', 'z']);
    assert.deepEqual(back.rows, rows);
    assert.deepEqual(readdirSync(dir), ['out.csv']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed write leaves the previous file untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-csv-'));
  try {
    const file = join(dir, 'out.csv');
    writeCsvAtomic(file, ['x'], [['1']]);
    const failing = (function* () {
      yield ['2'];
      throw new Error('scoring broke mid-way');
    })();
    assert.throws(() => writeCsvAtomic(file, ['x'], failing), /cannot write the output file/);
    assert.equal(readFileSync(file, 'utf8'), 'x\n1\n');
    assert.deepEqual(readdirSync(dir), ['out.csv']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
