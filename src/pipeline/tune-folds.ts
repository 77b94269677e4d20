import type { Dataset } from '../ml/dataset/dataset';
import type { MemberSpec } from '../ml/estimators';
import { childSeed } from '../ml/random';
import type { Fold } from './cross-validate';
import { checkCancelled, evaluate, fitOnRows } from './cross-validate';
import type { TrainParamsFile } from './train-options';

/** What one trial fits on every fold: its members and their weighting. */
export interface TrialFit {
  members: MemberSpec[];
  weights: TrainParamsFile['weights'];
}

/** Scores a trial fold by fold, so the pruner can stop it between folds; `close` frees what it holds. */
export interface FoldScorer {
  fold(f: number): Promise<Record<string, number>>;
  close(): void;
}

/** The data and folds every trial of a session scores on. */
export interface FoldData {
  ds: Dataset;
  folds: Fold[];
  classes: string[];
  seed: number;
  threads?: number;
}

/** One fold of one trial: fit on its train rows (seeded by the fold), score on its test rows. */
export async function scoreFold(data: FoldData, fit: TrialFit, f: number, signal?: AbortSignal): Promise<Record<string, number>> {
  checkCancelled(signal, 'tuning');
  const fold = data.folds[f]!;
  const model = await fitOnRows(data.ds, fold.train, childSeed(data.seed, f + 1), { ...fit, threads: data.threads, signal });
  return evaluate(model, data.ds, fold.test, data.classes).metrics;
}

/** Trials scored on this thread, one after another (`--n-jobs 1`, or when the worker script is missing). */
export function inThreadScorer(data: FoldData, signal?: AbortSignal): (fit: TrialFit) => FoldScorer {
  return (fit) => ({ fold: (f) => scoreFold(data, fit, f, signal), close: () => undefined });
}
