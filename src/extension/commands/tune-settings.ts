// What the Tune form holds, without VS Code: its fields, the values a caller or the workspace's
// memory gives, and the `tune()` options they become, so the unit tests cover them.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { Direction } from '../../core/tuning';
import type { TuneOptions } from '../../pipeline/tune';
import type { PrunerName, SamplerName } from '../../tuning/catalogue';
import type { SearchSpace } from '../../tuning/distributions';
import { DEFAULT_PRUNER, DEFAULT_SAMPLER, PRUNER_NAMES, SAMPLER_NAMES } from '../../tuning/catalogue';
import type { PrunerOptions } from '../../tuning/pruner-options';
import { describePrunerOptions, prunerParams, resolvePrunerOptions, STORED_PRUNER_OPTIONS } from '../../tuning/pruner-options';

export interface TuneSettings {
  trials: number;
  sampler: SamplerName;
  pruner: PrunerName;
  /** The pruner's parameters the form set (Optuna's names); the rest are a resumed study's own, else Optuna's defaults. */
  prunerOptions: PrunerOptions;
  /** Empty: the task's default (accuracy, or r2 for regression). */
  metric: string;
  /** `auto`: minimise rmse, mae, log_loss; maximise the rest. */
  direction: 'auto' | Direction;
  /** Seconds after which no new trial starts; 0: no limit. */
  timeoutS: number;
  cv: number;
  /** Trials run at once, each on a worker thread (`--n-jobs`); a session's choice, not the study's. */
  nJobs: number;
  trainBest: boolean;
  /** A search space JSON file (relative to the workspace folder, or absolute); empty: the members' default ranges. */
  space: string;
  /** The study to run or continue; empty: the CLI's default name for the CSV and target (`<file>-<target>`). */
  study: string;
  /** A space edited in the form's table and not saved: used instead of `space` (never remembered). */
  editedSpace?: SearchSpace;
}

/** The fields the form lists (the edited space is the Search space field's). */
export type TuneField = Exclude<keyof TuneSettings, 'editedSpace'>;

/** The form's field labels. */
export const TUNE_FIELD = {
  trials: 'Trials',
  sampler: 'Sampler',
  pruner: 'Pruner',
  prunerOptions: 'Pruner options',
  metric: 'Metric',
  direction: 'Direction',
  timeoutS: 'Timeout',
  cv: 'CV folds',
  nJobs: 'Parallel trials',
  trainBest: 'Train the best',
  space: 'Search space',
  study: 'Study',
} as const satisfies Record<TuneField, string>;

/** `modelops tune`'s defaults, so the editor and the CLI continue each other's studies. */
export const DEFAULT_TUNE_SETTINGS: TuneSettings = {
  trials: 20,
  sampler: DEFAULT_SAMPLER,
  pruner: DEFAULT_PRUNER,
  prunerOptions: {},
  metric: '',
  direction: 'auto',
  timeoutS: 0,
  cv: 3,
  nJobs: 1,
  trainBest: false,
  space: '',
  study: '',
};

/** What `tune()` accepts for nJobs (checkNJobs): twice the cores. */
const maxJobs = (): number => availableParallelism() * 2;

const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/**
 * The settings a value holds (remembered, or a caller's args), field by field: what is not valid
 * is left out (a sampler this version does not know, a negative count), so the default shows.
 */
export function tuneSettingsFrom(v: unknown): Partial<TuneSettings> {
  if (typeof v !== 'object' || v === null) return {};
  const o = v as Record<string, unknown>;
  const out: Partial<TuneSettings> = {};
  if (isCount(o.trials, 1)) out.trials = o.trials;
  if ((SAMPLER_NAMES as readonly unknown[]).includes(o.sampler)) out.sampler = o.sampler as SamplerName;
  if ((PRUNER_NAMES as readonly unknown[]).includes(o.pruner)) out.pruner = o.pruner as PrunerName;
  const options = prunerOptionsFrom(o.prunerOptions, out.pruner);
  if (options) out.prunerOptions = options;
  if (typeof o.metric === 'string') out.metric = o.metric;
  if (o.direction === 'auto' || o.direction === 'maximize' || o.direction === 'minimize') out.direction = o.direction;
  if (typeof o.timeoutS === 'number' && Number.isFinite(o.timeoutS) && o.timeoutS >= 0) out.timeoutS = o.timeoutS;
  if (isCount(o.cv, 0)) out.cv = o.cv;
  if (isCount(o.nJobs, 1) && o.nJobs <= maxJobs()) out.nJobs = o.nJobs;
  if (typeof o.trainBest === 'boolean') out.trainBest = o.trainBest;
  if (typeof o.space === 'string') out.space = o.space;
  if (typeof o.study === 'string') out.study = o.study.trim();
  return out;
}

/** Pruner options that are valid for the pruner they come with (a bad remembered set is dropped whole: its parts may only be wrong together). */
function prunerOptionsFrom(v: unknown, pruner: PrunerName | undefined): PrunerOptions | undefined {
  if (v === undefined || pruner === undefined) return undefined;
  try {
    const options = STORED_PRUNER_OPTIONS(v, 'prunerOptions');
    resolvePrunerOptions(pruner, options, 'prunerOptions');
    return options;
  } catch {
    return undefined;
  }
}

/** What a caller (a keybinding's args, another command, the tests) settles instead of asking; a bad value is refused by name. */
export function tuneArgs(x: unknown): Partial<TuneSettings> {
  if (typeof x !== 'object' || x === null) return {};
  const o = x as Record<string, unknown>;
  const got = tuneSettingsFrom(o);
  for (const key of Object.keys(TUNE_FIELD) as TuneField[]) {
    if (o[key] !== undefined && got[key] === undefined)
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${key}: ${rule(key)} (got ${JSON.stringify(o[key])})`, { location: key });
  }
  return got;
}

function rule(key: TuneField): string {
  switch (key) {
    case 'trials':
      return 'must be an integer ≥ 1';
    case 'sampler':
      return `must be one of ${SAMPLER_NAMES.join(', ')}`;
    case 'pruner':
      return `must be one of ${PRUNER_NAMES.join(', ')}`;
    case 'prunerOptions':
      return "must be the pruner's parameters by Optuna's names (integers, or auto where allowed), given with the pruner (see modelops tune --help)";
    case 'direction':
      return 'must be auto, maximize or minimize';
    case 'timeoutS':
      return 'must be a number of seconds ≥ 0 (0: no limit)';
    case 'cv':
      return 'must be an integer ≥ 0';
    case 'nJobs':
      return `must be an integer from 1 to ${maxJobs()} (twice the cores)`;
    case 'metric':
      return 'must be a metric name';
    case 'trainBest':
      return 'must be true or false';
    case 'space':
      return 'must be the path of a search space JSON file, or empty for the default ranges';
    case 'study':
      return "must be a study name, or empty for the CSV's and target's default";
  }
}

/** A typed count (trials, folds, seconds), refused by the field's name when it is not one. */
export function parseCount(field: 'trials' | 'cv' | 'timeoutS' | 'nJobs', text: string): number {
  const n = Number(text.trim());
  const got = tuneSettingsFrom({ [field]: text.trim() === '' ? Number.NaN : n })[field];
  if (got === undefined) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${TUNE_FIELD[field]}: ${rule(field)} (got '${text}')`, { location: field });
  return got;
}

/** What the form's fields say: `20`, `tpe`, `default (accuracy or r2)`, `none`. */
export function describeTuneField(s: TuneSettings, field: TuneField): string {
  switch (field) {
    case 'metric':
      return s.metric || 'default (accuracy, or r2 for regression)';
    case 'direction':
      return s.direction === 'auto' ? 'auto (minimise rmse, mae, log_loss)' : s.direction;
    case 'timeoutS':
      return s.timeoutS > 0 ? `${s.timeoutS} s` : 'none';
    case 'cv':
      return `${s.cv}`;
    case 'nJobs':
      return s.nJobs > 1 ? `${s.nJobs} at a time, each on a worker thread` : '1 (one trial at a time)';
    case 'trainBest':
      return s.trainBest ? 'yes, as a full run with a model' : 'no';
    case 'space':
      if (s.editedSpace) {
        const n = Object.keys(s.editedSpace).length;
        return `edited in the table (${n} param${n === 1 ? '' : 's'}, not saved)`;
      }
      return s.space || "default (the members' usual ranges)";
    case 'study':
      return s.study;
    case 'prunerOptions':
      return describeFormPrunerOptions(s);
    default:
      return String(s[field]);
  }
}

/** `reduction_factor 3 (set), min_resource auto, …`, or that the pruner takes none. */
function describeFormPrunerOptions(s: TuneSettings): string {
  if (prunerParams(s.pruner).length === 0) return `none (the ${s.pruner} pruner takes none)`;
  const resolved = resolvePrunerOptions(s.pruner, s.prunerOptions, TUNE_FIELD.prunerOptions);
  const set = Object.keys(s.prunerOptions);
  return set.length === 0 ? `defaults (${describePrunerOptions(resolved)})` : describePrunerOptions(resolved);
}

/** The `tune()` options of these settings (the data, target, study and callbacks are the command's); a relative space file is the folder's. */
export function tuneOptionsOf(
  s: TuneSettings,
  folder: string,
): Pick<TuneOptions, 'trials' | 'sampler' | 'pruner' | 'prunerOptions' | 'metric' | 'direction' | 'timeoutMs' | 'cv' | 'nJobs' | 'trainBest' | 'space'> {
  return {
    ...(s.editedSpace ? { space: s.editedSpace } : s.space ? { space: resolve(folder, s.space) } : {}),
    trials: s.trials,
    sampler: s.sampler,
    pruner: s.pruner,
    // None set: a resumed study keeps its own (tune() refuses a different set).
    ...(Object.keys(s.prunerOptions).length ? { prunerOptions: s.prunerOptions } : {}),
    ...(s.metric ? { metric: s.metric } : {}),
    ...(s.direction !== 'auto' ? { direction: s.direction } : {}),
    ...(s.timeoutS > 0 ? { timeoutMs: s.timeoutS * 1000 } : {}),
    cv: s.cv,
    ...(s.nJobs > 1 ? { nJobs: s.nJobs } : {}),
    trainBest: s.trainBest,
  };
}
