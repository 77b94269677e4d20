import { ModelOpsError } from '../../core/errors';
import type { Direction, FrozenTrial } from '../trial';
import type { Pruner } from './pruner';

export interface SuccessiveHalvingOptions {
  /**
   * r: a trial's first rung is at step r·η^s. `auto` (Optuna's default): the last step of the
   * complete trials ÷ 100, at least 1, known once a trial has completed (nothing is pruned before).
   */
  minResource?: number | 'auto';
  /** η: about 1/η of the trials that reach a rung go on past it (Optuna: 4). */
  reductionFactor?: number;
  /** s: the first rung is η^s times later (Optuna: 0; Hyperband's brackets use 0, 1, 2…). */
  minEarlyStoppingRate?: number;
  /** Trials that must reach a rung before any is promoted past it; the first ones are pruned (Optuna: 0). */
  bootstrapCount?: number;
}

const steps = (t: FrozenTrial): number[] =>
  Object.keys(t.intermediate)
    .map(Number)
    .sort((a, b) => a - b);

/**
 * Optuna's SuccessiveHalvingPruner (asynchronous successive halving, Li et al. 2020). Rung k is at
 * step r·η^(s+k); a trial reaching it competes with every other trial that reached it, by its
 * intermediate value there, and goes on only if it is within the best ⌊n/η⌋ of the n competitors
 * (the best one while n < η), else it is pruned.
 * Optuna stores each trial's value at each rung as it passes; here it is read back from the
 * intermediate values the trials reported (at every step, as the folds of a CV do), which the
 * store keeps, so a resumed study prunes as an uninterrupted one would.
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name: string = 'successive-halving';
  private minResource: number | undefined;
  private readonly reductionFactor: number;
  private readonly minEarlyStoppingRate: number;
  private readonly bootstrapCount: number;
  /** The value at each rung of the finished trials, by trial number. */
  private readonly finished = new Map<number, (number | undefined)[]>();

  constructor(options: SuccessiveHalvingOptions = {}) {
    const r = options.minResource ?? 'auto';
    const eta = options.reductionFactor ?? 4;
    const s = options.minEarlyStoppingRate ?? 0;
    const bootstrap = options.bootstrapCount ?? 0;
    const bad = (field: string, rule: string, got: unknown): ModelOpsError =>
      new ModelOpsError('INVALID_PARAMETER_VALUE', `successive halving: ${field} must be ${rule} (got ${String(got)})`, { location: field });
    if (r !== 'auto' && !(Number.isInteger(r) && r >= 1)) throw bad('minResource', "an integer ≥ 1 or 'auto'", r);
    if (!(Number.isInteger(eta) && eta >= 2)) throw bad('reductionFactor', 'an integer ≥ 2', eta);
    if (!(Number.isInteger(s) && s >= 0)) throw bad('minEarlyStoppingRate', 'an integer ≥ 0', s);
    if (!(Number.isInteger(bootstrap) && bootstrap >= 0)) throw bad('bootstrapCount', 'an integer ≥ 0', bootstrap);
    if (bootstrap > 0 && r === 'auto') throw bad('bootstrapCount', "0 when minResource is 'auto'", bootstrap);
    this.minResource = r === 'auto' ? undefined : r;
    this.reductionFactor = eta;
    this.minEarlyStoppingRate = s;
    this.bootstrapCount = bootstrap;
  }

  /** The step at which rung `k` is decided. */
  rungStep(k: number): number {
    return (this.minResource ?? 1) * this.reductionFactor ** (this.minEarlyStoppingRate + k);
  }

  shouldPrune(trial: FrozenTrial, history: readonly FrozenTrial[], direction: Direction): boolean {
    const own = steps(trial);
    if (own.length === 0) return false;
    this.minResource ??= estimateMinResource(history);
    if (this.minResource === undefined) return false;
    const step = own[own.length - 1];
    const value = trial.intermediate[step];
    // Rungs an earlier report already passed were decided then.
    const previous = own.length > 1 ? own[own.length - 2] : -1;
    let rung = 0;
    while (this.rungStep(rung) <= previous) rung++;
    for (; this.rungStep(rung) <= step; rung++) {
      if (Number.isNaN(value)) return true;
      const competing = [value];
      for (const t of history) {
        if (t.number === trial.number) continue;
        const v = this.valueAt(t, rung);
        if (v !== undefined) competing.push(v);
      }
      if (competing.length <= this.bootstrapCount) return true;
      if (!promotable(value, competing, this.reductionFactor, direction)) return true;
    }
    return false;
  }

  /** A trial's value at a rung: its intermediate value at the first step it reported at or past the rung. */
  private valueAt(t: FrozenTrial, rung: number): number | undefined {
    if (t.state === 'RUNNING') return this.firstValueFrom(t, this.rungStep(rung));
    // A finished trial's values no longer change: each is read once.
    let rungs = this.finished.get(t.number);
    if (!rungs) this.finished.set(t.number, (rungs = []));
    if (rungs.length <= rung) for (let k = rungs.length; k <= rung; k++) rungs.push(this.firstValueFrom(t, this.rungStep(k)));
    return rungs[rung];
  }

  private firstValueFrom(t: FrozenTrial, at: number): number | undefined {
    // One pass, no sort: this runs for every trial of the study at every report.
    let first = Infinity;
    for (const key in t.intermediate) {
      const step = Number(key);
      if (step >= at && step < first) first = step;
    }
    const v = first === Infinity ? undefined : t.intermediate[first];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }
}

/** Optuna's `auto` min resource: the complete trials' last step ÷ 100 (at least 1); undefined before one completes. */
function estimateMinResource(history: readonly FrozenTrial[]): number | undefined {
  const last = history.filter((t) => t.state === 'COMPLETE').flatMap((t) => steps(t).slice(-1));
  if (last.length === 0) return undefined;
  return Math.max(Math.floor(Math.max(...last) / 100), 1);
}

/** Within the best ⌊n/η⌋ of the n competitors (the best one while n < η); ties go on. */
export function promotable(value: number, competing: readonly number[], reductionFactor: number, direction: Direction): boolean {
  const places = Math.max(Math.floor(competing.length / reductionFactor), 1);
  // Within the best `places` ⟺ fewer than `places` competitors strictly better (a count, not a sort).
  let better = 0;
  for (const v of competing) if (direction === 'maximize' ? v > value : v < value) better++;
  return better < places;
}
