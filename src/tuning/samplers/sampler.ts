import type { ParamValue, SearchSpace } from '../distributions';
import type { Direction, FrozenTrial } from '../trial';

/**
 * Picks the parameters of the next trial. Every sampler draws from a random stream seeded by
 * (study seed, trial number), so a resumed study samples exactly what an uninterrupted one would.
 */
export interface Sampler {
  readonly name: string;
  /** Params for trial `number`, or undefined when the sampler has nothing left to try (grid). */
  sample(space: SearchSpace, history: readonly FrozenTrial[], direction: Direction, number: number): Record<string, ParamValue> | undefined;
}
