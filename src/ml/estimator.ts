import type { Task } from './dataset/schema';

/** A dense matrix of features, column-major: the value of row r, column c is `data[c * nRows + r]`. */
export interface Matrix {
  nRows: number;
  nCols: number;
  data: Float32Array;
}

export function matrix(nRows: number, nCols: number, data = new Float32Array(nRows * nCols)): Matrix {
  return { nRows, nCols, data };
}

/**
 * A feature matrix handed over a column at a time (each call may build the column afresh; callers
 * read it and let it go), for estimators that never need the whole matrix at once.
 */
export interface ColumnSource {
  nRows: number;
  nCols: number;
  /** Column c; written into `into` (nRows long) when given and the column has to be built. */
  column(c: number, into?: Float32Array): Float32Array;
}

/** A dense matrix seen as a column source (views, no copies). */
export function matrixColumns(X: Matrix): ColumnSource {
  return { nRows: X.nRows, nCols: X.nCols, column: (c) => X.data.subarray(c * X.nRows, (c + 1) * X.nRows) };
}

/** Rows of a column-major matrix selected by index. */
export function takeMatrixRows(X: Matrix, index: ArrayLike<number>): Matrix {
  const m = index.length;
  const out = new Float32Array(m * X.nCols);
  for (let c = 0; c < X.nCols; c++) {
    const src = c * X.nRows;
    const dst = c * m;
    for (let i = 0; i < m; i++) out[dst + i] = X.data[src + index[i]];
  }
  return { nRows: m, nCols: X.nCols, data: out };
}

export interface FitContext {
  /** Classification: the number of classes (labels are 0..nClasses-1); inferred from y when absent. */
  nClasses?: number;
  /** Worker threads for estimators that use them; the result never depends on it. */
  threads?: number;
  signal?: AbortSignal;
  /** Called as work completes (e.g. per tree). */
  onProgress?: (done: number, total: number) => void;
}

/** Serialized estimator: a plain JSON object whose `kind` says which class reads it back. */
export interface EstimatorJSON {
  kind: string;
  [key: string]: unknown;
}

/**
 * The one estimator interface. Classification targets are class indices 0..K-1 stored as numbers;
 * `predict` returns class indices (classification) or values (regression).
 */
export interface Estimator {
  readonly kind: string;
  readonly task: Task;
  fit(X: Matrix, y: Float64Array, ctx?: FitContext): Promise<void>;
  /** The same fit from columns made on demand, by estimators that read one column at a time. */
  fitColumns?(X: ColumnSource, y: Float64Array, ctx?: FitContext): Promise<void>;
  predict(X: Matrix): Float64Array;
  /** Classification only: probabilities, row-major n × nClasses. */
  predictProba(X: Matrix): Float64Array;
  readonly nClasses: number;
  /** Impurity-based (or model-specific) importance per feature, summing to 1, when the model has one. */
  featureImportances(): Float64Array | undefined;
  toJSON(): EstimatorJSON;
}

/** Arg-max of each row of a row-major n × k probability matrix (lowest index wins ties, as numpy does). */
export function argmaxRows(p: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = p[i * k];
    for (let j = 1; j < k; j++) {
      if (p[i * k + j] > bv) {
        bv = p[i * k + j];
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

export function countClasses(y: Float64Array, given?: number): number {
  if (given !== undefined) return given;
  let k = 0;
  for (let i = 0; i < y.length; i++) if (y[i] + 1 > k) k = y[i] + 1;
  return k;
}
