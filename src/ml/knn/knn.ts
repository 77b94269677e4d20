import { ModelOpsError } from '../../core/errors';
import type { Task } from '../dataset/schema';
import type { Estimator, EstimatorJSON, FitContext, Matrix } from '../estimator';
import { argmaxRows, countClasses } from '../estimator';
import { packArray, unpackFloat32, unpackFloat64 } from '../codec';
import type { BruteJob, ParallelOptions } from './brute-search';
import { searchParallel } from './brute-search';
import { KdTree } from './kd-tree';

export interface KnnParams {
  nNeighbors: number;
  weights: 'uniform' | 'distance';
  /** Standardize features with the training mean and standard deviation (default true). */
  standardize: boolean;
}

export function defaultKnnParams(): KnnParams {
  return { nNeighbors: 5, weights: 'uniform', standardize: true };
}

/**
 * k-nearest neighbours, exact, on standardized float32 rows, Euclidean distance: a KD-tree below
 * 16 features, else brute force split over worker threads (brute-search.ts). The k nearest are kept
 * in a small sorted buffer; a candidate's distance is abandoned as soon as its partial sum exceeds
 * the current k-th distance. Ties keep the lower training index;
 * vote ties go to the lowest class index, as scikit-learn does.
 */
export class Knn implements Estimator {
  readonly kind = 'knn';
  readonly params: KnnParams;
  nClasses = 0;
  private nFeatures = 0;
  private nTrain = 0;
  private rows: Float32Array = new Float32Array(0);
  private y: Float64Array = new Float64Array(0);
  private mean: Float64Array = new Float64Array(0);
  private scale: Float64Array = new Float64Array(0);
  private tree: KdTree | undefined;
  /** Threads for the brute-force search (prediction only; the neighbours never depend on it). */
  parallel: ParallelOptions = {};

  constructor(
    readonly task: Task,
    params: Partial<KnnParams> = {},
  ) {
    this.params = { ...defaultKnnParams(), ...params };
    const k = this.params.nNeighbors;
    if (!Number.isInteger(k) || k < 1)
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `knn: nNeighbors must be an integer ≥ 1 (got ${k})`, { location: 'nNeighbors' });
    if (this.params.weights !== 'uniform' && this.params.weights !== 'distance') {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `knn: weights must be 'uniform' or 'distance' (got '${String(this.params.weights)}')`, {
        location: 'weights',
      });
    }
  }

  async fit(X: Matrix, y: Float64Array, ctx: FitContext = {}): Promise<void> {
    const { nRows: n, nCols: d } = X;
    if (y.length !== n) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `knn: ${n} rows but ${y.length} targets`);
    if (n < this.params.nNeighbors) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `knn: nNeighbors (${this.params.nNeighbors}) is larger than the ${n} training rows`, {
        location: 'nNeighbors',
      });
    }
    for (let i = 0; i < X.data.length; i++) {
      if (!Number.isFinite(X.data[i]))
        throw new ModelOpsError('DATA_INVALID', `knn: missing or infinite value at row ${i % n}, column ${Math.floor(i / n)}; impute before fitting`);
    }
    this.nClasses = this.task === 'classification' ? countClasses(y, ctx.nClasses) : 0;
    this.nFeatures = d;
    this.nTrain = n;
    this.mean = new Float64Array(d);
    this.scale = new Float64Array(d).fill(1);
    if (this.params.standardize) {
      for (let c = 0; c < d; c++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += X.data[c * n + r];
        const mu = s / n;
        let v = 0;
        for (let r = 0; r < n; r++) v += (X.data[c * n + r] - mu) ** 2;
        const sd = Math.sqrt(v / n);
        this.mean[c] = mu;
        this.scale[c] = sd > 0 ? sd : 1; // constant columns stay constant, as StandardScaler does
      }
    }
    this.rows = this.toRows(X);
    this.y = Float64Array.from(y);
    this.index();
    ctx.onProgress?.(1, 1);
  }

  private toRows(X: Matrix): Float32Array {
    const { nRows: n, nCols: d } = X;
    const out = new Float32Array(n * d);
    for (let c = 0; c < d; c++) {
      const mu = this.mean[c];
      const sc = this.scale[c];
      for (let r = 0; r < n; r++) out[r * d + c] = (X.data[c * n + r] - mu) / sc;
    }
    return out;
  }

  /** Below 16 features a KD-tree prunes well (scikit-learn's 'auto' choice too); above, brute force. */
  private index(): void {
    this.tree = this.nFeatures <= 15 && this.nTrain >= 64 ? new KdTree(this.rows, this.nTrain, this.nFeatures) : undefined;
  }

  /** Calls `visit(query, neighbourIndex[], distance[])` for every query row. */
  private neighbours(X: Matrix, visit: (q: number, idx: Int32Array, dist: Float64Array) => void): void {
    if (this.nTrain === 0) throw new ModelOpsError('INVALID_STATE', 'knn: predict called before fit');
    if (X.nCols !== this.nFeatures) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `knn: fitted on ${this.nFeatures} features, got ${X.nCols}`);
    const d = this.nFeatures;
    const k = this.params.nNeighbors;
    const n = this.nTrain;
    const train = this.rows;
    const queries = this.toRows(X);
    const bestD = new Float64Array(k);
    const bestI = new Int32Array(k);
    const tree = this.tree;
    if (tree) {
      for (let q = 0; q < X.nRows; q++) {
        tree.search(queries, q * d, bestD, bestI);
        for (let t = 0; t < k; t++) bestD[t] = Math.sqrt(bestD[t]);
        visit(q, bestI, bestD);
      }
      return;
    }
    const job: BruteJob = { train, nTrain: n, d, queries, nQueries: X.nRows, k, outD: new Float64Array(X.nRows * k), outI: new Int32Array(X.nRows * k) };
    searchParallel(job, this.parallel);
    for (let q = 0; q < X.nRows; q++) {
      for (let t = 0; t < k; t++) {
        bestD[t] = Math.sqrt(job.outD[q * k + t]);
        bestI[t] = job.outI[q * k + t];
      }
      visit(q, bestI, bestD);
    }
  }

  private weightsOf(dist: Float64Array, out: Float64Array): void {
    if (this.params.weights === 'uniform') {
      out.fill(1);
      return;
    }
    // scikit-learn: with a zero distance, the exact matches get weight 1 and the others 0.
    let zero = false;
    for (let t = 0; t < dist.length; t++) if (dist[t] === 0) zero = true;
    for (let t = 0; t < dist.length; t++) out[t] = zero ? (dist[t] === 0 ? 1 : 0) : 1 / dist[t];
  }

  predictProba(X: Matrix): Float64Array {
    if (this.task !== 'classification') throw new ModelOpsError('INVALID_STATE', 'knn: predictProba is for classification');
    const K = this.nClasses;
    const out = new Float64Array(X.nRows * K);
    const w = new Float64Array(this.params.nNeighbors);
    this.neighbours(X, (q, idx, dist) => {
      this.weightsOf(dist, w);
      let total = 0;
      for (let t = 0; t < idx.length; t++) {
        out[q * K + this.y[idx[t]]] += w[t];
        total += w[t];
      }
      for (let c = 0; c < K; c++) out[q * K + c] /= total;
    });
    return out;
  }

  predict(X: Matrix): Float64Array {
    if (this.task === 'classification') return argmaxRows(this.predictProba(X), X.nRows, this.nClasses);
    const out = new Float64Array(X.nRows);
    const w = new Float64Array(this.params.nNeighbors);
    this.neighbours(X, (q, idx, dist) => {
      this.weightsOf(dist, w);
      let s = 0;
      let total = 0;
      for (let t = 0; t < idx.length; t++) {
        s += w[t] * this.y[idx[t]];
        total += w[t];
      }
      out[q] = s / total;
    });
    return out;
  }

  featureImportances(): undefined {
    return undefined;
  }

  toJSON(): EstimatorJSON {
    if (this.nTrain === 0) throw new ModelOpsError('INVALID_STATE', 'knn: cannot save an unfitted model');
    return {
      kind: this.kind,
      task: this.task,
      params: { ...this.params },
      nFeatures: this.nFeatures,
      nTrain: this.nTrain,
      nClasses: this.nClasses,
      mean: packArray(this.mean),
      scale: packArray(this.scale),
      rows: packArray(this.rows),
      y: packArray(this.y),
    };
  }

  static fromJSON(json: EstimatorJSON): Knn {
    const m = new Knn(json.task === 'regression' ? 'regression' : 'classification', json.params as Partial<KnnParams>);
    const d = Number(json.nFeatures);
    const n = Number(json.nTrain);
    if (!Number.isInteger(d) || d < 1 || !Number.isInteger(n) || n < 1) throw new ModelOpsError('MODEL_INVALID', 'knn payload: nFeatures/nTrain are missing');
    m.nFeatures = d;
    m.nTrain = n;
    m.nClasses = Number(json.nClasses);
    m.mean = unpackFloat64(json.mean, 'mean', 'knn', d);
    m.scale = unpackFloat64(json.scale, 'scale', 'knn', d);
    m.rows = unpackFloat32(json.rows, 'rows', 'knn', n * d);
    m.y = unpackFloat64(json.y, 'y', 'knn', n);
    m.index();
    return m;
  }
}
