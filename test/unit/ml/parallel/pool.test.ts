import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Matrix } from '../../../../src/ml/estimator';
import { forestWorkerPath } from '../../../../src/ml/forest/grow-trees';
import { RandomForest } from '../../../../src/ml/forest/random-forest';
import { closePool, poolSize } from '../../../../src/ml/parallel/pool';
import { Rng } from '../../../../src/ml/random';

describe('pooled prediction workers', () => {
  test('a second prediction reuses the running worker, and every prediction equals the one-thread sums', async () => {
    const rng = new Rng(4);
    const n = 600;
    const d = 6;
    const X: Matrix = { nRows: n, nCols: d, data: Float32Array.from({ length: n * d }, () => rng.normal()) };
    const y = Float64Array.from({ length: n }, (_, i) => (X.data[i] + X.data[n + i] > 0 ? 1 : 0));
    const rf = new RandomForest('classification', { seed: 3, nEstimators: 20 });
    await rf.fit(X, y, { threads: 1 });
    const alone = Array.from(rf.predictProba(X));
    const file = forestWorkerPath();
    assert.ok(file, 'the forest worker script is found');
    closePool(file);
    rf.parallel = { threads: 2, minWork: 0, workersOnly: true };
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(Array.from(rf.predictProba(X)), alone, `prediction ${i + 1} on the pooled worker`);
      assert.equal(poolSize(file), 1, 'one worker, kept');
    }
    closePool(file);
    assert.equal(poolSize(file), 0);
  });
});
