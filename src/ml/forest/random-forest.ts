import { availableParallelism } from 'node:os';
import { ModelOpsError } from '../../core/errors';
import type { Task } from '../dataset/schema';
import type { ColumnSource, Estimator, EstimatorJSON, FitContext, Matrix } from '../estimator';
import { argmaxRows, countClasses, matrixColumns } from '../estimator';
import { childSeed } from '../random';
import { binColumns, MAX_BINS } from './binning';
import { growTrees } from './grow-trees';
import type { Compiled, PredictOptions } from './forest-predict';
import { predictParallel, warmPredictWorkers } from './forest-predict';
import type { BuiltTree, TreeParams } from './tree-builder';
import { classIndex } from './tree-builder';
import { decodeTrees, encodeTrees } from './forest-codec';

export interface ForestParams {
  nEstimators: number;
  /** null = grow until pure or minSamplesLeaf. */
  maxDepth: number | null;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** 'sqrt' | 'log2' | a fraction in (0, 1] | an integer count; default sqrt (classification), 1.0 (regression). */
  maxFeatures: 'sqrt' | 'log2' | number | null;
  bootstrap: boolean;
  maxBins: number;
  seed: number;
}

/** Fits on at least this many rows start the prediction workers in the background. */
const WARM_AFTER_FIT_ROWS = 5_000;
/** Rows the workers predict once, unwaited, so their code is optimised before the first real job. */
const WARM_SAMPLE_ROWS = 1_000;

/** Rows copied row-major at a time for prediction (a few MB whatever the input's size). */
const PREDICT_CHUNK_ROWS = 32_768;

export function defaultForestParams(task: Task): ForestParams {
  return {
    nEstimators: 100,
    maxDepth: null,
    minSamplesLeaf: 1,
    minSamplesSplit: 2,
    maxFeatures: task === 'classification' ? 'sqrt' : 1.0,
    bootstrap: true,
    maxBins: MAX_BINS,
    seed: 0,
  };
}

export function resolveMaxFeatures(m: ForestParams['maxFeatures'], d: number): number {
  let k: number;
  if (m === null) k = d;
  else if (m === 'sqrt') k = Math.floor(Math.sqrt(d));
  else if (m === 'log2') k = Math.floor(Math.log2(d));
  else if (m > 0 && m <= 1 && !Number.isInteger(m)) k = Math.floor(m * d);
  else if (m === 1) k = d;
  else k = m;
  return Math.max(1, Math.min(d, k));
}

function validate(p: ForestParams): void {
  const bad = (field: string, why: string): never => {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `random forest: ${field} ${why}`, { location: field });
  };
  if (!Number.isInteger(p.nEstimators) || p.nEstimators < 1) bad('nEstimators', `must be an integer ≥ 1 (got ${p.nEstimators})`);
  if (p.maxDepth !== null && (!Number.isInteger(p.maxDepth) || p.maxDepth < 1)) bad('maxDepth', `must be null or an integer ≥ 1 (got ${p.maxDepth})`);
  if (!Number.isInteger(p.minSamplesLeaf) || p.minSamplesLeaf < 1) bad('minSamplesLeaf', `must be an integer ≥ 1 (got ${p.minSamplesLeaf})`);
  if (!Number.isInteger(p.minSamplesSplit) || p.minSamplesSplit < 2) bad('minSamplesSplit', `must be an integer ≥ 2 (got ${p.minSamplesSplit})`);
  if (typeof p.maxFeatures === 'number' && !(p.maxFeatures > 0)) bad('maxFeatures', `must be > 0 (got ${p.maxFeatures})`);
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2 || p.maxBins > 256) bad('maxBins', `must be an integer in [2, 256] (got ${p.maxBins})`);
  if (!Number.isInteger(p.seed)) bad('seed', `must be an integer (got ${p.seed})`);
}

/**
 * The columns as given, each checked for missing or infinite values as it passes, and the first
 * rows copied row-major into `sample` (when given).
 */
function checkedColumns(X: ColumnSource, sample: Float32Array | undefined): ColumnSource {
  const keep = sample ? sample.length / X.nCols : 0;
  const column = (c: number, into?: Float32Array): Float32Array => {
    const col = X.column(c, into);
    for (let r = 0; r < col.length; r++) {
      if (!Number.isFinite(col[r])) {
        throw new ModelOpsError('DATA_INVALID', `random forest: missing or infinite value at row ${r}, column ${c}; impute before fitting`);
      }
    }
    if (sample) for (let r = 0; r < keep; r++) sample[r * X.nCols + c] = col[r]!;
    return col;
  };
  return { nRows: X.nRows, nCols: X.nCols, column };
}

/**
 * The project's random forest: histogram CART trees on pre-binned float32 features, features
 * sampled at every split, bootstrap, one seed per tree, trees grown on worker threads.
 */
export class RandomForest implements Estimator {
  readonly kind = 'random-forest';
  readonly params: ForestParams;
  nClasses = 0;
  private nFeatures = 0;
  private trees: BuiltTree[] = [];
  private edges: Float32Array[] = [];
  private compiled: Compiled | undefined;
  /** Threads for prediction (the sums never depend on it). */
  parallel: PredictOptions = {};
  /** Threads the last prediction ran on (1 when the worker script is not found). */
  lastPredictThreads = 0;
  private importances: Float64Array | undefined;
  /** Threads that grew the trees in the last fit (for diagnostics; never changes the model). */
  lastFitThreads = 0;

  constructor(
    readonly task: Task,
    params: Partial<ForestParams> = {},
  ) {
    this.params = { ...defaultForestParams(task), ...params };
    validate(this.params);
  }

  fit(X: Matrix, y: Float64Array, ctx: FitContext = {}): Promise<void> {
    return this.fitColumns(matrixColumns(X), y, ctx);
  }

  /** Fits from columns made one at a time: each is checked, binned and let go (no whole float32 matrix). */
  async fitColumns(X: ColumnSource, y: Float64Array, ctx: FitContext = {}): Promise<void> {
    if (y.length !== X.nRows) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `random forest: ${X.nRows} rows but ${y.length} targets`);
    if (X.nRows === 0) throw new ModelOpsError('DATA_INVALID', 'random forest: no training rows');
    const p = this.params;
    this.nClasses = this.task === 'classification' ? countClasses(y, ctx.nClasses) : 0;
    this.nFeatures = X.nCols;
    const treeParams: TreeParams = {
      maxDepth: p.maxDepth ?? 1_000_000,
      minSamplesLeaf: p.minSamplesLeaf,
      minSamplesSplit: p.minSamplesSplit,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, X.nCols),
      bootstrap: p.bootstrap,
    };
    const seeds = Array.from({ length: p.nEstimators }, (_, t) => childSeed(p.seed, t));
    // Threads pay off only when growing the trees takes much longer than starting workers
    // (~50 ms each on an idle machine, over a second on a loaded one).
    const work = X.nRows * X.nCols * p.nEstimators;
    const threads = ctx.threads ?? (work < 20_000_000 ? 1 : availableParallelism());
    // Predictions on data of this size will use the prediction workers: a row-major sample to warm them, taken while binning.
    const sample = X.nRows >= WARM_AFTER_FIT_ROWS ? new Float32Array(Math.min(WARM_SAMPLE_ROWS, X.nRows) * X.nCols) : undefined;
    // Binned straight into shared memory when workers will read it: no second copy of the bins.
    const binned = binColumns(checkedColumns(X, sample), p.maxBins, threads > 1);
    this.edges = binned.edges;
    // Classification grows from the class indices alone (made once, shared by the threads): no copy of y.
    const cls = this.nClasses > 0;
    const target = cls ? { y: new Float64Array(0), yc: classIndex(y, threads > 1) } : { y, yc: new Int32Array(0) };
    this.trees = await growTrees(
      { nRows: X.nRows, nCols: X.nCols, bins: binned.bins, nBins: binned.nBins, ...target, nClasses: this.nClasses },
      treeParams,
      seeds,
      {
        threads,
        signal: ctx.signal,
        onProgress: ctx.onProgress,
        onThreads: (t) => (this.lastFitThreads = t),
      },
    );
    this.afterTrees();
    if (sample) warmPredictWorkers(this.model(), { rows: sample, nRows: sample.length / X.nCols, d: X.nCols, V: Math.max(1, this.nClasses) }, this.parallel);
  }

  private afterTrees(): void {
    this.compiled = compile(this.trees, this.edges, Math.max(1, this.nClasses));
    // Mean of the per-tree normalised impurity decreases, as scikit-learn computes it.
    const imp = new Float64Array(this.nFeatures);
    let used = 0;
    for (const t of this.trees) {
      let s = 0;
      for (let f = 0; f < this.nFeatures; f++) s += t.importance[f];
      if (s <= 0) continue;
      used++;
      for (let f = 0; f < this.nFeatures; f++) imp[f] += t.importance[f] / s;
    }
    if (used > 0) for (let f = 0; f < this.nFeatures; f++) imp[f] /= used;
    this.importances = imp;
  }

  private model(): Compiled {
    if (!this.compiled) throw new ModelOpsError('INVALID_STATE', 'random forest: predict called before fit');
    return this.compiled;
  }

  private checkWidth(X: Matrix): void {
    if (X.nCols !== this.nFeatures) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `random forest: fitted on ${this.nFeatures} features, got ${X.nCols}`);
    }
  }

  /** Sum over trees of the leaf values reached by every row: n × V, row-major. */
  private accumulate(X: Matrix): Float64Array {
    const m = this.model();
    this.checkWidth(X);
    const n = X.nRows;
    const d = X.nCols;
    const V = Math.max(1, this.nClasses);
    // Row-major copy so one row's features share a cache line during traversal; shared with the
    // prediction workers, as is the output. One chunk of rows at a time through one buffer: a
    // buffer the workers have seen lives until their own collector runs, so a fresh copy of every
    // row would stay beside the data long after the call.
    const chunk = Math.min(n, PREDICT_CHUNK_ROWS);
    const rows = new Float32Array(new SharedArrayBuffer(chunk * d * 4));
    const out = new Float64Array(new SharedArrayBuffer(n * V * 8));
    let threads = 1;
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const count = Math.min(chunk, n - r0);
      for (let c = 0; c < d; c++) {
        const col = X.data.subarray(c * n + r0, c * n + r0 + count);
        for (let r = 0; r < count; r++) rows[r * d + c] = col[r]!;
      }
      const part = out.subarray(r0 * V, (r0 + count) * V);
      threads = Math.max(threads, predictParallel({ model: m, rows, nRows: count, d, V, out: part }, this.parallel));
    }
    this.lastPredictThreads = threads;
    return out.slice(); // an ordinary buffer for callers (transferable, structured-cloneable)
  }

  predictProba(X: Matrix): Float64Array {
    if (this.task !== 'classification') throw new ModelOpsError('INVALID_STATE', 'random forest: predictProba is for classification');
    const s = this.accumulate(X);
    const nT = this.trees.length;
    for (let i = 0; i < s.length; i++) s[i] /= nT;
    return s;
  }

  predict(X: Matrix): Float64Array {
    if (this.task === 'classification') return argmaxRows(this.predictProba(X), X.nRows, this.nClasses);
    const s = this.accumulate(X);
    for (let i = 0; i < s.length; i++) s[i] /= this.trees.length;
    return s;
  }

  featureImportances(): Float64Array | undefined {
    return this.importances;
  }

  get nodeCount(): number {
    return this.trees.reduce((s, t) => s + t.feature.length, 0);
  }

  toJSON(): EstimatorJSON {
    if (!this.compiled) throw new ModelOpsError('INVALID_STATE', 'random forest: cannot save an unfitted model');
    return {
      kind: this.kind,
      task: this.task,
      params: { ...this.params },
      nFeatures: this.nFeatures,
      nClasses: this.nClasses,
      ...encodeTrees(this.trees, this.edges, this.nFeatures),
    };
  }

  static fromJSON(json: EstimatorJSON): RandomForest {
    const task = json.task === 'regression' ? 'regression' : 'classification';
    const f = new RandomForest(task, json.params as Partial<ForestParams>);
    f.nFeatures = Number(json.nFeatures);
    f.nClasses = Number(json.nClasses);
    const decoded = decodeTrees(json, f.nFeatures, Math.max(1, f.nClasses));
    f.trees = decoded.trees;
    f.edges = decoded.edges;
    f.afterTrees();
    return f;
  }
}

function compile(trees: BuiltTree[], edges: Float32Array[], V: number): Compiled {
  let nodes = 0;
  let leaves = 0;
  for (const t of trees) {
    nodes += t.feature.length;
    leaves += t.values.length / V;
  }
  // Shared buffers: prediction workers read the trees without a copy (forest-predict.ts).
  const buffer = new SharedArrayBuffer(nodes * 3 * 4);
  const c: Compiled = {
    roots: new Int32Array(trees.length),
    nodes: new Int32Array(buffer),
    thresholds: new Float32Array(buffer),
    values: new Float32Array(new SharedArrayBuffer(leaves * V * 4)),
  };
  let n0 = 0;
  let l0 = 0;
  trees.forEach((t, i) => {
    c.roots[i] = n0 * 3;
    for (let j = 0; j < t.feature.length; j++) {
      const f = t.feature[j];
      const rec = (n0 + j) * 3;
      c.nodes[rec] = f;
      if (f >= 0) {
        c.nodes[rec + 1] = (t.right[j] + n0) * 3;
        c.thresholds[rec + 2] = edges[f][t.bin[j]];
      } else c.nodes[rec + 1] = (t.right[j] + l0) * V;
    }
    c.values.set(t.values, l0 * V);
    n0 += t.feature.length;
    l0 += t.values.length / V;
  });
  return c;
}
