import { greaterIsBetter, metricMeaning } from '../../core/metric-meaning';
import type { MetricThreshold } from '../metric-threshold';
import { evaluateMetric, validateMetricThreshold } from '../metric-threshold';
import type { Bad, Gate } from './gate';
import { fmt, isObject } from './gate';

interface MetricConfig {
  /** MLflow's MetricThreshold per metric, against Production when there is one. */
  metrics: Record<string, MetricThreshold>;
}

const THRESHOLD_FIELDS = ['threshold', 'min_absolute_change', 'min_relative_change', 'greater_is_better'] as const;

/** A gate must agree with what the metric means (metric-meaning.ts): no maximised loss, no gate on one fold. */
function checkMeaning(metric: string, greaterIsBetterGiven: boolean, where: string, bad: Bad): void {
  const m = metricMeaning(metric);
  if (m.kind === 'fold')
    bad(where, `${metric} holds one value per cross-validation fold (its latest value is the last fold's): gate on ${m.base}, the mean over the folds`);
  const expected = greaterIsBetter(metric);
  if (expected !== undefined && expected !== greaterIsBetterGiven) {
    bad(
      `${where}.greater_is_better`,
      `${metric} is ${m.kind === 'spread' ? 'a spread over the folds (lower is steadier)' : `${expected ? 'higher' : 'lower'}-is-better`}: set it to ${String(expected)}`,
    );
  }
}

function parseThreshold(metric: string, t: unknown, where: string, bad: Bad): MetricThreshold {
  if (!isObject(t)) bad(where, 'must be an object like {"threshold": 0.8, "greater_is_better": true}');
  const tt = t as Record<string, unknown>;
  for (const k of Object.keys(tt)) {
    if (!(THRESHOLD_FIELDS as readonly string[]).includes(k)) bad(`${where}.${k}`, `unknown field (expected one of ${THRESHOLD_FIELDS.join(', ')})`);
  }
  for (const k of ['threshold', 'min_absolute_change', 'min_relative_change'] as const) {
    if (tt[k] !== undefined && typeof tt[k] !== 'number') bad(`${where}.${k}`, 'must be a number');
  }
  if (typeof tt.greater_is_better !== 'boolean') bad(`${where}.greater_is_better`, 'is required and must be true or false');
  const threshold: MetricThreshold = { greater_is_better: tt.greater_is_better as boolean };
  if (tt.threshold !== undefined) threshold.threshold = tt.threshold as number;
  if (tt.min_absolute_change !== undefined) threshold.min_absolute_change = tt.min_absolute_change as number;
  if (tt.min_relative_change !== undefined) threshold.min_relative_change = tt.min_relative_change as number;
  try {
    validateMetricThreshold(threshold, where);
  } catch (e) {
    bad(where, (e as Error).message.replace(`${where}.`, ''));
  }
  checkMeaning(metric, threshold.greater_is_better, where, bad);
  return threshold;
}

/** Metric thresholds with MLflow's MetricThreshold semantics, against Production when there is one. */
export const metricGate: Gate<MetricConfig, 'metric'> = {
  kind: 'metric',
  fields: {
    metrics: {
      schema: {
        type: 'object',
        description: 'MLflow MetricThreshold per metric, e.g. {"accuracy": {"threshold": 0.8, "greater_is_better": true}}.',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['greater_is_better'],
          properties: {
            threshold: { type: 'number', description: 'Absolute bound: value >= threshold (greater is better) or <= threshold.' },
            min_absolute_change: { type: 'number', exclusiveMinimum: 0, description: 'Must beat Production by at least this much.' },
            min_relative_change: { type: 'number', minimum: 0, maximum: 1, description: 'Must beat Production by at least this fraction of it (0–1).' },
            greater_is_better: { type: 'boolean', description: 'Required; must agree with the metric (true for accuracy, false for log_loss).' },
          },
        },
      },
      parse(v, where, bad) {
        if (!isObject(v)) bad(where, 'must map metric names to thresholds');
        const out: Record<string, MetricThreshold> = {};
        for (const [metric, t] of Object.entries(v as Record<string, unknown>)) out[metric] = parseThreshold(metric, t, `${where}.${metric}`, bad);
        return out;
      },
      default: {},
    },
  },
  evaluate({ metrics }, evidence) {
    return Object.entries(metrics).flatMap(([metric, threshold]) => {
      const production = evidence.productionMetrics === undefined ? undefined : (evidence.productionMetrics?.[metric] ?? null);
      return evaluateMetric(metric, threshold, evidence.metrics[metric], production).map((c) => ({
        name: `${metric} ${c.check.replace(/_/g, ' ')} (${evidence.source})`,
        expected: c.expected,
        actual: c.actual === null ? 'missing' : fmt(c.actual),
        outcome: c.outcome,
        message: c.message,
        metric,
      }));
    });
  },
};
