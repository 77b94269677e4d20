import type { Direction, FrozenTrial, ParamValue } from '../../core/tuning';
import type { Distribution, SearchSpace } from '../distributions';

/**
 * Finished trials as a numeric table for the importance evaluators: each parameter mapped onto
 * [0, 1] so that the uniform measure there is the search space's own (log-uniform for `log`
 * ranges; one equal slice per categorical choice). Only COMPLETE trials count, as in Optuna.
 */
export interface EncodedTrials {
  params: string[];
  space: SearchSpace;
  /** rows[t][p]: trial t's parameter p on [0, 1]. */
  rows: number[][];
  values: number[];
  direction: Direction;
}

/** A parameter value on [0, 1]; categorical choice k of K sits at the middle of its slice. */
export function encodeValue(d: Distribution, v: ParamValue): number | undefined {
  if (d.type === 'categorical') {
    const k = d.choices.findIndex((c) => c === v);
    return k < 0 ? undefined : (k + 0.5) / d.choices.length;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  if (d.high === d.low) return 0.5;
  const t = d.log ? (Math.log(v) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low)) : (v - d.low) / (d.high - d.low);
  return Math.min(1, Math.max(0, t));
}

/** The COMPLETE trials that have a usable value for every parameter of the space. */
export function encodeTrials(space: SearchSpace, trials: readonly FrozenTrial[], direction: Direction): EncodedTrials {
  const params = Object.keys(space).sort();
  const rows: number[][] = [];
  const values: number[] = [];
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || t.value === undefined || !Number.isFinite(t.value)) continue;
    const row = params.map((p) => encodeValue(space[p], t.params[p]));
    if (row.some((x) => x === undefined)) continue;
    rows.push(row as number[]);
    values.push(t.value);
  }
  return { params, space, rows, values, direction };
}

/** Scales importances to sum to 1 (Optuna's `normalize=True`), keeping zeros when all are zero. */
export function normalize(raw: Record<string, number>): Record<string, number> {
  const total = Object.values(raw).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = total > 0 ? v / total : 0;
  return out;
}
