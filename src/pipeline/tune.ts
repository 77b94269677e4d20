import { parseJsonText } from '../core/json-text';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { Metric, Tag } from '../core/tracking';
import { TAG } from '../core/tracking';
import type { Direction, FrozenTrial, ParamValue, StudyRecord, StudyStore } from '../core/tuning';
import type { Dataset } from '../ml/dataset/dataset';
import { loadDataset } from '../ml/dataset/dataset';
import type { Task } from '../ml/dataset/schema';
import type { MemberType } from '../ml/estimators';
import { childSeed } from '../ml/random';
import { ownerTags } from '../store/run-owner';
import type { TrackingStore } from '../store/tracking-store';
import type { SearchSpace } from '../tuning/distributions';
import { parseSearchSpace } from '../tuning/distributions';
import type { PrunerName, SamplerName } from '../tuning/catalogue';
import { createPruner, createSampler, DEFAULT_PRUNER, DEFAULT_SAMPLER } from '../tuning/catalogue';
import type { TrialContext } from '../tuning/study';
import { Study } from '../tuning/study';
import { checkCancelled, cvFolds, evaluate, fitOnRows, meanMetrics } from './cross-validate';
import { resolveExperiment, safeUser, train } from './train';
import type { TrainParamsFile } from './train-options';
import { checkParamNames } from '../ml/member-params';
import { memberParams, readParamsFile, resolveMembers } from './train-options';

export type { PrunerName, SamplerName } from '../tuning/catalogue';

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
  resumed: boolean;
  best?: { number: number; value: number; params: Record<string, ParamValue>; runId?: string };
  trials: FrozenTrial[];
  /** The full training run of the best params (with `trainBest`). */
  bestRun?: { runId: string; metrics: Record<string, number> };
  elapsedMs: number;
}

/** What `modelops tune` searches when no --space is given, for the members in use. */
export const DEFAULT_SPACE: Record<string, SearchSpace> = {
  rf: {
    'rf.nEstimators': { type: 'int', low: 50, high: 300, step: 50 },
    'rf.maxDepth': { type: 'categorical', choices: [null, 6, 12, 24] },
    'rf.minSamplesLeaf': { type: 'int', low: 1, high: 8 },
    'rf.maxFeatures': { type: 'categorical', choices: ['sqrt', 'log2', 0.5] },
  },
  knn: {
    'knn.nNeighbors': { type: 'int', low: 1, high: 30, log: true },
    'knn.weights': { type: 'categorical', choices: ['uniform', 'distance'] },
  },
  tree: {
    'tree.maxDepth': { type: 'categorical', choices: [null, 4, 8, 16] },
    'tree.minSamplesLeaf': { type: 'int', low: 1, high: 16, log: true },
  },
};

/** The study a CSV and target get when none is named: `<file name without extension>-<target>`. */
export function defaultStudyName(data: string, target: string): string {
  return `${basename(data).replace(/\.[^.]+$/, '')}-${target}`;
}

/** Metrics where lower is better; every other metric is maximised. */
const MINIMISED = new Set(['rmse', 'mae', 'log_loss', 'mse']);

function readSpace(space: TuneOptions['space'], members: MemberType[]): SearchSpace {
  if (space === undefined) {
    const out: SearchSpace = {};
    for (const m of members) Object.assign(out, DEFAULT_SPACE[m] ?? {});
    if (Object.keys(out).length === 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `no default search space for ${members.join(', ')}; give --space <file.json>`, { location: 'space' });
    return parseSearchSpace(out, 'default search space');
  }
  if (typeof space !== 'string') return parseSearchSpace(space, 'search space');
  let text: string;
  try {
    text = readFileSync(space, 'utf8');
  } catch (e) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${space}: cannot read the search space (${(e as Error).message})`, { location: space, cause: e });
  }
  const v = parseJsonText(text, space);
  return parseSearchSpace(v, space);
}

/** Where a sampled name goes: `rf.x` → file.rf.x, `weights` → file.weights, `engine` → file.engine. */
function applyParams(base: TrainParamsFile, params: Record<string, ParamValue>, members: MemberType[], source?: string): TrainParamsFile {
  const out: TrainParamsFile = { ...base, rf: { ...(base.rf ?? {}) }, knn: { ...(base.knn ?? {}) }, tree: { ...(base.tree ?? {}) } };
  for (const [name, value] of Object.entries(params)) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      if (name === 'weights') out.weights = value as TrainParamsFile['weights'];
      else if (name === 'engine') out.engine = value as TrainParamsFile['engine'];
      else throw new ModelOpsError('INVALID_PARAMETER_VALUE', `search space: unknown parameter '${name}' (use <member>.<param>, weights or engine)`, { location: name });
      continue;
    }
    const member = name.slice(0, dot);
    if (member !== 'rf' && member !== 'knn' && member !== 'tree') throw new ModelOpsError('INVALID_PARAMETER_VALUE', `search space: '${name}' names no tunable member (rf, knn, tree)`, { location: name });
    if (!members.includes(member)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `search space: '${name}' tunes ${member}, which is not among --models ${members.join(',')}`, { location: name });
    checkParamNames(member, [name.slice(dot + 1)], source, base.engine);
    out[member]![name.slice(dot + 1)] = value;
  }
  return out;
}

interface Settings {
  data: string;
  digest: string;
  target: string;
  cv: number;
  seed: number;
  models: MemberType[];
  base: TrainParamsFile;
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
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--seed must be an integer (got ${seed})`, { location: 'seed' });
  const nTrials = options.trials ?? 20;
  if (!Number.isInteger(nTrials) || nTrials < 1) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--trials must be an integer ≥ 1 (got ${nTrials})`, { location: 'trials' });
  const cv = options.cv ?? 3;
  if (!Number.isInteger(cv) || cv < 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--cv must be a non-negative integer (got ${cv})`, { location: 'cv' });
  const base: TrainParamsFile = typeof options.params === 'string' ? readParamsFile(options.params) : (options.params ?? {});
  const members = resolveMembers(options.models, {}).map((m) => m.type);

  say(`loading ${options.data}`);
  const ds = loadDataset(options.data, { target: options.target, task: options.task, strict: options.strict, exclude: options.exclude, delimiter: options.delimiter });
  checkCancelled(options.signal, 'tuning');
  const task = ds.target.task;
  const metric = options.metric ?? (task === 'classification' ? 'accuracy' : 'r2');
  checkMetric(metric, task, members, ds.name);
  const direction: Direction = options.direction ?? (MINIMISED.has(metric) ? 'minimize' : 'maximize');
  const name = options.study ?? defaultStudyName(options.data, options.target);
  const settings: Settings = { data: resolve(options.data), digest: ds.digest, target: options.target, cv, seed, models: members, base };

  const existing = await studies.getStudy(name);
  let record: StudyRecord;
  let space: SearchSpace;
  if (existing) {
    record = existing.study;
    const stored = parseSearchSpace(JSON.parse(record.space), `study '${name}' search space`);
    space = options.space !== undefined ? readSpace(options.space, members) : stored;
    applyParams(base, Object.fromEntries(Object.keys(space).map((k) => [k, null])), members, typeof options.space === 'string' ? options.space : 'the search space');
    const was = JSON.parse(record.settings) as Settings;
    const clash = [
      ['target', was.target, settings.target],
      ['metric', record.metric, metric],
      ['direction', record.direction, direction],
      ['cv', was.cv, cv],
      ['seed', was.seed, seed],
      ['models', was.models.join(','), members.join(',')],
    ].find(([, a, b]) => String(a) !== String(b));
    if (clash) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `study '${name}' was run with ${clash[0]} ${String(clash[1])}, not ${String(clash[2])}; use another --study name to start a new study`, { location: name });
    }
    if (JSON.stringify(stored) !== JSON.stringify(space)) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `study '${name}' was run with a different search space (see modelops studies show ${name} --json); use another --study name to start a new study`, { location: name });
    }
    if (was.digest !== ds.digest) say(`note: ${options.data} changed since the study started (digest ${was.digest} → ${ds.digest}); earlier trials scored the old data`);
    await store.updateRun(record.runId, { status: 'RUNNING' });
    // This process owns the study run now (a run the last owner left was ended FAILED on open).
    await store.logBatch(record.runId, { tags: ownerTags() });
  } else {
    space = readSpace(options.space, members);
    applyParams(base, Object.fromEntries(Object.keys(space).map((k) => [k, null])), members, typeof options.space === 'string' ? options.space : 'the search space'); // names checked before any run exists
    const experimentId = await resolveExperiment(store, options.experiment);
    const tags: Tag[] = [
      { key: TAG.source, value: 'modelops tune' },
      { key: TAG.sourceType, value: 'LOCAL' },
      { key: TAG.user, value: safeUser() },
      { key: 'modelops.study', value: name },
      { key: 'modelops.task', value: task },
      ...ownerTags(),
    ];
    const run = await store.createRun({ experimentId, runName: `tune-${name}`, tags });
    await store.logBatch(run.info.runId, {
      params: Object.entries({ study: name, metric, direction, sampler: options.sampler ?? DEFAULT_SAMPLER, pruner: options.pruner ?? DEFAULT_PRUNER, cv: String(cv), seed: String(seed), models: members.join(','), target: options.target }).map(([key, value]) => ({ key, value })),
    });
    await store.logInputs(run.info.runId, [
      { name: ds.name, digest: ds.digest, sourceType: 'local', source: JSON.stringify({ uri: resolve(ds.source) }), tags: [{ key: 'mlflow.data.context', value: 'tuning' }] },
    ]);
    record = {
      name,
      experimentId,
      direction,
      metric,
      sampler: options.sampler ?? DEFAULT_SAMPLER,
      pruner: options.pruner ?? DEFAULT_PRUNER,
      space: JSON.stringify(space),
      settings: JSON.stringify(settings),
      runId: run.info.runId,
      createdTime: Date.now(),
    };
    await studies.createStudy(record);
  }
  const samplerName = options.sampler ?? record.sampler;
  const prunerName = options.pruner ?? record.pruner;
  const context = { seed, study: name };
  const study = new Study({ name, direction, space, sampler: createSampler(samplerName, context, options.sampler ? '--sampler' : `study '${name}'`), pruner: createPruner(prunerName, context, options.pruner ? '--pruner' : `study '${name}'`), trials: existing?.trials });
  // Trials a crash interrupted (still RUNNING in the store; the Study counts them failed) are
  // recorded as failed, runs included.
  for (const stale of existing?.trials.filter((t) => t.state === 'RUNNING') ?? []) {
    const failed = study.trials.find((t) => t.number === stale.number);
    if (failed) await studies.saveTrial(name, failed);
    if (stale.runId) await store.updateRun(stale.runId, { status: 'FAILED', endTime: Date.now() }).catch(() => undefined);
  }

  const folds = cvFolds(ds, cv, seed);
  const classes = task === 'classification' ? [...new Set(ds.target.labels)].sort() : [];
  const runIds = new Map<number, string>();
  const objective = objectiveFor(store, ds, settings, members, folds, classes, metric, runIds, options);
  say(`study '${name}': ${existing ? `resuming after ${existing.trials.length} trial(s)` : 'new'}; ${samplerName} sampler, ${prunerName} pruner, ${metric} (${direction})`);
  const work = mkdtempSync(join(tmpdir(), 'modelops-tune-'));
  try {
    await study.optimize(objective, {
      nTrials,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      listener: {
        trialStarted: async (t) => {
          const run = await store.createRun({
            experimentId: record.experimentId,
            runName: `${name}-trial-${t.number}`,
            parentRunId: record.runId,
            tags: [
              { key: TAG.source, value: 'modelops tune' },
              { key: TAG.user, value: safeUser() },
              { key: 'modelops.study', value: name },
              { key: 'modelops.trial', value: String(t.number) },
              { key: 'modelops.task', value: task },
              ...ownerTags(),
            ],
          });
          t.runId = run.info.runId;
          runIds.set(t.number, run.info.runId);
          await studies.saveTrial(name, t);
        },
        // Intermediate values are not written per fold: they steer this session's pruner from
        // memory, and a trial a crash interrupts is failed on resume whatever it had reported.
        // Every durable commit costs an fsync, so a trial makes as few as it can.
        trialFinished: async (t, best) => {
          const batches = [];
          if (t.runId) batches.push({ runId: t.runId, batch: { tags: [{ key: 'modelops.trial_state', value: t.state }] } });
          if (best) batches.push({ runId: record.runId, batch: { metrics: [{ key: `best_${metric}`, value: best.value!, step: t.number, timestamp: Date.now() }] } });
          if (batches.length) await store.logBatchMany(batches);
          if (t.runId) await store.updateRun(t.runId, { status: t.state === 'FAIL' ? 'FAILED' : 'FINISHED', endTime: t.endTime ?? Date.now() });
          await studies.saveTrial(name, t);
          options.onTrial?.(t, best, metric);
        },
      },
    });
    const best = study.bestTrial;
    if (best) {
      const file = join(work, 'best_params.json');
      writeFileSync(file, `${JSON.stringify({ study: name, trial: best.number, [metric]: best.value, params: best.params, paramsFile: applyParams(base, best.params, members) }, null, 2)}\n`);
      await store.logArtifact(record.runId, file);
      await store.logBatch(record.runId, {
        tags: [
          { key: 'modelops.best_trial', value: String(best.number) },
          { key: 'modelops.best_run', value: best.runId ?? '' },
        ],
      });
    }
    let bestRun: TuneResult['bestRun'];
    if (options.trainBest && best) {
      say(`training the best params (trial ${best.number}) as a full run`);
      const r = await train(store, {
        data: options.data,
        target: options.target,
        experiment: options.experiment,
        models: members,
        params: applyParams(base, best.params, members),
        cv,
        seed,
        parentRunId: record.runId,
        runName: `${name}-best`,
        tags: [
          { key: 'modelops.study', value: name },
          { key: 'modelops.best_of_trial', value: String(best.number) },
        ],
        task: options.task,
        delimiter: options.delimiter,
        strict: options.strict,
        exclude: options.exclude,
        threads: options.threads,
        signal: options.signal,
      });
      bestRun = { runId: r.runId, metrics: r.metrics };
    }
    await store.updateRun(record.runId, { status: 'FINISHED', endTime: Date.now() });
    return {
      study: name,
      experimentId: record.experimentId,
      runId: record.runId,
      metric,
      direction,
      sampler: samplerName,
      pruner: prunerName,
      resumed: existing !== undefined,
      ...(best ? { best: { number: best.number, value: best.value!, params: best.params, ...(best.runId ? { runId: best.runId } : {}) } } : {}),
      trials: [...study.trials],
      ...(bestRun ? { bestRun } : {}),
      elapsedMs: Date.now() - t0,
    };
  } catch (e) {
    const cancelled = e instanceof ModelOpsError && e.code === 'CANCELLED';
    await store.updateRun(record.runId, { status: cancelled ? 'KILLED' : 'FAILED', endTime: Date.now() }).catch(() => undefined);
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What a trial's cross-validation reports (src/pipeline/cross-validate.ts `evaluate`): the ensemble's metrics and each member's own score. */
const TASK_METRICS: Record<Task, { ensemble: readonly string[]; member: string }> = {
  classification: { ensemble: ['accuracy', 'balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'log_loss'], member: 'accuracy' },
  regression: { ensemble: ['r2', 'rmse', 'mae'], member: 'r2' },
};

/** Refuses a metric the trials will not report, before the study or any run is written. */
function checkMetric(metric: string, task: Task, members: MemberType[], data: string): void {
  const m = TASK_METRICS[task];
  const known = [...m.ensemble, ...members.map((t) => `${t}_${m.member}`)];
  if (!known.includes(metric)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--metric: '${metric}' is not a metric of a ${task} on ${data} (use ${known.join(', ')})`, { location: 'metric' });
}

function objectiveFor(
  store: TrackingStore,
  ds: Dataset,
  settings: Settings,
  members: MemberType[],
  folds: ReturnType<typeof cvFolds>,
  classes: string[],
  metric: string,
  runIds: ReadonlyMap<number, string>,
  options: TuneOptions,
): (trial: TrialContext) => Promise<number> {
  return async (trial) => {
    const file = applyParams(settings.base, trial.params, members);
    const specs = resolveMembers(members, file);
    const weights = file.weights ?? 'equal';
    const runId = runIds.get(trial.number);
    if (!runId) throw new ModelOpsError('INTERNAL_ERROR', `trial ${trial.number} has no run`);
    const flat: Record<string, string> = {
      target: ds.target.name,
      task: ds.target.task,
      cv: String(settings.cv),
      seed: String(settings.seed),
      weights: Array.isArray(weights) ? JSON.stringify(weights) : String(weights),
      features: String(ds.schema.features.length),
      ...memberParams(specs),
    };
    await store.logBatch(runId, { params: Object.entries(flat).map(([key, value]) => ({ key, value: value.slice(0, 6000) })) });
    const foldMetrics: { metrics: Record<string, number>; time: number }[] = [];
    // The fold metrics are logged once, with the means (or, for a pruned trial, as far as it got).
    const foldList = (): Metric[] => foldMetrics.flatMap((m, f) => Object.entries(m.metrics).map(([key, value]) => ({ key: `cv_${key}`, value, step: f, timestamp: m.time })));
    const logFolds = async (): Promise<void> => {
      const list = foldList();
      if (list.length) await store.logBatch(runId, { metrics: list });
    };
    for (let f = 0; f < folds.length; f++) {
      checkCancelled(options.signal, 'tuning');
      const model = await fitOnRows(ds, folds[f].train, childSeed(settings.seed, f + 1), { members: specs, weights, threads: options.threads, signal: options.signal });
      const ev = evaluate(model, ds, folds[f].test, classes);
      foldMetrics.push({ metrics: ev.metrics, time: Date.now() });
      const running = foldMetrics.reduce((s, m) => s + m.metrics[metric], 0) / foldMetrics.length;
      try {
        await trial.report(f, running);
      } catch (e) {
        await logFolds();
        throw e;
      }
    }
    const metrics = meanMetrics(foldMetrics.map((m) => m.metrics));
    const now = Date.now();
    await store.logBatch(runId, { metrics: [...foldList(), ...Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: now }))] });
    return metrics[metric];
  };
}
