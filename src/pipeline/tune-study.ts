import { ModelOpsError } from '../core/errors';
import type { Direction, FrozenTrial, StudyRecord, StudyStore } from '../core/tuning';
import { FAIL_REASON_TAG } from '../core/tuning';
import type { Dataset } from '../ml/dataset/dataset';
import type { MemberType } from '../ml/estimators';
import { ownerTags } from '../store/run-owner';
import type { TrackingStore } from '../store/tracking-store';
import type { SearchSpace } from '../tuning/distributions';
import type { PrunerOptions } from '../tuning/pruner-options';
import { resolvePrunerOptions } from '../tuning/pruner-options';
import type { Study } from '../tuning/study';
import { INTERRUPTED } from '../tuning/study';
import { storedSettings, storedSpace } from './study-json';
import { logDatasetInput, logRunParams, resolveExperiment, runTags } from './run-logging';
import type { TrainParamsFile } from './train-options';
import { checkSpaceNames, readSpace } from './tune-space';

/** What a study's objective runs on; stored with the study, and a resumed study must match it. */
export interface TuneSettings {
  data: string;
  digest: string;
  target: string;
  cv: number;
  seed: number;
  models: MemberType[];
  base: TrainParamsFile;
  /** The pruner's parameters, resolved (Optuna's names, defaults filled in); a study stored before them ran with the defaults. */
  prunerOptions?: PrunerOptions;
}

/** What a study is opened with: the session's choices, resolved. */
export interface StudyRequest {
  name: string;
  experiment?: string;
  metric: string;
  direction: Direction;
  sampler: string;
  pruner: string;
  space: string | Record<string, unknown> | undefined;
  settings: TuneSettings;
  ds: Dataset;
  say(message: string): void;
}

export interface OpenedStudy {
  record: StudyRecord;
  space: SearchSpace;
  /** The trials of earlier sessions (none for a new study). */
  earlier?: FrozenTrial[];
}

/** The study of that name, continued (its settings must match) or created with its parent run. */
export async function openStudy(
  store: TrackingStore,
  studies: StudyStore,
  existing: { study: StudyRecord; trials: FrozenTrial[] } | undefined,
  req: StudyRequest,
): Promise<OpenedStudy> {
  if (existing) return { record: existing.study, space: await resumeStudy(store, existing.study, req), earlier: existing.trials };
  const space = readSpace(req.space, req.settings.models);
  checkSpaceNames(req.settings.base, space, req.settings.models, req.space); // names checked before any run exists
  const record = await createStudy(store, studies, req, space);
  return { record, space };
}

/** Checks that a session may continue the study, then takes its run over; returns the space to search. */
async function resumeStudy(store: TrackingStore, record: StudyRecord, req: StudyRequest): Promise<SearchSpace> {
  const { name, settings } = req;
  const stored = storedSpace(record);
  const space = req.space !== undefined ? readSpace(req.space, settings.models) : stored;
  checkSpaceNames(settings.base, space, settings.models, req.space);
  const was = storedSettings(record);
  const clash = [
    ['target', was.target, settings.target],
    ['metric', record.metric, req.metric],
    ['direction', record.direction, req.direction],
    ['cv', was.cv, settings.cv],
    ['seed', was.seed, settings.seed],
    ['models', was.models.join(','), settings.models.join(',')],
  ].find(([, a, b]) => String(a) !== String(b));
  if (clash) refuseClash(name, `${clash[0]} ${String(clash[1])}`, String(clash[2]));
  if (record.pruner === req.pruner) checkPrunerOptions(record, was.prunerOptions, settings.prunerOptions);
  if (JSON.stringify(stored) !== JSON.stringify(space)) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `study '${name}' was run with a different search space (see modelops studies show ${name} --json); use another --study name to start a new study`,
      { location: name },
    );
  }
  if (was.digest !== settings.digest)
    req.say(`note: ${settings.data} changed since the study started (digest ${was.digest} → ${settings.digest}); earlier trials scored the old data`);
  await store.updateRun(record.runId, { status: 'RUNNING' });
  // This process owns the study run now (a run the last owner left was ended FAILED on open).
  await store.logBatch(record.runId, { tags: ownerTags() });
  return space;
}

function refuseClash(name: string, was: string, now: string): never {
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `study '${name}' was run with ${was}, not ${now}; use another --study name to start a new study`, {
    location: name,
  });
}

/** The same pruner must prune as before: its parameters (defaults for a study stored without them) must match the session's. */
function checkPrunerOptions(record: StudyRecord, was: PrunerOptions | undefined, now: PrunerOptions | undefined): void {
  const before = resolvePrunerOptions(record.pruner, was ?? {}, `study '${record.name}' pruner options`);
  const after = now ?? resolvePrunerOptions(record.pruner, {}, '--pruner-option');
  const key = Object.keys({ ...before, ...after }).find((k) => before[k] !== after[k]);
  if (key !== undefined) refuseClash(record.name, `${record.pruner} pruner option ${key}=${String(before[key])}`, `${key}=${String(after[key])}`);
}

async function createStudy(store: TrackingStore, studies: StudyStore, req: StudyRequest, space: SearchSpace): Promise<StudyRecord> {
  const { name, settings, ds } = req;
  const experimentId = await resolveExperiment(store, req.experiment);
  const tags = runTags(
    'modelops tune',
    [
      { key: 'modelops.study', value: name },
      { key: 'modelops.task', value: ds.target.task },
    ],
    true,
  );
  const run = await store.createRun({ experimentId, runName: `tune-${name}`, tags });
  const params = {
    study: name,
    metric: req.metric,
    direction: req.direction,
    sampler: req.sampler,
    pruner: req.pruner,
    cv: String(settings.cv),
    seed: String(settings.seed),
    models: settings.models.join(','),
    target: settings.target,
    // Each parameter as its own run param, so the MLflow UI shows them beside the pruner.
    ...Object.fromEntries(Object.entries(settings.prunerOptions ?? {}).map(([k, v]) => [`pruner.${k}`, String(v)])),
  };
  await logRunParams(store, run.info.runId, params);
  await logDatasetInput(store, run.info.runId, ds, 'tuning');
  const record: StudyRecord = {
    name,
    experimentId,
    direction: req.direction,
    metric: req.metric,
    sampler: req.sampler,
    pruner: req.pruner,
    space: JSON.stringify(space),
    settings: JSON.stringify(settings),
    runId: run.info.runId,
    createdTime: Date.now(),
  };
  await studies.createStudy(record);
  return record;
}

/**
 * Trials a crash interrupted (still RUNNING in the store; the Study counts them failed) are
 * recorded as failed, runs included.
 */
export async function failInterrupted(store: TrackingStore, studies: StudyStore, study: Study, earlier: readonly FrozenTrial[]): Promise<void> {
  for (const stale of earlier.filter((t) => t.state === 'RUNNING')) {
    const failed = study.trials.find((t) => t.number === stale.number);
    if (failed) await studies.saveTrial(study.name, failed);
    if (stale.runId) {
      await store.logBatch(stale.runId, { tags: [{ key: FAIL_REASON_TAG, value: INTERRUPTED }] }).catch(() => undefined);
      await store.updateRun(stale.runId, { status: 'FAILED', endTime: Date.now() }).catch(() => undefined);
    }
  }
}
