/**
 * Tuning studies and trials as the store keeps them (Optuna's concepts; MLflow has no table for
 * them, so they live in `modelops_tuning_*`, each trial also being a nested MLflow run).
 */
export type ParamValue = number | string | boolean | null;

/**
 * A trial's lifecycle, as Optuna's TrialState. WAITING (enqueued, not started) is only read from
 * Optuna study files; our studies never write it.
 */
export type TrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';

export type Direction = 'maximize' | 'minimize';

/** A trial as samplers, pruners and the store see it. */
/** A FAIL trial's run tag: why it failed (its FrozenTrial's failReason). */
export const FAIL_REASON_TAG = 'modelops.fail_reason';

export interface FrozenTrial {
  number: number;
  state: TrialState;
  params: Record<string, ParamValue>;
  /** The objective (COMPLETE), or the last reported intermediate value (PRUNED). */
  value?: number;
  /** Intermediate values by step (for CV: the running mean score after each fold). */
  intermediate: Record<number, number>;
  /** The MLflow run that logged this trial. */
  runId?: string;
  startTime?: number;
  endTime?: number;
  /** Why a FAIL trial failed (the objective's error, redacted), as Optuna's `fail_reason`. */
  failReason?: string;
}

export interface StudyRecord {
  name: string;
  experimentId: string;
  direction: Direction;
  /** The metric optimised (`accuracy`, `r2`, ...). */
  metric: string;
  sampler: string;
  pruner: string;
  /** The search space, as JSON. */
  space: string;
  /** What the objective was run on (data, target, cv, seed, models...), as JSON. */
  settings: string;
  /** The parent run the trials are nested under. */
  runId: string;
  createdTime: number;
}

/** Persistence of studies: created once, trials upserted as they start, report and finish. */
export interface StudyStore {
  getStudy(name: string): Promise<{ study: StudyRecord; trials: FrozenTrial[] } | undefined>;
  listStudies(): Promise<(StudyRecord & { trials: number; complete: number; best?: number })[]>;
  createStudy(study: StudyRecord): Promise<void>;
  saveTrial(study: string, trial: FrozenTrial): Promise<void>;
}
