import { childSeed, Rng } from '../../ml/random';

/**
 * A small seeded random-forest regressor over features on [0, 1], kept as leaf boxes: fANOVA
 * needs each leaf's region and value, not predictions. Bootstrap samples, every feature tried at
 * each split (scikit-learn's RandomForestRegressor defaults, which Optuna's fANOVA uses).
 */
export interface LeafBox {
  lo: number[];
  hi: number[];
  value: number;
}

export interface ForestOptions {
  nTrees?: number;
  maxDepth?: number;
  minSamplesLeaf?: number;
  seed?: number;
}

interface Split {
  feature: number;
  threshold: number;
  score: number;
}

/** The best variance-reducing split of `idx` over every feature, or undefined. */
function bestSplit(x: number[][], y: number[], idx: number[], minLeaf: number): Split | undefined {
  let best: Split | undefined;
  const d = x[0].length;
  for (let f = 0; f < d; f++) {
    const sorted = [...idx].sort((a, b) => x[a][f] - x[b][f]);
    let sumL = 0;
    let sqL = 0;
    const total = sorted.reduce((a, i) => a + y[i], 0);
    const totalSq = sorted.reduce((a, i) => a + y[i] * y[i], 0);
    for (let k = 0; k < sorted.length - 1; k++) {
      const v = y[sorted[k]];
      sumL += v;
      sqL += v * v;
      const nL = k + 1;
      const nR = sorted.length - nL;
      const a = x[sorted[k]][f];
      const b = x[sorted[k + 1]][f];
      if (a === b || nL < minLeaf || nR < minLeaf) continue;
      // Sum of squared errors left + right; lower is better.
      const sse = sqL - (sumL * sumL) / nL + (totalSq - sqL) - (total - sumL) ** 2 / nR;
      if (!best || sse < best.score - 1e-12) best = { feature: f, threshold: (a + b) / 2, score: sse };
    }
  }
  return best;
}

function grow(x: number[][], y: number[], idx: number[], box: LeafBox, depth: number, o: Required<ForestOptions>, out: LeafBox[]): void {
  const mean = idx.reduce((a, i) => a + y[i], 0) / idx.length;
  const pure = idx.every((i) => y[i] === y[idx[0]]);
  const split = depth < o.maxDepth && idx.length >= 2 * o.minSamplesLeaf && !pure ? bestSplit(x, y, idx, o.minSamplesLeaf) : undefined;
  if (!split) {
    out.push({ lo: box.lo, hi: box.hi, value: mean });
    return;
  }
  const { feature: f, threshold: t } = split;
  const left = idx.filter((i) => x[i][f] <= t);
  const right = idx.filter((i) => x[i][f] > t);
  const loBox = { lo: box.lo, hi: box.hi.map((h, j) => (j === f ? t : h)), value: 0 };
  const hiBox = { lo: box.lo.map((l, j) => (j === f ? t : l)), hi: box.hi, value: 0 };
  grow(x, y, left, loBox, depth + 1, o, out);
  grow(x, y, right, hiBox, depth + 1, o, out);
}

/** The leaves of each tree; every tree's leaves tile [0, 1]^d. */
export function fitForest(x: number[][], y: number[], options: ForestOptions = {}): LeafBox[][] {
  const o: Required<ForestOptions> = { nTrees: 64, maxDepth: 64, minSamplesLeaf: 1, seed: 0, ...options };
  const d = x[0]?.length ?? 0;
  const trees: LeafBox[][] = [];
  for (let t = 0; t < o.nTrees; t++) {
    const rng = new Rng(childSeed(o.seed, t));
    const idx = Array.from({ length: y.length }, () => rng.int(y.length));
    const leaves: LeafBox[] = [];
    grow(x, y, idx, { lo: new Array<number>(d).fill(0), hi: new Array<number>(d).fill(1), value: 0 }, 0, o, leaves);
    trees.push(leaves);
  }
  return trees;
}
