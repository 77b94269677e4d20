import type { Direction, FrozenTrial } from '../trial';
import type { Pruner } from './pruner';

export interface MedianPrunerOptions {
  /** Complete trials needed before anything is pruned (Optuna: 5). */
  nStartupTrials?: number;
  /** Steps of every trial that are never pruned (Optuna: 0). */
  nWarmupSteps?: number;
}

/**
 * Optuna's MedianPruner: a trial is stopped at step s when its intermediate value is worse than
 * the median of the complete trials' values at the same step.
 */
export class MedianPruner implements Pruner {
  readonly name = 'median';
  private readonly nStartup: number;
  private readonly nWarmup: number;

  constructor(options: MedianPrunerOptions = {}) {
    this.nStartup = options.nStartupTrials ?? 5;
    this.nWarmup = options.nWarmupSteps ?? 0;
  }

  shouldPrune(trial: FrozenTrial, history: readonly FrozenTrial[], direction: Direction): boolean {
    const steps = Object.keys(trial.intermediate).map(Number);
    if (steps.length === 0) return false;
    const step = Math.max(...steps);
    if (step < this.nWarmup) return false;
    const complete = history.filter((t) => t.state === 'COMPLETE' && t.number !== trial.number);
    if (complete.length < this.nStartup) return false;
    const others = complete
      .map((t) => t.intermediate[step])
      .filter((v): v is number => v !== undefined && Number.isFinite(v))
      .sort((a, b) => a - b);
    if (others.length === 0) return false;
    const mid = others.length / 2;
    const median = others.length % 2 ? others[Math.floor(mid)] : (others[mid - 1] + others[mid]) / 2;
    const value = trial.intermediate[step];
    if (!Number.isFinite(value)) return true;
    return direction === 'maximize' ? value < median : value > median;
  }
}
