import { resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { Metric, Param, Tag } from '../core/tracking';
import { TAG } from '../core/tracking';
import type { Direction, FrozenTrial, StudyRecord, StudyStore } from '../core/tuning';
import { FAIL_REASON_TAG } from '../core/tuning';
import { loadDataset } from '../ml/dataset/dataset';
import type { Task } from '../ml/dataset/schema';
import type { MemberType } from '../ml/estimators';
import { checkParamNames } from '../ml/member-params';
import type { EngineOptions } from '../store/engine';
import type { OptunaStudy } from '../store/optuna/optuna-reader';
import { readOptunaFile } from '../store/optuna/optuna-reader';
import type { OptunaOrigin } from '../store/optuna/optuna-study-store';
import { frozenTrial, studySpace } from '../store/optuna/optuna-study-store';
import { ownerTags } from '../store/run-owner';
import type { TrackingStore } from '../store/tracking-store';
import { resolveExperiment, safeUser } from './run-logging';
import { resolveMembers } from './train-options';
import { DEFAULT_PRUNER, DEFAULT_SAMPLER } from '../tuning/catalogue';

/** What `modelops tune` needs to go on with an imported study (the data its objective scored). */
export interface ResumeWith {
  data: string;
  target: string;
  models?: string | MemberType[];
  cv?: number;
  seed?: number;
  metric?: string;
  task?: Task;
  delimiter?: string;
}

export interface ImportOptions extends EngineOptions {
  /** The Optuna storage file (SQLite). */
  file: string;
  /** The study in the file (needed when it has several). */
  study?: string;
  /** The name in the workspace (default: the Optuna study's). */
  as?: string;
  experiment?: string;
  /** Sampler and pruner a resumed `modelops tune` uses (default: the catalogue's defaults). */
  sampler?: string;
  pruner?: string;
  /** Given: the study is stored so that `modelops tune --study <name>` resumes it. */
  resume?: ResumeWith;
  /** Every 100 trials copied (each trial is a few commits: a large study takes a while). */
  onProgress?: (message: string) => void;
}

export interface ImportResult {
  study: string;
  from: { file: string; study: string; optunaVersion: string };
  runId: string;
  experimentId: string;
  direction: Direction;
  metric: string;
  /** Trials copied, by state as stored (a RUNNING trial is stored FAIL: its process is not ours). */
  counts: Record<string, number>;
  /** WAITING trials (enqueued, never started) are not copied. */
  skippedWaiting: number;
  /** Trials RUNNING in the file, stored as FAIL. */
  runningAsFailed: number;
  /** The command that resumes it (with `resume`), else undefined. */
  resumeCommand?: string;
}

function pickStudy(studies: OptunaStudy[], file: string, wanted: string | undefined): OptunaStudy {
  if (wanted !== undefined) return studies[0]!; // readOptunaFile refused a missing name
  if (studies.length === 1) return studies[0]!;
  if (studies.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `${file}: the Optuna file has no studies`, { location: file });
  throw new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `${file}: the file has ${studies.length} studies (${studies.map((s) => s.name).join(', ')}); choose one with --study <name>`,
    { location: file },
  );
}

/** Refuses what our Study cannot go on with: several objectives, a param whose range changed. */
function checkImportable(study: OptunaStudy, where: string): void {
  if (study.directions.length !== 1)
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `${where}: a study of ${study.directions.length} objectives; ModelOps studies have one (the panel can still show it: ModelOps: Open Optuna Study File…)`,
      { location: where },
    );
  const { space, conflicts } = studySpace(study);
  if (conflicts.length)
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `${where}: param(s) ${conflicts.join(', ')} changed distribution between trials; a ModelOps study has one search space`,
      { location: where },
    );
  if (Object.keys(space).length === 0)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: no trial has params, so there is no search space to go on with`, { location: where });
}

/** The same names `modelops tune` can set: `<member>.<param>` of a member in use, `weights`, `engine`. */
function checkTunable(names: string[], members: MemberType[], where: string): void {
  for (const name of names) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      if (name === 'weights' || name === 'engine') continue;
      throw new ModelOpsError(
        'INVALID_PARAMETER_VALUE',
        `${where}: param '${name}' is not one modelops tune sets (<member>.<param>, weights or engine); import without --data to keep the study for viewing only`,
        { location: name },
      );
    }
    const member = name.slice(0, dot) as MemberType;
    if (!members.includes(member))
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: param '${name}' tunes ${member}, which is not among --models ${members.join(',')}`, {
        location: name,
      });
    checkParamNames(member, [name.slice(dot + 1)], where);
  }
}

/** Settings as `modelops tune` records them, so that its resume check passes on the same inputs. */
function resumeSettings(r: ResumeWith, names: string[], where: string): { settings: Record<string, unknown>; metric: string; task: Task } {
  const members = resolveMembers(r.models, {}).map((m) => m.type);
  checkTunable(names, members, where);
  const ds = loadDataset(r.data, { target: r.target, task: r.task, delimiter: r.delimiter });
  const task = ds.target.task;
  const metric = r.metric ?? (task === 'classification' ? 'accuracy' : 'r2');
  return {
    settings: { data: resolve(r.data), digest: ds.digest, target: r.target, cv: r.cv ?? 3, seed: r.seed ?? 42, models: members, base: {} },
    metric,
    task,
  };
}

/**
 * Settings of a study imported without its data: `modelops tune` compares the target first, so
 * resuming it says why it cannot instead of guessing an objective.
 */
const VIEW_ONLY = { target: 'none (imported from Optuna without --data)', models: [] as string[] };

/** Why an Optuna trial still RUNNING is copied as failed: it cannot finish here. */
export const RUNNING_IN_OPTUNA = 'RUNNING in Optuna when imported: its process is not ours, so it cannot finish here';

const stateOf = (t: FrozenTrial): FrozenTrial => (t.state === 'RUNNING' ? { ...t, state: 'FAIL', value: undefined, failReason: RUNNING_IN_OPTUNA } : t);

/** One nested run per trial, as `modelops tune` logs them: params, the value as the metric, the state tag. */
async function copyTrial(store: TrackingStore, studies: StudyStore, record: StudyRecord, t: FrozenTrial): Promise<void> {
  const tags: Tag[] = [
    { key: TAG.source, value: 'modelops studies import' },
    { key: TAG.user, value: safeUser() },
    { key: 'modelops.study', value: record.name },
    { key: 'modelops.trial', value: String(t.number) },
    { key: 'modelops.trial_state', value: t.state },
    ...(t.failReason !== undefined ? [{ key: FAIL_REASON_TAG, value: t.failReason }] : []),
  ];
  const run = await store.createRun({
    experimentId: record.experimentId,
    runName: `${record.name}-trial-${t.number}`,
    parentRunId: record.runId,
    startTime: t.startTime,
    tags,
  });
  const params: Param[] = Object.entries(t.params).map(([key, value]) => ({ key, value: value === null ? 'None' : String(value) }));
  const metrics: Metric[] =
    t.value !== undefined && Number.isFinite(t.value) ? [{ key: record.metric, value: t.value, step: 0, timestamp: t.endTime ?? Date.now() }] : [];
  await store.logBatch(run.info.runId, { params, metrics });
  await store.updateRun(run.info.runId, { status: t.state === 'FAIL' ? 'FAILED' : 'FINISHED', endTime: t.endTime ?? t.startTime ?? Date.now() });
  await studies.saveTrial(record.name, { ...t, runId: run.info.runId });
}

/** Copies the trials and ends the study's run; returns how many trials of each state were copied. */
async function copyTrials(
  store: TrackingStore,
  studies: StudyStore,
  record: StudyRecord,
  copied: FrozenTrial[],
  onProgress: ((message: string) => void) | undefined,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  try {
    for (const [i, t] of copied.entries()) {
      await copyTrial(store, studies, record, t);
      counts[t.state] = (counts[t.state] ?? 0) + 1;
      if ((i + 1) % 100 === 0 && i + 1 < copied.length) onProgress?.(`copied ${i + 1} of ${copied.length} trials`);
    }
  } catch (e) {
    // What was copied stays (each trial is whole); the study's run says the copy did not finish.
    await store.updateRun(record.runId, { status: 'FAILED', endTime: Date.now() }).catch(() => undefined);
    throw e;
  }
  await store.updateRun(record.runId, { status: 'FINISHED', endTime: Date.now() });
  return counts;
}

/**
 * Copies one study of an Optuna storage file into the workspace store: a study run with each
 * trial nested under it (params, value, state), and the study record with Optuna's search space,
 * so that the panel, `studies show --importance` and — given the data it scored — `modelops tune
 * --study <name>` (our samplers, trial numbers going on from Optuna's) work on it. The Optuna file
 * is only read.
 */
export async function importOptunaStudy(store: TrackingStore, studies: StudyStore, options: ImportOptions): Promise<ImportResult> {
  const file = await readOptunaFile(options.file, {
    ...(options.study !== undefined ? { study: options.study } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
  });
  const source = pickStudy(file.studies, options.file, options.study);
  const where = `${options.file}: study '${source.name}'`;
  checkImportable(source, where);
  const name = options.as ?? source.name;
  if (await studies.getStudy(name))
    throw new ModelOpsError('RESOURCE_ALREADY_EXISTS', `a study named '${name}' is in the workspace already; import under another name with --as <name>`, {
      location: name,
    });
  const space = studySpace(source).space;
  const direction = source.directions[0]!;
  const resume = options.resume ? resumeSettings(options.resume, Object.keys(space), where) : undefined;
  const metric = resume?.metric ?? 'value';
  const origin: OptunaOrigin = { source: 'optuna', file: resolve(options.file), study: source.name, optunaVersion: file.schema.libraryVersion, objectives: 1 };
  const experimentId = await resolveExperiment(store, options.experiment);
  const sampler = options.sampler ?? DEFAULT_SAMPLER;
  const pruner = options.pruner ?? DEFAULT_PRUNER;
  const tags: Tag[] = [
    { key: TAG.source, value: 'modelops studies import' },
    { key: TAG.sourceType, value: 'LOCAL' },
    { key: TAG.user, value: safeUser() },
    { key: 'modelops.study', value: name },
    { key: 'modelops.imported_from', value: `${origin.file} (Optuna ${origin.optunaVersion}, study ${source.name})` },
    ...(resume ? [{ key: 'modelops.task', value: resume.task }] : []),
    ...ownerTags(),
  ];
  const run = await store.createRun({ experimentId, runName: `tune-${name}`, tags });
  const runParams = {
    study: name,
    metric,
    direction,
    sampler,
    pruner,
    ...(resume
      ? {
          cv: String(resume.settings.cv),
          seed: String(resume.settings.seed),
          models: (resume.settings.models as string[]).join(','),
          target: String(resume.settings.target),
        }
      : {}),
  };
  await store.logBatch(run.info.runId, { params: Object.entries(runParams).map(([key, value]) => ({ key, value })) });
  const record: StudyRecord = {
    name,
    experimentId,
    direction,
    metric,
    sampler,
    pruner,
    space: JSON.stringify(space),
    settings: JSON.stringify({ ...(resume?.settings ?? VIEW_ONLY), importedFrom: origin }),
    runId: run.info.runId,
    createdTime: Date.now(),
  };
  await studies.createStudy(record);
  const copied = source.trials.filter((t) => t.state !== 'WAITING').map((t) => stateOf(frozenTrial(t)));
  const counts = await copyTrials(store, studies, record, copied, options.onProgress);
  return {
    study: name,
    from: { file: origin.file, study: source.name, optunaVersion: origin.optunaVersion },
    runId: run.info.runId,
    experimentId,
    direction,
    metric,
    counts,
    skippedWaiting: source.trials.length - copied.length,
    runningAsFailed: source.trials.filter((t) => t.state === 'RUNNING').length,
    ...(resume ? { resumeCommand: resumeCommand(name, options.resume!, resume.settings, metric, direction) } : {}),
  };
}

function resumeCommand(name: string, r: ResumeWith, s: Record<string, unknown>, metric: string, direction: Direction): string {
  const q = (v: string): string => (/^[\w./:@,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  return `modelops tune --study ${q(name)} --data ${q(r.data)} --target ${q(r.target)} --models ${(s.models as string[]).join(',')} --cv ${String(s.cv)} --seed ${String(s.seed)} --metric ${metric} --direction ${direction}`;
}
