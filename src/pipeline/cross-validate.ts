import { ModelOpsError } from '../core/errors';
import type { Dataset } from '../ml/dataset/dataset';
import { takeRows } from '../ml/dataset/dataset';
import { kFold, trainValidationTestSplit } from '../ml/dataset/split';
import type { TrainingTarget } from '../ml/ensemble/ensemble';
import { Ensemble } from '../ml/ensemble/ensemble';
import type { MemberSpec } from '../ml/estimators';
import { classificationMetrics } from '../ml/metrics/classification';
import { regressionMetrics } from '../ml/metrics/regression';
import type { TrainParamsFile } from './train-options';

/**
 * The pieces `modelops train` and `modelops tune` share: the folds, fitting an ensemble on some
 * rows, and scoring it on others.
 */

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export function checkCancelled(signal: AbortSignal | undefined, what = 'training'): void {
  if (signal?.aborted) throw new ModelOpsError('CANCELLED', `${what} was cancelled`);
}

export function targetOf(ds: Dataset, index?: ArrayLike<number>): TrainingTarget {
  const t: TrainingTarget = { name: ds.target.name, task: ds.target.task };
  if (ds.target.labels) t.labels = index ? Array.from(index, (i) => (ds.target.labels as string[])[i]) : ds.target.labels;
  if (ds.target.values) t.values = index ? Float64Array.from(index, (i) => (ds.target.values as Float64Array)[i]) : ds.target.values;
  return t;
}

/** Stratified k folds (cv ≥ 2), or one held-out 20% test split (cv 0 or 1). */
export function cvFolds(ds: Dataset, cv: number, seed: number): Fold[] {
  const labels = ds.target.labels;
  if (labels && cv >= 2) {
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const rare = [...counts.entries()].filter(([, c]) => c < cv);
    if (rare.length > 0) {
      // Named by the setting (cv), which the CLI's --cv and the training form's "CV folds" both set.
      throw new ModelOpsError(
        'DATA_INVALID',
        `${ds.source}: class '${rare[0][0]}' of target '${ds.target.name}' has ${rare[0][1]} row(s), fewer than the ${cv} cross-validation folds: lower cv (0 trains on one 80/20 split) or leave out the rare classes`,
        { location: 'cv' },
      );
    }
  }
  if (cv >= 2) return kFold(ds.frame.nRows, cv, seed, labels);
  const s = trainValidationTestSplit(ds.frame.nRows, { validation: 0, test: 0.2 }, seed, labels);
  return [{ train: s.train, test: s.test }];
}

export interface FitSettings {
  members: MemberSpec[];
  weights: TrainParamsFile['weights'];
  threads?: number;
  signal?: AbortSignal;
  /**
   * The fit takes the dataset's frame: each column is dropped once the model has read it, and the
   * frame is left empty. For the last fit of a run, when nothing reads the rows afterwards.
   */
  releaseFrame?: boolean;
}

/** Whether `index` is 0, 1, …, n-1: then the frame is read as it is, with no per-column copy through the index. */
function everyRow(index: Int32Array, n: number): boolean {
  if (index.length !== n) return false;
  for (let i = 0; i < n; i++) if (index[i] !== i) return false;
  return true;
}

/** Fits the ensemble on `index` rows (every row when undefined); with `weights: 'fit'`, 20% of them tune the member weights. */
export function fitOnRows(
  ds: Dataset,
  index: Int32Array | undefined,
  seed: number,
  settings: FitSettings,
  onProgress?: (message: string, fraction: number) => void,
): Promise<Ensemble> {
  let trainIdx = index && everyRow(index, ds.frame.nRows) ? undefined : index;
  let validation: { frame: ReturnType<typeof takeRows>; target: TrainingTarget } | undefined;
  if (settings.weights === 'fit') {
    const n = trainIdx?.length ?? ds.frame.nRows;
    const rowAt = (j: number): number => (trainIdx ? trainIdx[j]! : j);
    const labels = ds.target.labels;
    const lab = labels ? Array.from({ length: n }, (_, j) => labels[rowAt(j)]!) : undefined;
    const s = trainValidationTestSplit(n, { validation: 0.2, test: 0 }, seed, lab);
    const valIdx = Int32Array.from(s.validation, rowAt);
    trainIdx = Int32Array.from(s.train, rowAt);
    validation = { frame: takeRows(ds.frame, valIdx), target: targetOf(ds, valIdx) };
  }
  return Ensemble.fit(
    ds.frame,
    targetOf(ds, trainIdx),
    ds.schema.features,
    {
      members: settings.members,
      seed,
      weights: settings.weights,
      threads: settings.threads,
      signal: settings.signal,
      onProgress,
      rows: trainIdx,
      releaseFrame: settings.releaseFrame,
    },
    validation,
  );
}

export interface Evaluation {
  metrics: Record<string, number>;
  /** Out-of-fold outputs: probabilities (n × K) or predictions (n). */
  output: Float64Array;
}

/** Scores a fitted ensemble on `test` rows: the ensemble's metrics plus each member's own score. */
export function evaluate(model: Ensemble, ds: Dataset, test: Int32Array, classes: string[]): Evaluation {
  // Each member predicts once: its own score and the ensemble's come from the same outputs.
  const outs = memberOutputsOnRows(model, ds, test);
  const out = model.combineOutputs(outs);
  const metrics: Record<string, number> = {};
  if (ds.target.task === 'classification') {
    const index = new Map(classes.map((c, i) => [c, i]));
    const labels = ds.target.labels as string[];
    const y = Int32Array.from(test, (i) => index.get(labels[i]) ?? -1);
    if (y.some((v) => v < 0)) throw new ModelOpsError('INTERNAL_ERROR', 'a test label was not seen in training');
    Object.assign(metrics, classificationMetrics(y, out, classes.length));
    // Each member's own score, to see what the ensemble adds.
    model.members.forEach((m, k) => (metrics[`${m.spec.type}_accuracy`] = classificationMetrics(y, outs[k]!, classes.length).accuracy));
  } else {
    const yv = Float64Array.from(test, (i) => (ds.target.values as Float64Array)[i]);
    Object.assign(metrics, regressionMetrics(yv, out));
    model.members.forEach((m, k) => (metrics[`${m.spec.type}_r2`] = regressionMetrics(yv, outs[k]!).r2));
  }
  return { metrics, output: out };
}

/** Rows transformed at a time when scoring: the float32 matrix of a large test fold is never built whole. */
const EVAL_CHUNK_ROWS = 65_536;

/** Each member's outputs on `rows`, the same as `memberOutputs(transform(frame, rows))`, transformed a chunk at a time. */
export function memberOutputsOnRows(model: Ensemble, ds: Dataset, rows: Int32Array, chunkRows = EVAL_CHUNK_ROWS): Float64Array[] {
  if (rows.length <= chunkRows) return model.memberOutputs(model.transform(ds.frame, rows));
  let outs: Float64Array[] = [];
  // One matrix buffer for every chunk: the members read it and keep nothing of it.
  let buffer: Float32Array | undefined;
  for (let start = 0; start < rows.length; start += chunkRows) {
    const part = rows.subarray(start, Math.min(rows.length, start + chunkRows));
    const X = model.transform(ds.frame, part, buffer);
    buffer ??= X.data;
    const chunk = model.memberOutputs(X);
    // Outputs are row-major with the same width per row (K probabilities, or 1 prediction).
    if (start === 0) outs = chunk.map((o) => new Float64Array((o.length / part.length) * rows.length));
    chunk.forEach((o, m) => outs[m]!.set(o, (o.length / part.length) * start));
  }
  return outs;
}

/** Mean over folds of every metric, plus `<metric>_std` (sample standard deviation) when there are several. */
export function meanMetrics(foldMetrics: Record<string, number>[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const key of Object.keys(foldMetrics[0] ?? {})) {
    const vals = foldMetrics.map((m) => m[key]);
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    metrics[key] = mean;
    if (vals.length > 1) metrics[`${key}_std`] = Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / (vals.length - 1));
  }
  return metrics;
}
