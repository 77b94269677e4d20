import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { decodeText, parseCsv } from '../../../../src/ml/dataset/csv';

function fails(fn: () => unknown, location: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelOpsError, `expected ModelOpsError, got ${String(e)}`);
    assert.equal(e.code, 'DATA_INVALID');
    assert.equal(e.location, location);
    assert.match(e.message, message);
    assert.ok(e.message.startsWith(location), `message names the location: ${e.message}`);
    return true;
  });
}

describe('CSV loading', () => {
  test('reads quoted fields with delimiters, escaped quotes and newlines inside', () => {
    const t = parseCsv('name,note\n"Smith, J","said ""hi""\nthen left"\nDoe,plain\n', 'q.csv');
    assert.deepEqual(t.header, ['name', 'note']);
    assert.deepEqual(t.rows, [
      ['Smith, J', 'said "hi"\nthen left'],
      ['Doe', 'plain'],
    ]);
    assert.deepEqual(t.lines, [2, 4], 'a row after a multi-line field starts on its real line');
  });

  test('strips a UTF-8 BOM and reads CRLF line endings', () => {
    const t = parseCsv('\uFEFFa,b\r\n1,2\r\n3,4\r\n', 'bom.csv');
    assert.deepEqual(t.header, ['a', 'b']);
    assert.deepEqual(t.rows, [
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  test('takes a custom delimiter and detects semicolons by itself', () => {
    assert.deepEqual(parseCsv('a|b\n1|2\n', 'p.csv', { delimiter: '|' }).rows, [['1', '2']]);
    // Two fields: the semicolon was found; `1,5` is then a decimal comma (ml/dataset/decimal.ts).
    assert.deepEqual(parseCsv('a;b\n1,5;2\n', 's.csv').rows, [['1.5', '2']]);
    assert.deepEqual(parseCsv('a;b\n1,5;2\n', 's.csv', { decimal: '.' }).rows, [['1,5', '2']]);
  });

  test('skips blank lines but keeps counting lines', () => {
    const t = parseCsv('a,b\n1,2\n\n3,4\n', 'blank.csv');
    assert.equal(t.rows.length, 2);
    assert.deepEqual(t.lines, [2, 4]);
  });

  test('a ragged row is an error naming file, line and column', () => {
    fails(() => parseCsv('a,b,c\n1,2,3\n4,5\n', 'ragged.csv'), 'ragged.csv:3:3', /2 fields but the header has 3/);
  });

  test('an empty file, a header without rows and a blank header name are errors', () => {
    fails(() => parseCsv('', 'empty.csv'), 'empty.csv', /empty/);
    fails(() => parseCsv('  \n\n', 'blank.csv'), 'blank.csv', /empty/);
    fails(() => parseCsv('a,b\n', 'header.csv'), 'header.csv', /no data rows/);
    fails(() => parseCsv('a,,c\n1,2,3\n', 'noname.csv'), 'noname.csv:1:2', /empty name/);
    fails(() => parseCsv('a,a\n1,2\n', 'dup.csv'), 'dup.csv:1:2', /duplicate column name 'a'/);
  });

  test('more rows than the in-memory limit is an error naming the line', () => {
    const text = `x\n${Array.from({ length: 12 }, (_, i) => i).join('\n')}\n`;
    fails(() => parseCsv(text, 'big.csv', { maxRows: 10 }), 'big.csv:12', /more than 10 rows/);
    assert.equal(parseCsv(text, 'ok.csv', { maxRows: 12 }).rows.length, 12);
  });
});

describe('file encodings', () => {
  test('UTF-16 (little or big endian, with a BOM or not) reads as the text it is, not as ragged rows', () => {
    const text = 'a,b,label\n1,2,x\n3,4,y\n';
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), Buffer.concat([Buffer.from([0xfe, 0xff]), be]), le, be]) {
      assert.equal(decodeText(bytes), text);
    }
    assert.equal(decodeText(Buffer.from(`\ufeff${text}`, 'utf8')).replace(/^\ufeff/, ''), text);
  });
});
