import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Row } from '../../../../src/ml/dataset/dataset';
import { frameFromRows } from '../../../../src/ml/dataset/dataset';
import type { FeatureSpec } from '../../../../src/ml/dataset/schema';
import { Ensemble } from '../../../../src/ml/ensemble/ensemble';
import { Preprocessor } from '../../../../src/ml/ensemble/preprocess';
import { matrixColumns } from '../../../../src/ml/estimator';
import { RandomForest } from '../../../../src/ml/forest/random-forest';

// Numeric with gaps, a boolean, a one-hot categorical (3 levels) and an ordinal one (20 levels > the one-hot limit).
const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({
  x: i % 7 === 0 ? null : (i * 37) % 11,
  flag: i % 3 === 0 ? 'yes' : 'no',
  plan: ['basic', 'pro', 'team'][i % 3] ?? null,
  city: i % 9 === 0 ? '' : `c${i % 20}`,
  label: i % 2 ? 'a' : 'b',
}));
const features: FeatureSpec[] = [
  { name: 'x', kind: 'numeric' },
  { name: 'flag', kind: 'boolean' },
  { name: 'plan', kind: 'categorical' },
  { name: 'city', kind: 'categorical' },
  { name: 'f', kind: 'numeric' },
];
const frame = frameFromRows(rows, ['x', 'flag', 'plan', 'city', 'label']);
// A float32 column as the CSV loader stores numbers (NaN: missing), read in place by columns().
frame.columns.f = Float32Array.from(rows, (_, i) => (i % 5 === 0 ? NaN : Math.fround(i / 7)));

describe('preprocessing a column at a time', () => {
  test('columns() gives exactly the columns of transform(), on all rows and on a subset', () => {
    const subset = Int32Array.from([5, 0, 17, 42, 42, 59, 3]);
    for (const pick of [undefined, subset]) {
      const pre = Preprocessor.fit(frame, features, pick);
      const X = pre.transform(frame, pick);
      const source = pre.columns(frame, pick);
      assert.equal(source.nCols, X.nCols);
      assert.equal(source.nRows, X.nRows);
      assert.ok(X.nCols > features.length, 'one-hot outputs are present');
      const whole = matrixColumns(X);
      const into = new Float32Array(X.nRows);
      for (let c = 0; c < X.nCols; c++) {
        assert.deepEqual(source.column(c), whole.column(c), `column ${c} (${pre.outputNames[c]})`);
        assert.deepEqual(source.column(c, into), whole.column(c), `column ${c} written into a scratch array`);
      }
      const f = pre.outputNames.indexOf('f');
      assert.ok(!source.column(f).some(Number.isNaN), 'missing float32 cells are imputed');
    }
  });

  test('reading with a release callback lets each input column go after its last output, and says which was the last', () => {
    const own = { nRows: frame.nRows, columns: { ...frame.columns } };
    const pre = Preprocessor.fit(own, features);
    const calls: { last: boolean; left: string[] }[] = [];
    const source = pre.columns(own, undefined, (last) => calls.push({ last, left: Object.keys(own.columns).filter((k) => k !== 'label') }));
    const plan = pre.outputNames.filter((n) => n.startsWith('plan')).length;
    assert.ok(plan > 1, 'plan is one-hot: several outputs for one input');
    for (let c = 0; c < source.nCols; c++) source.column(c);
    assert.equal(calls.length, features.length, 'one call per input column');
    assert.deepEqual(
      calls.map((c) => c.last),
      features.map((_, i) => i === features.length - 1),
    );
    assert.deepEqual(calls.at(-1)?.left, [], 'no feature column is left');
    assert.equal(calls[0]!.left.length, features.length - 1, 'the first input went after its own output');
  });

  test('a forest fitted from columns is the forest fitted from the matrix', async () => {
    const pre = Preprocessor.fit(frame, features);
    const y = Float64Array.from(rows, (r) => (r.label === 'a' ? 1 : 0));
    const a = new RandomForest('classification', { seed: 3, nEstimators: 5 });
    const b = new RandomForest('classification', { seed: 3, nEstimators: 5 });
    await a.fit(pre.transform(frame), y, { threads: 1 });
    await b.fitColumns(pre.columns(frame), y, { threads: 1 });
    assert.deepEqual(b.toJSON(), a.toJSON());
  });

  test('an ensemble of forests never builds the whole matrix while fitting', async () => {
    const original = Preprocessor.prototype.transform;
    Preprocessor.prototype.transform = () => {
      throw new Error('transform called during a forest-only fit');
    };
    let ens: Ensemble;
    try {
      ens = await Ensemble.fit(frame, { name: 'label', task: 'classification', labels: rows.map((r) => String(r.label)) }, features, {
        members: [{ type: 'rf', params: { nEstimators: 4 } }],
        seed: 1,
        threads: 1,
      });
    } finally {
      Preprocessor.prototype.transform = original;
    }
    assert.equal(ens.predict(rows.slice(0, 4)).length, 4);
  });

  test('a member that needs the matrix (kNN) still gets it', async () => {
    const ens = await Ensemble.fit(frame, { name: 'label', task: 'classification', labels: rows.map((r) => String(r.label)) }, features, {
      members: [{ type: 'rf', params: { nEstimators: 4 } }, { type: 'knn' }],
      seed: 1,
      threads: 1,
    });
    assert.equal(ens.predict(rows.slice(0, 4)).length, 4);
  });
});
