import { dict } from '../../core/dict';
import { childSeed, Rng } from '../../ml/random';
import type { Distribution, ParamValue, SearchSpace } from '../distributions';
import { snap } from '../distributions';
import type { Direction, FrozenTrial } from '../trial';
import { better, lastIntermediate } from '../trial';
import { sampleUniform } from './random';
import type { Sampler } from './sampler';

/**
 * Tree-structured Parzen Estimator, independent per parameter, with Optuna 3's defaults: random
 * for the first 10 trials; then the finished trials are split into the best γ(n) = min(⌈0.1·n⌉, 25)
 * ("below") and the rest ("above"); each group becomes a mixture of truncated normals (one per
 * observation plus a prior spanning the range; bandwidth from the neighbours' gaps, clipped "magic"
 * style); 24 candidates are drawn from the "below" mixture and the one maximising
 * log l(x) − log g(x) is taken. Categorical parameters use Optuna's categorical kernels (one per
 * observation, smoothed by the prior).
 * Pruned trials count as worse than every complete one (ordered by their last reported value).
 */
export interface TpeOptions {
  nStartupTrials?: number;
  nEiCandidates?: number;
  priorWeight?: number;
}

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

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
function defaultWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

interface Mixture {
  weights: number[];
  mus: number[];
  sigmas: number[];
  low: number;
  high: number;
}

/** The Parzen estimator of one numeric parameter over observations in the (log-)transformed space. */
function parzen(obs: number[], obsWeights: number[], low: number, high: number, priorWeight: number): Mixture {
  const priorMu = 0.5 * (low + high);
  const priorSigma = high - low;
  const mus = [...obs, priorMu];
  const weights = [...obsWeights, priorWeight];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sorted = order.map((i) => mus[i]);
  const withEnds = [low, ...sorted, high];
  const sigmaSorted = sorted.map((_, i) => Math.max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]));
  if (sorted.length >= 2) {
    // consider_endpoints=False: the outermost use their inner neighbour's gap.
    sigmaSorted[0] = sorted[1] - sorted[0];
    sigmaSorted[sorted.length - 1] = sorted[sorted.length - 1] - sorted[sorted.length - 2];
  }
  const sigmas = new Array<number>(mus.length);
  order.forEach((orig, k) => (sigmas[orig] = sigmaSorted[k]));
  const maxSigma = high - low;
  const minSigma = (high - low) / Math.min(100, 1 + mus.length);
  for (let i = 0; i < sigmas.length; i++) sigmas[i] = Math.min(maxSigma, Math.max(minSigma, sigmas[i]));
  sigmas[mus.length - 1] = priorSigma;
  const total = weights.reduce((s, w) => s + w, 0);
  return { weights: weights.map((w) => w / total), mus, sigmas, low, high };
}

function sampleMixture(m: Mixture, rng: Rng): number {
  let u = rng.next();
  let k = 0;
  while (k < m.weights.length - 1 && u >= m.weights[k]) u -= m.weights[k++];
  for (let attempt = 0; attempt < 100; attempt++) {
    const x = m.mus[k] + m.sigmas[k] * rng.normal();
    if (x >= m.low && x <= m.high) return x;
  }
  return Math.min(m.high, Math.max(m.low, m.mus[k]));
}

/** log of the mixture's density at x (continuous) or of its mass on [x − h, x + h] (discrete). */
function logLikelihood(m: Mixture, x: number, half: number): number {
  let p = 0;
  for (let k = 0; k < m.weights.length; k++) {
    const mu = m.mus[k];
    const s = m.sigmas[k];
    const z = cdf((m.high - mu) / s) - cdf((m.low - mu) / s);
    if (!(z > 0)) continue;
    if (half > 0) p += (m.weights[k] * (cdf((Math.min(m.high, x + half) - mu) / s) - cdf((Math.max(m.low, x - half) - mu) / s))) / z;
    else p += (m.weights[k] * Math.exp(-0.5 * ((x - mu) / s) ** 2 - LOG_SQRT_2PI)) / (s * z);
  }
  return Math.log(Math.max(p, 1e-300));
}

export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  private readonly nStartup: number;
  private readonly nCandidates: number;
  private readonly priorWeight: number;

  constructor(
    private readonly seed: number,
    options: TpeOptions = {},
  ) {
    this.nStartup = options.nStartupTrials ?? 10;
    this.nCandidates = options.nEiCandidates ?? 24;
    this.priorWeight = options.priorWeight ?? 1;
  }

  sample(space: SearchSpace, history: readonly FrozenTrial[], direction: Direction, number: number): Record<string, ParamValue> {
    const rng = new Rng(childSeed(this.seed, number));
    const finished = history.filter((t) => (t.state === 'COMPLETE' && t.value !== undefined) || (t.state === 'PRUNED' && lastIntermediate(t) !== undefined));
    const out = dict<ParamValue>();
    if (finished.length < this.nStartup) {
      for (const name of Object.keys(space).sort()) out[name] = sampleUniform(space[name], rng);
      return out;
    }
    const { below, above } = this.split(finished, direction);
    for (const name of Object.keys(space).sort()) {
      const d = space[name];
      const b = below.filter((t) => name in t.params);
      const a = above.filter((t) => name in t.params);
      out[name] = d.type === 'categorical' ? this.sampleCategorical(d, b, a, name, rng) : this.sampleNumeric(d, b, a, name, rng);
    }
    return out;
  }

  /** Best γ(n) trials ("below") and the rest, each in trial-number order (for the weights). */
  private split(finished: FrozenTrial[], direction: Direction): { below: FrozenTrial[]; above: FrozenTrial[] } {
    const complete = finished
      .filter((t) => t.state === 'COMPLETE')
      .sort((x, y) => (better(direction, x.value!, y.value!) ? -1 : better(direction, y.value!, x.value!) ? 1 : x.number - y.number));
    const pruned = finished
      .filter((t) => t.state === 'PRUNED')
      .sort((x, y) => {
        const vx = lastIntermediate(x)!;
        const vy = lastIntermediate(y)!;
        return better(direction, vx, vy) ? -1 : better(direction, vy, vx) ? 1 : x.number - y.number;
      });
    const ranked = [...complete, ...pruned];
    const nBelow = Math.min(Math.ceil(0.1 * ranked.length), 25);
    const byNumber = (x: FrozenTrial, y: FrozenTrial): number => x.number - y.number;
    return { below: ranked.slice(0, nBelow).sort(byNumber), above: ranked.slice(nBelow).sort(byNumber) };
  }

  private sampleNumeric(d: Extract<Distribution, { type: 'int' | 'float' }>, below: FrozenTrial[], above: FrozenTrial[], name: string, rng: Rng): number {
    const step = d.step ?? (d.type === 'int' ? 1 : 0);
    const tf = (v: number): number => (d.log ? Math.log(v) : v);
    // Discrete ranges widen by half a step each side, as Optuna's.
    let low = tf(d.low);
    let high = tf(d.high);
    if (step > 0 && !d.log) {
      low -= step / 2;
      high += step / 2;
    } else if (d.log && d.type === 'int') {
      low = Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low);
      high = Math.log(d.high + 0.5);
    }
    const obs = (ts: FrozenTrial[]): number[] => ts.map((t) => tf(t.params[name] as number));
    const l = parzen(obs(below), defaultWeights(below.length), low, high, this.priorWeight);
    const g = parzen(obs(above), defaultWeights(above.length), low, high, this.priorWeight);
    const half = step > 0 && !d.log ? step / 2 : 0;
    let best = NaN;
    let bestScore = -Infinity;
    for (let i = 0; i < this.nCandidates; i++) {
      const xt = sampleMixture(l, rng);
      const value = snap(d, d.log ? Math.exp(xt) : xt);
      const at = d.log ? Math.log(value) : value;
      const score = logLikelihood(l, at, half) - logLikelihood(g, at, half);
      if (score > bestScore) {
        bestScore = score;
        best = value;
      }
    }
    return best;
  }

  private sampleCategorical(d: Extract<Distribution, { type: 'categorical' }>, below: FrozenTrial[], above: FrozenTrial[], name: string, rng: Rng): ParamValue {
    const n = d.choices.length;
    // Optuna 3's categorical Parzen estimator: one kernel per observation, each spreading
    // prior/(kernels) over every choice on top of its own choice, plus a uniform prior kernel;
    // kernels weighted as the numeric ones. Flatter than plain counts, so unseen choices keep
    // being tried.
    const probs = (ts: FrozenTrial[]): number[] => {
      const kernels = ts.length + 1;
      const spread = this.priorWeight / kernels;
      const w = [...defaultWeights(ts.length), this.priorWeight];
      const total = w.reduce((a, b) => a + b, 0);
      const p = new Array<number>(n).fill(0);
      ts.forEach((t, i) => {
        const k = d.choices.indexOf(t.params[name]);
        const norm = n * spread + (k >= 0 ? 1 : 0);
        for (let c = 0; c < n; c++) p[c] += ((w[i] / total) * (spread + (c === k ? 1 : 0))) / norm;
      });
      for (let c = 0; c < n; c++) p[c] += w[ts.length] / total / n;
      return p;
    };
    const l = probs(below);
    const g = probs(above);
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < this.nCandidates; i++) {
      let u = rng.next();
      let k = 0;
      while (k < n - 1 && u >= l[k]) u -= l[k++];
      const score = Math.log(l[k]) - Math.log(g[k]);
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    return d.choices[best];
  }
}
