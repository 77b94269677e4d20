import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Matrix } from '../../../../src/ml/estimator';
import type { BruteJob } from '../../../../src/ml/knn/brute-search';
import { searchParallel, searchRange } from '../../../../src/ml/knn/brute-search';
import { sqDist } from '../../../../src/ml/knn/kd-tree';
import { Knn } from '../../../../src/ml/knn/knn';
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
});
