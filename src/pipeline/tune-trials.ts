import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { Metric, Tag } from '../core/tracking';
import type { FrozenTrial, StudyRecord, StudyStore } from '../core/tuning';
import { FAIL_REASON_TAG } from '../core/tuning';
import type { Dataset } from '../ml/dataset/dataset';
import type { TrackingStore } from '../store/tracking-store';
import type { StudyListener, TrialContext } from '../tuning/study';
import type { Fold } from './cross-validate';
import { checkCancelled, meanMetrics } from './cross-validate';
import { logRunParams, modelRunParams, runTags } from './run-logging';
import { resolveMembers } from './train-options';
import type { FoldScorer, TrialFit } from './tune-folds';
import { applyParams } from './tune-space';
import type { TuneSettings } from './tune-study';

/** What the trials of one session share: where they are logged and what they score. */
export interface TrialScope {
  store: TrackingStore;
  studies: StudyStore;
  record: StudyRecord;
  settings: TuneSettings;
  ds: Dataset;
  folds: readonly Fold[];
  /** Scores a trial's folds: on this thread, or on a worker of the `--n-jobs` pool. */
  scorer: (fit: TrialFit) => FoldScorer;
  /** Each running trial's MLflow run, by trial number (the listener fills it, the objective logs to it). */
  runIds: Map<number, string>;
  signal?: AbortSignal;
  onTrial?: (trial: FrozenTrial, best: FrozenTrial | undefined, metric: string) => void;
}

/** Each trial a nested run of the study's run; the study's best so far a metric of that run. */
export function trialListener(scope: TrialScope): StudyListener {
  const { store, studies, record } = scope;
  const tags = (t: FrozenTrial): ReturnType<typeof runTags> =>
    runTags('modelops tune', [
      { key: 'modelops.study', value: record.name },
      { key: 'modelops.trial', value: String(t.number) },
      { key: 'modelops.task', value: scope.ds.target.task },
    ]);
  return {
    trialStarted: async (t) => {
      const run = await store.createRun({
        experimentId: record.experimentId,
        runName: `${record.name}-trial-${t.number}`,
        parentRunId: record.runId,
        tags: tags(t),
      });
      t.runId = run.info.runId;
      scope.runIds.set(t.number, run.info.runId);
      await studies.saveTrial(record.name, t);
    },
    // Intermediate values are not written per fold: they steer this session's pruner from
    // memory, and a trial a crash interrupts is failed on resume whatever it had reported.
    // Every durable commit costs an fsync, so a trial makes as few as it can.
    trialFinished: async (t, best) => {
      const batches = [];
      if (t.runId) {
        const tags: Tag[] = [{ key: 'modelops.trial_state', value: t.state }];
        if (t.failReason !== undefined) tags.push({ key: FAIL_REASON_TAG, value: t.failReason });
        batches.push({ runId: t.runId, batch: { tags } });
      }
      if (best)
        batches.push({
          runId: record.runId,
          batch: { metrics: [{ key: `best_${record.metric}`, value: best.value!, step: t.number, timestamp: Date.now() }] },
        });
      if (batches.length) await store.logBatchMany(batches);
      if (t.runId) await store.updateRun(t.runId, { status: t.state === 'FAIL' ? 'FAILED' : 'FINISHED', endTime: t.endTime ?? Date.now() });
      await studies.saveTrial(record.name, t);
      scope.onTrial?.(t, best, record.metric);
    },
  };
}

/**
 * The objective: cross-validates the trial's params on the study's folds, reporting the running
 * mean after each fold (the pruner's intermediate value), and logs the trial's run as `train`
 * logs a training run: the same params, `cv_<metric>` per fold and the means.
 */
export function trialObjective(scope: TrialScope): (trial: TrialContext) => Promise<number> {
  const { store, settings, ds, folds } = scope;
  const metric = scope.record.metric;
  return async (trial) => {
    const file = applyParams(settings.base, trial.params, settings.models);
    const members = resolveMembers(settings.models, file);
    const weights = file.weights ?? 'equal';
    const runId = scope.runIds.get(trial.number);
    if (!runId) throw new ModelOpsError('INTERNAL_ERROR', `trial ${trial.number} has no run`);
    await logRunParams(store, runId, modelRunParams(ds, { cv: settings.cv, seed: settings.seed, weights, members }));
    const foldMetrics: { metrics: Record<string, number>; time: number }[] = [];
    // The fold metrics are logged once, with the means (or, for a pruned trial, as far as it got).
    const foldList = (): Metric[] =>
      foldMetrics.flatMap((m, f) => Object.entries(m.metrics).map(([key, value]) => ({ key: `cv_${key}`, value, step: f, timestamp: m.time })));
    const scorer = scope.scorer({ members, weights });
    try {
      for (let f = 0; f < folds.length; f++) {
        checkCancelled(scope.signal, 'tuning');
        foldMetrics.push({ metrics: await scorer.fold(f), time: Date.now() });
        const running = foldMetrics.reduce((s, m) => s + m.metrics[metric], 0) / foldMetrics.length;
        try {
          await trial.report(f, running);
        } catch (e) {
          const list = foldList();
          if (list.length) await store.logBatch(runId, { metrics: list });
          throw e;
        }
      }
    } finally {
      scorer.close();
    }
    const metrics = meanMetrics(foldMetrics.map((m) => m.metrics));
    const now = Date.now();
    await store.logBatch(runId, { metrics: [...foldList(), ...Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: now }))] });
    return metrics[metric];
  };
}

/** The best trial on the study's run: `best_params.json` (with a ready `--params` file) and two tags. */
export async function logBestTrial(store: TrackingStore, record: StudyRecord, settings: TuneSettings, best: FrozenTrial, work: string): Promise<void> {
  const file = join(work, 'best_params.json');
  const paramsFile = applyParams(settings.base, best.params, settings.models);
  writeFileSync(file, `${JSON.stringify({ study: record.name, trial: best.number, [record.metric]: best.value, params: best.params, paramsFile }, null, 2)}\n`);
  await store.logArtifact(record.runId, file);
  await store.logBatch(record.runId, {
    tags: [
      { key: 'modelops.best_trial', value: String(best.number) },
      { key: 'modelops.best_run', value: best.runId ?? '' },
    ],
  });
}
