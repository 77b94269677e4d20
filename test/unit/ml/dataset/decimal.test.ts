import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { cellAt, columnCells, float32Cell } from '../../../../src/ml/dataset/columns';
import { datasetFromText } from '../../../../src/ml/dataset/dataset';
import { parseNumber } from '../../../../src/ml/dataset/schema';
import { example } from '../helpers';

/** iris as a European spreadsheet saves it: `;` between fields, `5,1` for 5.1. */
function europeanIris(): string {
  return readFileSync(example('iris.csv'), 'utf8')
    .replace(/,/g, ';')
    .replace(/(\d)\.(\d)/g, '$1,$2');
}

test('a ;-separated file with decimal commas is read as numbers, with a warning naming the columns', () => {
  const ds = datasetFromText(europeanIris(), 'iris-eu.csv', { target: 'species' });
  assert.deepEqual(
    ds.schema.features.map((f) => f.kind),
    ['numeric', 'numeric', 'numeric', 'numeric'],
  );
  assert.equal(cellAt(ds.frame.columns.sepal_length!, 0), 5.1);
  assert.match(
    ds.schema.warnings.join('\n'),
    /iris-eu\.csv: read 'sepal_length', 'sepal_width', 'petal_length', 'petal_width' with a decimal comma \(e\.g\. 5,1\); pass --decimal \. to read such cells as text/,
  );
});

test('--decimal . keeps decimal commas as text and says which column looked numeric', () => {
  const ds = datasetFromText(europeanIris(), 'iris-eu.csv', { target: 'species', decimal: '.' });
  assert.equal(ds.schema.features.find((f) => f.name === 'sepal_length')?.kind, 'categorical');
  assert.match(
    ds.schema.warnings.join('\n'),
    /iris-eu\.csv:2:1: column 'sepal_length' looks numeric with a decimal comma \('5,1'\), read as text; pass --decimal , to read it as numbers/,
  );
});

test('thousands points go with a decimal comma: 1.234,5 is 1234.5', () => {
  const ds = datasetFromText('amount;label\n1.234,5;a\n2,25;b\n3,5;a\n10;b\n', 'x.csv', { target: 'label' });
  assert.deepEqual(columnCells(ds.frame.columns.amount!), [1234.5, 2.25, 3.5, 10]);
});

test('hex, octal, binary and Infinity are text, not numbers', () => {
  for (const s of ['0x10', '0o7', '0b11', 'Infinity', '-Infinity', '1_000', '12abc']) assert.ok(Number.isNaN(parseNumber(s)), s);
  for (const [s, n] of [
    ['12', 12],
    ['-0.5', -0.5],
    ['.5', 0.5],
    ['1e3', 1000],
    [' 7 ', 7],
    ['+3', 3],
  ] as const)
    assert.equal(parseNumber(s), n);
  const ds = datasetFromText('code,label\n0x10,a\n0x20,b\n0x30,a\n0x40,b\n', 'hex.csv', { target: 'label' });
  assert.equal(ds.schema.features[0]?.kind, 'categorical');
});

test('a comma-separated file is never taken for decimal commas', () => {
  const ds = datasetFromText('a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n', 'plain.csv', { target: 'label' });
  assert.deepEqual(ds.schema.warnings, []);
});

describe('a float32 cell read back as its shortest decimal', () => {
  // The plain search the fast path must agree with: the fewest digits that read back to the float32.
  const shortest = (x: number): number | null => {
    if (Number.isNaN(x)) return null;
    for (let p = 1; p <= 9; p++) {
      const y = Number(x.toPrecision(p));
      if (Math.fround(y) === x) return y;
    }
    return x;
  };
  test('agrees with trying 1 to 9 digits on decimals of every length, random bit patterns, subnormals and edge values', () => {
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    let s = 99;
    const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    const cases: number[] = [0, -0, Infinity, -Infinity, NaN, 5.1, 9.999999, 99999.95, 1e-45, 1.17549435e-38, 3.4028235e38];
    for (let i = 0; i < 20000; i++) {
      bits[0] = next();
      cases.push(f[0]!);
      const digits = 1 + (i % 9);
      cases.push(Math.fround(Number(((next() / 4294967296 - 0.5) * 10 ** ((i % 12) - 4)).toPrecision(digits))));
    }
    for (const x of cases) assert.equal(float32Cell(Math.fround(x)), shortest(Math.fround(x)), `float32 ${x}`);
  });
});
