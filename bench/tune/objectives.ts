// Analytic objectives for bench/tune (all minimised), with their search spaces and known optima.
// bench/tune/peer_optuna.py holds the same formulas and spaces for Optuna; change both together.
import type { ParamValue, SearchSpace } from '../../src/tuning/distributions';

export interface AnalyticObjective {
  name: string;
  space: SearchSpace;
  /** The global minimum. */
  optimum: number;
  fn(params: Readonly<Record<string, ParamValue>>): number;
}

const num = (p: Readonly<Record<string, ParamValue>>, k: string): number => p[k] as number;

/** Branin–Hoo on [-5, 10] × [0, 15]: three global minima of 0.397887. */
const branin: AnalyticObjective = {
  name: 'branin',
  space: { x1: { type: 'float', low: -5, high: 10 }, x2: { type: 'float', low: 0, high: 15 } },
  optimum: 0.397887,
  fn: (p) => {
    const x1 = num(p, 'x1');
    const x2 = num(p, 'x2');
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];

/** Hartmann 6-D on [0, 1]^6: one global minimum of -3.32237. */
const hartmann6: AnalyticObjective = {
  name: 'hartmann6',
  space: Object.fromEntries(Array.from({ length: 6 }, (_, j) => [`x${j}`, { type: 'float', low: 0, high: 1 }])) as SearchSpace,
  optimum: -3.32237,
  fn: (p) => {
    let total = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H_A[i][j] * (num(p, `x${j}`) - H_P[i][j]) ** 2;
      total += H_ALPHA[i] * Math.exp(-inner);
    }
    return -total;
  },
};

const MIXED_PENALTY: Record<string, number> = { a: 0.5, b: 0, c: 1, d: 2 };

/**
 * Two floats, a log-scaled int and a categorical: a bowl at x = 0.3, y = -0.5, n = 20 (in log n),
 * plus a per-category penalty that is 0 for "b". Minimum 0.
 */
const mixed: AnalyticObjective = {
  name: 'mixed',
  space: {
    x: { type: 'float', low: -2, high: 2 },
    y: { type: 'float', low: -2, high: 2 },
    n: { type: 'int', low: 1, high: 1000, log: true },
    kind: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
  },
  optimum: 0,
  fn: (p) => (num(p, 'x') - 0.3) ** 2 + (num(p, 'y') + 0.5) ** 2 + 0.25 * Math.log(num(p, 'n') / 20) ** 2 + MIXED_PENALTY[p.kind as string],
};

/** A 5-D sphere on [-5, 5]^5 centred off the middle of the range (x = 1 in every dimension): minimum 0. */
const sphere5: AnalyticObjective = {
  name: 'sphere5',
  space: Object.fromEntries(Array.from({ length: 5 }, (_, j) => [`x${j}`, { type: 'float', low: -5, high: 5 }])) as SearchSpace,
  optimum: 0,
  fn: (p) => {
    let total = 0;
    for (let j = 0; j < 5; j++) total += (num(p, `x${j}`) - 1) ** 2;
    return total;
  },
};

export const OBJECTIVES: readonly AnalyticObjective[] = [branin, hartmann6, sphere5, mixed];
