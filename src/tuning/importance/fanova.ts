import { ModelOpsError } from '../../core/errors';
import type { EncodedTrials } from './encode';
import { normalize } from './encode';
import type { ForestOptions, LeafBox } from './regression-forest';
import { fitForest } from './regression-forest';

/**
 * fANOVA (Hutter et al., 2014) as Optuna's FanovaImportanceEvaluator: fit a random forest to
 * (params → value), then for each tree split the variance of its prediction over the uniform
 * search space into each parameter's main effect; a parameter's importance is the mean over trees
 * of its share of the variance (then normalised). Exact for axis-aligned trees: the marginal over
 * one parameter is a step function built from the leaves' boxes.
 */
const width = (l: LeafBox, j: number): number => l.hi[j] - l.lo[j];

/** Variance of the marginal prediction over feature `f` (other features integrated out). */
function mainEffectVariance(leaves: LeafBox[], f: number, mean: number): number {
  // Each leaf adds value × (volume in the other features) on [lo_f, hi_f].
  const events: [number, number][] = [];
  for (const l of leaves) {
    const w = width(l, f);
    if (w <= 0) continue;
    const rest = (l.value * l.lo.reduce((acc, _, j) => acc * width(l, j), 1)) / w;
    events.push([l.lo[f], rest], [l.hi[f], -rest]);
  }
  events.sort((a, b) => a[0] - b[0]);
  let level = 0;
  let variance = 0;
  for (let k = 0; k < events.length - 1; k++) {
    level += events[k][1];
    const span = events[k + 1][0] - events[k][0];
    if (span > 0) variance += span * (level - mean) ** 2;
  }
  return variance;
}

function treeShares(leaves: LeafBox[], d: number): number[] | undefined {
  const volume = (l: LeafBox): number => l.lo.reduce((acc, _, j) => acc * width(l, j), 1);
  const mean = leaves.reduce((a, l) => a + l.value * volume(l), 0);
  const total = leaves.reduce((a, l) => a + volume(l) * (l.value - mean) ** 2, 0);
  if (!(total > 0)) return undefined;
  return Array.from({ length: d }, (_, f) => mainEffectVariance(leaves, f, mean) / total);
}

/** Normalised fANOVA importances by parameter name (seeded: the same trials give the same figures). */
export function fanovaImportance(data: EncodedTrials, options: ForestOptions = {}): Record<string, number> {
  const n = data.rows.length;
  if (n < 2) throw new ModelOpsError('INVALID_STATE', `fANOVA needs at least 2 complete trials (the study has ${n})`);
  const trees = fitForest(data.rows, data.values, options);
  const sums = new Array<number>(data.params.length).fill(0);
  let counted = 0;
  for (const leaves of trees) {
    const shares = treeShares(leaves, data.params.length);
    if (!shares) continue;
    shares.forEach((s, j) => (sums[j] += s));
    counted++;
  }
  const raw: Record<string, number> = {};
  data.params.forEach((p, j) => (raw[p] = counted === 0 ? 0 : sums[j] / counted));
  return normalize(raw);
}
