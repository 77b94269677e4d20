import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { createEstimator, estimatorFromJSON } from '../../../src/ml/estimators';
import { cvScore, prepared } from './helpers';

describe('mljs engines behind the estimator interface', () => {
  for (const name of ['iris', 'wine']) {
    test(`${name}: the mljs and modelops engines agree within 0.03 accuracy`, async () => {
      const ours = await cvScore(name, () => createEstimator({ type: 'rf' }, 'classification', 5));
      const theirs = await cvScore(name, () => createEstimator({ type: 'rf', engine: 'mljs', params: { nEstimators: 50 } }, 'classification', 5));
      assert.ok(Math.abs(ours - theirs) <= 0.03, `${name}: modelops ${ours.toFixed(3)} vs mljs ${theirs.toFixed(3)}`);
      const knnOurs = await cvScore(name, () => createEstimator({ type: 'knn' }, 'classification', 5));
      const knnTheirs = await cvScore(name, () => createEstimator({ type: 'knn', engine: 'mljs' }, 'classification', 5));
      assert.ok(Math.abs(knnOurs - knnTheirs) <= 0.03, `${name} kNN: modelops ${knnOurs.toFixed(3)} vs mljs ${knnTheirs.toFixed(3)}`);
    });
  }

  test('mljs forest probabilities count every tree and survive a save/load', async () => {
    const { X, y } = prepared('iris');
    const est = createEstimator({ type: 'rf', engine: 'mljs', params: { nEstimators: 7 } }, 'classification', 1);
    await est.fit(X, y);
    const p = est.predictProba(X);
    for (let i = 0; i < X.nRows; i++) {
      const row = [p[i * 3], p[i * 3 + 1], p[i * 3 + 2]];
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-9, 'votes of all 7 trees sum to 1');
      for (const v of row) assert.ok(Number.isInteger(Math.round(v * 7 * 1e6) / 1e6), 'each probability is a multiple of 1/7');
    }
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(est.toJSON())));
    assert.deepEqual(back.predictProba(X), p);
  });

  test('what mljs cannot do is refused, not silently wrong', async () => {
    assert.throws(
      () => createEstimator({ type: 'knn', engine: 'mljs' }, 'regression', 1),
      (e: unknown) => e instanceof ModelOpsError && /no regression/.test(e.message),
    );
    const est = createEstimator({ type: 'rf', engine: 'mljs' }, 'classification', 1);
    await assert.rejects(est.fit({ nRows: 2, nCols: 1, data: Float32Array.from([NaN, 1]) }, Float64Array.from([0, 1])), /missing or infinite/);
    assert.equal(est.featureImportances(), undefined);
  });
});
