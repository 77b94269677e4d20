import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { binEdges, fillZeroes, histogram } from '../../../../src/ml/drift/binning';
import { columnDrift, psiBand } from '../../../../src/ml/drift/column-drift';
import { datasetDrift } from '../../../../src/ml/drift/dataset-drift';
import { ks2samp } from '../../../../src/ml/drift/ks';
import { chi2Sf, gammaQ, kolmogorovSf } from '../../../../src/ml/drift/special';
import { columnCells } from '../../../../src/ml/dataset/columns';
import {
  buildTrainingProfile,
  MAX_POINTS,
  PROFILE_FILE,
  readTrainingProfile,
  sketchColumn,
  sketchNumeric,
  sketchOfColumn,
  SketchScratch,
} from '../../../../src/ml/drift/sketch';
import { Rng } from '../../../../src/ml/random';

const rng = new Rng(7);
const normal = (n: number, mean = 0, sd = 1): Float64Array => Float64Array.from({ length: n }, () => mean + sd * rng.normal());

test('chi-squared and Kolmogorov survival functions match known values', () => {
  assert.ok(Math.abs(chi2Sf(3.841458820694124, 1) - 0.05) < 1e-12);
  assert.ok(Math.abs(chi2Sf(18.307038053275146, 10) - 0.05) < 1e-12);
  assert.equal(gammaQ(2, 0), 1);
  assert.equal(gammaQ(2, Infinity), 0);
  // kstwobign.sf(1.3580986393225505) = 0.05
  assert.ok(Math.abs(kolmogorovSf(1.3580986393225505) - 0.05) < 1e-12);
  assert.ok(Math.abs(kolmogorovSf(0.5) - 0.9639452436648751) < 1e-12);
});

test('KS: identical samples have p = 1, disjoint ones a tiny p', () => {
  assert.deepEqual(ks2samp([3, 1, 2], [2, 3, 1]), { statistic: 0, pvalue: 1, method: 'exact' });
  const far = ks2samp([1, 2, 3, 4, 5, 6, 7, 8], [11, 12, 13, 14, 15, 16, 17, 18]);
  assert.equal(far.statistic, 1);
  assert.ok(far.pvalue < 0.001);
  assert.throws(() => ks2samp([], [1]), RangeError);
});

test('numeric sketch is exact up to MAX_POINTS distinct values, equal-mass quantiles above', () => {
  const small = sketchNumeric('x', Float64Array.from([3, 1, 2, 2, 3, 3]), 1);
  assert.deepEqual([small.values, small.weights, small.exact, small.count, small.missing, small.min, small.max], [[1, 2, 3], [1, 2, 3], true, 6, 1, 1, 3]);
  const big = sketchNumeric('x', normal(5000), 0);
  assert.equal(big.exact, false);
  assert.equal(big.values.length, MAX_POINTS);
  assert.ok(big.values.every((v, i) => i === 0 || v >= big.values[i - 1]!));
  assert.equal(
    big.weights.reduce((a, b) => a + b, 0),
    5000,
  );
});

test('categorical sketch counts values (booleans as true/false) and misses', () => {
  const s = sketchColumn('plan', 'categorical', ['basic', ' pro', 'basic', '', null, 'NA']);
  assert.deepEqual(s.kind !== 'numeric' && s.categories, [
    ['basic', 2],
    ['pro', 1],
  ]);
  assert.equal(s.missing, 3);
  const b = sketchColumn('flag', 'boolean', ['yes', 'no', 'true', 'maybe']);
  assert.deepEqual(b.kind !== 'numeric' && b.categories, [
    ['true', 2],
    ['false', 1],
  ]);
  assert.equal(b.missing, 1, 'a value that is not a boolean counts as missing');
});

test('histogram follows NumPy: half-open bins, the last one closed', () => {
  const edges = binEdges(0, 10, 5);
  assert.deepEqual(edges, [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(histogram([0, 1.9, 2, 9.99, 10], edges), [2, 1, 0, 0, 2]);
  assert.deepEqual(binEdges(4, 4, 2), [3.5, 4, 4.5]);
  assert.deepEqual(fillZeroes([0.5, 0, 0.5]), [0.5, 0.0001, 0.5]);
  assert.deepEqual(fillZeroes([0.99995, 0, 0.00005]), [0.99995, 0.00005 / 1e6, 0.00005]);
});

test('Evidently picks KS / chi-squared up to 1,000 reference values, Wasserstein / Jensen–Shannon above', () => {
  const ref = sketchNumeric('x', normal(800, 50, 10), 0);
  assert.equal(columnDrift(ref, normal(500, 50, 10)).test, 'ks');
  const bigRef = sketchNumeric('x', normal(3000, 50, 10), 0);
  const shifted = columnDrift(bigRef, normal(1000, 60, 10));
  assert.equal(shifted.test, 'wasserstein');
  assert.ok(shifted.drifted && shifted.score >= 0.1, `normed Wasserstein ${shifted.score}`);
  assert.equal(shifted.psiBand, 'significant');
  const steady = columnDrift(bigRef, normal(1000, 50, 10));
  assert.ok(!steady.drifted && steady.score < 0.1, `normed Wasserstein ${steady.score}`);
  const lowCard = sketchNumeric(
    'tickets',
    Float64Array.from({ length: 2000 }, (_, i) => i % 4),
    0,
  );
  assert.equal(columnDrift(lowCard, Float64Array.from([0, 1, 2, 3, 1])).test, 'jensenshannon');
  const cat = sketchColumn(
    'plan',
    'categorical',
    Array.from({ length: 500 }, (_, i) => ['a', 'b'][i % 2]!),
  );
  const withNew = columnDrift(cat, ['a', 'b', 'c', 'a']);
  assert.equal(withNew.test, 'chisquare');
  assert.equal(withNew.pvalue, 0);
  assert.ok(withNew.drifted);
  assert.ok(columnDrift(cat, ['a', 'b', 'c', 'a'], 0).drifted === false, 'a per-column threshold replaces the default');
});

test('PSI bands: < 0.1 stable, 0.1–0.2 moderate, > 0.2 significant', () => {
  assert.deepEqual([psiBand(0.05), psiBand(0.1), psiBand(0.2), psiBand(0.21)], ['stable', 'moderate', 'moderate', 'significant']);
});

test('the dataset drifts when at least half of its columns do', () => {
  const cells = (xs: ArrayLike<number>): string[] => Array.from(xs, String);
  const profile = buildTrainingProfile(
    2000,
    ['a', 'b', 'c', 'd'].map((name) => ({ name, kind: 'numeric' as const, cells: cells(normal(2000, 0, 1)) })),
    { name: 'y', kind: 'categorical', cells: Array.from({ length: 2000 }, (_, i) => (i % 2 ? 'yes' : 'no')) },
  );
  const current: Record<string, string[]> = { a: cells(normal(800, 2)), b: cells(normal(800)), c: cells(normal(800)), d: cells(normal(800)) };
  const one = datasetDrift(profile, (c) => current[c]);
  assert.deepEqual([one.drifted, one.total, one.datasetDrifted], [1, 4, false]);
  current.b = cells(normal(800, -2));
  const two = datasetDrift(profile, (c) => current[c]);
  assert.deepEqual([two.drifted, two.share, two.datasetDrifted], [2, 0.5, true]);
  const ignored = datasetDrift(profile, (c) => current[c], { columns: { b: { ignore: true } } });
  assert.deepEqual([ignored.total, ignored.datasetDrifted, ignored.skipped], [3, false, [{ column: 'b', reason: 'ignored by the pipeline file' }]]);
  delete current.d;
  assert.deepEqual(datasetDrift(profile, (c) => current[c]).skipped, [{ column: 'd', reason: 'not in the new data' }]);
});

test('the training profile reads back, refuses a malformed one naming the file, and is absent for older models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-profile-'));
  try {
    assert.equal(readTrainingProfile(dir), undefined);
    const profile = buildTrainingProfile(3, [{ name: 'x', kind: 'numeric', cells: ['1', '2', ''] }], {
      name: 'y',
      kind: 'categorical',
      cells: ['a', 'b', 'a'],
    });
    writeFileSync(join(dir, PROFILE_FILE), JSON.stringify(profile));
    assert.deepEqual(readTrainingProfile(dir), profile);
    writeFileSync(
      join(dir, PROFILE_FILE),
      JSON.stringify({ ...profile, columns: [{ name: 'x', kind: 'numeric', count: 1, missing: 0, values: [1], weights: [] }] }),
    );
    assert.throws(
      () => readTrainingProfile(dir),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'MODEL_INVALID' && e.message.includes(PROFILE_FILE) && e.message.includes('columns[0]'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stored column sketches as its cells do: float32 (exact and quantiles) and coded columns', () => {
  const few = Float32Array.from([5.1, 4.9, NaN, 5.1, 0.1, -0, 0, Infinity, 4.9, NaN]);
  const many = Float32Array.from(normal(5000), (v, i) => (i % 97 === 0 ? NaN : v));
  for (const col of [few, many, new Float32Array(0)]) {
    assert.deepEqual(sketchOfColumn('x', 'numeric', col), sketchColumn('x', 'numeric', columnCells(col)));
  }
  assert.equal(sketchOfColumn('x', 'numeric', few).missing, 2);
  // One pair of buffers serves a frame's columns one after another, leaving nothing of one in the next.
  const scratch = new SketchScratch(many.length);
  const other = Float32Array.from(many, (v, i) => (i % 3 === 0 ? NaN : v * 2 + 1));
  for (const col of [many, other, many]) assert.deepEqual(sketchOfColumn('x', 'numeric', col, scratch), sketchColumn('x', 'numeric', columnCells(col)));
  const m = sketchOfColumn('x', 'numeric', many);
  assert.ok(m.kind === 'numeric' && !m.exact);
  const coded = { kind: 'coded' as const, codes: Int32Array.from([0, 1, 2, 3, -1, 0, 4, 4, 1]), levels: ['basic', ' pro', 'NA', '', 'pro'] };
  const s = sketchOfColumn('plan', 'categorical', coded);
  assert.deepEqual(s, sketchColumn('plan', 'categorical', columnCells(coded)));
  assert.deepEqual(s.kind === 'categorical' && s.categories, [
    ['pro', 4],
    ['basic', 2],
  ]);
});
