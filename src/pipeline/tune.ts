import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { Direction, FrozenTrial, ParamValue, StudyRecord, StudyStore } from '../core/tuning';
import type { Dataset } from '../ml/dataset/dataset';
import { loadDataset } from '../ml/dataset/dataset';
import type { Task } from '../ml/dataset/schema';
import type { MemberType } from '../ml/estimators';
import type { TrackingStore } from '../store/tracking-store';
import type { PrunerName, SamplerName } from '../tuning/catalogue';
import { createPruner, createSampler, DEFAULT_PRUNER, DEFAULT_SAMPLER, PRUNER_NAMES } from '../tuning/catalogue';
import type { PrunerOptions } from '../tuning/pruner-options';
import { describePrunerOptions, resolvePrunerOptions } from '../tuning/pruner-options';
import { Study } from '../tuning/study';
import { storedSettings } from './study-json';
import { checkCancelled, cvFolds } from './cross-validate';
import { train } from './train';
import type { TrainParamsFile } from './train-options';
import { readParamsFile, resolveMembers } from './train-options';
import type { FoldData } from './tune-folds';
import { inThreadScorer } from './tune-folds';
import { TuneWorkerPool, tuneWorkerPath } from './tune-pool';
import type { TrialScope } from './tune-trials';
import { applyParams } from './tune-space';
import { logBestTrial, trialListener, trialObjective } from './tune-trials';
import type { OpenedStudy, TuneSettings } from './tune-study';
import { failInterrupted, openStudy } from './tune-study';

export type { PrunerName, SamplerName } from '../tuning/catalogue';
export { DEFAULT_SPACE } from './tune-space';

export interface TuneOptions {
  data: string;
  target: string;
  /** Study name (default: `<data file>-<target>`); an existing study of that name is resumed. */
  study?: string;
  experiment?: string;
  /** New trials to run in this session (default 20). */
  trials?: number;
  timeoutMs?: number;
  sampler?: SamplerName;
  pruner?: PrunerName;
  /**
   * The pruner's parameters by Optuna's names (`reduction_factor: 3`, or the CLI's texts `'3'`);
   * unset: a resumed study's own, else Optuna's defaults. Checked against the pruner's table.
   */
  prunerOptions?: Readonly<Record<string, unknown>>;
  /** Where prunerOptions came from, for errors (default `--pruner-option`; a pipeline file names its field). */
  prunerOptionsSource?: string;
  /** Search space: a JSON file path or the parsed object (default: DEFAULT_SPACE for the members). */
  space?: string | Record<string, unknown>;
  /** Metric to optimise (default accuracy, or r2 for regression). */
  metric?: string;
  direction?: Direction;
  /** Folds per trial (default 3); the same folds for every trial. */
  cv?: number;
  seed?: number;
  models?: string | MemberType[];
  /** Fixed member params; sampled ones override them. */
  params?: string | TrainParamsFile;
  /** Also train the best params as a full run with a model (nested under the study's run). */
  trainBest?: boolean;
  task?: Task;
  delimiter?: string;
  strict?: boolean;
  exclude?: string[];
  threads?: number;
  /**
   * Trials in flight at once (default 1). Above 1 each trial cross-validates on a worker thread and
   * the constant liar (tpe-multivariate) keeps concurrent trials apart. A session option: not stored.
   */
  nJobs?: number;
  signal?: AbortSignal;
  /** After each trial: the trial, the best so far and the metric's name. */
  onTrial?: (trial: FrozenTrial, best: FrozenTrial | undefined, metric: string) => void;
  onProgress?: (message: string) => void;
}

export interface TuneResult {
  study: string;
  experimentId: string;
  /** The study's parent run; trials are nested runs under it. */
  runId: string;
  metric: string;
  direction: Direction;
  sampler: string;
  pruner: string;
  /** The pruner's parameters this session pruned with (Optuna's names, defaults filled in). */
  prunerOptions: PrunerOptions;
  resumed: boolean;
  best?: { number: number; value: number; params: Record<string, ParamValue>; runId?: string };
  trials: FrozenTrial[];
  /** The full training run of the best params (with `trainBest`). */
  bestRun?: { runId: string; metrics: Record<string, number> };
  elapsedMs: number;
}

/** The study a CSV and target get when none is named: `<file name without extension>-<target>`. */
export function defaultStudyName(data: string, target: string): string {
  return `${basename(data).replace(/\.[^.]+$/, '')}-${target}`;
}

/** Metrics where lower is better; every other metric is maximised. */
export const MINIMISED: ReadonlySet<string> = new Set(['rmse', 'mae', 'log_loss', 'mse']);

/** What a trial's cross-validation reports (src/pipeline/cross-validate.ts `evaluate`): the ensemble's metrics and each member's own score. */
export const TASK_METRICS: Record<Task, { ensemble: readonly string[]; member: string }> = {
  classification: { ensemble: ['accuracy', 'balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'log_loss'], member: 'accuracy' },
  regression: { ensemble: ['r2', 'rmse', 'mae'], member: 'r2' },
};

/** Refuses a metric the trials will not report, before the study or any run is written. */
function checkMetric(metric: string, task: Task, members: MemberType[], data: string): void {
  const m = TASK_METRICS[task];
  const known = [...m.ensemble, ...members.map((t) => `${t}_${m.member}`)];
  if (!known.includes(metric))
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--metric: '${metric}' is not a metric of a ${task} on ${data} (use ${known.join(', ')})`, {
      location: 'metric',
    });
}

function checkCounts(options: TuneOptions): { seed: number; nTrials: number; cv: number } {
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--seed must be an integer (got ${seed})`, { location: 'seed' });
  const nTrials = options.trials ?? 20;
  if (!Number.isInteger(nTrials) || nTrials < 1)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--trials must be an integer ≥ 1 (got ${nTrials})`, { location: 'trials' });
  const cv = options.cv ?? 3;
  if (!Number.isInteger(cv) || cv < 0)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--cv must be a non-negative integer (got ${cv})`, { location: 'cv' });
  return { seed, nTrials, cv };
}

/** `--n-jobs`: 1 to twice the cores (more only queues trials behind each other). */
export function checkNJobs(nJobs: number | undefined): number {
  const max = availableParallelism() * 2;
  const n = nJobs ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--n-jobs must be an integer from 1 to ${max} (twice the cores), got ${n}`, { location: 'n-jobs' });
  return n;
}

/** Everything a session settles before it writes: the data, the metric, the study's name and settings. */
interface Session {
  ds: Dataset;
  settings: TuneSettings;
  metric: string;
  direction: Direction;
  name: string;
  nTrials: number;
  nJobs: number;
}

function prepare(options: TuneOptions, say: (m: string) => void): Session {
  const { seed, nTrials, cv } = checkCounts(options);
  const nJobs = checkNJobs(options.nJobs);
  const base: TrainParamsFile = typeof options.params === 'string' ? readParamsFile(options.params) : (options.params ?? {});
  const members = resolveMembers(options.models, {}).map((m) => m.type);
  say(`loading ${options.data}`);
  const ds = loadDataset(options.data, {
    target: options.target,
    task: options.task,
    strict: options.strict,
    exclude: options.exclude,
    delimiter: options.delimiter,
  });
  checkCancelled(options.signal, 'tuning');
  const metric = options.metric ?? (ds.target.task === 'classification' ? 'accuracy' : 'r2');
  checkMetric(metric, ds.target.task, members, ds.name);
  const direction: Direction = options.direction ?? (MINIMISED.has(metric) ? 'minimize' : 'maximize');
  const name = options.study ?? defaultStudyName(options.data, options.target);
  const settings: TuneSettings = { data: resolve(options.data), digest: ds.digest, target: options.target, cv, seed, models: members, base };
  return { ds, settings, metric, direction, name, nTrials, nJobs };
}

/**
 * Tunes the ensemble's hyperparameters as an Optuna study: each trial cross-validates one set of
 * sampled params (the same folds every trial), reports the running mean after each fold (so the
 * pruner can stop a poor trial early) and is logged as a nested MLflow run under the study's run,
 * with the same params and metrics as `modelops train` (so `modelops retrain` can reuse the best).
 * Studies persist in the store: running again with the same study name continues it.
 */
export async function tune(store: TrackingStore, studies: StudyStore, options: TuneOptions): Promise<TuneResult> {
  const t0 = Date.now();
  const say = (m: string): void => options.onProgress?.(m);
  const s = prepare(options, say);
  const existing = await studies.getStudy(s.name);
  const samplerName = options.sampler ?? existing?.study.sampler ?? DEFAULT_SAMPLER;
  const prunerName = options.pruner ?? existing?.study.pruner ?? DEFAULT_PRUNER;
  // Built before anything is written, so an unknown name leaves no study or run behind.
  const from = (given: string | undefined, kind: string): string => (given ? `--${kind}` : `study '${s.name}'`);
  s.settings.prunerOptions = sessionPrunerOptions(options.prunerOptions, existing?.study, prunerName, options.prunerOptionsSource);
  const context = { seed: s.settings.seed, study: s.name, prunerOptions: s.settings.prunerOptions };
  const sampler = createSampler(samplerName, context, from(options.sampler, 'sampler'));
  const pruner = createPruner(prunerName, context, from(options.pruner, 'pruner'));
  const opened = await openStudy(store, studies, existing, {
    ...s,
    experiment: options.experiment,
    sampler: samplerName,
    pruner: prunerName,
    space: options.space,
    say,
  });
  const study = new Study({ name: s.name, direction: s.direction, space: opened.space, sampler, pruner, trials: opened.earlier });
  await failInterrupted(store, studies, study, opened.earlier ?? []);
  say(
    `study '${s.name}': ${existing ? `resuming after ${existing.trials.length} trial(s)` : 'new'}; ${samplerName} sampler, ${prunerName} pruner${prunerDetail(s.settings.prunerOptions)}, ${s.metric} (${s.direction})`,
  );
  const work = mkdtempSync(join(tmpdir(), 'modelops-tune-'));
  let pool: TuneWorkerPool | undefined;
  try {
    const own = foldData(s, options);
    pool = startPool(own, s.nJobs, options.signal, say);
    const data = pool?.data ?? own;
    // The pool's shared copy of the columns serves this thread too, so the loaded ones can be freed.
    s.ds = data.ds;
    const scope: TrialScope = {
      store,
      studies,
      record: opened.record,
      settings: s.settings,
      ds: s.ds,
      folds: data.folds,
      scorer: pool ? pool.scorer : inThreadScorer(data, options.signal),
      runIds: new Map(),
      signal: options.signal,
      onTrial: options.onTrial,
    };
    await study.optimize(trialObjective(scope), {
      nTrials: s.nTrials,
      nJobs: s.nJobs,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      listener: trialListener(scope),
    });
    const best = study.bestTrial;
    if (best) await logBestTrial(store, opened.record, s.settings, best, work);
    const bestRun = options.trainBest && best ? await trainBest(store, opened.record, s.settings, best, options, say) : undefined;
    await store.updateRun(opened.record.runId, { status: 'FINISHED', endTime: Date.now() });
    return result(opened, s, study, { sampler: samplerName, pruner: prunerName, resumed: existing !== undefined, bestRun, elapsedMs: Date.now() - t0 });
  } catch (e) {
    const cancelled = e instanceof ModelOpsError && e.code === 'CANCELLED';
    await store.updateRun(opened.record.runId, { status: cancelled ? 'KILLED' : 'FAILED', endTime: Date.now() }).catch(() => undefined);
    throw e;
  } finally {
    await pool?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** What every trial scores on; parallel trials have the cores, so one forest thread each unless --threads says. */
function foldData(s: Session, options: TuneOptions): FoldData {
  return {
    ds: s.ds,
    folds: cvFolds(s.ds, s.settings.cv, s.settings.seed),
    classes: s.ds.target.task === 'classification' ? [...new Set(s.ds.target.labels)].sort() : [],
    seed: s.settings.seed,
    threads: options.threads ?? (s.nJobs > 1 ? 1 : undefined),
  };
}

/** `--n-jobs` above 1: the worker threads, or none (the trials then overlap on this thread) when the script is missing. */
function startPool(data: FoldData, nJobs: number, signal: AbortSignal | undefined, say: (m: string) => void): TuneWorkerPool | undefined {
  if (nJobs < 2) return undefined;
  const script = tuneWorkerPath();
  say(script ? `${nJobs} trials at a time on worker threads` : `${nJobs} trials at a time on this thread (no tune-worker.js beside the code)`);
  return script ? new TuneWorkerPool(script, data, signal) : undefined;
}

/** The session's pruner parameters: the given ones, else those the resumed study ran its pruner with, else the defaults. */
function sessionPrunerOptions(
  given: TuneOptions['prunerOptions'],
  existing: StudyRecord | undefined,
  pruner: string,
  source = '--pruner-option',
): PrunerOptions {
  // An unknown pruner is createPruner's to refuse, by its name rather than by its parameters.
  if (!(PRUNER_NAMES as readonly string[]).includes(pruner)) return {};
  if (given) return resolvePrunerOptions(pruner, given, source);
  const stored = existing && existing.pruner === pruner ? storedSettings(existing).prunerOptions : undefined;
  return resolvePrunerOptions(pruner, stored ?? {}, existing ? `study '${existing.name}' pruner options` : '--pruner-option');
}

const prunerDetail = (o: PrunerOptions | undefined): string => (o && Object.keys(o).length ? ` (${describePrunerOptions(o)})` : '');

/** `--train-best`: the best params as a full training run with a model, nested under the study's run. */
async function trainBest(
  store: TrackingStore,
  record: OpenedStudy['record'],
  settings: TuneSettings,
  best: FrozenTrial,
  options: TuneOptions,
  say: (m: string) => void,
): Promise<TuneResult['bestRun']> {
  say(`training the best params (trial ${best.number}) as a full run`);
  const r = await train(store, {
    data: options.data,
    target: options.target,
    experiment: options.experiment,
    models: settings.models,
    params: applyParams(settings.base, best.params, settings.models),
    cv: settings.cv,
    seed: settings.seed,
    parentRunId: record.runId,
    runName: `${record.name}-best`,
    tags: [
      { key: 'modelops.study', value: record.name },
      { key: 'modelops.best_of_trial', value: String(best.number) },
    ],
    task: options.task,
    delimiter: options.delimiter,
    strict: options.strict,
    exclude: options.exclude,
    threads: options.threads,
    signal: options.signal,
  });
  return { runId: r.runId, metrics: r.metrics };
}

function result(opened: OpenedStudy, s: Session, study: Study, o: Pick<TuneResult, 'sampler' | 'pruner' | 'resumed' | 'bestRun' | 'elapsedMs'>): TuneResult {
  const best = study.bestTrial;
  return {
    study: s.name,
    experimentId: opened.record.experimentId,
    runId: opened.record.runId,
    metric: s.metric,
    direction: s.direction,
    sampler: o.sampler,
    pruner: o.pruner,
    prunerOptions: s.settings.prunerOptions ?? {},
    resumed: o.resumed,
    ...(best ? { best: { number: best.number, value: best.value!, params: best.params, ...(best.runId ? { runId: best.runId } : {}) } } : {}),
    trials: [...study.trials],
    ...(o.bestRun ? { bestRun: o.bestRun } : {}),
    elapsedMs: o.elapsedMs,
  };
}
