// The Tune form: one quick pick listing every option with its value; picking one edits it, "Tune"
// starts. The sampler and pruner picks are the catalogue's (src/tuning/catalogue.ts), the metrics
// the ones a trial reports (src/pipeline/tune.ts).
import { ModelOpsError } from '../../core/errors';
import type { StudyRecord } from '../../core/tuning';
import { storedFolds, storedPrunerOptions } from '../../pipeline/study-json';
import { MINIMISED, TASK_METRICS } from '../../pipeline/tune';
import type { CatalogueEntry } from '../../tuning/catalogue';
import { DEFAULT_PRUNER, DEFAULT_SAMPLER, PRUNERS, SAMPLERS } from '../../tuning/catalogue';
import { prunerOptionValue, prunerParamRange, prunerParams, resolvePrunerOptions } from '../../tuning/pruner-options';
import type { SearchSpace } from '../../tuning/distributions';
import type { Ui } from '../ui';
import type { SettingsMemory } from './train-form';
import type { TuneField, TuneSettings } from './tune-settings';
import { describeTuneField, parseCount, TUNE_FIELD, tuneSettingsFrom } from './tune-settings';

export const TUNE = 'Tune';
const MEMORY_KEY = 'modelops.tuneForm';

/** The study and its search space belong to a CSV's study, not to the workspace: they are not remembered. */
function workspaceSettings(s: Partial<TuneSettings>): Partial<TuneSettings> {
  const kept = { ...s };
  delete kept.study;
  delete kept.space;
  delete kept.editedSpace;
  return kept;
}

/** The last settings Tune ran with in this workspace. */
export function recallTuneSettings(memory: SettingsMemory | undefined): Partial<TuneSettings> {
  return workspaceSettings(tuneSettingsFrom(memory?.get(MEMORY_KEY)));
}

export async function rememberTuneSettings(memory: SettingsMemory | undefined, s: TuneSettings): Promise<void> {
  await memory?.update(MEMORY_KEY, workspaceSettings(s));
}

/** A stored setting, or undefined when unreadable: that only loses the form its start; tune itself refuses the study naming the field. */
function readable<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** What a stored study fixes: continuing it with another metric, direction, folds or pruner options is refused, so the form starts from its own. */
export function studySettings(study: StudyRecord | undefined): Partial<TuneSettings> {
  if (!study) return {};
  return tuneSettingsFrom({
    sampler: study.sampler,
    pruner: study.pruner,
    metric: study.metric,
    direction: study.direction,
    cv: readable(() => storedFolds(study)),
    prunerOptions: readable(() => storedPrunerOptions(study)),
  });
}

type Field = TuneField;

/** What the form is about, and the search space files it offers. */
export interface TuneFormContext {
  csv: string;
  /** The workspace's studies: picking one of their names continues it, starting from its own settings. */
  studies?: readonly StudyRecord[];
  /** Search space files in the workspace folder (`*.modelops-space.json`, `modelops.space.json`), folder-relative. */
  spaceFiles?: readonly string[];
  /** Writes a new space file with the default ranges and opens it; resolves to its folder-relative path. */
  newSpaceFile?: () => Promise<string | undefined>;
  /** Opens the current space (the edited one, the file's or the default ranges) in the table editor; resolves to what it ended with. */
  editSpace?: (s: TuneSettings) => Promise<{ space: SearchSpace; file?: string } | undefined>;
}

/** Shows the form until Tune is picked (resolves to the settings) or it is dismissed (undefined). */
export async function tuneForm(ui: Ui, start: TuneSettings, what: TuneFormContext): Promise<TuneSettings | undefined> {
  let s = start;
  for (;;) {
    const items = [
      {
        label: TUNE,
        description: `${s.trials} trials of study ${s.study}${continues(what, s.study) ? ' (continued)' : ' (new)'}`,
        detail: 'Pick an option below to change it',
        field: undefined,
      },
      ...(Object.keys(TUNE_FIELD) as Field[]).map((f) => ({ label: TUNE_FIELD[f], description: describeTuneField(s, f), detail: undefined, field: f })),
    ];
    const pick = await ui.pickOne(items, { title: `Tune hyperparameters on ${what.csv}`, placeHolder: 'Tune, or pick an option to change' });
    if (!pick) return undefined;
    if (!pick.field) return s;
    try {
      s = (await editField(ui, s, pick.field, what)) ?? s;
    } catch (e) {
      // A value the form refuses is said and the form comes back with the old value.
      if (!(e instanceof ModelOpsError) || e.code !== 'INVALID_PARAMETER_VALUE') throw e;
      void ui.error(e.message);
    }
  }
}

function catalogueItems<T>(list: readonly CatalogueEntry<T>[], current: string, fallback: string): { label: string; description: string }[] {
  const items = list.map((e) => ({ label: e.name, description: `${e.name === fallback ? 'default · ' : ''}${e.summary}` }));
  // The current choice first, so Enter keeps it.
  return [...items.filter((i) => i.label === current), ...items.filter((i) => i.label !== current)];
}

function metricItems(current: string): { label: string; description: string; metric: string }[] {
  const items = [{ label: 'default', description: 'accuracy, or r2 for regression', metric: '' }];
  for (const [task, m] of Object.entries(TASK_METRICS)) {
    for (const metric of m.ensemble) items.push({ label: metric, description: `${task}${MINIMISED.has(metric) ? ' · minimised' : ''}`, metric });
  }
  return [...items.filter((i) => i.metric === current), ...items.filter((i) => i.metric !== current)];
}

const continues = (what: TuneFormContext, name: string): boolean => (what.studies ?? []).some((r) => r.name === name);

/** Another study name: an existing study's own settings (metric, direction, folds, sampler, pruner) come with it. */
async function editStudy(ui: Ui, s: TuneSettings, what: TuneFormContext): Promise<TuneSettings | undefined> {
  const text = await ui.input({
    title: TUNE_FIELD.study,
    prompt: 'A new name starts a new study (with this form’s search space); an existing one continues it',
    value: s.study,
  });
  if (text === undefined || text.trim() === '' || text.trim() === s.study) return undefined;
  const name = text.trim();
  return { ...s, ...studySettings(what.studies?.find((r) => r.name === name)), study: name };
}

const NEW_SPACE = 'New search space file…';
const EDIT_SPACE = 'Edit in a table…';
const SPACE_PATH = 'Another file…';

/** The space pick: the table editor, the default ranges, the folder's space files, a new one (written and opened), or a typed path. */
async function editSpace(ui: Ui, s: TuneSettings, what: TuneFormContext): Promise<TuneSettings | undefined> {
  const items = [
    ...(what.editSpace
      ? [{ label: EDIT_SPACE, description: 'this space as a table: change, add or remove params; use it, or save it as a file', space: EDIT_SPACE }]
      : []),
    { label: 'default', description: "the members' usual ranges (docs/tuning.md)", space: '' },
    ...(what.spaceFiles ?? []).map((f) => ({ label: f, description: 'search space file', space: f })),
    ...(what.newSpaceFile
      ? [{ label: NEW_SPACE, description: 'the default ranges in a file to edit (completed and checked by its schema)', space: NEW_SPACE }]
      : []),
    { label: SPACE_PATH, description: 'a search space JSON file by its path', space: SPACE_PATH },
  ];
  // The current choice first, so Enter keeps it (an edited space's is the table).
  const at = s.editedSpace ? EDIT_SPACE : s.space;
  const current = [...items.filter((i) => i.space === at), ...items.filter((i) => i.space !== at)];
  const p = await ui.pickOne(current, { title: TUNE_FIELD.space, placeHolder: 'Which params each trial draws, and from which ranges' });
  if (!p) return undefined;
  if (p.space === EDIT_SPACE) {
    const edit = await what.editSpace!(s);
    if (!edit) return undefined;
    return edit.file !== undefined ? fileSpace(s, edit.file) : { ...s, editedSpace: edit.space };
  }
  const chosen = await pickedSpace(ui, s, p.space, what);
  return chosen === undefined ? undefined : fileSpace(chosen, chosen.space);
}

/** A file's space (or the default's, empty) in place of any edited one. */
function fileSpace(s: TuneSettings, space: string): TuneSettings {
  const out = { ...s, space };
  delete out.editedSpace;
  return out;
}

async function pickedSpace(ui: Ui, s: TuneSettings, picked: string, what: TuneFormContext): Promise<TuneSettings | undefined> {
  if (picked === NEW_SPACE) {
    const made = await what.newSpaceFile!();
    return made === undefined ? undefined : { ...s, space: made };
  }
  if (picked !== SPACE_PATH) return { ...s, space: picked };
  const text = await ui.input({ title: TUNE_FIELD.space, prompt: 'Path of a search space JSON file (relative to the workspace folder)', value: s.space });
  return text === undefined ? undefined : { ...s, space: text.trim() };
}

const RESET = 'Reset to defaults';

/** One of the pruner's parameters (its value, range and meaning shown), typed and checked by the CLI's rules; or all back to the defaults. */
async function editPrunerOptions(ui: Ui, s: TuneSettings): Promise<TuneSettings | undefined> {
  const params = prunerParams(s.pruner);
  if (params.length === 0) {
    void ui.info(`The ${s.pruner} pruner has no parameters.`);
    return undefined;
  }
  const title = `${TUNE_FIELD.prunerOptions} (${s.pruner})`;
  const resolved = resolvePrunerOptions(s.pruner, s.prunerOptions, title);
  const items = [
    ...params.map((p) => ({
      label: p.name,
      description: `${String(resolved[p.name])}${Object.hasOwn(s.prunerOptions, p.name) ? '' : ' (default)'} · ${prunerParamRange(p)}`,
      detail: p.summary,
    })),
    { label: RESET, description: "Optuna's defaults (a continued study keeps its own)", detail: undefined },
  ];
  const pick = await ui.pickOne(items, { title, placeHolder: "Which parameter to change (Optuna's names)" });
  if (!pick) return undefined;
  if (pick.label === RESET) return { ...s, prunerOptions: {} };
  const p = params.find((x) => x.name === pick.label)!;
  const text = await ui.input({ title: `${title}: ${p.name}`, prompt: `${p.summary}; ${prunerParamRange(p)}`, value: String(resolved[p.name]) });
  if (text === undefined) return undefined;
  const next = { ...s.prunerOptions, [p.name]: prunerOptionValue(s.pruner, p.name, text, title) };
  resolvePrunerOptions(s.pruner, next, title); // the rules between parameters, before the form takes it
  return { ...s, prunerOptions: next };
}

async function editField(ui: Ui, s: TuneSettings, field: Field, what: TuneFormContext): Promise<TuneSettings | undefined> {
  const title = TUNE_FIELD[field];
  const count = async (f: 'trials' | 'cv' | 'timeoutS' | 'nJobs', prompt: string): Promise<TuneSettings | undefined> => {
    const text = await ui.input({ title, prompt, value: String(s[f]) });
    return text === undefined ? undefined : { ...s, [f]: parseCount(f, text) };
  };
  switch (field) {
    case 'trials':
      return count('trials', 'Trials to run now (a study of this CSV and target continues)');
    case 'cv':
      return count('cv', 'Folds per trial; every trial uses the same folds (a study keeps its own)');
    case 'nJobs':
      return count('nJobs', 'Trials run at once, each on a worker thread (1: one at a time; at most twice the cores)');
    case 'timeoutS':
      return count('timeoutS', 'Start no new trial after this many seconds (0: no limit)');
    case 'sampler': {
      const p = await ui.pickOne(catalogueItems(SAMPLERS, s.sampler, DEFAULT_SAMPLER), { title, placeHolder: 'How the params of each trial are chosen' });
      return p ? { ...s, ...tuneSettingsFrom({ sampler: p.label }) } : undefined;
    }
    case 'pruner': {
      const p = await ui.pickOne(catalogueItems(PRUNERS, s.pruner, DEFAULT_PRUNER), { title, placeHolder: 'Which trials stop early, after a fold' });
      // Another pruner takes other parameters: the ones set for this one go.
      return p ? { ...s, ...tuneSettingsFrom({ pruner: p.label }), prunerOptions: p.label === s.pruner ? s.prunerOptions : {} } : undefined;
    }
    case 'prunerOptions':
      return editPrunerOptions(ui, s);
    case 'metric': {
      const p = await ui.pickOne(metricItems(s.metric), { title, placeHolder: 'The metric the study optimises' });
      return p ? { ...s, metric: p.metric } : undefined;
    }
    case 'direction': {
      const p = await ui.pickOne(
        [
          { label: 'auto', description: 'minimise rmse, mae, log_loss; maximise the rest', direction: 'auto' as const },
          { label: 'maximize', description: 'higher is better', direction: 'maximize' as const },
          { label: 'minimize', description: 'lower is better', direction: 'minimize' as const },
        ],
        { title },
      );
      return p ? { ...s, direction: p.direction } : undefined;
    }
    case 'space':
      return editSpace(ui, s, what);
    case 'study':
      return editStudy(ui, s, what);
    case 'trainBest': {
      const p = await ui.pickOne(
        [
          { label: 'No', description: 'only the trials', trainBest: false },
          { label: 'Yes', description: 'a full run with a model, registerable', trainBest: true },
        ],
        { title: 'Then train the best params as a full run?' },
      );
      return p ? { ...s, trainBest: p.trainBest } : undefined;
    }
  }
}
