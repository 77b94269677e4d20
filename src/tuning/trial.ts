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
