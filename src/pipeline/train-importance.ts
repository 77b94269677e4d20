import type { Dataset } from '../ml/dataset/dataset';
import { takeColumn } from '../ml/dataset/columns';
import { takeRows } from '../ml/dataset/dataset';
import type { Ensemble } from '../ml/ensemble/ensemble';
import { classificationMetrics } from '../ml/metrics/classification';
import { regressionMetrics } from '../ml/metrics/regression';
import { Rng } from '../ml/random';

export interface PermutationImportance {
  name: string;
  /** Mean drop of the score (accuracy or R²) when the column is shuffled. */
  importance: number;
  std: number;
}

/**
 * Permutation importance of each input column (before encoding, so a categorical column counts
 * once) on held-out rows: the drop of accuracy / R² when the column is shuffled, `repeats` times.
 * At most `maxRows` rows are used to bound the cost.
 */
export function permutationImportanceOnRows(
  model: Ensemble,
  ds: Dataset,
  rows: Int32Array,
  classes: string[],
  seed: number,
  repeats = 3,
  maxRows = 500,
): PermutationImportance[] {
  const rng = new Rng(seed);
  const pick = rng.shuffle(Array.from(rows)).slice(0, maxRows);
  const frame = takeRows(ds.frame, pick);
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = ds.target.labels;
  const values = ds.target.values;
  const score = (f: typeof frame): number => {
    const out = model.combine(model.transform(f));
    if (labels)
      return classificationMetrics(
        Int32Array.from(pick, (i) => index.get(labels[i]) ?? 0),
        out,
        classes.length,
      ).accuracy;
    return regressionMetrics(
      Float64Array.from(pick, (i) => (values as Float64Array)[i]),
      out,
    ).r2;
  };
  const base = score(frame);
  return model.inputNames
    .map((name) => {
      const drops: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const shuffled = takeColumn(frame.columns[name]!, rng.shuffle(Int32Array.from({ length: frame.nRows }, (_, i) => i)));
        drops.push(base - score({ nRows: frame.nRows, columns: { ...frame.columns, [name]: shuffled } }));
      }
      const mean = drops.reduce((s, x) => s + x, 0) / repeats;
      return { name, importance: mean, std: Math.sqrt(drops.reduce((s, x) => s + (x - mean) ** 2, 0) / repeats) };
    })
    .sort((a, b) => b.importance - a.importance);
}
