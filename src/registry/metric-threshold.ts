import { ModelOpsError } from '../core/errors';

/** MLflow's `MetricThreshold` (mlflow/models/evaluation/validation.py), field for field. */
export interface MetricThreshold {
  /** Absolute bound: value ≥ threshold (greater is better) or ≤ threshold. */
  threshold?: number;
  /** Must beat the baseline by at least this much (a positive number). */
  min_absolute_change?: number;
  /** Must beat the baseline by at least this fraction of it (0..1). */
  min_relative_change?: number;
  greater_is_better: boolean;
}

/** One check of one metric, as it appears in the validation report. */
export interface MetricCheck {
  metric: string;
  check: 'threshold' | 'min_absolute_change' | 'min_relative_change' | 'present';
  /** What was required, in words a reviewer reads (`>= 0.8`, `>= 0.812 (baseline 0.762 + 0.05)`). */
  expected: string;
  actual: number | null;
  baseline: number | null;
  /** `skipped`: a comparison with no baseline (no Production version yet). */
  outcome: 'pass' | 'fail' | 'skipped';
  message: string;
}

/** Checks the constructor rules MLflow enforces, naming the offending field. */
export function validateMetricThreshold(t: MetricThreshold, where: string): void {
  const bad = (field: string, why: string): never => {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}.${field}: ${why}`, { location: `${where}.${field}` });
  };
  if (t.threshold !== undefined && !Number.isFinite(t.threshold)) bad('threshold', 'must be a number');
  if (t.min_absolute_change !== undefined && !(Number.isFinite(t.min_absolute_change) && t.min_absolute_change > 0)) {
    bad('min_absolute_change', 'must be a positive number');
  }
  if (t.min_relative_change !== undefined && !(Number.isFinite(t.min_relative_change) && t.min_relative_change >= 0 && t.min_relative_change <= 1)) {
    bad('min_relative_change', 'must be a number between 0 and 1');
  }
  if (typeof t.greater_is_better !== 'boolean') bad('greater_is_better', 'is required and must be true or false');
  if (t.threshold === undefined && t.min_absolute_change === undefined && t.min_relative_change === undefined) {
    bad('threshold', 'no threshold was specified (give threshold, min_absolute_change or min_relative_change)');
  }
}

const fmt = (x: number): string => String(Number(x.toPrecision(10)));

type Comparison = 'min_absolute_change' | 'min_relative_change';

/** A comparison with Production that cannot be made: skipped with no Production version, failed when its metric is missing. */
function withoutBaseline(metric: string, check: Comparison, amount: number, candidate: number, noProduction: boolean): MetricCheck {
  const expected = `${check.replace(/_/g, ' ')} ${fmt(amount)} over Production`;
  return noProduction
    ? {
        metric,
        check,
        expected,
        actual: candidate,
        baseline: null,
        outcome: 'skipped',
        message: `no Production version to compare ${metric} with; comparison skipped`,
      }
    : {
        metric,
        check,
        expected,
        actual: candidate,
        baseline: null,
        outcome: 'fail',
        message: `model comparison failed: metric ${metric} was missing from the evaluation result of the baseline model`,
      };
}

/** MLflow's absolute or relative change rule against the Production value, and the bound it implies in words. */
function comparison(check: Comparison, amount: number, candidate: number, baseline: number, ge: boolean): { ok: boolean; expected: string } {
  const op = ge ? '>=' : '<=';
  const better = (a: number, b: number): boolean => (ge ? a >= b : a <= b);
  if (check === 'min_absolute_change') {
    const bound = ge ? baseline + amount : baseline - amount;
    return { ok: better(candidate, bound), expected: `${op} ${fmt(bound)} (Production ${fmt(baseline)} ${ge ? '+' : '-'} ${fmt(amount)})` };
  }
  if (baseline === 0) {
    const bound = ge ? baseline + 1e-10 : baseline - 1e-10;
    return { ok: better(candidate, bound), expected: `${ge ? '>' : '<'} 0 (Production is 0: strictly better)` };
  }
  const relative = ge ? (candidate - baseline) / baseline : (baseline - candidate) / baseline;
  const bound = ge ? baseline * (1 + amount) : baseline * (1 - amount);
  return { ok: relative >= amount, expected: `${op} ${fmt(bound)} (Production ${fmt(baseline)} ${ge ? '+' : '-'} ${fmt(amount * 100)}%)` };
}

/**
 * Evaluates one metric as MLflow's `_validate` does: `>=`/`<=` by `greater_is_better`; absolute
 * change against baseline ± change; relative change as (candidate − baseline)/baseline, falling back
 * to "strictly better by 1e-10" when the baseline is 0. MLflow fails a comparison when the baseline
 * metric is missing; here `baseline === undefined` means there is no baseline model at all (the first
 * version of a model), and the comparisons are reported as skipped.
 */
export function evaluateMetric(metric: string, t: MetricThreshold, candidate: number | undefined, baseline: number | null | undefined): MetricCheck[] {
  const ge = t.greater_is_better;
  const op = ge ? '>=' : '<=';
  const better = (a: number, b: number): boolean => (ge ? a >= b : a <= b);
  if (candidate === undefined || !Number.isFinite(candidate)) {
    return [
      {
        metric,
        check: 'present',
        expected: 'a value',
        actual: null,
        baseline: baseline ?? null,
        outcome: 'fail',
        message: `metric ${metric} was missing from the evaluation result of the candidate model`,
      },
    ];
  }
  const out: MetricCheck[] = [];
  if (t.threshold !== undefined) {
    const ok = better(candidate, t.threshold);
    out.push({
      metric,
      check: 'threshold',
      expected: `${op} ${fmt(t.threshold)}`,
      actual: candidate,
      baseline: baseline ?? null,
      outcome: ok ? 'pass' : 'fail',
      message: ok
        ? `${metric} = ${fmt(candidate)} ${op} ${fmt(t.threshold)}`
        : `${metric} value threshold check failed: candidate ${metric} = ${fmt(candidate)}, threshold = ${fmt(t.threshold)}`,
    });
  }
  const comparisons: Comparison[] = [];
  if (t.min_absolute_change !== undefined) comparisons.push('min_absolute_change');
  if (t.min_relative_change !== undefined) comparisons.push('min_relative_change');
  for (const check of comparisons) {
    const amount = t[check]!;
    if (baseline === undefined || baseline === null || !Number.isFinite(baseline)) {
      out.push(withoutBaseline(metric, check, amount, candidate, baseline === undefined));
      continue;
    }
    const { ok, expected } = comparison(check, amount, candidate, baseline, ge);
    out.push({
      metric,
      check,
      expected,
      actual: candidate,
      baseline,
      outcome: ok ? 'pass' : 'fail',
      message: ok
        ? `${metric} = ${fmt(candidate)} ${expected}`
        : `${metric} ${check.replace(/_/g, ' ')} check failed: candidate ${metric} = ${fmt(candidate)}, Production ${metric} = ${fmt(baseline)}, required ${expected}`,
    });
  }
  return out;
}
