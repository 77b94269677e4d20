/** The study panel's state, read from the store's studies (no vscode import: unit-tested in Node). */
import { storedSpace, storedTrainingSource } from '../../pipeline/study-json';
import { errorMessage } from '../../core/errors';
import type { FrozenTrial, StudyRecord, StudyStore } from '../../core/tuning';
import type { BestActions, StudyDetail, StudyState, StudySummary, TrialRow } from '../../shared/study-protocol';
import type { TrackingStore } from '../../store/tracking-store';
import type { WideNumber } from '../../shared/validate';
import { fromWide, toWide } from '../../shared/validate';
import { paramImportances } from '../../tuning/importance/param-importances';
import { bestTrialOf, better } from '../../tuning/trial';
import { intermediateValues, plotData } from './study-plots';
import type { OptunaStudyStore } from '../../store/optuna/optuna-study-store';

const paramText = (v: unknown): string => (v === null ? 'none' : String(v));

function trialRow(t: FrozenTrial): TrialRow {
  const row: TrialRow = { number: t.number, state: t.state, params: Object.entries(t.params).map(([k, v]) => [k, paramText(v)]) };
  const value = t.value === undefined ? undefined : toWide(t.value);
  if (value !== undefined) row.value = value;
  if (t.startTime !== undefined && t.endTime !== undefined) row.durationMs = Math.max(0, t.endTime - t.startTime);
  if (t.runId) row.runId = t.runId;
  if (t.state === 'FAIL' && t.failReason !== undefined) row.failReason = t.failReason;
  return row;
}

/** Values of COMPLETE trials in number order, and the best so far after each trial. */
export function optimisationHistory(trials: readonly FrozenTrial[], direction: StudyRecord['direction']): StudyDetail['history'] {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  let best: number | null = null;
  const values: (WideNumber | null)[] = [];
  const bests: (WideNumber | null)[] = [];
  for (const t of sorted) {
    const v = t.state === 'COMPLETE' && t.value !== undefined && !Number.isNaN(t.value) ? t.value : null;
    if (v !== null && (best === null || better(direction, v, best))) best = v;
    values.push(v === null ? null : toWide(v)!);
    bests.push(best === null ? null : toWide(best)!);
  }
  return { numbers: sorted.map((t) => t.number), values, best: bests };
}

/** Importances are refit only when the complete trials change: a live study reloads on every trial. */
const importanceCache = new Map<string, { key: string; value: Pick<StudyDetail, 'importance' | 'importanceNote'> }>();

function importances(study: StudyRecord, trials: FrozenTrial[]): Pick<StudyDetail, 'importance' | 'importanceNote'> {
  const complete = trials.filter((t) => t.state === 'COMPLETE');
  const key = `${study.space}\u0000${complete.map((t) => `${t.number}:${t.value}`).join(',')}`;
  const hit = importanceCache.get(study.name);
  if (hit && hit.key === key) return hit.value;
  let value: Pick<StudyDetail, 'importance' | 'importanceNote'>;
  try {
    value = { importance: paramImportances(storedSpace(study), trials, study.direction) };
  } catch (e) {
    value = { importance: [], importanceNote: errorMessage(e) };
  }
  importanceCache.set(study.name, { key, value });
  return value;
}

function detail(summary: StudySummary, study: StudyRecord, trials: FrozenTrial[]): StudyDetail {
  const history = optimisationHistory(trials, study.direction);
  const last = history.best.length ? history.best[history.best.length - 1] : null;
  const best = last === null ? undefined : trials.find((t) => t.state === 'COMPLETE' && t.value === fromWide(last));
  return {
    study: summary,
    trials: trials.map(trialRow),
    bestTrial: best ? best.number : null,
    history,
    intermediate: intermediateValues(trials),
    plots: plotData(study, trials),
    ...importances(study, trials),
  };
}

/** The data and target a study's trials ran on, or why it has none (a study imported from Optuna without --data). */
export function studyTrainingSource(study: StudyRecord): { data: string; target: string } | { note: string } {
  let settings: { data?: string; target?: string };
  try {
    settings = storedTrainingSource(study);
  } catch (e) {
    return { note: errorMessage(e) };
  }
  if (settings.data !== undefined && settings.target !== undefined) return { data: settings.data, target: settings.target };
  return { note: `Study ${study.name} records no training data (imported from Optuna without --data), so its params cannot be trained here.` };
}

const hasModel = async (tracking: TrackingStore, runId: string): Promise<boolean> =>
  (await tracking.listArtifacts(runId)).some((a) => a.isDir && a.path === 'model');

/**
 * The run whose model "Register" registers for the study's best trial: the trial's own run when it
 * logged a model, else the newest finished full run of that trial nested under the study's run
 * (tune's --train-best, or "Train with these params"). Trial runs only cross-validate, so
 * without such a run there is nothing to register, and the note says what to do.
 */
export async function bestModelRun(
  tracking: TrackingStore,
  study: StudyRecord,
  best: FrozenTrial,
): Promise<{ runId: string; runName: string; trial: number } | { note: string }> {
  if (best.runId && (await hasModel(tracking, best.runId))) return { runId: best.runId, runName: `${study.name}-trial-${best.number}`, trial: best.number };
  // Run ids are hex and trial numbers digits: nothing user-given goes into the filter.
  const runs = !/^[0-9a-f]+$/i.test(study.runId)
    ? { items: [] }
    : await tracking.searchRuns({
        experimentIds: [study.experimentId],
        filter: `tags.\`mlflow.parentRunId\` = '${study.runId}' and tags.\`modelops.best_of_trial\` = '${best.number}' and attributes.status = 'FINISHED'`,
        orderBy: ['attributes.start_time DESC'],
        maxResults: 20,
      });
  for (const run of runs.items)
    if (await hasModel(tracking, run.info.runId)) return { runId: run.info.runId, runName: run.info.runName || run.info.runId.slice(0, 8), trial: best.number };
  return {
    note: `Trial #${best.number}'s run has no model (a trial only cross-validates): train its params as a full run first (Train with these params), or tune with "Train the best".`,
  };
}

/** The best trial's actions for the page: what Train and Register can do, or why not. */
export async function bestActions(tracking: TrackingStore, study: StudyRecord, trials: readonly FrozenTrial[]): Promise<BestActions> {
  const best = bestTrialOf(trials, study.direction);
  if (!best) return {};
  const source = studyTrainingSource(study);
  const out: BestActions = 'note' in source ? { trainNote: source.note } : {};
  try {
    const run = await bestModelRun(tracking, study, best);
    if ('note' in run) out.registerNote = run.note;
    else out.registerRun = run;
  } catch (e) {
    out.registerNote = `Could not look for trial #${best.number}'s model: ${errorMessage(e)}`;
  }
  return out;
}

/**
 * The list of studies and, for `selected` (else the newest), its trials; errors become a message.
 * With `tracking` (the workspace's store), also what the best trial's buttons can do.
 */
export async function loadStudyState(studies: StudyStore | undefined, selected: string | undefined, tracking?: TrackingStore): Promise<StudyState> {
  if (!studies) return { status: 'error', studies: [], detail: null, message: 'No ModelOps store is open in this workspace.' };
  try {
    const list = await studies.listStudies();
    const summaries: StudySummary[] = list.map((s) => ({
      name: s.name,
      metric: s.metric,
      direction: s.direction,
      sampler: s.sampler,
      pruner: s.pruner,
      trials: s.trials,
      complete: s.complete,
      runId: s.runId,
      ...(s.best !== undefined && !Number.isNaN(s.best) ? { best: toWide(s.best)! } : {}),
    }));
    if (summaries.length === 0)
      return { status: 'ready', studies: [], detail: null, message: 'No studies yet: run ModelOps: Tune Hyperparameters… (or modelops tune).' };
    const newest = [...list].sort((a, b) => b.createdTime - a.createdTime)[0];
    const name = selected !== undefined && list.some((s) => s.name === selected) ? selected : newest.name;
    const found = await studies.getStudy(name);
    if (!found) return { status: 'ready', studies: summaries, detail: null, message: `The study ${name} is gone.` };
    const d = detail(
      summaries.find((s) => s.name === name)!,
      found.study,
      found.trials,
    );
    if (tracking && d.bestTrial !== null) d.actions = await bestActions(tracking, found.study, found.trials);
    return { status: 'ready', studies: summaries, detail: d };
  } catch (e) {
    return { status: 'error', studies: [], detail: null, message: `Could not read the studies: ${errorMessage(e)}` };
  }
}

/**
 * The panel's state for an Optuna storage file: the same views as a workspace study, marked with
 * the file (the page then shows it read-only, without the actions that need a ModelOps run).
 */
export async function loadOptunaStudyState(store: OptunaStudyStore, selected: string | undefined): Promise<StudyState> {
  const state = await loadStudyState(store, selected);
  const source = { kind: 'optuna' as const, file: store.path, optunaVersion: store.optunaVersion };
  if (state.status === 'ready' && state.studies.length === 0)
    return { ...state, source, message: `${store.path} has no studies yet; this panel updates as Optuna writes the file.` };
  return { ...state, source };
}
