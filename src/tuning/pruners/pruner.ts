import type { Direction, FrozenTrial } from '../trial';

/** Decides, after a trial reports an intermediate value, whether to stop it early. */
export interface Pruner {
  readonly name: string;
  shouldPrune(trial: FrozenTrial, history: readonly FrozenTrial[], direction: Direction): boolean;
}

export class NopPruner implements Pruner {
  readonly name = 'none';
  shouldPrune(): boolean {
    return false;
  }
}
