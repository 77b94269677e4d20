import type { Binned } from './binning';
import { binnedShares, fillZeroes } from './binning';
import { chisquare, jensenShannon, populationStabilityIndex, wassersteinDistance } from './distances';
import { ks2samp } from './ks';
import type { ColumnSketch, NumericSketch, SketchKind } from './sketch';

/**
 * The drift of one column against its training sketch, with Evidently's default test choice
 * (`get_default_stattest`): up to 1,000 reference values, Kolmogorov–Smirnov for a numeric column
 * and chi-squared for a categorical one (or a numeric one with at most 5 distinct values), drift
 * when p < 0.05; above that, the Wasserstein distance normed by the reference's standard deviation
 * for a numeric column and the Jensen–Shannon distance for the others, drift when ≥ 0.1. The PSI
 * is reported beside it (Evidently's 30 bins), with its usual bands.
 */
export type DriftTest = 'ks' | 'chisquare' | 'wasserstein' | 'jensenshannon';
export type PsiBand = 'stable' | 'moderate' | 'significant';

export const DEFAULT_THRESHOLDS: Readonly<Record<DriftTest, number>> = { ks: 0.05, chisquare: 0.05, wasserstein: 0.1, jensenshannon: 0.1 };
export const TEST_LABELS: Readonly<Record<DriftTest, string>> = {
  ks: 'Kolmogorov–Smirnov',
  chisquare: 'chi-squared',
  wasserstein: 'Wasserstein (normed)',
  jensenshannon: 'Jensen–Shannon',
};
/** Tests whose score is a p-value (drift below the threshold); the others are distances (drift at or above it). */
export const P_VALUE_TESTS: ReadonlySet<DriftTest> = new Set(['ks', 'chisquare']);
export const SMALL_REFERENCE = 1000;
export const LOW_CARDINALITY = 5;

export interface ColumnDrift {
  column: string;
  kind: SketchKind;
  test: DriftTest;
  /** The test's own statistic: KS D, chi-squared, normed Wasserstein distance, JS distance. */
  statistic: number;
  /** KS and chi-squared. */
  pvalue?: number;
  /** What the threshold judges: the p-value of a test, the distance itself otherwise. */
  score: number;
  threshold: number;
  drifted: boolean;
  psi: number;
  psiBand: PsiBand;
  referenceRows: number;
  currentRows: number;
  /** Shares per bin on both sides, for the report's histogram pair. */
  histogram: Binned;
}

export function psiBand(psi: number): PsiBand {
  return psi < 0.1 ? 'stable' : psi <= 0.2 ? 'moderate' : 'significant';
}

/** Distinct values of both samples together, counted up to `limit + 1`. */
function distinctUnion(ref: ColumnSketch, current: Float64Array | readonly string[], limit: number): number {
  if (ref.kind === 'numeric' && !ref.exact) return ref.distinct;
  const seen = new Set<string>(ref.kind === 'numeric' ? ref.values.map(String) : ref.categories.map(([v]) => v));
  for (const v of current) {
    if (seen.size > limit) break;
    seen.add(String(v));
  }
  return seen.size;
}

export function defaultTest(ref: ColumnSketch, current: Float64Array | readonly string[]): DriftTest {
  const lowCardinality = ref.kind !== 'numeric' || distinctUnion(ref, current, LOW_CARDINALITY) <= LOW_CARDINALITY;
  if (ref.count <= SMALL_REFERENCE) return lowCardinality ? 'chisquare' : 'ks';
  return lowCardinality ? 'jensenshannon' : 'wasserstein';
}

/** The reference's values, each repeated by its count (only for an exact sketch). */
function expand(ref: NumericSketch): Float64Array {
  const out = new Float64Array(ref.count);
  let k = 0;
  ref.values.forEach((v, i) => out.fill(v, k, (k += ref.weights[i]!)));
  return out;
}

function statistic(
  test: DriftTest,
  ref: ColumnSketch,
  current: Float64Array | readonly string[],
  binned: Binned,
  n: number,
): { statistic: number; pvalue?: number } {
  if (test === 'ks') {
    const r = ks2samp(expand(ref as NumericSketch), current as Float64Array);
    return { statistic: r.statistic, pvalue: r.pvalue };
  }
  if (test === 'chisquare') {
    const r = chisquare(
      binned.current.map((s) => s * n),
      binned.reference.map((s) => s * n),
    );
    return { statistic: r.statistic, pvalue: r.pvalue };
  }
  if (test === 'wasserstein') {
    const s = ref as NumericSketch;
    return { statistic: wassersteinDistance(s.values, current as Float64Array, s.weights) / Math.max(s.std, 0.001) };
  }
  return { statistic: jensenShannon(binned.reference, binned.current) };
}

/**
 * One column's drift. `current` holds the new data's non-missing values (numbers for a numeric
 * column, text otherwise) and must not be empty; `threshold` replaces the test's default.
 */
export function columnDrift(ref: ColumnSketch, current: Float64Array | readonly string[], threshold?: number): ColumnDrift {
  const n = current.length;
  if (n === 0 || ref.count === 0) throw new RangeError(`column '${ref.name}': no values to compare`);
  const test = defaultTest(ref, current);
  const binned = binnedShares(ref, current);
  const s = statistic(test, ref, current, binned, n);
  const limit = threshold ?? DEFAULT_THRESHOLDS[test];
  const score = s.pvalue ?? s.statistic;
  const psi = populationStabilityIndex(fillZeroes(binned.reference), fillZeroes(binned.current));
  return {
    column: ref.name,
    kind: ref.kind,
    test,
    statistic: s.statistic,
    ...(s.pvalue !== undefined ? { pvalue: s.pvalue } : {}),
    score,
    threshold: limit,
    drifted: P_VALUE_TESTS.has(test) ? score < limit : score >= limit,
    psi,
    psiBand: psiBand(psi),
    referenceRows: ref.count,
    currentRows: n,
    histogram: binned,
  };
}
