import { kolmogorovSf } from './special';

export interface KsResult {
  /** The largest distance between the two empirical CDFs. */
  statistic: number;
  pvalue: number;
  /** `exact`: the exact distribution of the statistic (SciPy's default up to 10,000 values a side). */
  method: 'exact' | 'asymptotic';
}

/** Above this many steps of the exact recursion, Kolmogorov's limit is used (only large samples get there). */
const EXACT_BUDGET = 30_000_000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function sorted(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, as SciPy's `ks_2samp` computes it: the
 * statistic from both empirical CDFs (ties handled by counting values ≤ each point), the p-value
 * from the exact distribution of the statistic. The statistic is found in integer units of
 * 1 / lcm(n1, n2), so it equals SciPy's rounded one exactly. Values must be finite.
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = sorted(a);
  const y = sorted(b);
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2samp needs values on both sides');
  let i = 0;
  let j = 0;
  let widest = 0; // max |c1·n2 − c2·n1|, in units of 1 / (n1·n2)
  while (i < n1 || j < n2) {
    const v = Math.min(i < n1 ? x[i]! : Infinity, j < n2 ? y[j]! : Infinity);
    while (i < n1 && x[i]! <= v) i++;
    while (j < n2 && y[j]! <= v) j++;
    const diff = Math.abs(i * n2 - j * n1);
    if (diff > widest) widest = diff;
  }
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = widest / g;
  const statistic = h / lcm;
  if (h === 0) return { statistic, pvalue: 1, method: 'exact' };
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  // The band the recursion walks is about 2·D·n wide, for each of the m columns.
  if (Math.max(n1, n2) > 10_000 && m * (2 * statistic * n + 2) > EXACT_BUDGET) {
    const en = (n1 * n2) / (n1 + n2);
    return { statistic, pvalue: kolmogorovSf(Math.sqrt(en) * statistic), method: 'asymptotic' };
  }
  return { statistic, pvalue: Math.min(1, Math.max(0, outsideProbability(m, n, g, h))), method: 'exact' };
}

/**
 * The probability that a uniformly random lattice path from (0, 0) to (m, n) leaves the band
 * |ng·i − mg·j| < h (ng = n / g, mg = m / g): P(D ≥ h / lcm) under the null hypothesis. P(i, j), the
 * share of the paths to (i, j) that have left the band, is 1 outside it and inside it the mean of
 * its two predecessors weighted by how many paths come through each: (i·P(i−1, j) + j·P(i, j−1)) / (i + j).
 * Computing the share (rather than counts, or 1 − it) keeps every value in [0, 1]: no overflow and
 * no cancellation (the recursion of Viehmann, arXiv:2102.08037).
 */
function outsideProbability(m: number, n: number, g: number, h: number): number {
  const mg = m / g;
  const ng = n / g;
  let prev = new Float64Array(n + 1);
  let cur = new Float64Array(n + 1);
  // Column i = 0: (0, j) is inside while mg·j < h, and only one path leads there.
  let prevLo = 0;
  let prevHi = Math.min(n + 1, Math.ceil(h / mg));
  prev.fill(0, prevLo, prevHi);
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(0, Math.floor((ng * i - h) / mg) + 1);
    const hi = Math.min(n + 1, Math.ceil((ng * i + h) / mg));
    if (hi <= lo) return 1;
    for (let j = lo; j < hi; j++) {
      const up = j >= prevLo && j < prevHi ? prev[j]! : 1;
      const left = j === 0 ? 0 : j - 1 >= lo ? cur[j - 1]! : 1;
      cur[j] = (i * up + j * left) / (i + j);
    }
    [prev, cur] = [cur, prev];
    prevLo = lo;
    prevHi = hi;
  }
  return prevHi === n + 1 ? prev[n]! : 1;
}
