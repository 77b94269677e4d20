import type { Matrix } from '../estimator';
import { Rng } from '../random';

/**
 * Permutation importance: the drop of `score` (higher is better) when one column is shuffled,
 * averaged over `repeats` seeded shuffles.
 */
export function permutationImportance(
  X: Matrix,
  score: (X: Matrix) => number,
  options: { repeats?: number; seed: number },
): { mean: Float64Array; std: Float64Array } {
  const repeats = options.repeats ?? 5;
  const base = score(X);
  const rng = new Rng(options.seed);
  const mean = new Float64Array(X.nCols);
  const std = new Float64Array(X.nCols);
  const n = X.nRows;
  for (let c = 0; c < X.nCols; c++) {
    const data = Float32Array.from(X.data);
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const col = data.subarray(c * n, (c + 1) * n);
      col.set(X.data.subarray(c * n, (c + 1) * n));
      rng.shuffle(col);
      drops.push(base - score({ nRows: n, nCols: X.nCols, data }));
    }
    const mu = drops.reduce((s, x) => s + x, 0) / repeats;
    mean[c] = mu;
    std[c] = Math.sqrt(drops.reduce((s, x) => s + (x - mu) ** 2, 0) / repeats);
  }
  return { mean, std };
}
