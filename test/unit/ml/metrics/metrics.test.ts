import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binaryAuc, classificationMetrics, confusionMatrix } from '../../../../src/ml/metrics/classification';
import type { Matrix } from '../../../../src/ml/estimator';
import { permutationImportance } from '../../../../src/ml/metrics/importance';
import { regressionMetrics } from '../../../../src/ml/metrics/regression';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

describe('metrics', () => {
  test('classification metrics match hand-computed values (scikit-learn definitions)', () => {
    // y = [0,0,1,1,2], predictions [0,1,1,1,0] from these probabilities.
    const y = [0, 0, 1, 1, 2];
    const p = Float64Array.from([0.8, 0.1, 0.1, 0.3, 0.6, 0.1, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.5, 0.2, 0.3]);
    const m = classificationMetrics(y, p, 3);
    close(m.accuracy, 3 / 5);
    // recalls: c0 1/2, c1 2/2, c2 0/1 → balanced 0.5; precisions: c0 1/2, c1 2/3, c2 0
    close(m.balanced_accuracy, 0.5);
    close(m.recall_macro, 0.5);
    close(m.precision_macro, (0.5 + 2 / 3 + 0) / 3);
    close(m.f1_macro, (0.5 + 0.8 + 0) / 3);
    close(m.log_loss, -(Math.log(0.8) + Math.log(0.3) + Math.log(0.7) + Math.log(0.8) + Math.log(0.3)) / 5);
    assert.deepEqual(confusionMatrix(y, [0, 1, 1, 1, 0], 3), [
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
  });

  test('AUC counts ties as half and is undefined with one class', () => {
    close(binaryAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]), 0.75);
    close(binaryAuc([false, true], [0.5, 0.5]), 0.5);
    assert.ok(Number.isNaN(binaryAuc([true, true], [0.1, 0.2])));
  });

  test('regression metrics', () => {
    const m = regressionMetrics([1, 2, 3, 4], [1, 2, 4, 3]);
    close(m.rmse, Math.sqrt(0.5));
    close(m.mae, 0.5);
    close(m.r2, 1 - 2 / 5);
  });
});

describe('permutation importance', () => {
  test('shuffling the only informative column costs the score; shuffling noise costs nothing', () => {
    const n = 200;
    const data = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      data[i] = i % 2; // column 0 decides
      data[n + i] = (i * 7) % 5; // column 1 is noise
    }
    const X: Matrix = { nRows: n, nCols: 2, data };
    const truth = Array.from({ length: n }, (_, i) => i % 2);
    const score = (M: Matrix): number => truth.filter((t, i) => (M.data[i] > 0.5 ? 1 : 0) === t).length / n;
    const r = permutationImportance(X, score, { seed: 1, repeats: 4 });
    assert.ok(r.mean[0] > 0.3, `informative column: ${r.mean[0]}`);
    assert.equal(r.mean[1], 0);
  });
});
