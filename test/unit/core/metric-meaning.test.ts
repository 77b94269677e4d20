import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { bestValue, compareMetricKeys, greaterIsBetter, isBetter, metricLabel, metricMeaning } from '../../../src/core/metric-meaning';

describe('metric meaning', () => {
  test('a spread over folds is never best, whichever value is higher or lower', () => {
    for (const key of ['accuracy_std', 'roc_auc_std', 'log_loss_std', 'rmse_std']) {
      const m = metricMeaning(key);
      assert.equal(m.kind, 'spread', key);
      assert.equal(m.rankable, false, key);
      assert.equal(bestValue(key, [0.01, 0.02]), undefined, key);
      assert.equal(isBetter(key, 0.02, 0.01), false, key);
      assert.equal(isBetter(key, 0.01, 0.02), false, key);
    }
    assert.equal(metricMeaning('accuracy_std').displayName, 'Accuracy spread (std over folds)');
  });

  test('lower-is-better metrics compare the right way', () => {
    for (const key of ['log_loss', 'rmse', 'mae', 'mse', 'val_loss', 'training_time', 'p95_latency_ms']) {
      assert.equal(metricMeaning(key).direction, 'lower', key);
      assert.equal(bestValue(key, [0.5, 0.2, 0.9]), 0.2, key);
      assert.equal(isBetter(key, 0.2, 0.5), true, key);
    }
    for (const key of ['accuracy', 'roc_auc', 'r2', 'f1_macro', 'balanced_accuracy', 'acc', 'val_accuracy']) {
      assert.equal(metricMeaning(key).direction, 'higher', key);
      assert.equal(bestValue(key, [0.5, 0.2, 0.9]), 0.9, key);
    }
  });

  test('per-fold values are named as such and never ranked (their latest value is the last fold)', () => {
    const fold = metricMeaning('cv_accuracy');
    assert.deepEqual([fold.kind, fold.base, fold.rankable, fold.displayName], ['fold', 'accuracy', false, 'Accuracy per fold']);
    assert.equal(metricMeaning('cv_rf_accuracy').displayName, 'Random forest accuracy per fold');
    assert.equal(bestValue('cv_accuracy', [0.7, 0.8]), undefined);
  });

  test('the cross-validated mean is labelled as the mean when its folds were logged', () => {
    const keys = ['accuracy', 'cv_accuracy', 'accuracy_std', 'roc_auc', 'rf_accuracy', 'cv_rf_accuracy', 'baseline_accuracy'];
    assert.equal(metricLabel('accuracy', keys), 'Accuracy (CV mean)');
    assert.equal(metricLabel('rf_accuracy', keys), 'Random forest accuracy (CV mean)');
    assert.equal(metricLabel('baseline_accuracy', keys), 'Baseline accuracy (CV mean)');
    assert.equal(metricLabel('roc_auc', keys), 'ROC AUC', 'no per-fold values logged: a plain score');
  });

  test("member scores rank; baselines compare but are not a run's own score", () => {
    assert.deepEqual([metricMeaning('rf_accuracy').kind, metricMeaning('rf_accuracy').rankable], ['member', true]);
    const b = metricMeaning('baseline_roc_auc');
    assert.deepEqual([b.kind, b.base, b.rankable, b.displayName], ['baseline', 'roc_auc', false, 'Baseline ROC AUC']);
    assert.equal(isBetter('roc_auc', 0.69, 0.5), true);
    assert.equal(isBetter('accuracy', 0.7554, 0.7674), false);
  });

  test('a name that says nothing about its direction is not ranked', () => {
    assert.equal(metricMeaning('epoch').direction, undefined);
    assert.equal(bestValue('epoch', [1, 2]), undefined);
    assert.equal(greaterIsBetter('epoch'), undefined);
  });

  test("gates get MLflow's greater_is_better from the table", () => {
    assert.equal(greaterIsBetter('accuracy'), true);
    assert.equal(greaterIsBetter('log_loss'), false);
    assert.equal(greaterIsBetter('accuracy_std'), false);
  });

  test('tables list scores, then members, baselines, spreads and folds', () => {
    const keys = ['cv_accuracy', 'accuracy_std', 'baseline_accuracy', 'rf_accuracy', 'log_loss', 'accuracy'];
    assert.deepEqual([...keys].sort(compareMetricKeys), ['accuracy', 'log_loss', 'rf_accuracy', 'baseline_accuracy', 'accuracy_std', 'cv_accuracy']);
  });
});
