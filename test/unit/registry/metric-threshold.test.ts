import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { evaluateMetric, validateMetricThreshold } from '../../../src/registry/metric-threshold';

const outcomes = (checks: ReturnType<typeof evaluateMetric>): string[] => checks.map((c) => `${c.check}:${c.outcome}`);

describe("MLflow's MetricThreshold semantics", () => {
  test('threshold: >= when greater is better, <= otherwise (equality passes)', () => {
    assert.deepEqual(outcomes(evaluateMetric('accuracy', { threshold: 0.8, greater_is_better: true }, 0.8, undefined)), ['threshold:pass']);
    assert.deepEqual(outcomes(evaluateMetric('accuracy', { threshold: 0.8, greater_is_better: true }, 0.79, undefined)), ['threshold:fail']);
    assert.deepEqual(outcomes(evaluateMetric('log_loss', { threshold: 0.5, greater_is_better: false }, 0.4, undefined)), ['threshold:pass']);
    assert.deepEqual(outcomes(evaluateMetric('log_loss', { threshold: 0.5, greater_is_better: false }, 0.6, undefined)), ['threshold:fail']);
  });

  test('min_absolute_change: candidate >= baseline + change (or <= baseline - change)', () => {
    const t = { min_absolute_change: 0.05, greater_is_better: true };
    assert.deepEqual(outcomes(evaluateMetric('f1', t, 0.86, 0.8)), ['min_absolute_change:pass']);
    assert.deepEqual(outcomes(evaluateMetric('f1', t, 0.84, 0.8)), ['min_absolute_change:fail']);
    const lower = { min_absolute_change: 1, greater_is_better: false };
    assert.deepEqual(outcomes(evaluateMetric('rmse', lower, 9, 10)), ['min_absolute_change:pass']);
    assert.deepEqual(outcomes(evaluateMetric('rmse', lower, 9.5, 10)), ['min_absolute_change:fail']);
  });

  test('min_relative_change: (candidate - baseline) / baseline >= change, reversed when lower is better', () => {
    const t = { min_relative_change: 0.1, greater_is_better: true };
    assert.deepEqual(outcomes(evaluateMetric('r2', t, 0.66, 0.6)), ['min_relative_change:pass']);
    assert.deepEqual(outcomes(evaluateMetric('r2', t, 0.65, 0.6)), ['min_relative_change:fail']);
    const lower = { min_relative_change: 0.1, greater_is_better: false };
    assert.deepEqual(outcomes(evaluateMetric('mae', lower, 8.9, 10)), ['min_relative_change:pass']);
    assert.deepEqual(outcomes(evaluateMetric('mae', lower, 9.5, 10)), ['min_relative_change:fail']);
  });

  test('min_relative_change against a zero baseline falls back to strictly better', () => {
    const t = { min_relative_change: 0.5, greater_is_better: true };
    assert.deepEqual(outcomes(evaluateMetric('m', t, 0.001, 0)), ['min_relative_change:pass']);
    assert.deepEqual(outcomes(evaluateMetric('m', t, 0, 0)), ['min_relative_change:fail']);
  });

  test('comparisons are skipped when there is no Production version, and fail when its metric is missing', () => {
    const t = { threshold: 0.5, min_absolute_change: 0.01, greater_is_better: true };
    assert.deepEqual(outcomes(evaluateMetric('acc', t, 0.9, undefined)), ['threshold:pass', 'min_absolute_change:skipped']);
    assert.deepEqual(outcomes(evaluateMetric('acc', t, 0.9, null)), ['threshold:pass', 'min_absolute_change:fail']);
  });

  test('a metric missing from the candidate fails', () => {
    const [c] = evaluateMetric('auc', { threshold: 0.5, greater_is_better: true }, undefined, 0.7);
    assert.equal(c!.outcome, 'fail');
    assert.match(c!.message, /missing from the evaluation result of the candidate/);
  });

  test('a failing check reports expected and actual values', () => {
    const [c] = evaluateMetric('f1', { min_absolute_change: 0.05, greater_is_better: true }, 0.81, 0.8);
    assert.equal(c!.actual, 0.81);
    assert.equal(c!.baseline, 0.8);
    assert.match(c!.expected, />= 0.85 \(Production 0.8 \+ 0.05\)/);
  });

  test("construction rules are MLflow's, naming the field", () => {
    assert.throws(
      () => validateMetricThreshold({ min_absolute_change: -1, greater_is_better: true }, 'm'),
      /m\.min_absolute_change: must be a positive number/,
    );
    assert.throws(() => validateMetricThreshold({ min_relative_change: 2, greater_is_better: true }, 'm'), /between 0 and 1/);
    assert.throws(() => validateMetricThreshold({ greater_is_better: true }, 'm'), /no threshold was specified/);
  });
});
