import { dict } from '../../core/dict';
import { childSeed, Rng } from '../../ml/random';
import type { Distribution, ParamValue, SearchSpace } from '../distributions';
import { snap } from '../distributions';
import type { Sampler } from './sampler';

/** One value drawn uniformly (in log space when `log`) from a distribution. */
export function sampleUniform(d: Distribution, rng: Rng): ParamValue {
  if (d.type === 'categorical') return d.choices[rng.int(d.choices.length)];
  // Ints cover [low - ½, high + ½] so that both ends are as likely as the values between.
  const pad = d.type === 'int' ? 0.5 : 0;
  const lo = d.low - pad;
  const hi = d.high + pad;
  const x = d.log ? Math.exp(Math.log(Math.max(lo, 1e-300)) + rng.next() * (Math.log(hi) - Math.log(Math.max(lo, 1e-300)))) : lo + rng.next() * (hi - lo);
  return snap(d, x);
}

/** Optuna's RandomSampler: every parameter independent and uniform. */
export class RandomSampler implements Sampler {
  readonly name = 'random';

  constructor(private readonly seed: number) {}

  sample(space: SearchSpace, _history: unknown, _direction: unknown, number: number): Record<string, ParamValue> {
    const rng = new Rng(childSeed(this.seed, number));
    const out = dict<ParamValue>();
    for (const name of Object.keys(space).sort()) out[name] = sampleUniform(space[name], rng);
    return out;
  }
}
