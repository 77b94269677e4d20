import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Matrix } from '../../../../src/ml/estimator';
import { Knn } from '../../../../src/ml/knn/knn';
import { cvScore } from '../helpers';

function m(rows: number[][]): Matrix {
  const n = rows.length;
  const d = rows[0].length;
  const data = new Float32Array(n * d);
  rows.forEach((r, i) => r.forEach((v, c) => (data[c * n + i] = v)));
  return { nRows: n, nCols: d, data };
}

describe('kNN', () => {
  test('finds the exact nearest neighbours (regression mean of the k closest)', async () => {
    const knn = new Knn('regression', { nNeighbors: 2, standardize: false });
    await knn.fit(m([[0], [1], [2], [10], [11]]), Float64Array.from([0, 10, 20, 100, 110]));
    // 5.9: the two closest are 2 (3.9 away) and 10 (4.1 away), not 1 (4.9 away).
    assert.deepEqual(Array.from(knn.predict(m([[0.4], [10.6], [5.9]]))), [5, 105, 60]);
  });

  test('vote ties go to the lowest class index, as scikit-learn does', async () => {
    const knn = new Knn('classification', { nNeighbors: 2, standardize: false });
    await knn.fit(m([[0], [1]]), Float64Array.from([1, 0]));
    assert.deepEqual(Array.from(knn.predict(m([[0.5], [0.1]]))), [0, 0]);
    assert.deepEqual(Array.from(knn.predictProba(m([[0.5]]))), [0.5, 0.5]);
  });

  test('distance weighting: closer neighbours count more; an exact match takes all the weight', async () => {
    const knn = new Knn('classification', { nNeighbors: 3, weights: 'distance', standardize: false });
    await knn.fit(m([[0], [3], [4]]), Float64Array.from([0, 1, 1]));
    assert.deepEqual(Array.from(knn.predict(m([[0.5]]))), [0], 'one close neighbour beats two far ones');
    assert.deepEqual(Array.from(knn.predictProba(m([[3]]))), [0, 1]);
  });

  test('standardization makes features comparable', async () => {
    // Feature 2 is on a 1000× scale; without scaling it would decide alone.
    const X = m([
      [0, 0],
      [1, 0],
      [0, 1000],
      [1, 1000],
    ]);
    const knn = new Knn('classification', { nNeighbors: 1 });
    await knn.fit(X, Float64Array.from([0, 1, 0, 1]));
    assert.deepEqual(Array.from(knn.predict(m([[0.9, 400]]))), [1]);
  });

  test('round trip through JSON predicts the same', async () => {
    const knn = new Knn('classification', { nNeighbors: 3 });
    const X = m([
      [0, 1],
      [1, 1],
      [2, 0],
      [3, 3],
      [4, 1],
    ]);
    await knn.fit(X, Float64Array.from([0, 0, 1, 1, 1]));
    const back = Knn.fromJSON(JSON.parse(JSON.stringify(knn.toJSON())));
    assert.deepEqual(back.predictProba(X), knn.predictProba(X));
  });

  test('iris accuracy matches scikit-learn KNeighborsClassifier on scaled data (≈0.95)', async () => {
    const score = await cvScore('iris', () => new Knn('classification'));
    assert.ok(score >= 0.93, `iris kNN ${score}`);
  });

  test('more neighbours than rows is refused', async () => {
    await assert.rejects(new Knn('classification', { nNeighbors: 9 }).fit(m([[0], [1]]), Float64Array.from([0, 1])), /larger than the 2 training rows/);
  });
});
