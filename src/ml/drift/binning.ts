import type { ColumnSketch, NumericSketch } from './sketch';

/**
 * How Evidently bins a column before the Jensen–Shannon distance and the PSI (its
 * `get_binned_data`): a numeric column with more than 20 distinct reference values gets 30
 * equal-width bins over the range of both samples (NumPy's `histogram_bin_edges`; every bin
 * half-open but the last), anything else one bin per value seen on either side.
 */
export const NUMERIC_BINS = 30;
export const MAX_VALUE_BINS = 20;
export const OTHER = '(other)';

export interface Binned {
  /** Bin labels: `[a, b)` ranges, or the values. */
  labels: string[];
  /** Shares of the reference's and the current sample's values per bin (each sums to 1). */
  reference: number[];
  current: number[];
  /** True for equal-width bins of a numeric column. */
  ranges: boolean;
  /** Bin edges (ranges only). */
  edges?: number[];
}

/** `np.linspace(first, last, bins + 1)` as `np.histogram_bin_edges` computes it. */
export function binEdges(min: number, max: number, bins = NUMERIC_BINS): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => k * step + first);
  edges[bins] = last;
  return edges;
}

/** Index of the first sorted value ≥ x (`searchsorted(..., 'left')`), or > x with `right`. */
function searchSorted(sorted: ArrayLike<number>, x: number, right: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (right ? sorted[mid]! <= x : sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Weight per bin of sorted values (np.histogram with explicit edges). */
export function histogram(sorted: ArrayLike<number>, edges: readonly number[], weights?: ArrayLike<number>): number[] {
  const cumulative = new Float64Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) cumulative[i + 1] = cumulative[i]! + (weights ? weights[i]! : 1);
  const at = edges.map((e, k) => cumulative[searchSorted(sorted, e, k === edges.length - 1)]!);
  return at.slice(1).map((c, k) => c - at[k]!);
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(4)));
}

function numericBins(ref: NumericSketch, current: Float64Array): Binned {
  const cur = Float64Array.from(current).sort();
  const min = Math.min(ref.min, cur.length ? cur[0]! : Infinity);
  const max = Math.max(ref.max, cur.length ? cur[cur.length - 1]! : -Infinity);
  const edges = binEdges(min, max);
  const refCounts = histogram(ref.values, edges, ref.weights);
  const curCounts = histogram(cur, edges);
  return {
    labels: edges.slice(1).map((e, k) => `[${fmt(edges[k]!)}, ${fmt(e)}${k === edges.length - 2 ? ']' : ')'}`),
    reference: refCounts.map((c) => c / ref.count),
    current: curCounts.map((c) => c / cur.length),
    ranges: true,
    edges,
  };
}

/** The reference's counts by value label (numbers as JavaScript writes them). */
function referenceCounts(ref: ColumnSketch): Map<string, number> {
  if (ref.kind === 'numeric') return new Map(ref.values.map((v, i) => [String(v), ref.weights[i]!]));
  const m = new Map(ref.categories);
  if (ref.other > 0) m.set(OTHER, ref.other);
  return m;
}

function valueBins(ref: ColumnSketch, current: readonly string[]): Binned {
  const refCounts = referenceCounts(ref);
  const truncated = ref.kind !== 'numeric' && ref.other > 0;
  const curCounts = new Map<string, number>();
  for (const raw of current) {
    // With a truncated reference, values beyond its kept categories are compared as one bucket.
    const v = truncated && !refCounts.has(raw) ? OTHER : raw;
    curCounts.set(v, (curCounts.get(v) ?? 0) + 1);
  }
  const keys = [...new Set([...refCounts.keys(), ...curCounts.keys()])];
  if (ref.kind === 'numeric') keys.sort((a, b) => Number(a) - Number(b));
  else keys.sort((a, b) => (refCounts.get(b) ?? 0) - (refCounts.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  return {
    labels: keys,
    reference: keys.map((k) => (refCounts.get(k) ?? 0) / ref.count),
    current: keys.map((k) => (curCounts.get(k) ?? 0) / current.length),
    ranges: false,
  };
}

/** Evidently's binning of a column: the reference from its sketch, the current sample in full. */
export function binnedShares(ref: ColumnSketch, current: Float64Array | readonly string[]): Binned {
  if (ref.kind === 'numeric') {
    const cur = current as Float64Array;
    if (ref.distinct > MAX_VALUE_BINS) return numericBins(ref, cur);
    return valueBins(
      ref,
      Array.from(cur, (v) => String(v)),
    );
  }
  return valueBins(ref, current as readonly string[]);
}

/** Evidently's `feel_zeroes`: an empty bin gets a tiny share so the PSI's logarithm stays finite. */
export function fillZeroes(shares: readonly number[]): number[] {
  const nonZero = shares.filter((s) => s !== 0);
  if (nonZero.length === 0) return [...shares];
  const least = Math.min(...nonZero);
  const fill = least <= 0.0001 ? least / 1e6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}
