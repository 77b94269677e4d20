import { dict } from '../../core/dict';
import { ModelOpsError } from '../../core/errors';
import { Rng } from '../../ml/random';
import type { ParamValue, SearchSpace } from '../distributions';
import { gridValues } from '../distributions';
import type { FrozenTrial } from '../trial';
import type { Sampler } from './sampler';

const key = (params: Record<string, ParamValue>, names: string[]): string => JSON.stringify(names.map((n) => params[n]));

/** Optuna's GridSampler: every combination once, in a seeded shuffled order; done when all were tried. */
export class GridSampler implements Sampler {
  readonly name = 'grid';

  constructor(private readonly seed: number) {}

  /** The number of combinations (the study's trial budget when the grid is smaller). */
  static size(space: SearchSpace): number {
    return Object.entries(space).reduce((n, [name, d]) => n * gridValues(d, name).length, 1);
  }

  sample(space: SearchSpace, history: readonly FrozenTrial[]): Record<string, ParamValue> | undefined {
    const names = Object.keys(space).sort();
    const axes = names.map((n) => gridValues(space[n], n));
    const total = axes.reduce((n, a) => n * a.length, 1);
    if (total > 1_000_000)
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `the grid has ${total} combinations; narrow the search space`, { location: 'space' });
    const order = Array.from({ length: total }, (_, i) => i);
    const rng = new Rng(this.seed);
    for (let i = total - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const seen = new Set(history.map((t) => key(t.params, names)));
    for (const index of order) {
      const params = dict<ParamValue>();
      let rest = index;
      for (let a = names.length - 1; a >= 0; a--) {
        params[names[a]] = axes[a][rest % axes[a].length];
        rest = Math.floor(rest / axes[a].length);
      }
      if (!seen.has(key(params, names))) return params;
    }
    return undefined;
  }
}
