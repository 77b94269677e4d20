import { collectGarbage } from '../../core/collect-garbage';
import { ModelOpsError } from '../../core/errors';
import type { Frame, Row } from '../dataset/dataset';
import { frameFromRows } from '../dataset/dataset';
import type { FeatureSpec, Task } from '../dataset/schema';
import type { ColumnSource, Estimator, EstimatorJSON, FitContext, Matrix } from '../estimator';
import type { MemberSpec } from '../estimators';
import { createEstimator, estimatorFromJSON } from '../estimators';
import { childSeed } from '../random';
import { classificationMetrics } from '../metrics/classification';
import { regressionMetrics } from '../metrics/regression';
import type { PreprocessorJSON } from './preprocess';
import { Preprocessor } from './preprocess';

export interface EnsembleOptions {
  members: MemberSpec[];
  seed: number;
  /** 'equal' (default), explicit numbers (one per member), or 'fit' (on the validation rows). */
  weights?: 'equal' | 'fit' | number[];
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (message: string, fraction: number) => void;
  /** The frame's rows to fit on (all when absent); the target is already those rows'. No copy of the frame is made. */
  rows?: Int32Array;
  /**
   * The fit takes the frame: its columns are removed as they are read (a single member reading
   * columns lets each go once it has binned it; otherwise they go once the matrix is built), and
   * the frame is left empty. The caller must not read the frame's rows afterwards.
   */
  releaseFrame?: boolean;
}

export interface TrainingTarget {
  name: string;
  task: Task;
  labels?: string[];
  values?: Float64Array;
}

export interface EnsembleMember {
  spec: MemberSpec;
  estimator: Estimator;
  weight: number;
}

export interface EnsembleJSON {
  task: Task;
  target: string;
  classes: string[];
  features: FeatureSpec[];
  preprocessing: PreprocessorJSON;
  members: { spec: MemberSpec; weight: number; estimator: EstimatorJSON }[];
}

/** Probabilities and labels for rows; `classes` orders the probability columns. */
export interface EnsemblePrediction {
  predictions: (string | number)[];
  probabilities?: number[][];
}

function encodeTarget(target: TrainingTarget, classes?: string[]): { y: Float64Array; classes: string[] } {
  if (target.task === 'regression') {
    if (!target.values) throw new ModelOpsError('DATA_INVALID', `target '${target.name}' has no numeric values`);
    return { y: target.values, classes: [] };
  }
  if (!target.labels) throw new ModelOpsError('DATA_INVALID', `target '${target.name}' has no labels`);
  const cls = classes ?? [...new Set(target.labels)].sort();
  const index = new Map(cls.map((c, i) => [c, i]));
  const y = new Float64Array(target.labels.length);
  target.labels.forEach((l, i) => {
    const k = index.get(l);
    if (k === undefined) throw new ModelOpsError('DATA_INVALID', `label '${l}' was not seen in training`);
    y[i] = k;
  });
  return { y, classes: cls };
}

function fitMember(est: Estimator, X: Matrix | ColumnSource, y: Float64Array, ctx: FitContext): Promise<void> {
  if ('data' in X) return est.fit(X, y, ctx);
  if (!est.fitColumns) throw new ModelOpsError('INVALID_STATE', `${est.kind}: cannot fit from columns`);
  return est.fitColumns(X, y, ctx);
}

/**
 * The product's "pyfunc": preprocessing fitted on the training rows, member estimators, their
 * weights (soft voting / weighted mean), the label encoding, and `predict(rows)` on raw rows.
 */
export class Ensemble {
  private constructor(
    readonly task: Task,
    readonly target: string,
    /** Class labels in probability-column order (classification). */
    readonly classes: string[],
    readonly features: FeatureSpec[],
    private readonly pre: Preprocessor,
    readonly members: EnsembleMember[],
  ) {}

  static async fit(
    frame: Frame,
    target: TrainingTarget,
    features: FeatureSpec[],
    options: EnsembleOptions,
    validation?: { frame: Frame; target: TrainingTarget },
  ): Promise<Ensemble> {
    if (options.members.length === 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'the ensemble needs at least one member', { location: 'models' });
    const { y, classes } = encodeTarget(target);
    const pre = Preprocessor.fit(frame, features, options.rows);
    const estimators = options.members.map((spec, m) => createEstimator(spec, target.task, childSeed(options.seed, m)));
    // When every member reads a column at a time, the float32 matrix is never built whole.
    const columnwise = estimators.every((e) => e.fitColumns);
    // A column can be let go as it is read only when a single member reads each column once.
    const releaseAsRead = options.releaseFrame === true && columnwise && estimators.length === 1;
    const X = columnwise ? pre.columns(frame, options.rows, releaseAsRead ? collectEvery(frame.nRows * 4) : undefined) : pre.transform(frame, options.rows);
    if (options.releaseFrame && !releaseAsRead) {
      for (const name of Object.keys(frame.columns)) delete frame.columns[name];
      collectGarbage();
    }
    const members: EnsembleMember[] = [];
    const total = options.members.length;
    for (let m = 0; m < total; m++) {
      if (options.signal?.aborted) throw new ModelOpsError('CANCELLED', 'training was cancelled');
      const spec = options.members[m];
      const est = estimators[m];
      options.onProgress?.(`fitting ${spec.type}`, m / total);
      const ctx: FitContext = {
        nClasses: classes.length || undefined,
        threads: options.threads,
        signal: options.signal,
        onProgress: (done, all) => options.onProgress?.(`fitting ${spec.type} (${done}/${all})`, (m + done / all) / total),
      };
      await fitMember(est, X, y, ctx);
      members.push({ spec, estimator: est, weight: 1 / total });
    }
    const ens = new Ensemble(target.task, target.name, classes, features, pre, members);
    const w = options.weights ?? 'equal';
    if (Array.isArray(w)) ens.setWeights(w);
    else if (w === 'fit') {
      if (!validation) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'weights "fit" needs validation rows', { location: 'weights' });
      ens.fitWeights(validation.frame, encodeTarget(validation.target, classes.length ? classes : undefined).y);
    }
    return ens;
  }

  setWeights(w: number[]): void {
    if (w.length !== this.members.length || w.some((x) => !(x >= 0)) || w.reduce((s, x) => s + x, 0) <= 0) {
      throw new ModelOpsError(
        'INVALID_PARAMETER_VALUE',
        `weights: need ${this.members.length} non-negative numbers with a positive sum (got ${JSON.stringify(w)})`,
        { location: 'weights' },
      );
    }
    const s = w.reduce((a, b) => a + b, 0);
    this.members.forEach((m, i) => (m.weight = w[i] / s));
  }

  /** Picks weights on a grid over the simplex (step 0.1) that minimise log loss / squared error on the validation rows. */
  private fitWeights(frame: Frame, y: Float64Array): void {
    const X = this.pre.transform(frame);
    const outs = this.members.map((m) => (this.task === 'classification' ? m.estimator.predictProba(X) : m.estimator.predict(X)));
    const K = this.classes.length;
    const loss = (w: number[]): number => {
      const combined = new Float64Array(outs[0].length);
      outs.forEach((o, i) => {
        for (let j = 0; j < o.length; j++) combined[j] += w[i] * o[j];
      });
      if (this.task === 'classification') return classificationMetrics(y, combined, K).log_loss;
      return regressionMetrics(y, combined).rmse;
    };
    const grid: number[][] = [];
    const steps = this.members.length <= 3 ? 10 : 4;
    const rec = (prefix: number[], left: number): void => {
      if (prefix.length === this.members.length - 1) {
        grid.push([...prefix, left].map((x) => x / steps));
        return;
      }
      for (let a = 0; a <= left; a++) rec([...prefix, a], left - a);
    };
    rec([], steps);
    let best = grid[0];
    let bestLoss = Infinity;
    for (const w of grid) {
      const l = loss(w);
      if (l < bestLoss - 1e-12) {
        bestLoss = l;
        best = w;
      }
    }
    this.setWeights(best);
  }

  get inputNames(): string[] {
    return this.features.map((f) => f.name);
  }

  get featureNames(): string[] {
    return this.pre.outputNames;
  }

  transform(frame: Frame, rows?: Int32Array, into?: Float32Array): Matrix {
    return this.pre.transform(frame, rows, into);
  }

  /** Weighted soft vote (classification: n × K row-major) or weighted mean (regression: n). */
  combine(X: Matrix): Float64Array {
    return this.combineOutputs(this.memberOutputs(X));
  }

  /** Each member's probabilities (classification) or predictions (regression), in member order. */
  memberOutputs(X: Matrix): Float64Array[] {
    return this.members.map((m) => (this.task === 'classification' ? m.estimator.predictProba(X) : m.estimator.predict(X)));
  }

  /** The weighted combination of `memberOutputs`. */
  combineOutputs(outs: Float64Array[]): Float64Array {
    const out = new Float64Array(outs[0]?.length ?? 0);
    outs.forEach((o, m) => {
      const w = this.members[m]!.weight;
      for (let j = 0; j < o.length; j++) out[j] += w * o[j]!;
    });
    return out;
  }

  predictFrame(frame: Frame): EnsemblePrediction {
    const X = this.pre.transform(frame);
    const out = this.combine(X);
    if (this.task === 'regression') return { predictions: Array.from(out) };
    const K = this.classes.length;
    const predictions: string[] = [];
    const probabilities: number[][] = [];
    for (let i = 0; i < frame.nRows; i++) {
      const p = Array.from(out.subarray(i * K, (i + 1) * K));
      let best = 0;
      for (let k = 1; k < K; k++) if (p[k] > p[best]) best = k;
      predictions.push(this.classes[best]);
      probabilities.push(p);
    }
    return { predictions, probabilities };
  }

  /** Predicts raw rows (objects keyed by column name; values as strings or numbers). */
  predict(rows: readonly Row[]): (string | number)[] {
    return this.predictFrame(frameFromRows(rows, this.inputNames)).predictions;
  }

  predictProba(rows: readonly Row[]): number[][] {
    if (this.task !== 'classification') throw new ModelOpsError('INVALID_STATE', 'predictProba is for classification models');
    return this.predictFrame(frameFromRows(rows, this.inputNames)).probabilities as number[][];
  }

  /** Importance per input column: the weighted mean of the members' importances, one-hot columns folded back. */
  featureImportances(): { name: string; importance: number }[] | undefined {
    const sources = this.pre.outputSources;
    const acc = new Map<string, number>(this.inputNames.map((n) => [n, 0]));
    let any = false;
    let wsum = 0;
    for (const m of this.members) {
      const imp = m.estimator.featureImportances();
      if (!imp) continue;
      any = true;
      wsum += m.weight;
      imp.forEach((v, j) => acc.set(sources[j], (acc.get(sources[j]) ?? 0) + m.weight * v));
    }
    if (!any) return undefined;
    return [...acc.entries()].map(([name, v]) => ({ name, importance: v / wsum })).sort((a, b) => b.importance - a.importance);
  }

  toJSON(): EnsembleJSON {
    return {
      task: this.task,
      target: this.target,
      classes: this.classes,
      features: this.features,
      preprocessing: this.pre.toJSON(),
      members: this.members.map((m) => ({ spec: m.spec, weight: m.weight, estimator: m.estimator.toJSON() })),
    };
  }

  static fromJSON(json: EnsembleJSON): Ensemble {
    const bad = (why: string): never => {
      throw new ModelOpsError('MODEL_INVALID', `ensemble payload: ${why}`);
    };
    if (json.task !== 'classification' && json.task !== 'regression') bad(`unknown task '${String(json.task)}'`);
    if (typeof json.target !== 'string') bad('target is missing');
    if (!Array.isArray(json.classes) || !json.classes.every((c) => typeof c === 'string')) bad('classes are missing');
    if (json.task === 'classification' && json.classes.length < 2) bad('a classifier needs at least two classes');
    if (!Array.isArray(json.features) || !Array.isArray(json.members) || json.members.length === 0) bad('features or members are missing');
    const pre = Preprocessor.fromJSON(json.preprocessing);
    const members = json.members.map((m): EnsembleMember => {
      if (typeof m.weight !== 'number' || !(m.weight >= 0)) bad('a member weight is invalid');
      return { spec: m.spec, weight: m.weight, estimator: estimatorFromJSON(m.estimator) };
    });
    return new Ensemble(json.task, json.target, json.classes, json.features, pre, members);
  }
}

/** Bytes of frame columns let go between two collections while a fit bins them. */
const RELEASED_BYTES_PER_COLLECTION = 32 * 2 ** 20;

/**
 * Collects the garbage once about 32 MB of columns (of `columnBytes` each) were let go, and after the
 * last: a large frame's columns would otherwise stay resident until the binning is over, beside
 * the bins that replace them.
 */
function collectEvery(columnBytes: number): (last: boolean) => void {
  let pending = 0;
  return (last) => {
    pending += columnBytes;
    if (!last && pending < RELEASED_BYTES_PER_COLLECTION) return;
    pending = 0;
    collectGarbage();
  };
}
