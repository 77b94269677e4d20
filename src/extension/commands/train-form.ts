// The training form: one quick pick listing every setting with its value; picking a field edits it,
// "Train" starts. Nothing is trained (and no progress shows) before the user picks Train.
import * as path from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { MemberType } from '../../ml/estimators';
import { MEMBER_TYPES } from '../../ml/estimators';
import { resolveMembers } from '../../pipeline/train-options';
import type { Ui } from '../ui';
import type { TaskChoice, TrainSettings } from './train-settings';
import { FIELD, inFormTerms, paramsHint, parseIntField, parseMemberParams, rememberedSettings } from './train-settings';

/** The workspace's memory (ExtensionContext.workspaceState): the form's last settings live there. */
export interface SettingsMemory {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

const MEMORY_KEY = 'modelops.trainForm';

/** The last settings, less the run name (each run gets its own). */
export function recallSettings(memory: SettingsMemory | undefined): Partial<TrainSettings> {
  const last = rememberedSettings(memory?.get(MEMORY_KEY));
  delete last.runName;
  return last;
}

export async function rememberSettings(memory: SettingsMemory | undefined, s: TrainSettings): Promise<void> {
  await memory?.update(MEMORY_KEY, s);
}

export const MEMBER_LABELS: Record<MemberType, string> = {
  rf: 'Random forest',
  knn: 'k-nearest neighbours',
  tree: 'Decision tree',
  dummy: 'Baseline (majority class / mean)',
};

export const TRAIN = 'Train';

export interface FormContext {
  ui: Ui;
  /** Columns of a CSV (its header). */
  header(csv: string): string[];
  /** Asks for another CSV; undefined when dismissed. */
  pickCsv(): Promise<string | undefined>;
  experiments(): Promise<string[]>;
  models(): Promise<string[]>;
}

type Field = keyof TrainSettings;

function describe(s: TrainSettings, field: Field): string {
  switch (field) {
    case 'data':
      return path.basename(s.data);
    case 'task':
      return s.task === 'auto' ? 'detected from the target' : s.task;
    case 'members':
      return s.members.join(' + ');
    case 'cv':
      return s.cv >= 2 ? `${s.cv}` : `${s.cv} (one 80/20 split)`;
    case 'params':
      return s.params || 'defaults';
    case 'runName':
      return s.runName || 'generated';
    case 'baselineRun':
      return s.baselineRun ? 'also log a separate baseline run' : 'no (the baseline score is logged on the run)';
    case 'registerAs':
      return s.registerAs ? `new version of ${s.registerAs}` : "don't register";
    default:
      return String(s[field]);
  }
}

/** Shows the form until Train is picked (resolves to the settings) or it is dismissed (undefined). */
export async function trainForm(ctx: FormContext, start: TrainSettings): Promise<TrainSettings | undefined> {
  let s = start;
  for (;;) {
    const items = [
      {
        label: TRAIN,
        description: `${s.members.join(' + ')} on ${path.basename(s.data)} → ${s.target}`,
        detail: 'Pick a field below to change it',
        field: undefined,
      },
      ...(Object.keys(FIELD) as Field[]).map((f) => ({ label: FIELD[f], description: describe(s, f), detail: undefined, field: f })),
    ];
    const pick = await ctx.ui.pickOne(items, { title: `Train an ensemble on ${path.basename(s.data)}`, placeHolder: 'Train, or pick a setting to change' });
    if (!pick) return undefined;
    if (!pick.field) return s;
    try {
      s = (await editField(ctx, s, pick.field)) ?? s;
    } catch (e) {
      // A value the form refuses is said and the form comes back with the old value.
      if (!(e instanceof ModelOpsError) || e.code !== 'INVALID_PARAMETER_VALUE') throw e;
      void ctx.ui.error(e.message);
    }
  }
}

/** Asks for the target column of `csv`, the current (or last) one offered first. */
export async function pickTarget(ctx: FormContext, csv: string, current?: string): Promise<string | undefined> {
  const header = ctx.header(csv);
  if (header.length < 2) throw new ModelOpsError('DATA_INVALID', `${csv}: need at least two columns (features and a target)`, { location: csv });
  const last = header[header.length - 1];
  const first = current !== undefined && header.includes(current) ? current : last;
  const ordered = [first, ...[...header].reverse().filter((c) => c !== first)];
  const columns = ordered.map((c) => ({ label: c!, description: c === current ? 'last used' : c === last ? 'last column' : undefined }));
  const target = await ctx.ui.pickOne(columns, { title: `Target column of ${path.basename(csv)}`, placeHolder: 'The column to predict' });
  return target?.label;
}

async function editField(ctx: FormContext, s: TrainSettings, field: Field): Promise<TrainSettings | undefined> {
  const ui = ctx.ui;
  const text = (prompt: string, value: string, placeHolder?: string) => ui.input({ title: FIELD[field], prompt, value, placeHolder });
  switch (field) {
    case 'data': {
      const data = await ctx.pickCsv();
      const target = data ? await pickTarget(ctx, data, s.target) : undefined;
      return data && target ? { ...s, data, target } : undefined;
    }
    case 'target': {
      const target = await pickTarget(ctx, s.data, s.target);
      return target ? { ...s, target } : undefined;
    }
    case 'task': {
      const tasks: { label: TaskChoice; description: string }[] = [
        { label: 'auto', description: 'classification for labels, regression for numbers with many values' },
        { label: 'classification', description: 'predict a class' },
        { label: 'regression', description: 'predict a number' },
      ];
      const t = await ui.pickOne(tasks, { title: FIELD.task });
      return t ? { ...s, task: t.label } : undefined;
    }
    case 'members': {
      const items = MEMBER_TYPES.map((type) => ({ label: type, description: MEMBER_LABELS[type], picked: s.members.includes(type), type }));
      const picked = await ui.pickMany(items, { title: 'Ensemble members', placeHolder: 'Pick one or more' });
      if (!picked) return undefined;
      if (picked.length === 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${FIELD.members}: pick at least one member`, { location: 'models' });
      return { ...s, members: picked.map((m) => m.type) };
    }
    case 'cv':
    case 'seed': {
      const prompt = field === 'cv' ? 'Cross-validation folds (0 or 1: one held-out 20% split)' : 'Random seed (the same seed gives the same model)';
      const v = await text(prompt, String(s[field]));
      return v === undefined ? undefined : { ...s, [field]: parseIntField(field, v) };
    }
    case 'params': {
      const v = await text(`member.name=value, comma-separated — ${paramsHint(s.members)}`, s.params, 'rf.nEstimators=200, knn.nNeighbors=7');
      if (v === undefined) return undefined;
      checkParams(s.members, v);
      return { ...s, params: v.trim() };
    }
    case 'experiment':
      return pickExperiment(ctx, s);
    case 'runName': {
      const v = await text('Leave empty for a generated name', s.runName);
      return v === undefined ? undefined : { ...s, runName: v.trim() };
    }
    case 'baselineRun': {
      const yes = 'Also log a separate baseline run';
      const c = await ui.pickOne([{ label: yes }, { label: 'No separate run' }], {
        title: FIELD.baselineRun,
        placeHolder: 'The baseline score is logged on the run either way',
      });
      return c ? { ...s, baselineRun: c.label === yes } : undefined;
    }
    case 'registerAs':
      return pickRegisterAs(ctx, s);
  }
}

/** Member names and ranges checked as they are typed, in the form's words. */
export function checkParams(members: MemberType[], text: string): void {
  try {
    resolveMembers(members, parseMemberParams(text));
  } catch (e) {
    throw inFormTerms(e);
  }
}

const NEW_EXPERIMENT = 'New experiment…';

async function pickExperiment(ctx: FormContext, s: TrainSettings): Promise<TrainSettings | undefined> {
  const names = await ctx.experiments();
  const items = [{ label: NEW_EXPERIMENT, description: '' }, ...names.map((n) => ({ label: n, description: n === s.experiment ? 'current' : '' }))];
  const pick = await ctx.ui.pickOne(items, { title: FIELD.experiment });
  if (!pick) return undefined;
  if (pick.label !== NEW_EXPERIMENT) return { ...s, experiment: pick.label };
  const name = await ctx.ui.input({ title: NEW_EXPERIMENT, prompt: 'Name of the new experiment' });
  if (name === undefined) return undefined;
  if (name.trim() === '') throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${FIELD.experiment}: give the new experiment a name`, { location: 'experiment' });
  return { ...s, experiment: name.trim() };
}

export const NO_REGISTER = "Don't register";
export const NEW_MODEL = 'New model…';

async function pickRegisterAs(ctx: FormContext, s: TrainSettings): Promise<TrainSettings | undefined> {
  const models = await ctx.models();
  const items = [
    { label: NO_REGISTER, description: 'the result offers Register Model…' },
    { label: NEW_MODEL, description: '' },
    ...models.map((m) => ({ label: m, description: 'a new version of it' })),
  ];
  const pick = await ctx.ui.pickOne(items, { title: FIELD.registerAs });
  if (!pick) return undefined;
  if (pick.label === NO_REGISTER) return { ...s, registerAs: '' };
  if (pick.label !== NEW_MODEL) return { ...s, registerAs: pick.label };
  const name = await ctx.ui.input({ title: NEW_MODEL, prompt: 'Name of the new registered model' });
  if (name === undefined) return undefined;
  if (name.trim() === '') throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${FIELD.registerAs}: give the new model a name`, { location: 'registerAs' });
  return { ...s, registerAs: name.trim() };
}
