/**
 * What a metric's name means: the score it measures, which way is better, and whether its value is
 * the run's score, one fold's, a spread over folds, a member's or the baseline's. One table, read by
 * Compare Runs, Review for Production, the trees, the validation gates and the CLI, so a `*_std` is
 * never "best", a loss is never maximised, and the last fold is never taken for the mean.
 * No node or vscode import: the webviews bundle it too.
 */

export type Direction = 'higher' | 'lower';

/**
 * - `score`: the run's own value (`modelops train` logs the mean over the folds);
 * - `fold`: one value per cross-validation fold, logged with step = fold (`cv_accuracy`);
 * - `spread`: the standard deviation over the folds (`accuracy_std`): smaller is steadier, not better;
 * - `member`: one ensemble member's own score (`rf_accuracy`);
 * - `baseline`: the majority-class / mean baseline's score on the same folds (`baseline_accuracy`).
 */
export type MetricKind = 'score' | 'fold' | 'spread' | 'member' | 'baseline';

interface KnownMetric {
  label: string;
  direction: Direction;
}

/** The trainer's metrics (scikit-learn's definitions) and the names MLflow's autologging uses most. */
const KNOWN: Readonly<Record<string, KnownMetric>> = {
  accuracy: { label: 'Accuracy', direction: 'higher' },
  balanced_accuracy: { label: 'Balanced accuracy', direction: 'higher' },
  precision_macro: { label: 'Precision (macro)', direction: 'higher' },
  recall_macro: { label: 'Recall (macro)', direction: 'higher' },
  f1_macro: { label: 'F1 (macro)', direction: 'higher' },
  roc_auc: { label: 'ROC AUC', direction: 'higher' },
  log_loss: { label: 'Log loss', direction: 'lower' },
  r2: { label: 'R²', direction: 'higher' },
  rmse: { label: 'RMSE', direction: 'lower' },
  mae: { label: 'MAE', direction: 'lower' },
  mse: { label: 'MSE', direction: 'lower' },
  precision: { label: 'Precision', direction: 'higher' },
  recall: { label: 'Recall', direction: 'higher' },
  f1: { label: 'F1', direction: 'higher' },
  f1_score: { label: 'F1', direction: 'higher' },
  auc: { label: 'AUC', direction: 'higher' },
  loss: { label: 'Loss', direction: 'lower' },
};

const MEMBER_LABELS: Readonly<Record<string, string>> = { rf: 'Random forest', knn: 'k-nearest neighbours', tree: 'Decision tree', dummy: 'Dummy' };

/** Names that say lower is better, then names that say higher is better; anything else is not ranked. */
const LOWER = /(loss|error|(^|_)err($|_)|mse|rmse|mae|mape|deviance|perplexity|(^|_)time($|_)|latency|duration)/i;
const HIGHER = /(acc|auc|f1|precision|recall|(^|_)r2($|_)|score|iou|dice|bleu|rouge|(^|_)map($|_))/i;

export interface MetricMeaning {
  key: string;
  /** The score measured: `accuracy` for `accuracy`, `cv_accuracy`, `accuracy_std`, `rf_accuracy` and `baseline_accuracy`. */
  base: string;
  kind: MetricKind;
  /** Which way the base score is better; undefined when its name says nothing (it is then never ranked). */
  direction: Direction | undefined;
  /** Whether "best" means something for this value across runs: never for spreads, folds or baselines. */
  rankable: boolean;
  /** e.g. `Accuracy`, `Accuracy per fold`, `Accuracy spread (std over folds)`, `Random forest accuracy`. */
  displayName: string;
  /** The ensemble member (`rf`) of a member score. */
  member?: string;
}

function baseDirection(base: string): Direction | undefined {
  const known = KNOWN[base];
  if (known) return known.direction;
  if (LOWER.test(base)) return 'lower';
  if (HIGHER.test(base)) return 'higher';
  return undefined;
}

function baseLabel(base: string): string {
  return KNOWN[base]?.label ?? base;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** Splits a key into its kind and base score, by the trainer's naming (src/pipeline/train.ts). */
function parse(key: string): { kind: MetricKind; base: string; member?: string } {
  const inner = (k: string): { base: string; member?: string } => {
    const member = /^(rf|knn|tree|dummy)_(.+)$/.exec(k);
    return member && baseDirection(member[2]!) !== undefined ? { base: member[2]!, member: member[1]! } : { base: k };
  };
  if (key.startsWith('cv_') && key.length > 3) return { kind: 'fold', ...inner(key.slice(3)) };
  if (key.startsWith('baseline_') && key.length > 9) return { kind: 'baseline', base: key.slice(9) };
  if (key.endsWith('_std') && key.length > 4) return { kind: 'spread', ...inner(key.slice(0, -4)) };
  const i = inner(key);
  return { kind: i.member ? 'member' : 'score', ...i };
}

function nameOf(kind: MetricKind, base: string, member: string | undefined): string {
  const label = baseLabel(base);
  const score = member ? `${MEMBER_LABELS[member] ?? member} ${lowerFirst(label)}` : label;
  if (kind === 'fold') return `${score} per fold`;
  if (kind === 'spread') return `${score} spread (std over folds)`;
  if (kind === 'baseline') return `Baseline ${lowerFirst(label)}`;
  return score;
}

export function metricMeaning(key: string): MetricMeaning {
  const { kind, base, member } = parse(key);
  const direction = baseDirection(base);
  const rankable = direction !== undefined && (kind === 'score' || kind === 'member');
  return { key, base, kind, direction, rankable, displayName: nameOf(kind, base, member), ...(member ? { member } : {}) };
}

/**
 * True when `a` is strictly better than `b` by the direction of the metric's score (a run's value
 * against its baseline's, two runs' values); false for spreads and for names that say nothing.
 */
export function isBetter(key: string, a: number, b: number): boolean {
  const m = metricMeaning(key);
  if (m.kind === 'spread') return false;
  return m.direction === 'higher' ? a > b : m.direction === 'lower' ? a < b : false;
}

/** The best of several values of one metric, or undefined when "best" means nothing for it. */
export function bestValue(key: string, values: readonly number[]): number | undefined {
  const m = metricMeaning(key);
  if (!m.rankable || values.length === 0) return undefined;
  return m.direction === 'lower' ? Math.min(...values) : Math.max(...values);
}

/** MLflow's `greater_is_better` for a gate on this metric; undefined when the name does not say. */
export function greaterIsBetter(key: string): boolean | undefined {
  const m = metricMeaning(key);
  if (m.kind === 'spread') return false;
  return m.direction === undefined ? undefined : m.direction === 'higher';
}

/**
 * A run's metrics labelled for a reader: a score whose per-fold values were logged too is the
 * cross-validated mean, and says so. `keys` are every key the run (or the runs compared) logged.
 */
export function metricLabel(key: string, keys: ReadonlySet<string> | readonly string[]): string {
  const m = metricMeaning(key);
  const has = (k: string): boolean => (Array.isArray(keys) ? (keys as readonly string[]).includes(k) : (keys as ReadonlySet<string>).has(k));
  const perFold = m.kind === 'baseline' ? `cv_${m.base}` : `cv_${key}`;
  if ((m.kind === 'score' || m.kind === 'member' || m.kind === 'baseline') && has(perFold)) return `${m.displayName} (CV mean)`;
  return m.displayName;
}

/** Order for tables: scores first, then members, baselines, spreads and folds, each alphabetically. */
export function compareMetricKeys(a: string, b: string): number {
  const order: Record<MetricKind, number> = { score: 0, member: 1, baseline: 2, spread: 3, fold: 4 };
  const ma = metricMeaning(a);
  const mb = metricMeaning(b);
  return order[ma.kind] - order[mb.kind] || a.localeCompare(b);
}
