import { chi2Sf } from './special';

/**
 * Pearson's chi-squared goodness-of-fit test (SciPy's `chisquare`): observed against expected
 * frequencies, k − 1 degrees of freedom. An expected 0 with an observed count is an infinite
 * statistic (a category the reference never had), p = 0.
 */
export function chisquare(observed: ArrayLike<number>, expected: ArrayLike<number>): { statistic: number; pvalue: number } {
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    if (e === 0) {
      if (o !== 0) statistic = Infinity;
      continue;
    }
    statistic += ((o - e) * (o - e)) / e;
  }
  const df = observed.length - 1;
  if (df < 1) return { statistic, pvalue: 1 };
  return { statistic, pvalue: statistic === Infinity ? 0 : chi2Sf(statistic, df) };
}

interface Weighted {
  values: Float64Array;
  /** Cumulative weight up to and including each sorted value. */
  cumulative: Float64Array;
  total: number;
}

function weighted(values: ArrayLike<number>, weights?: ArrayLike<number>): Weighted {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const v = new Float64Array(order.length);
  const c = new Float64Array(order.length);
  let total = 0;
  order.forEach((k, i) => {
    v[i] = values[k]!;
    total += weights ? weights[k]! : 1;
    c[i] = total;
  });
  return { values: v, cumulative: c, total };
}

/**
 * The first Wasserstein distance between two (weighted) samples, SciPy's `wasserstein_distance`:
 * the area between their CDFs, ∫ |U(x) − V(x)| dx.
 */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>, uWeights?: ArrayLike<number>, vWeights?: ArrayLike<number>): number {
  if (u.length === 0 || v.length === 0) throw new RangeError('wassersteinDistance needs values on both sides');
  const a = weighted(u, uWeights);
  const b = weighted(v, vWeights);
  let i = 0;
  let j = 0;
  let distance = 0;
  let x = Math.min(a.values[0]!, b.values[0]!);
  while (i < a.values.length || j < b.values.length) {
    // Step past every value at x, then integrate |U − V| up to the next value.
    while (i < a.values.length && a.values[i]! <= x) i++;
    while (j < b.values.length && b.values[j]! <= x) j++;
    const next = Math.min(i < a.values.length ? a.values[i]! : Infinity, j < b.values.length ? b.values[j]! : Infinity);
    if (next === Infinity) break;
    const cu = i === 0 ? 0 : a.cumulative[i - 1]! / a.total;
    const cv = j === 0 ? 0 : b.cumulative[j - 1]! / b.total;
    distance += Math.abs(cu - cv) * (next - x);
    x = next;
  }
  return distance;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** The Jensen–Shannon distance (natural log) between two distributions, SciPy's `spatial.distance.jensenshannon`. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp;
    const b = q[i]! / sq;
    const m = (a + b) / 2;
    js += relEntr(a, m) + relEntr(b, m);
  }
  return Math.sqrt(js / 2);
}

/** The population stability index of two share vectors with no zero: Σ (r − c)·ln(r / c). */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i++) psi += (reference[i]! - current[i]!) * Math.log(reference[i]! / current[i]!);
  return psi;
}
