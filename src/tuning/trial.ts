import type { Direction, FrozenTrial } from '../core/tuning';

export type { Direction, FrozenTrial, TrialState } from '../core/tuning';

/** True when `a` is better than `b` in this direction. */
export function better(direction: Direction, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

export function lastIntermediate(t: FrozenTrial): number | undefined {
  const steps = Object.keys(t.intermediate).map(Number);
  if (steps.length === 0) return undefined;
  return t.intermediate[Math.max(...steps)];
}

/** The first COMPLETE trial (in number order) with the best value, as `Study.bestTrial` picks it. */
export function bestTrialOf(trials: readonly FrozenTrial[], direction: Direction): FrozenTrial | undefined {
  let best: FrozenTrial | undefined;
  for (const t of [...trials].sort((a, b) => a.number - b.number))
    if (t.state === 'COMPLETE' && t.value !== undefined && Number.isFinite(t.value) && (!best || better(direction, t.value, best.value!))) best = t;
  return best;
}
