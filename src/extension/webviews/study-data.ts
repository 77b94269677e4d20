/** The study panel's state, read from the store's studies (no vscode import: unit-tested in Node). */
import { errorMessage } from '../../core/errors';
import type { FrozenTrial, StudyRecord, StudyStore } from '../../core/tuning';
import type { StudyDetail, StudyState, StudySummary, TrialRow } from '../../shared/study-protocol';
import { parseSearchSpace } from '../../tuning/distributions';
import { paramImportances } from '../../tuning/importance/param-importances';
import { better } from '../../tuning/trial';
import type { OptunaStudyStore } from '../../store/optuna/optuna-study-store';

const paramText = (v: unknown): string => (v === null ? 'none' : String(v));

function trialRow(t: FrozenTrial): TrialRow {
  const row: TrialRow = { number: t.number, state: t.state, params: Object.entries(t.params).map(([k, v]) => [k, paramText(v)]) };
  if (t.value !== undefined && Number.isFinite(t.value)) row.value = t.value;
  if (t.startTime !== undefined && t.endTime !== undefined) row.durationMs = Math.max(0, t.endTime - t.startTime);
  if (t.runId) row.runId = t.runId;
  return row;
}

/** Values of COMPLETE trials in number order, and the best so far after each trial. */
export function optimisationHistory(trials: readonly FrozenTrial[], direction: StudyRecord['direction']): StudyDetail['history'] {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  let best: number | null = null;
  const values: (number | null)[] = [];
  const bests: (number | null)[] = [];
  for (const t of sorted) {
    const v = t.state === 'COMPLETE' && t.value !== undefined && Number.isFinite(t.value) ? t.value : null;
    if (v !== null && (best === null || better(direction, v, best))) best = v;
    values.push(v);
    bests.push(best);
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
    value = { importance: paramImportances(parseSearchSpace(JSON.parse(study.space) as unknown, `study ${study.name}: space`), trials, study.direction) };
  } catch (e) {
    value = { importance: [], importanceNote: errorMessage(e) };
  }
  importanceCache.set(study.name, { key, value });
  return value;
}

function detail(summary: StudySummary, study: StudyRecord, trials: FrozenTrial[]): StudyDetail {
  const history = optimisationHistory(trials, study.direction);
  const last = history.best.length ? history.best[history.best.length - 1] : null;
  const best = last === null ? undefined : trials.find((t) => t.state === 'COMPLETE' && t.value === last);
  return { study: summary, trials: trials.map(trialRow), bestTrial: best ? best.number : null, history, ...importances(study, trials) };
}

/** The list of studies and, for `selected` (else the newest), its trials; errors become a message. */
export async function loadStudyState(studies: StudyStore | undefined, selected: string | undefined): Promise<StudyState> {
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
      ...(s.best !== undefined && Number.isFinite(s.best) ? { best: s.best } : {}),
    }));
    if (summaries.length === 0)
      return { status: 'ready', studies: [], detail: null, message: 'No studies yet: run ModelOps: Tune Hyperparameters… (or modelops tune).' };
    const newest = [...list].sort((a, b) => b.createdTime - a.createdTime)[0];
    const name = selected !== undefined && list.some((s) => s.name === selected) ? selected : newest.name;
    const found = await studies.getStudy(name);
    if (!found) return { status: 'ready', studies: summaries, detail: null, message: `The study ${name} is gone.` };
    return {
      status: 'ready',
      studies: summaries,
      detail: detail(
        summaries.find((s) => s.name === name)!,
        found.study,
        found.trials,
      ),
    };
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
