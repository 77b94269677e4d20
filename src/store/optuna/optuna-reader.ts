import { existsSync } from 'node:fs';
import { ModelOpsError } from '../../core/errors';
import type { Direction, ParamValue } from '../../core/tuning';
import type { Distribution } from '../../tuning/distributions';
import { fromOptunaDistribution, optunaParamValue } from '../../tuning/optuna-distribution';
import type { EngineOptions } from '../engine';
import { readSqliteSnapshot } from '../engine';
import type { Row, SqlDatabase, SqlValue } from '../sql/sql-database';
import type { OptunaSchema } from './optuna-schema';
import { checkOptunaSchema } from './optuna-schema';

/** Optuna's TrialState (WAITING: enqueued with `enqueue_trial`, not started yet). */
export type OptunaTrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';
const STATES: readonly OptunaTrialState[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'];

export interface OptunaTrial {
  number: number;
  state: OptunaTrialState;
  params: Record<string, ParamValue>;
  distributions: Record<string, Distribution>;
  /** One value per objective (COMPLETE trials; ±Infinity as Optuna stores them). */
  values?: number[];
  /** Intermediate values by step (NaN and ±Infinity kept). */
  intermediate: Record<number, number>;
  startTime?: number;
  endTime?: number;
  /** Why it failed, where Optuna kept it (Optuna 2's `fail_reason` system attribute). */
  failReason?: string;
}

export interface OptunaStudy {
  name: string;
  /** One per objective. */
  directions: Direction[];
  userAttributes: Record<string, unknown>;
  trials: OptunaTrial[];
}

export interface OptunaFile {
  path: string;
  schema: OptunaSchema;
  studies: OptunaStudy[];
}

export interface ReadOptunaOptions extends EngineOptions {
  /** Read only this study (refused when the file has none of that name). */
  study?: string;
}

const byKey = (rows: Row[], key: string): Map<number, Row[]> => {
  const m = new Map<number, Row[]>();
  for (const r of rows) {
    const k = Number(r[key]);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
};

/** Optuna's datetimes are naive local times (`datetime.now()`), as `2026-12-02 04:05:09.147917`. */
function time(v: SqlValue | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(String(v));
  if (!m) return undefined;
  const t = new Date(`${m[1]}T${m[2]}${m[3] ?? ''}`).getTime();
  return Number.isFinite(t) ? t : undefined;
}

/** A float column and its type column (FINITE / INF_POS / INF_NEG / NAN) as one number. */
function typedValue(value: SqlValue | undefined, type: SqlValue | undefined): number {
  if (type === 'INF_POS') return Infinity;
  if (type === 'INF_NEG') return -Infinity;
  if (type === 'NAN' || value === null || value === undefined) return NaN;
  return Number(value);
}

function parseJson(text: SqlValue | undefined): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    return String(text);
  }
}

interface TrialRows {
  params: Map<number, Row[]>;
  values: Map<number, Row[]>;
  intermediate: Map<number, Row[]>;
  failReasons: Map<number, Row[]>;
}

function trialOf(r: Row, rows: TrialRows, where: string): OptunaTrial {
  const id = Number(r.trial_id);
  const at = `${where}, trial ${String(r.number)}`;
  const state = String(r.state) as OptunaTrialState;
  if (!STATES.includes(state)) throw new ModelOpsError('STORE_CORRUPT', `${at}: unknown trial state '${state}'`, { location: at });
  const params: Record<string, ParamValue> = {};
  const distributions: Record<string, Distribution> = {};
  for (const p of rows.params.get(id) ?? []) {
    const name = String(p.param_name);
    const d = fromOptunaDistribution(String(p.distribution_json), name, at);
    distributions[name] = d;
    params[name] = optunaParamValue(d, Number(p.param_value), `${at}: ${name}`);
  }
  const values = (rows.values.get(id) ?? []).sort((a, b) => Number(a.objective) - Number(b.objective)).map((v) => typedValue(v.value, v.value_type));
  const intermediate: Record<number, number> = {};
  for (const iv of rows.intermediate.get(id) ?? []) intermediate[Number(iv.step)] = typedValue(iv.intermediate_value, iv.intermediate_value_type);
  const startTime = time(r.datetime_start);
  const endTime = time(r.datetime_complete);
  return {
    number: Number(r.number),
    state,
    params,
    distributions,
    ...(values.length ? { values } : {}),
    intermediate,
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    ...failReasonOf(rows.failReasons.get(id)),
  };
}

function failReasonOf(rows: Row[] | undefined): { failReason?: string } {
  if (!rows?.length) return {};
  try {
    const v: unknown = JSON.parse(String(rows[0]!.value_json));
    return typeof v === 'string' ? { failReason: v } : {};
  } catch {
    return {}; // a reason Optuna did not write is no reason
  }
}

function readStudies(db: SqlDatabase, path: string, only: string | undefined): OptunaFile {
  const schema = checkOptunaSchema(db, path);
  const studies = db.all('SELECT study_id, study_name FROM studies ORDER BY study_id').filter((s) => only === undefined || String(s.study_name) === only);
  if (only !== undefined && studies.length === 0) {
    const names = db.all('SELECT study_name FROM studies ORDER BY study_id').map((s) => String(s.study_name));
    throw new ModelOpsError(
      'RESOURCE_DOES_NOT_EXIST',
      `${path}: no Optuna study named '${only}' (the file has ${names.length ? names.join(', ') : 'no studies'})`,
      { location: path },
    );
  }
  const directions = byKey(db.all('SELECT study_id, objective, direction FROM study_directions ORDER BY objective'), 'study_id');
  const attrs = schema.studyUserAttributes
    ? byKey(db.all('SELECT study_id, key, value_json FROM study_user_attributes'), 'study_id')
    : new Map<number, Row[]>();
  const trials = byKey(db.all('SELECT trial_id, number, study_id, state, datetime_start, datetime_complete FROM trials ORDER BY number, trial_id'), 'study_id');
  const rows: TrialRows = {
    params: byKey(db.all('SELECT trial_id, param_name, param_value, distribution_json FROM trial_params ORDER BY param_id'), 'trial_id'),
    values: byKey(db.all(`SELECT trial_id, objective, value${schema.valueType ? ', value_type' : ''} FROM trial_values`), 'trial_id'),
    intermediate: byKey(
      db.all(
        `SELECT trial_id, step, intermediate_value${schema.intermediateType ? ', intermediate_value_type' : ''} FROM trial_intermediate_values ORDER BY step`,
      ),
      'trial_id',
    ),
    failReasons: schema.trialSystemAttributes
      ? byKey(db.all("SELECT trial_id, value_json FROM trial_system_attributes WHERE key = 'fail_reason'"), 'trial_id')
      : new Map<number, Row[]>(),
  };
  return {
    path,
    schema,
    studies: studies.map((s) => {
      const id = Number(s.study_id);
      const name = String(s.study_name);
      const where = `${path}: study '${name}'`;
      // NOT_SET is how Optuna < 2.4 files left a study never optimised; Optuna's default is minimize.
      const dirs = (directions.get(id) ?? []).map((d): Direction => (String(d.direction) === 'MAXIMIZE' ? 'maximize' : 'minimize'));
      return {
        name,
        directions: dirs.length ? dirs : ['minimize'],
        userAttributes: Object.fromEntries((attrs.get(id) ?? []).map((a) => [String(a.key), parseJson(a.value_json)])),
        trials: (trials.get(id) ?? []).map((t) => trialOf(t, rows, where)),
      };
    }),
  };
}

/**
 * Reads an Optuna RDB storage file (SQLite) as it is now: every study (or `options.study`), its
 * directions and its trials with params, values and intermediate values. The file is opened
 * read-only for the one read and closed again; a file that is not Optuna's, or of a schema this
 * version does not know, is refused with a message naming it.
 */
export async function readOptunaFile(path: string, options: ReadOptunaOptions = {}): Promise<OptunaFile> {
  if (!existsSync(path)) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `${path}: no such file`, { location: path });
  return readSqliteSnapshot(path, (db) => readStudies(db, path, options.study), options);
}
