/**
 * The no-skill baseline every training is compared with: the majority class (class frequencies as
 * probabilities) or the training mean, fitted on each fold's training rows and scored on its test
 * rows, exactly as the ensemble is. Which metric decides "beats the baseline" is chosen here, so the
 * result message, Compare, Review and the validation gate all say the same thing.
 */
import { isBetter, metricMeaning } from '../core/metric-meaning';
import type { Dataset } from '../ml/dataset/dataset';
import { classificationMetrics } from '../ml/metrics/classification';
import { regressionMetrics } from '../ml/metrics/regression';

/** Run tags: the metric the baseline comparison uses, and why. */
export const BASELINE_TAG = { metric: 'modelops.baseline.metric', reason: 'modelops.baseline.reason', beats: 'modelops.baseline.beats' } as const;
/** Metrics of the baseline are logged beside the model's as `baseline_<metric>`. */
export const BASELINE_PREFIX = 'baseline_';

/**
 * Largest class over smallest class from this ratio on: accuracy then rewards always predicting the
 * majority, so the comparison uses ROC AUC (0.5 for any constant guess) instead.
 */
export const IMBALANCE_RATIO = 2;

export interface BaselineChoice {
  metric: string;
  reason: string;
}

export interface BaselineComparison extends BaselineChoice {
  model: number;
  baseline: number;
  beats: boolean;
  /** Accuracy against the majority class, said even when the decision uses another metric. */
  accuracy?: { model: number; baseline: number; beats: boolean };
}

function share(n: number, total: number): string {
  return `${((100 * n) / total).toFixed(1)}%`;
}

/** The metric that says whether a model learnt anything, for this target (class labels; none for regression). */
export function chooseBaselineMetric(labels: readonly string[] | undefined): BaselineChoice {
  if (!labels) return { metric: 'r2', reason: 'regression: R² against always predicting the training mean' };
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const [major, most] = sorted[0]!;
  const least = sorted[sorted.length - 1]![1];
  if (most >= IMBALANCE_RATIO * least) {
    return {
      metric: 'roc_auc',
      reason: `imbalanced target: '${major}' holds ${share(most, labels.length)} of the rows, so always predicting it scores that accuracy; ROC AUC is 0.5 for any constant guess`,
    };
  }
  return {
    metric: 'accuracy',
    reason: `balanced target (the largest class, '${major}', holds ${share(most, labels.length)}): accuracy against always predicting it`,
  };
}

/** The baseline's metrics on one fold: the training rows' class frequencies (or mean) for every test row. */
export function baselineFoldMetrics(ds: Dataset, train: Int32Array, test: Int32Array, classes: readonly string[]): Record<string, number> {
  const labels = ds.target.labels;
  if (labels) {
    const index = new Map(classes.map((c, i) => [c, i]));
    const K = classes.length;
    const prior = new Array<number>(K).fill(0);
    for (const i of train) prior[index.get(labels[i]!)!]! += 1 / train.length;
    const proba = new Float64Array(test.length * K);
    for (let j = 0; j < test.length; j++) for (let k = 0; k < K; k++) proba[j * K + k] = prior[k]!;
    return {
      ...classificationMetrics(
        Int32Array.from(test, (i) => index.get(labels[i]!)!),
        proba,
        K,
      ),
    };
  }
  const values = ds.target.values as Float64Array;
  let mean = 0;
  for (const i of train) mean += values[i]! / train.length;
  return {
    ...regressionMetrics(
      Float64Array.from(test, (i) => values[i]!),
      new Float64Array(test.length).fill(mean),
    ),
  };
}

/** The model's mean metrics against the baseline's, on the chosen metric (and accuracy for classifiers). */
export function compareWithBaseline(choice: BaselineChoice, model: Record<string, number>, baseline: Record<string, number>): BaselineComparison | undefined {
  const m = model[choice.metric];
  const b = baseline[choice.metric];
  if (m === undefined || b === undefined || !Number.isFinite(m) || !Number.isFinite(b)) return undefined;
  const out: BaselineComparison = { ...choice, model: m, baseline: b, beats: isBetter(choice.metric, m, b) };
  if (choice.metric !== 'accuracy' && model.accuracy !== undefined && baseline.accuracy !== undefined) {
    out.accuracy = { model: model.accuracy, baseline: baseline.accuracy, beats: isBetter('accuracy', model.accuracy, baseline.accuracy) };
  }
  return out;
}

const fmt = (x: number): string => String(Number(x.toPrecision(4)));

/** One sentence for a result message: `ROC AUC 0.687 beats the baseline's 0.5; accuracy 0.755 does not (0.767)`. */
export function baselineSentence(c: BaselineComparison): string {
  const name = metricMeaning(c.metric).displayName;
  const main = c.beats
    ? `${name} ${fmt(c.model)} beats the baseline's ${fmt(c.baseline)}`
    : `${name} ${fmt(c.model)} does not beat the baseline's ${fmt(c.baseline)}`;
  if (!c.accuracy || c.accuracy.beats) return `${main}.`;
  return `${main}; accuracy ${fmt(c.accuracy.model)} is below always predicting the majority class (${fmt(c.accuracy.baseline)}).`;
}
