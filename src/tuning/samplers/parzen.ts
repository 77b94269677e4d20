import type { Rng } from '../../ml/random';
import type { Distribution, ParamValue } from '../distributions';
import { snap } from '../distributions';

/**
 * TPE's Parzen estimator, as Optuna 3.1's `_ParzenEstimator`: a weighted mixture with one component
 * per observation plus a prior component. A component is a product of one kernel per parameter
 * (a truncated normal in the (log-)transformed range for numbers, a smoothed one-hot for choices),
 * so over one parameter it is the independent TPE's estimator and over several it is the
 * multivariate one, whose candidates are drawn jointly and scored by their joint density.
 */

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Optuna's SIGMA0_MAGNITUDE: the multivariate bandwidth factor of Scott's rule. */
const SIGMA0 = 0.2;

/** erf, Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): plenty for ranking candidates. */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const cdf = (z: number): number => 0.5 * (1 + erf(z / SQRT2));

/** Optuna's default_weights: recent trials weigh 1, older ones ramp down once there are more than 25. */
export function defaultWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

type NumericDist = Extract<Distribution, { type: 'int' | 'float' }>;
type CategoricalDist = Extract<Distribution, { type: 'categorical' }>;

interface NumericKernel {
  kind: 'numeric';
  d: NumericDist;
  low: number;
  high: number;
  /** Half a step for stepped ranges (the density becomes a mass over the step), else 0. */
  half: number;
  mus: Float64Array;
  sigmas: Float64Array;
  /** log of each component's mass inside [low, high] (its truncation). */
  logZ: Float64Array;
  /** −log(σ·√(2π)·Z) per component: the continuous density's constant (−log(√(2π)·Z) when scored by height). */
  logNorm: Float64Array;
}

interface CategoricalKernel {
  kind: 'categorical';
  d: CategoricalDist;
  /** probs[component][choice] */
  probs: Float64Array[];
}

type Kernel = NumericKernel | CategoricalKernel;

export interface Parzen {
  weights: Float64Array;
  logWeights: Float64Array;
  kernels: Kernel[];
}

/** A parameter of the estimated (sub)space, with its observations in trial order. */
export interface Column {
  d: Distribution;
  values: readonly ParamValue[];
}

const toInternal = (d: NumericDist, v: number): number => (d.log ? Math.log(v) : v);

/** Optuna's _calculate_parzen_bounds: discrete ranges widen by half a step each side. */
function bounds(d: NumericDist): { low: number; high: number; half: number } {
  const step = d.step ?? (d.type === 'int' ? 1 : 0);
  if (d.log) {
    if (d.type === 'int') return { low: Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low), high: Math.log(d.high + 0.5), half: 0 };
    return { low: Math.log(d.low), high: Math.log(d.high), half: 0 };
  }
  if (step > 0) return { low: d.low - step / 2, high: d.high + step / 2, half: step / 2 };
  return { low: d.low, high: d.high, half: 0 };
}

/** Independent TPE's bandwidths: each observation's larger gap to its neighbours (ends use their inner gap). */
function gapSigmas(mus: Float64Array, low: number, high: number): Float64Array {
  const order = Array.from(mus.keys()).sort((a, b) => mus[a] - mus[b]);
  const sorted = order.map((i) => mus[i]);
  const withEnds = [low, ...sorted, high];
  const sigmaSorted = sorted.map((_, i) => Math.max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]));
  if (sorted.length >= 2) {
    // consider_endpoints=False: the outermost use their inner neighbour's gap.
    sigmaSorted[0] = sorted[1] - sorted[0];
    sigmaSorted[sorted.length - 1] = sorted[sorted.length - 1] - sorted[sorted.length - 2];
  }
  const sigmas = new Float64Array(mus.length);
  order.forEach((orig, k) => (sigmas[orig] = sigmaSorted[k]));
  return sigmas;
}

function numericKernel(d: NumericDist, values: readonly ParamValue[], sigma0: number | undefined, height: boolean): NumericKernel {
  const { low, high, half } = bounds(d);
  const n = values.length;
  const mus = new Float64Array(n + 1);
  values.forEach((v, i) => (mus[i] = toInternal(d, v as number)));
  mus[n] = 0.5 * (low + high);
  const range = high - low;
  const sigmas = sigma0 === undefined ? gapSigmas(mus, low, high) : new Float64Array(n + 1).fill(sigma0 * range);
  // Optuna's "magic clip": no kernel narrower than range / min(100, components + 1).
  const minSigma = range / Math.min(100, 1 + mus.length);
  for (let i = 0; i < n; i++) sigmas[i] = Math.min(range, Math.max(minSigma, sigmas[i]));
  sigmas[n] = range;
  const logZ = new Float64Array(n + 1);
  const logNorm = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    logZ[i] = Math.log(Math.max(cdf((high - mus[i]) / sigmas[i]) - cdf((low - mus[i]) / sigmas[i]), 1e-300));
    logNorm[i] = -LOG_SQRT_2PI - (height ? 0 : Math.log(sigmas[i])) - logZ[i];
  }
  return { kind: 'numeric', d, low, high, half, mus, sigmas, logZ, logNorm };
}

/** Optuna 3.1's categorical kernels: prior/(n + 1) spread over every choice plus 1 on the observed one; the prior row uniform. */
function categoricalKernel(d: CategoricalDist, values: readonly ParamValue[], priorWeight: number): CategoricalKernel {
  const k = d.choices.length;
  const n = values.length;
  const spread = priorWeight / (n + 1);
  const probs: Float64Array[] = [];
  for (const v of values) {
    const row = new Float64Array(k).fill(spread);
    const at = d.choices.indexOf(v);
    if (at >= 0) row[at] += 1;
    const total = row.reduce((s, x) => s + x, 0);
    probs.push(row.map((x) => x / total));
  }
  probs.push(new Float64Array(k).fill(1 / k));
  return { kind: 'categorical', d, probs };
}

/** How numeric kernels are made and scored. */
export interface KernelRule {
  /** Optuna's multivariate bandwidth (Scott's rule: 0.2 · n^(−1/(dims + 4)) of the range, the same for every component) instead of the independent neighbour gaps. */
  scott: boolean;
  /**
   * Score a continuous kernel by its height, exp(−z²/2)/Z, instead of its density (which divides
   * by σ): what Optuna 3.1's truncated-normal logpdf computes, so a wide kernel (the prior's above
   * all) is not discounted for its width.
   */
  height: boolean;
}

/** The estimator over `columns` (all of the same length n, trial order). */
export function buildParzen(columns: readonly Column[], priorWeight: number, rule: KernelRule): Parzen {
  const n = columns.length === 0 ? 0 : columns[0].values.length;
  const raw = [...defaultWeights(n), priorWeight];
  const total = raw.reduce((s, w) => s + w, 0);
  const weights = Float64Array.from(raw, (w) => w / total);
  const sigma0 = rule.scott ? SIGMA0 * Math.max(n, 1) ** (-1 / (columns.length + 4)) : undefined;
  const kernels = columns.map((c): Kernel =>
    c.d.type === 'categorical' ? categoricalKernel(c.d, c.values, priorWeight) : numericKernel(c.d, c.values, sigma0, rule.height),
  );
  return { weights, logWeights: weights.map(Math.log), kernels };
}

function pick(probs: ArrayLike<number>, u: number): number {
  let k = 0;
  while (k < probs.length - 1 && u >= probs[k]) u -= probs[k++];
  return k;
}

function drawNumeric(kn: NumericKernel, c: number, rng: Rng): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const x = kn.mus[c] + kn.sigmas[c] * rng.normal();
    if (x >= kn.low && x <= kn.high) return x;
  }
  return Math.min(kn.high, Math.max(kn.low, kn.mus[c]));
}

/** One joint draw: a component by weight, then each parameter from that component's kernel (values as the trial stores them). */
export function sampleParzen(p: Parzen, rng: Rng): ParamValue[] {
  const c = pick(p.weights, rng.next());
  return p.kernels.map((kn) => {
    if (kn.kind === 'categorical') return kn.d.choices[pick(kn.probs[c], rng.next())];
    const x = drawNumeric(kn, c, rng);
    return snap(kn.d, kn.d.log ? Math.exp(x) : x);
  });
}

function kernelLogPdf(kn: Kernel, c: number, v: ParamValue): number {
  if (kn.kind === 'categorical') return Math.log(kn.probs[c][kn.d.choices.indexOf(v)]);
  const x = toInternal(kn.d, v as number);
  const mu = kn.mus[c];
  const s = kn.sigmas[c];
  if (kn.half > 0) {
    const mass = cdf((Math.min(kn.high, x + kn.half) - mu) / s) - cdf((Math.max(kn.low, x - kn.half) - mu) / s);
    return Math.log(Math.max(mass, 1e-300)) - kn.logZ[c];
  }
  const z = (x - mu) / s;
  return -0.5 * z * z + kn.logNorm[c];
}

/** log of the mixture's joint density (mass, for stepped parameters) at one point. */
export function logPdfParzen(p: Parzen, point: readonly ParamValue[]): number {
  const m = p.weights.length;
  const terms = new Float64Array(m);
  let max = -Infinity;
  for (let c = 0; c < m; c++) {
    let t = p.logWeights[c];
    for (let j = 0; j < p.kernels.length; j++) t += kernelLogPdf(p.kernels[j], c, point[j]);
    terms[c] = t;
    if (t > max) max = t;
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let c = 0; c < m; c++) sum += Math.exp(terms[c] - max);
  return max + Math.log(sum);
}
