import { ModelOpsError } from '../../core/errors';
import type { Direction, FrozenTrial, StudyRecord, StudyStore, TrialState } from '../../core/tuning';
import type { SqlDatabase, SqlValue } from '../sql/sql-database';
import type { StoreFile } from '../sql/store-file';
import { ScopedSql } from './scope';
import { numOrNaN, parseStored, record, scalar } from '../../shared/validate';

const STATES: readonly TrialState[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL'];
const TRIAL_PARAMS = record(scalar);
/** Reported values by step; a NaN one is stored as null. */
const INTERMEDIATE = record(numOrNaN);

function studyOf(r: Record<string, SqlValue>): StudyRecord {
  return {
    name: String(r.name),
    experimentId: String(r.experiment_id),
    direction: String(r.direction) as Direction,
    metric: String(r.metric),
    sampler: String(r.sampler),
    pruner: String(r.pruner),
    space: String(r.search_space),
    settings: String(r.settings),
    runId: String(r.run_uuid),
    createdTime: Number(r.created_time),
  };
}

function trialOf(r: Record<string, SqlValue>, study: string): FrozenTrial {
  const state = String(r.state) as TrialState;
  if (!STATES.includes(state)) throw new ModelOpsError('STORE_CORRUPT', `study '${study}', trial ${String(r.number)}: unknown state '${state}'`);
  const where = `study '${study}', trial ${String(r.number)}`;
  return {
    number: Number(r.number),
    state,
    params: parseStored(TRIAL_PARAMS, String(r.params), `${where}: params`),
    ...(r.value === null || r.value === undefined ? {} : { value: Number(r.value) }),
    intermediate: parseStored(INTERMEDIATE, String(r.intermediate), `${where}: intermediate`),
    ...(r.run_uuid ? { runId: String(r.run_uuid) } : {}),
    ...(r.start_time === null || r.start_time === undefined ? {} : { startTime: Number(r.start_time) }),
    ...(r.end_time === null || r.end_time === undefined ? {} : { endTime: Number(r.end_time) }),
    ...(typeof r.fail_reason === 'string' ? { failReason: r.fail_reason } : {}),
  };
}

/** Studies and trials in the workspace store's `modelops_tuning_*` tables. */
export class SqliteStudyStore implements StudyStore {
  constructor(private readonly file: StoreFile) {}

  /** Every statement confined to the store's workspace (scope.ts). */
  private readonly database = {
    read: <T>(fn: (db: SqlDatabase) => T): Promise<T> => this.file.read((raw) => fn(ScopedSql.of(raw, this.file))),
    write: <T>(fn: (db: SqlDatabase) => T): Promise<T> => this.file.write((raw) => fn(ScopedSql.of(raw, this.file))),
  };

  getStudy(name: string): Promise<{ study: StudyRecord; trials: FrozenTrial[] } | undefined> {
    return this.database.read((db) => {
      const s = db.get('SELECT * FROM modelops_tuning_studies WHERE name = ?{own}', [name]);
      if (!s) return undefined;
      const trials = db.all('SELECT * FROM modelops_tuning_trials WHERE study_name = ? ORDER BY number', [name]).map((r) => trialOf(r, name));
      return { study: studyOf(s), trials };
    });
  }

  listStudies(): Promise<(StudyRecord & { trials: number; complete: number; best?: number })[]> {
    return this.database.read((db) =>
      db.all('SELECT * FROM modelops_tuning_studies WHERE 1 = 1{own} ORDER BY created_time DESC, name').map((r) => {
        const study = studyOf(r);
        const agg = db.get(
          `SELECT count(*) AS n, sum(state = 'COMPLETE') AS c, ${study.direction === 'maximize' ? 'max' : 'min'}(CASE WHEN state = 'COMPLETE' THEN value END) AS best FROM modelops_tuning_trials WHERE study_name = ?`,
          [study.name],
        );
        return {
          ...study,
          trials: Number(agg?.n ?? 0),
          complete: Number(agg?.c ?? 0),
          ...(agg?.best === null || agg?.best === undefined ? {} : { best: Number(agg.best) }),
        };
      }),
    );
  }

  async createStudy(study: StudyRecord): Promise<void> {
    await this.database.write((db) => {
      if (db.get('SELECT 1 FROM modelops_tuning_studies WHERE name = ?', [study.name])) {
        throw new ModelOpsError('RESOURCE_ALREADY_EXISTS', `a study named '${study.name}' already exists`, { location: study.name });
      }
      db.run(
        'INSERT INTO modelops_tuning_studies (name, experiment_id, direction, metric, sampler, pruner, search_space, settings, run_uuid, created_time{own,}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?{own?})',
        [
          study.name,
          Number(study.experimentId),
          study.direction,
          study.metric,
          study.sampler,
          study.pruner,
          study.space,
          study.settings,
          study.runId,
          study.createdTime,
        ],
      );
    });
  }

  async saveTrial(study: string, t: FrozenTrial): Promise<void> {
    await this.database.write((db) => {
      db.run(
        'INSERT OR REPLACE INTO modelops_tuning_trials (study_name, number, state, params, value, intermediate, run_uuid, start_time, end_time, fail_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          study,
          t.number,
          t.state,
          JSON.stringify(t.params),
          t.value ?? null,
          JSON.stringify(t.intermediate),
          t.runId ?? null,
          t.startTime ?? null,
          t.endTime ?? null,
          t.failReason ?? null,
        ],
      );
    });
  }
}
