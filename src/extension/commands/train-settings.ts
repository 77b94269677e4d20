// What the training form holds, without VS Code: parsed, checked, remembered and read back from a
// run ("Train again with these params…"), so the unit tests cover it.
import { ModelOpsError } from '../../core/errors';
import type { Run } from '../../core/tracking';
import type { Task } from '../../ml/dataset/schema';
import type { MemberType } from '../../ml/estimators';
import { MEMBER_TYPES } from '../../ml/estimators';
import { MEMBER_PARAMS } from '../../ml/member-params';
import type { TrainParamsFile } from '../../pipeline/train-options';

export type TaskChoice = 'auto' | Task;

export interface TrainSettings {
  /** Absolute path of the CSV. */
  data: string;
  target: string;
  task: TaskChoice;
  members: MemberType[];
  cv: number;
  seed: number;
  /** `rf.nEstimators=200, knn.nNeighbors=7` (the form's text; parsed by parseMemberParams). */
  params: string;
  /** An existing experiment's name or a new one. */
  experiment: string;
  /** Empty: a generated name. */
  runName: string;
  /** Also log a separate majority-class / mean baseline run (the comparison is always logged). */
  baselineRun: boolean;
  /** Empty: not registered (the result offers Register Model…). */
  registerAs: string;
}

/** The form's field labels, by the setting an error's location names. */
export const FIELD = {
  data: 'Data',
  target: 'Target',
  task: 'Task',
  members: 'Members',
  cv: 'CV folds',
  seed: 'Seed',
  params: 'Member parameters',
  experiment: 'Experiment',
  runName: 'Run name',
  baselineRun: 'Baseline run',
  registerAs: 'Register as',
} as const satisfies Record<keyof TrainSettings, string>;

export function defaultSettings(data: string, target: string, experiment: string, members: MemberType[]): TrainSettings {
  return { data, target, task: 'auto', members, cv: 5, seed: 42, params: '', experiment, runName: '', baselineRun: false, registerAs: '' };
}

/** `true`, `7`, `0.5`, `null`, else the text: how a typed value becomes a member parameter. */
function paramValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (text !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/** `rf.nEstimators=200, knn.weights=distance` → `{ rf: { nEstimators: 200 }, knn: { weights: 'distance' } }`. */
export function parseMemberParams(text: string): TrainParamsFile {
  const out: Partial<Record<'rf' | 'knn' | 'tree', Record<string, unknown>>> = {};
  for (const part of text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\w+)\.(\w+)\s*=\s*(.*)$/.exec(part);
    if (!m)
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${FIELD.params}: '${part}' is not member.name=value (e.g. rf.nEstimators=200)`, {
        location: 'params',
      });
    const [, member, name, value] = m as unknown as [string, string, string, string];
    if (member !== 'rf' && member !== 'knn' && member !== 'tree') {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${FIELD.params}: '${member}' has no parameters (rf, knn and tree have)`, { location: 'params' });
    }
    (out[member] ??= {})[name] = paramValue(value.trim());
  }
  return out;
}

/** What each chosen member takes, for the form's prompt. */
export function paramsHint(members: readonly MemberType[]): string {
  return members
    .filter((m) => Object.keys(MEMBER_PARAMS[m]).length > 0)
    .map((m) => `${m}: ${Object.keys(MEMBER_PARAMS[m]).join(', ')}`)
    .join(' · ');
}

/** Integer field text → number, or an error naming the field and the range. */
export function parseIntField(field: 'cv' | 'seed', text: string): number {
  const n = Number(text.trim());
  const [min, max] = field === 'cv' ? [0, 100] : [0, 2 ** 31 - 1];
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${FIELD[field]}: give a whole number from ${min} to ${max} (got '${text}')`, { location: field });
  }
  return n;
}

/**
 * The pipeline's error in the form's words: its location (`cv`, `seed`, `models`, `target`,
 * `rf.nEstimators`) names the field to change, never a CLI flag.
 */
export function inFormTerms(e: unknown): unknown {
  if (!(e instanceof ModelOpsError) || !e.location) return e;
  const loc = e.location;
  const field =
    loc === 'cv'
      ? FIELD.cv
      : loc === 'seed'
        ? FIELD.seed
        : loc === 'models'
          ? FIELD.members
          : loc === 'target'
            ? FIELD.target
            : /^(rf|knn|tree|dummy)\.\w+$/.test(loc)
              ? FIELD.params
              : undefined;
  if (!field || e.message.startsWith(`${field}:`)) return e;
  const message = e.message
    .replace(/--cv\b/g, FIELD.cv)
    .replace(/--seed\b/g, FIELD.seed)
    .replace(/--models\b/g, FIELD.members)
    .replace(/--target\b/g, FIELD.target);
  return new ModelOpsError(e.code, `${field}: ${message}`, { location: loc, cause: e });
}

/** Keeps only what a remembered (older, or hand-edited) value can still mean. */
export function rememberedSettings(v: unknown): Partial<TrainSettings> {
  if (typeof v !== 'object' || v === null) return {};
  const o = v as Record<string, unknown>;
  const out: Partial<TrainSettings> = {};
  const str = (k: 'data' | 'target' | 'params' | 'experiment' | 'runName' | 'registerAs'): void => {
    if (typeof o[k] === 'string') out[k] = o[k];
  };
  (['data', 'target', 'params', 'experiment', 'runName', 'registerAs'] as const).forEach(str);
  if (o.task === 'auto' || o.task === 'classification' || o.task === 'regression') out.task = o.task;
  if (Array.isArray(o.members)) {
    const members = o.members.filter((m): m is MemberType => (MEMBER_TYPES as readonly unknown[]).includes(m));
    if (members.length > 0) out.members = members;
  }
  if (Number.isInteger(o.cv) && (o.cv as number) >= 0 && (o.cv as number) <= 100) out.cv = o.cv as number;
  if (Number.isInteger(o.seed) && (o.seed as number) >= 0) out.seed = o.seed as number;
  if (typeof o.baselineRun === 'boolean') out.baselineRun = o.baselineRun;
  return out;
}

/** The training data a run logged (its `training` input's source uri). */
export function runTrainingData(run: Run): string | undefined {
  for (const input of run.inputs) {
    const context = input.tags?.find((t) => t.key === 'mlflow.data.context')?.value;
    if (context !== undefined && context !== 'training') continue;
    try {
      const uri = (JSON.parse(input.source) as { uri?: unknown }).uri;
      if (typeof uri === 'string') return uri.replace(/^file:\/\//, '');
    } catch {
      // not our JSON source: try the next input
    }
  }
  return undefined;
}

/** A trained run's settings, for "Train again with these params…"; undefined when it holds no training. */
export function settingsFromRun(run: Run, experiment: string): TrainSettings | undefined {
  const p = new Map(run.data.params.map((x) => [x.key, x.value]));
  const data = runTrainingData(run);
  const target = p.get('target');
  if (!data || !target) return undefined;
  const members = (p.get('models') ?? '').split(',').filter((m): m is MemberType => (MEMBER_TYPES as readonly string[]).includes(m));
  const params = [...p.entries()]
    .filter(([k]) => /^(rf|knn|tree)\.\w+$/.test(k) && !k.endsWith('.engine'))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const task = p.get('task');
  return {
    ...defaultSettings(data, target, experiment, members.length > 0 ? members : ['rf', 'knn']),
    task: task === 'classification' || task === 'regression' ? task : 'auto',
    cv: Number.isInteger(Number(p.get('cv'))) ? Number(p.get('cv')) : 5,
    seed: Number.isInteger(Number(p.get('seed'))) ? Number(p.get('seed')) : 42,
    params,
  };
}
