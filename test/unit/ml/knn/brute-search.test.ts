import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Matrix } from '../../../../src/ml/estimator';
import type { BruteJob } from '../../../../src/ml/knn/brute-search';
import { searchParallel, searchRange, searchRangeScalar } from '../../../../src/ml/knn/brute-search';
import { sqDist } from '../../../../src/ml/knn/kd-tree';
import { Knn } from '../../../../src/ml/knn/knn';
import { SimdScan } from '../../../../src/ml/knn/simd-scan';
import { Rng } from '../../../../src/ml/random';

/** Small integers: many rows at exactly the same distance from a query, so the tie rule decides. */
function grid(rng: Rng, n: number, d: number): Float32Array {
  return Float32Array.from({ length: n * d }, () => Math.floor(rng.next() * 3));
}

function job(train: Float32Array, nTrain: number, queries: Float32Array, nQueries: number, d: number, k: number): BruteJob {
  return { train, nTrain, d, queries, nQueries, k, outD: new Float64Array(nQueries * k), outI: new Int32Array(nQueries * k) };
}

/** Reference: every distance, sorted by (distance, training index), the first k. */
function reference(j: BruteJob): { d: number[]; i: number[] } {
  const d: number[] = [];
  const i: number[] = [];
  for (let q = 0; q < j.nQueries; q++) {
    const all = Array.from({ length: j.nTrain }, (_, t) => ({ t, s: sqDist(j.queries, q * j.d, j.train, t * j.d, j.d) }));
    all.sort((a, b) => a.s - b.s || a.t - b.t);
    for (const e of all.slice(0, j.k)) {
      d.push(e.s);
      i.push(e.t);
    }
  }
  return { d, i };
}

describe('kNN brute-force search', () => {
  test('the one-thread scan returns the k smallest (distance, lower index) pairs on data full of ties', () => {
    const rng = new Rng(3);
    const j = job(grid(rng, 400, 7), 400, grid(rng, 60, 7), 60, 7, 6);
    searchRange(j, 0, j.nQueries);
    const ref = reference(j);
    assert.deepEqual(Array.from(j.outI), ref.i);
    assert.deepEqual(Array.from(j.outD), ref.d);
  });

  test('worker threads return exactly the one-thread neighbours, ties included', () => {
    const rng = new Rng(11);
    const d = 17;
    const train = grid(rng, 500, d);
    const queries = grid(rng, 300, d);
    const alone = job(train, 500, queries, 300, d, 5);
    searchRange(alone, 0, alone.nQueries);
    const onWorkers = job(train, 500, queries, 300, d, 5);
    const threads = searchParallel(onWorkers, { threads: 2, minWork: 0, workersOnly: true });
    assert.equal(threads, 2, 'the worker script was found and used');
    assert.deepEqual(Array.from(onWorkers.outI), Array.from(alone.outI));
    assert.deepEqual(Array.from(onWorkers.outD), Array.from(alone.outD));
    assert.deepEqual(Array.from(onWorkers.outI), reference(alone).i);
    const shared = job(train, 500, queries, 300, d, 5);
    searchParallel(shared, { threads: 3, minWork: 0 });
    assert.deepEqual(Array.from(shared.outI), Array.from(alone.outI));
  });

  test('kNN with 16+ features predicts the same with and without worker threads', async () => {
    const rng = new Rng(5);
    const n = 300;
    const d = 18;
    const m = (rows: number): Matrix => ({ nRows: rows, nCols: d, data: grid(rng, rows, d) });
    const X = m(n);
    const y = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 3));
    const one = new Knn('classification', { weights: 'distance' });
    await one.fit(X, y);
    one.parallel = { threads: 1 };
    const many = Knn.fromJSON(one.toJSON());
    many.parallel = { threads: 2, minWork: 0, workersOnly: true };
    const Q = m(200);
    assert.deepEqual(many.predictProba(Q), one.predictProba(Q));
  });

  describe('SIMD pre-filter', () => {
    /** Runs both scans on the same data and asserts identical neighbours and distances. */
    function agree(train: Float32Array, nTrain: number, queries: Float32Array, nQueries: number, d: number, k: number): BruteJob {
      const scalar = job(train, nTrain, queries, nQueries, d, k);
      searchRangeScalar(scalar, 0, nQueries);
      const simd = job(train, nTrain, queries, nQueries, d, k);
      const scan = SimdScan.create(simd, queries);
      assert.ok(scan, 'WebAssembly SIMD runs here (Node 20+)');
      scan.searchRange(queries, k, simd.outD, simd.outI, 0, nQueries);
      assert.deepEqual(Array.from(simd.outI), Array.from(scalar.outI));
      assert.deepEqual(Array.from(simd.outD), Array.from(scalar.outD));
      return simd;
    }

    test('matches the scalar scan on data full of ties, for every feature count and row count around the 4×4 blocking', () => {
      const rng = new Rng(21);
      for (const d of [1, 2, 3, 4, 5, 7, 16, 17, 20, 33]) {
        for (const n of [1, 3, 4, 15, 16, 17, 63, 257]) {
          for (const k of [1, 5, n + 2]) agree(grid(rng, n, d), n, grid(rng, 23, d), 23, d, k);
        }
      }
    });

    test('matches the scalar scan, and the exhaustive reference, on Gaussian data', () => {
      const rng = new Rng(8);
      const gauss = (len: number): Float32Array => Float32Array.from({ length: len }, () => rng.normal());
      const d = 20;
      const j = agree(gauss(3001 * d), 3001, gauss(97 * d), 97, d, 5);
      assert.deepEqual(Array.from(j.outI), reference(j).i);
    });

    test('keeps rows whose distances differ from the k-th only in the last float32 bits', () => {
      // Rows that are copies of one row nudged by one ulp in one feature: their f32 sums collide
      // or invert, so only an exact recheck of everything near the threshold orders them right.
      const rng = new Rng(13);
      const d = 24;
      const n = 400;
      const base = Float32Array.from({ length: d }, () => rng.normal() * 100);
      const train = new Float32Array(n * d);
      for (let j = 0; j < n; j++) {
        for (let c = 0; c < d; c++) {
          const v = base[c];
          const ulp = Math.abs(v) * 2 ** -23;
          train[j * d + c] = c === j % d ? Math.fround(v + ulp * ((j % 5) - 2)) : v;
        }
      }
      const queries = Float32Array.from({ length: 9 * d }, (_, i) => Math.fround(base[i % d] + (Math.floor(i / d) - 4) * 1e-3));
      agree(train, n, queries, 9, d, 7);
    });

    test('finds the true nearest among rows whose distances differ by less than float32 rounding', () => {
      // Every row is the same difference vector, shuffled and nudged by ~1e-7: the distances are
      // equal to within f32's rounding error, so an unwidened f32 filter drops true neighbours.
      const rng = new Rng(29);
      const d = 20;
      const n = 64;
      for (let trial = 0; trial < 60; trial++) {
        const v = Array.from({ length: d }, () => rng.normal());
        const train = new Float32Array(n * d);
        for (let j = 0; j < n; j++) {
          const perm = v.map((x) => ({ x, r: rng.next() })).sort((a, b) => a.r - b.r);
          for (let c = 0; c < d; c++) train[j * d + c] = Math.fround(perm[c].x * (1 + (rng.next() - 0.5) * 4e-7));
        }
        agree(train, n, new Float32Array(d), 1, d, 1 + (trial % 3));
      }
    });

    test('steps aside for data the f32 kernel cannot order: NaN, infinities, huge values', () => {
      const d = 4;
      const ok = new Float32Array(8 * d).fill(1);
      for (const bad of [NaN, Infinity, -Infinity, 1e30]) {
        const train = ok.slice();
        train[5] = bad;
        assert.equal(SimdScan.create({ train, nTrain: 8, d }, ok), undefined, `train holding ${bad}`);
        assert.equal(SimdScan.create({ train: ok, nTrain: 8, d }, train), undefined, `queries holding ${bad}`);
      }
      // And the search still answers, through the scalar scan.
      const train = ok.slice();
      train[5] = NaN;
      const viaDefault = job(train, 8, ok, 8, d, 3);
      searchRange(viaDefault, 0, 8);
      const viaScalar = job(train, 8, ok, 8, d, 3);
      searchRangeScalar(viaScalar, 0, 8);
      assert.deepEqual(Array.from(viaDefault.outI), Array.from(viaScalar.outI));
    });

    test('worker threads using the SIMD scan return the scalar one-thread neighbours', () => {
      const rng = new Rng(17);
      const d = 20;
      const train = grid(rng, 700, d);
      const queries = grid(rng, 260, d);
      const scalar = job(train, 700, queries, 260, d, 5);
      searchParallel(scalar, { threads: 1, kernel: 'scalar' });
      const simd = job(train, 700, queries, 260, d, 5);
      assert.equal(searchParallel(simd, { threads: 2, minWork: 0, workersOnly: true, kernel: 'simd' }), 2);
      assert.deepEqual(Array.from(simd.outI), Array.from(scalar.outI));
      assert.deepEqual(Array.from(simd.outD), Array.from(scalar.outD));
    });
  });
});
