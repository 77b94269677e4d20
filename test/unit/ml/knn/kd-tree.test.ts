import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KdTree, sqDist } from '../../../../src/ml/knn/kd-tree';
import { Rng } from '../../../../src/ml/random';

function brute(points: Float32Array, n: number, d: number, q: Float32Array, k: number): number[] {
  const all = Array.from({ length: n }, (_, j) => ({ j, s: sqDist(q, 0, points, j * d, d) }));
  all.sort((a, b) => a.s - b.s || a.j - b.j);
  return all.slice(0, k).map((x) => x.j);
}

describe('KD-tree', () => {
  test('returns exactly the brute-force neighbours, ties broken by the lower index', () => {
    const rng = new Rng(9);
    for (const d of [1, 3, 7, 12]) {
      const n = 700;
      // Values on a coarse grid so that many distances tie.
      const points = Float32Array.from({ length: n * d }, () => Math.floor(rng.next() * 5));
      const tree = new KdTree(points, n, d);
      const bestD = new Float64Array(5);
      const bestI = new Int32Array(5);
      for (let t = 0; t < 60; t++) {
        const q = Float32Array.from({ length: d }, () => Math.floor(rng.next() * 6) - 0.5 * (t % 2));
        tree.search(q, 0, bestD, bestI);
        assert.deepEqual(Array.from(bestI), brute(points, n, d, q, 5), `d=${d} query ${t}`);
      }
    }
  });

  test('duplicate points beyond a leaf do not break the build', () => {
    const points = new Float32Array(500 * 2).fill(1);
    const tree = new KdTree(points, 500, 2);
    const bestD = new Float64Array(3);
    const bestI = new Int32Array(3);
    tree.search(Float32Array.from([1, 1]), 0, bestD, bestI);
    assert.deepEqual(Array.from(bestI), [0, 1, 2]);
  });
});
