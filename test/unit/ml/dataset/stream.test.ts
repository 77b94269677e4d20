import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { parseCsv } from '../../../../src/ml/dataset/csv';
import { readCsvHeader, streamCsvFile } from '../../../../src/ml/dataset/csv-stream';
import { datasetFromText, loadDataset } from '../../../../src/ml/dataset/dataset';

const dir = mkdtempSync(join(tmpdir(), 'modelops-stream-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function utf16(text: string, endian: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  return endian === 'le' ? le : le.swap16();
}

const plain =
  'sepal,petal,kind,species\n5.1,1.4,"big, wide",setosa\n4.9,,small,setosa\n6.3,4.9,"two\nlines",virginica\n5.8,5.1,small,virginica\n\n6.0,4.5,"say ""hi""",versicolor\n';
const fixtures: Array<{ name: string; bytes: string | Buffer; text: string }> = [
  { name: 'lf.csv', bytes: plain, text: plain },
  { name: 'crlf.csv', bytes: plain.replace(/\n/g, '\r\n'), text: plain.replace(/\n/g, '\r\n') },
  { name: 'cr.csv', bytes: plain.replace(/\n/g, '\r'), text: plain.replace(/\n/g, '\r') },
  { name: 'bom.csv', bytes: '\uFEFF' + plain, text: plain },
  { name: 'utf16le.csv', bytes: utf16(plain, 'le', true), text: plain },
  { name: 'utf16be-nobom.csv', bytes: utf16(plain, 'be', false), text: plain },
  { name: 'comma.csv', bytes: plain.replace(/,/g, ';').replace(/(\d)\.(\d)/g, '$1,$2'), text: plain.replace(/,/g, ';').replace(/(\d)\.(\d)/g, '$1,$2') },
  { name: 'unicode.csv', bytes: 'x,y,label\n1,héllo 😀,a\n2,日本,b\n3,ß,a\n4,😀😀,b\n', text: 'x,y,label\n1,héllo 😀,a\n2,日本,b\n3,ß,a\n4,😀😀,b\n' },
];

describe('CSV files read a chunk at a time', () => {
  test('give the rows and lines parseCsv gives on the whole text, whatever the size of a read', () => {
    for (const f of fixtures) {
      const path = file(f.name, f.bytes);
      const whole = parseCsv(f.text, path, { decimal: '.' });
      for (const chunkBytes of [1, 2, 3, 5, 7, 64, 1 << 20]) {
        const rows: string[][] = [];
        const lines: number[] = [];
        let header: string[] = [];
        streamCsvFile(path, undefined, { chunkBytes, header: (h) => (header = h), row: (r, l) => (rows.push(r), lines.push(l)) });
        const at = `${f.name} read ${chunkBytes} bytes at a time`;
        assert.deepEqual(header, whole.header, at);
        assert.deepEqual(rows, whole.rows, at);
        assert.deepEqual(lines, whole.lines, at);
      }
    }
  });

  test('hand over the decoded text for the content hash in order, nothing lost at chunk boundaries', () => {
    for (const f of fixtures) {
      const path = file(f.name, f.bytes);
      let text = '';
      streamCsvFile(path, undefined, { chunkBytes: 3, row: () => undefined, text: (t) => (text += t) });
      assert.equal(text, f.text, f.name);
    }
  });

  test('refuse an unterminated quote and a ragged row with the message and line of the in-memory parser', () => {
    const cases = ['a,b\n1,2\n"3,4\n5,6\n', 'a,b\n1,2\n3,4,5\n', 'a,b\n1,"2"x\n'];
    for (const [i, text] of cases.entries()) {
      const path = file(`bad${i}.csv`, text);
      const expected = captured(() => parseCsv(text, path));
      for (const chunkBytes of [1, 4, 1 << 20]) {
        const got = captured(() => streamCsvFile(path, undefined, { chunkBytes, row: () => undefined }));
        assert.equal(got.message, expected.message, `case ${i}, ${chunkBytes}-byte reads`);
        assert.equal(got.location, expected.location);
      }
    }
  });

  test('the header alone is read for readCsvHeader', () => {
    const path = file('header.csv', 'a;b;c\n' + '1;2;3\n'.repeat(1000));
    assert.deepEqual(readCsvHeader(path, undefined), { header: ['a', 'b', 'c'], delimiter: ';' });
  });
});

describe('loadDataset streaming a file', () => {
  test('builds the dataset datasetFromText builds from the same text (columns, target, schema, digest, profile, warnings)', () => {
    for (const f of fixtures) {
      const path = file(f.name, f.bytes);
      const target = f.name === 'unicode.csv' ? 'label' : 'species';
      const streamed = loadDataset(path, { target });
      const inMemory = datasetFromText(f.text, path, { target });
      assert.deepEqual(streamed, inMemory, f.name);
    }
  });

  test('reads a decimal comma as one and says so, as the in-memory loader does', () => {
    const f = fixtures.find((x) => x.name === 'comma.csv')!;
    const d = loadDataset(file(f.name, f.bytes), { target: 'species' });
    assert.equal(d.schema.features.find((x) => x.name === 'sepal')?.kind, 'numeric');
    assert.ok(
      d.schema.warnings.some((w) => /decimal comma/i.test(w)),
      d.schema.warnings.join('; '),
    );
  });

  test('refuses a missing target from the header, before reading the rows', () => {
    const path = file('big-no-target.csv', 'a,b\n' + '1,2\n'.repeat(200_000));
    const seen: number[] = [];
    const e = captured(() => loadDataset(path, { target: 'label' }, (f) => seen.push(f)));
    assert.match(e.message, /label/);
    assert.deepEqual(seen, [], 'no progress: no pass over the rows began');
  });

  test('refuses a ragged row at its line, having read only the start of a large file', () => {
    const path = file('big-ragged.csv', 'a,b,label\n1,2,x\n1,2\n' + '1,2,y\n'.repeat(400_000));
    let last = 0;
    const e = captured(() => loadDataset(path, { target: 'label' }, (f) => (last = f)));
    assert.match(e.message, /big-ragged\.csv:3:/);
    // The first pass alone spans 0–50% of the load: refused at its first chunk, not at its end.
    assert.ok(last < 0.05, `refused at ${(last * 100).toFixed(1)}% of the load`);
  });

  test('reports progress up to the whole load, never going back', () => {
    const path = file('progress.csv', 'a,b,label\n' + '1,2,x\n3,4,y\n'.repeat(300_000));
    const seen: number[] = [];
    loadDataset(path, { target: 'label' }, (f) => seen.push(f));
    assert.ok(seen.length > 2, `${seen.length} progress reports`);
    assert.deepEqual(
      [...seen].sort((x, y) => x - y),
      seen,
      'monotonic',
    );
    assert.equal(seen.at(-1), 1);
  });
});

function captured(fn: () => unknown): ModelOpsError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ModelOpsError, `expected ModelOpsError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}
