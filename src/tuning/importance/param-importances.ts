import type { Direction, FrozenTrial } from '../../core/tuning';
import type { SearchSpace } from '../distributions';
import { encodeTrials } from './encode';
import { fanovaImportance } from './fanova';
import { pedAnovaImportance } from './ped-anova';

export type ImportanceEvaluator = 'ped-anova' | 'fanova';

/** One parameter's importance under both evaluators (each normalised to sum to 1). */
export interface ParamImportance {
  param: string;
  pedAnova: number;
  fanova: number;
}

/** Both evaluators over a study's COMPLETE trials, most important (by PED-ANOVA) first. */
export function paramImportances(space: SearchSpace, trials: readonly FrozenTrial[], direction: Direction, seed = 0): ParamImportance[] {
  const data = encodeTrials(space, trials, direction);
  const ped = pedAnovaImportance(data);
  const fan = fanovaImportance(data, { seed });
  return data.params
    .map((param) => ({ param, pedAnova: ped[param], fanova: fan[param] }))
    .sort((a, b) => b.pedAnova - a.pedAnova || b.fanova - a.fanova || a.param.localeCompare(b.param));
}
