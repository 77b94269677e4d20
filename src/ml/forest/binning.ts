import type { ColumnSource } from '../estimator';

/**
 * Features quantised once per fit into at most 256 bins (uint8), so split search is a histogram
 * scan. Bin b holds values ≤ edges[b] (and > edges[b-1]); the edges are midpoints between
 * neighbouring distinct values, so a split "bin ≤ b" is the raw-value test "x ≤ edges[b]".
 */
export interface Binned {
  nRows: number;
  nCols: number;
  /** Column-major bin of every cell. */
  bins: Uint8Array;
  /** Bin count per feature (edges + 1). */
  nBins: Int32Array;
  /** Per feature, its upper bin edges as float32 (length nBins - 1). */
  edges: Float32Array[];
}

export const MAX_BINS = 256;

/** `scratch` (at least the column's length), when given, holds the sorted copy: no allocation per column. */
export function computeEdges(column: Float32Array, maxBins = MAX_BINS, scratch?: Float32Array): Float32Array {
  // Runs of equal values in sorted order, walked twice; no per-value arrays (a column of distinct
  // floats would otherwise hold two JS arrays of its length).
  const sorted = scratch ? scratch.subarray(0, column.length) : new Float32Array(column.length);
  sorted.set(column);
  sorted.sort();
  const n = sorted.length;
  const runEnd = (i: number): number => {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    return j;
  };
  const cut = (a: number, b: number): number => {
    const m = Math.fround((a + b) / 2);
    return m >= b ? a : m;
  };
  let distinct = 0;
  for (let i = 0; i < n && distinct <= maxBins; i = runEnd(i)) distinct++;
  const edges: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 0, j = runEnd(0); j < n; i = j, j = runEnd(j)) edges.push(cut(sorted[i], sorted[j]));
    return Float32Array.from(edges);
  }
  // Quantile edges over the distinct values weighted by their counts (one bin never splits a value).
  let cum = 0;
  let nextTarget = n / maxBins;
  for (let i = 0, j = runEnd(0); j < n && edges.length < maxBins - 1; i = j, j = runEnd(j)) {
    cum += j - i;
    if (cum >= nextTarget) {
      edges.push(cut(sorted[i], sorted[j]));
      while (nextTarget <= cum) nextTarget += n / maxBins;
    }
  }
  return Float32Array.from(edges);
}

/** Index of the first edge ≥ x (values above every edge go to the last bin). */
export function binOf(edges: Float32Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins a column at a time: only one float32 column is alive beside the bins. */
export function binColumns(X: ColumnSource, maxBins = MAX_BINS, shared = false): Binned {
  const { nRows, nCols } = X;
  const buffer = shared ? new SharedArrayBuffer(nRows * nCols) : new ArrayBuffer(nRows * nCols);
  const bins = new Uint8Array(buffer);
  const nBins = new Int32Array(nCols);
  const edges: Float32Array[] = [];
  // Two columns' worth of scratch reused for every column: a wide fit makes no garbage per column.
  const built = new Float32Array(nRows);
  const sorted = new Float32Array(nRows);
  for (let c = 0; c < nCols; c++) {
    const col = X.column(c, built);
    const e = computeEdges(col, maxBins, sorted);
    edges.push(e);
    nBins[c] = e.length + 1;
    const off = c * nRows;
    for (let r = 0; r < nRows; r++) bins[off + r] = binOf(e, col[r]);
  }
  return { nRows, nCols, bins, nBins, edges };
}
