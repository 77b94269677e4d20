import { ModelOpsError } from '../../core/errors';
import type { DatasetInput, Experiment, LifecycleStage, Metric, Run, RunInfo, RunStatus, Tag } from '../../core/tracking';
import type { Row, SqlDatabase } from '../sql/sql-database';
import { num, numOrNull, str } from '../sql/sql-database';

/** Row access and the mapping of MLflow's tables onto the entities of core/tracking.ts. */

export type { Row } from '../sql/sql-database';
export { num, str } from '../sql/sql-database';

export const EXPERIMENT_COLUMNS = 'experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time';

export function experimentFromRow(db: SqlDatabase, r: Row): Experiment {
  const id = str(r.experiment_id);
  const tags = db
    .all('SELECT "key", value FROM experiment_tags WHERE experiment_id = ? ORDER BY rowid', [Number(id)])
    .map((t): Tag => ({ key: str(t.key), value: str(t.value) }));
  return {
    experimentId: id,
    name: str(r.name),
    artifactLocation: str(r.artifact_location),
    lifecycleStage: str(r.lifecycle_stage) as LifecycleStage,
    creationTime: num(r.creation_time),
    lastUpdateTime: num(r.last_update_time),
    tags,
  };
}

export function getExperimentRow(db: SqlDatabase, experimentId: string): Row {
  const n = Number(experimentId);
  const r =
    Number.isInteger(n) && /^\d+$/.test(experimentId) ? db.get(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?{ws}`, [n]) : undefined;
  if (!r) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${experimentId} exists`, { location: `experiment ${experimentId}` });
  return r;
}

export const RUN_COLUMNS = 'run_uuid, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage, experiment_id';

export function runInfoFromRow(r: Row): RunInfo {
  return {
    runId: str(r.run_uuid),
    runName: str(r.name),
    experimentId: str(r.experiment_id),
    userId: str(r.user_id),
    status: str(r.status) as RunStatus,
    startTime: num(r.start_time),
    endTime: numOrNull(r.end_time),
    artifactUri: str(r.artifact_uri),
    lifecycleStage: str(r.lifecycle_stage) as LifecycleStage,
  };
}

export function getRunRow(db: SqlDatabase, runId: string): Row {
  const r = db.get(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = ?`, [runId]);
  if (!r) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`, { location: `run ${runId}` });
  return r;
}

export function assertRunActive(r: Row): void {
  if (str(r.lifecycle_stage) !== 'active') {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `The run ${str(r.run_uuid)} must be in the 'active' state. Current state is ${str(r.lifecycle_stage)}.`);
  }
}

/** MLflow stores NaN as 0 with is_nan = 1 and reads it back as NaN. */
export function metricFromRow(r: Row): Metric {
  return {
    key: str(r.key),
    value: Number(r.is_nan) === 1 ? Number.NaN : num(r.value),
    timestamp: num(r.timestamp),
    step: num(r.step),
  };
}

/** Builds full runs (info, latest metrics, params, tags, dataset inputs) for the given rows. */
export function runsFromRows(db: SqlDatabase, rows: Row[]): Run[] {
  if (rows.length === 0) return [];
  if (rows.length > 500) {
    const out: Run[] = [];
    for (let i = 0; i < rows.length; i += 500) out.push(...runsFromRows(db, rows.slice(i, i + 500)));
    return out;
  }
  const ids = rows.map((r) => str(r.run_uuid));
  const marks = ids.map(() => '?').join(',');
  const byRun = <T>(sql: string, map: (r: Row) => T): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const r of db.all(sql, ids)) {
      const id = str(r.run_uuid);
      let list = m.get(id);
      if (!list) m.set(id, (list = []));
      list.push(map(r));
    }
    return m;
  };
  const metrics = byRun(
    `SELECT run_uuid, "key", value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN (${marks}) ORDER BY rowid`,
    metricFromRow,
  );
  const params = byRun(`SELECT run_uuid, "key", value FROM params WHERE run_uuid IN (${marks}) ORDER BY rowid`, (r) => ({
    key: str(r.key),
    value: str(r.value),
  }));
  const tags = byRun(`SELECT run_uuid, "key", value FROM tags WHERE run_uuid IN (${marks}) ORDER BY rowid`, (r) => ({ key: str(r.key), value: str(r.value) }));
  const inputs = byRun(
    `SELECT i.destination_id AS run_uuid, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile
       FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
      WHERE i.destination_type = 'RUN' AND i.source_type = 'DATASET' AND i.destination_id IN (${marks}) ORDER BY i.rowid`,
    (r): DatasetInput & { inputUuid: string } => ({
      inputUuid: str(r.input_uuid),
      name: str(r.name),
      digest: str(r.digest),
      sourceType: str(r.dataset_source_type),
      source: str(r.dataset_source),
      ...(r.dataset_schema === null ? {} : { schema: str(r.dataset_schema) }),
      ...(r.dataset_profile === null ? {} : { profile: str(r.dataset_profile) }),
    }),
  );
  const inputTags = new Map<string, Tag[]>();
  const allInputs = [...inputs.values()].flat();
  if (allInputs.length > 0) {
    const uuids = allInputs.map((i) => i.inputUuid);
    for (const t of db.all(`SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN (${uuids.map(() => '?').join(',')}) ORDER BY rowid`, uuids)) {
      const id = str(t.input_uuid);
      let list = inputTags.get(id);
      if (!list) inputTags.set(id, (list = []));
      list.push({ key: str(t.name), value: str(t.value) });
    }
  }
  return rows.map((r) => {
    const id = str(r.run_uuid);
    return {
      info: runInfoFromRow(r),
      data: { metrics: metrics.get(id) ?? [], params: params.get(id) ?? [], tags: tags.get(id) ?? [] },
      inputs: (inputs.get(id) ?? []).map(({ inputUuid, ...d }) => ({ ...d, tags: inputTags.get(inputUuid) ?? [] })),
    };
  });
}
