import { greaterIsBetter, isBetter, metricMeaning } from '../../core/metric-meaning';
import type { Gate } from './gate';
import { fmt, isObject, onlyKeys } from './gate';

interface BaselineConfig {
  /**
   * The candidate must beat the majority-class / mean baseline (on by default). `metric` picks the
   * metric; without it, the one chosen at training (`modelops.baseline.metric`: ROC AUC for an
   * imbalanced target, accuracy otherwise, R² for regression). `false` turns the gate off.
   */
  beats_baseline: { metric?: string } | false;
}

/** "Beats the baseline": strictly better than the majority class / the mean on the metric chosen for the target. */
export const baselineGate: Gate<BaselineConfig, 'baseline'> = {
  kind: 'baseline',
  fields: {
    beats_baseline: {
      schema: {
        description:
          'The candidate must beat the majority-class (or mean) baseline; on by default. `metric` picks the score (default: the one chosen at training).',
        oneOf: [
          { title: 'true or false', type: 'boolean' },
          {
            title: '{"metric": "<name>"}',
            type: 'object',
            additionalProperties: false,
            properties: { metric: { type: 'string', minLength: 1, description: 'e.g. roc_auc, accuracy, f1_macro, r2, rmse' } },
          },
        ],
      },
      parse(v, where, bad) {
        if (v === false) return false;
        if (v === true) return {};
        if (!isObject(v)) bad(where, 'must be true, false or {"metric": "<name>"}');
        const o = v as Record<string, unknown>;
        onlyKeys(o, ['metric'], where, bad);
        if (o.metric === undefined) return {};
        if (typeof o.metric !== 'string' || o.metric === '') bad(`${where}.metric`, 'must be a metric name, e.g. "roc_auc"');
        const m = metricMeaning(o.metric as string);
        if (m.kind !== 'score' || m.direction === undefined)
          bad(`${where}.metric`, `${String(o.metric)} is not a score the baseline can be compared on (use accuracy, roc_auc, f1_macro, r2, rmse, …)`);
        return { metric: o.metric as string };
      },
      default: {},
    },
  },
  evaluate({ beats_baseline: config }, { task, metrics, noSkill, trainedBaselineMetric }) {
    if (config === false) return [];
    const what = task === 'regression' ? 'the mean baseline' : 'the majority-class baseline';
    const metric = config.metric ?? trainedBaselineMetric ?? (noSkill?.source === 'held-out data' ? noSkill.metric : undefined);
    const value = metric === undefined ? undefined : metrics[metric];
    const base = metric === undefined ? undefined : noSkill?.metrics[metric];
    const name = `beats ${what}${metric ? ` (${metric}, ${noSkill?.source ?? 'run metrics'})` : ''}`;
    const judged = metric ? { metric } : {};
    if (metric === undefined || value === undefined || base === undefined || !Number.isFinite(value) || !Number.isFinite(base)) {
      const message =
        'the run logged no baseline score (trained before ModelOps logged one, or not by modelops train); set "data" in .modelops/gates.json to score the baseline on held-out rows';
      return [{ name, expected: `better than ${what}`, actual: 'no baseline score', outcome: 'skipped', message, ...judged }];
    }
    const ok = isBetter(metric, value, base);
    const op = greaterIsBetter(metric) === false ? '<' : '>';
    return [
      {
        name,
        expected: `${op} ${fmt(base)}`,
        actual: fmt(value),
        outcome: ok ? 'pass' : 'fail',
        message: ok
          ? `${metric} ${fmt(value)} ${op} ${fmt(base)} of ${what}`
          : `${metric} ${fmt(value)} does not beat ${what}'s ${fmt(base)}: the model has not learnt more than the class balance (or the mean)`,
        metric,
      },
    ];
  },
};
