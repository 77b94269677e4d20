import { ModelOpsError } from '../../core/errors';
import { Rng } from '../random';

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/** Row indices grouped by class (in row order), or one group for regression (`labels` undefined). */
function groups(n: number, labels?: ArrayLike<string | number>): number[][] {
  if (!labels) return [Array.from({ length: n }, (_, i) => i)];
  const by = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = by.get(labels[i]);
    if (g) g.push(i);
    else by.set(labels[i], [i]);
  }
  // Sorted class order so the split does not depend on which class appears first.
  return [...by.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

/**
 * Seeded k-fold cross-validation; stratified when labels are given (each class dealt round-robin
 * over the folds after a shuffle, as scikit-learn's StratifiedKFold keeps class proportions).
 */
export function kFold(n: number, k: number, seed: number, labels?: ArrayLike<string | number>): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `cv: the number of folds must be an integer ≥ 2 (got ${k})`);
  if (k > n) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `cv: ${k} folds need at least ${k} rows (got ${n})`);
  const rng = new Rng(seed);
  const foldOf = new Int32Array(n);
  let offset = 0;
  for (const g of groups(n, labels)) {
    rng.shuffle(g);
    for (let j = 0; j < g.length; j++) foldOf[g[j]] = (offset + j) % k;
    offset = (offset + g.length) % k; // keeps fold sizes balanced across classes
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? test : train).push(i);
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Seeded (stratified when labels are given) train/validation/test split by fractions. */
export function trainValidationTestSplit(n: number, fractions: { validation: number; test: number }, seed: number, labels?: ArrayLike<string | number>): Split {
  const { validation, test } = fractions;
  if (validation < 0 || test < 0 || validation + test >= 1) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `split: validation (${validation}) and test (${test}) fractions must be ≥ 0 and sum to less than 1`);
  }
  const rng = new Rng(seed);
  const out = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  for (const g of groups(n, labels)) {
    rng.shuffle(g);
    const nTest = Math.round(g.length * test);
    const nVal = Math.round(g.length * validation);
    for (let j = 0; j < g.length; j++) (j < nTest ? out.test : j < nTest + nVal ? out.validation : out.train).push(g[j]);
  }
  const sorted = (a: number[]): Int32Array => Int32Array.from(a.sort((x, y) => x - y));
  return { train: sorted(out.train), validation: sorted(out.validation), test: sorted(out.test) };
}
