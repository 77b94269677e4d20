import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { appendUriPath, isProxiedUri, localPathOf, proxiedPath } from '../../core/artifact-uri';
import { ModelOpsError } from '../../core/errors';
import { decodePageToken, encodePageToken } from '../../core/page-token';
import type {
  ArtifactInfo,
  DatasetInput,
  Experiment,
  LogBatch,
  Metric,
  Page,
  Run,
  RunInfo,
  RunStatus,
  SearchRunsQuery,
  Tag,
  ViewType,
} from '../../core/tracking';
import { TAG } from '../../core/tracking';
import { parseFilter, parseOrderBy } from '../search/filter-parser';
import type { TrackingStore } from '../tracking-store';
import {
  LIMITS,
  validateBatch,
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateLength,
  validateMaxResults,
  validateRunId,
  validateRunStatus,
  validateTag,
} from '../validation';
import { artifactDir, artifactPathIn, copyArtifact, listArtifactDir, relocated, safeRelative } from './artifacts';
import type { Row, SqlDatabase, SqlValue } from '../sql/sql-database';
import type { StoreFile } from '../sql/store-file';
import { ScopedSql } from './scope';
import { randomRunName } from './run-names';
import {
  EXPERIMENT_COLUMNS,
  RUN_COLUMNS,
  assertRunActive,
  experimentFromRow,
  getExperimentRow,
  getRunRow,
  metricFromRow,
  runInfoFromRow,
  runsFromRows,
  str,
} from './rows';
import { numericCondition, stringCondition } from '../search/filter-sql';
import { buildRunSearchSql, viewTypeCondition } from './search-sql';

/** DBL_MAX: MLflow stores ±Infinity as ±sys.float_info.max. */
const DBL_MAX = 1.7976931348623157e308;

function uuidHex(): string {
  return randomUUID().replace(/-/g, '');
}

function assertExperimentActive(r: Record<string, SqlValue>): void {
  if (str(r.lifecycle_stage) !== 'active') {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `The experiment ${str(r.experiment_id)} must be in the 'active' state. Current state is ${str(r.lifecycle_stage)}.`,
    );
  }
}

export interface SqliteTrackingOptions {
  /** New experiments go under this URI instead of the store's artifact folder (StoreFileOptions.artifactRootUri). */
  artifactRootUri?: string;
}

/** The TrackingStore on an MLflow SQLite store file (either engine). */
export class SqliteTrackingStore implements TrackingStore {
  constructor(
    readonly database: StoreFile,
    private readonly options: SqliteTrackingOptions = {},
  ) {}

  /** Where experiment `id` keeps its artifacts when the caller names no location. */
  private experimentLocation(id: string): string {
    const uri = this.options.artifactRootUri;
    return uri ? appendUriPath(uri, id) : join(this.database.artifactRoot, id);
  }

  /**
   * A run's artifact URI. Behind the artifact proxy, an experiment kept in the proxy's own folder (the Default
   * experiment of a workspace store, those `modelops train` made) gives its runs `mlflow-artifacts:` URIs too, so a
   * client on another machine writes them through the server rather than to its own disk.
   */
  private runArtifactUri(experimentLocation: string, runId: string): string {
    // An experiment made before the workspace moved or was cloned: new runs write under the folder the store is in now.
    let base = (relocated(experimentLocation, this.database.artifactRoot) ?? experimentLocation).replace(/\/+$/, '');
    if (this.options.artifactRootUri && isProxiedUri(this.options.artifactRootUri) && !isProxiedUri(base)) {
      const local = localPathOf(base);
      const rel = local === undefined ? undefined : relative(this.database.artifactRoot, resolve(local));
      if (rel !== undefined && !rel.startsWith('..') && !isAbsolute(rel))
        base = appendUriPath(this.options.artifactRootUri, rel.split('\\').join('/')).replace(/\/+$/, '');
    }
    return `${base}/${runId}/artifacts`;
  }

  /** The local folder of a run's artifacts; `mlflow-artifacts:` URIs name a path in the store's artifact folder. */
  private runArtifactDir(artifactUri: string, runId: string): string {
    if (isProxiedUri(artifactUri)) return join(this.database.artifactRoot, safeRelative(proxiedPath(artifactUri), 'artifact URI'));
    const dir = artifactDir(artifactUri, runId);
    // A moved or cloned workspace: this store's own copy of the folder, when it has one.
    const moved = relocated(dir, this.database.artifactRoot);
    return moved !== undefined && existsSync(moved) ? moved : dir;
  }

  /** Every statement confined to the store's workspace (scope.ts). */
  private readonly db = {
    read: <T>(fn: (db: SqlDatabase) => T): Promise<T> => this.database.read((raw) => fn(ScopedSql.of(raw, this.database))),
    write: <T>(fn: (db: SqlDatabase) => T): Promise<T> => this.database.write((raw) => fn(ScopedSql.of(raw, this.database))),
  };

  // ---- experiments ----------------------------------------------------------------------------

  async createExperiment(name: string, tags: Tag[] = [], artifactLocation?: string): Promise<string> {
    validateExperimentName(name);
    for (const t of tags) validateExperimentTag(t, this.database.schema.limits.experimentTagValue);
    return this.db.write((db) => {
      if (db.get('SELECT 1 FROM experiments WHERE name = ?{ws}', [name])) {
        throw new ModelOpsError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.`, { location: name });
      }
      const now = Date.now();
      const id = db.run(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time{ws,}) VALUES (?, '', 'active', ?, ?{ws?})",
        [name, now, now],
      ).lastInsertRowid;
      db.run('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?', [artifactLocation ?? this.experimentLocation(String(id)), id]);
      for (const t of tags) upsertExperimentTag(db, id, t);
      return String(id);
    });
  }

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.db.read((db) => experimentFromRow(db, getExperimentRow(db, experimentId)));
  }

  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.db.read((db) => {
      const r = db.get(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE name = ?{ws}`, [name]);
      return r ? experimentFromRow(db, r) : undefined;
    });
  }

  async searchExperiments(
    query: { viewType?: ViewType; filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } = {},
  ): Promise<Page<Experiment>> {
    const max = validateMaxResults(query.maxResults);
    const offset = decodePageToken(query.pageToken);
    const params: SqlValue[] = [];
    const where = [`${viewTypeCondition(query.viewType, 'e.lifecycle_stage')}{ws:e.workspace}`];
    const filter = query.filter ?? '';
    for (const c of parseFilter(filter)) {
      if (c.type === 'tag') {
        params.push(c.key);
        where.push(
          `e.experiment_id IN (SELECT experiment_id FROM experiment_tags WHERE "key" = ? AND ${stringCondition('value', c, filter, params, 'filter')})`,
        );
      } else if (c.type === 'attribute' && c.key === 'name') {
        where.push(stringCondition('e.name', c, filter, params, 'filter'));
      } else if (c.type === 'attribute' && (c.key === 'creation_time' || c.key === 'last_update_time')) {
        where.push(numericCondition(`e.${c.key}`, c, filter, params, 'filter'));
      } else {
        throw new ModelOpsError(
          'INVALID_PARAMETER_VALUE',
          `Invalid filter at column ${c.column}: experiments can be filtered by name, creation_time, last_update_time and tags.<key>, not '${c.type === 'attribute' ? c.key : `${c.type}s.${c.key}`}'`,
          { location: `filter:${c.column}` },
        );
      }
    }
    const order: string[] = [];
    let byId = false;
    for (const text of query.orderBy ?? []) {
      const o = parseOrderBy(text);
      if (o.type !== 'attribute' || !['name', 'experiment_id', 'creation_time', 'last_update_time'].includes(o.key)) {
        throw new ModelOpsError(
          'INVALID_PARAMETER_VALUE',
          `Invalid order_by '${text}': experiments sort by name, experiment_id, creation_time or last_update_time`,
          { location: 'order_by' },
        );
      }
      if (o.key === 'experiment_id') byId = true;
      order.push(`e.${o.key} ${o.ascending ? 'ASC' : 'DESC'}`);
    }
    if (order.length === 0) order.push('e.creation_time DESC');
    if (!byId) order.push('e.experiment_id ASC');
    return this.db.read((db) => {
      const rows = db.all(
        `SELECT ${EXPERIMENT_COLUMNS.split(', ')
          .map((c) => `e.${c}`)
          .join(', ')} FROM experiments e WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
        [...params, max + 1, offset],
      );
      const items = rows.slice(0, max).map((r) => experimentFromRow(db, r));
      return rows.length > max ? { items, nextPageToken: encodePageToken(offset + max) } : { items };
    });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName);
    await this.db.write((db) => {
      const r = getExperimentRow(db, experimentId);
      if (str(r.lifecycle_stage) !== 'active') throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Cannot rename a non-active experiment.');
      const clash = db.get('SELECT experiment_id FROM experiments WHERE name = ?{ws}', [newName]);
      if (clash && str(clash.experiment_id) !== experimentId) {
        throw new ModelOpsError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${newName}) already exists.`, { location: newName });
      }
      db.run('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?', [newName, Date.now(), Number(experimentId)]);
    });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.db.write((db) => {
      getExperimentRow(db, experimentId);
      const now = Date.now();
      db.run("UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE experiment_id = ?", [now, Number(experimentId)]);
      db.run("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = 'active'", [
        now,
        Number(experimentId),
      ]);
    });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.db.write((db) => {
      const r = getExperimentRow(db, experimentId);
      if (str(r.lifecycle_stage) !== 'deleted') {
        throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Cannot restore an active experiment. Experiment ${experimentId} is already active.`);
      }
      db.run("UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE experiment_id = ?", [Date.now(), Number(experimentId)]);
      db.run("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ? AND lifecycle_stage = 'deleted'", [Number(experimentId)]);
    });
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    validateExperimentTag(tag, this.database.schema.limits.experimentTagValue);
    await this.db.write((db) => {
      assertExperimentActive(getExperimentRow(db, experimentId));
      upsertExperimentTag(db, Number(experimentId), tag);
    });
  }

  // ---- runs -----------------------------------------------------------------------------------

  async createRun(options: { experimentId: string; runName?: string; userId?: string; startTime?: number; tags?: Tag[]; parentRunId?: string }): Promise<Run> {
    validateExperimentId(options.experimentId);
    const tags = [...(options.tags ?? [])];
    for (const t of tags) validateTag(t, this.database.schema.limits.runTagValue);
    const tagged = tags.find((t) => t.key === TAG.runName)?.value;
    if (options.runName !== undefined && tagged !== undefined && tagged !== options.runName) {
      throw new ModelOpsError(
        'INVALID_PARAMETER_VALUE',
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${options.runName}', mlflow.runName='${tagged}').`,
      );
    }
    const runName = options.runName ?? tagged ?? randomRunName();
    validateLength('Run name', 250, runName);
    if (tagged === undefined) tags.push({ key: TAG.runName, value: runName });
    if (options.parentRunId !== undefined) {
      validateRunId(options.parentRunId);
      const i = tags.findIndex((t) => t.key === TAG.parentRunId);
      if (i >= 0) tags.splice(i, 1);
      tags.push({ key: TAG.parentRunId, value: options.parentRunId });
    }
    const runId = uuidHex();
    const startTime = options.startTime ?? Date.now();
    await this.db.write((db) => {
      const exp = getExperimentRow(db, options.experimentId);
      assertExperimentActive(exp);
      if (options.parentRunId !== undefined) getRunRow(db, options.parentRunId);
      const artifactUri = this.runArtifactUri(str(exp.artifact_location), runId);
      db.run(
        `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
         VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)`,
        [runId, runName, options.userId ?? '', startTime, artifactUri, Number(options.experimentId)],
      );
      for (const t of tags) upsertTag(db, runId, t.key, t.value);
    });
    return this.getRun(runId);
  }

  getRun(runId: string): Promise<Run> {
    return this.db.read((db) => runsFromRows(db, [getRunRow(db, runId)])[0]!);
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    if (update.status !== undefined) validateRunStatus(update.status);
    if (update.runName !== undefined) validateTag({ key: TAG.runName, value: update.runName }, this.database.schema.limits.runTagValue);
    if (update.endTime !== undefined && (!Number.isInteger(update.endTime) || update.endTime < 0)) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid end time ${update.endTime}: must be milliseconds since the epoch`);
    }
    return this.db.write((db) => {
      const r = getRunRow(db, runId);
      assertRunActive(r);
      if (update.status !== undefined) db.run('UPDATE runs SET status = ? WHERE run_uuid = ?', [update.status, runId]);
      if (update.endTime !== undefined) db.run('UPDATE runs SET end_time = ? WHERE run_uuid = ?', [update.endTime, runId]);
      if (update.runName !== undefined) {
        db.run('UPDATE runs SET name = ? WHERE run_uuid = ?', [update.runName, runId]);
        upsertTag(db, runId, TAG.runName, update.runName);
      }
      return runInfoFromRow(getRunRow(db, runId));
    });
  }

  async deleteRun(runId: string): Promise<void> {
    await this.db.write((db) => {
      getRunRow(db, runId);
      db.run("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?", [Date.now(), runId]);
    });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.db.write((db) => {
      getRunRow(db, runId);
      db.run("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?", [runId]);
    });
  }

  logBatch(runId: string, batch: LogBatch): Promise<void> {
    return this.logBatchMany([{ runId, batch }]);
  }

  async logBatchMany(entries: { runId: string; batch: LogBatch }[]): Promise<void> {
    for (const e of entries) validateBatch(e.batch, this.database.schema.limits.runTagValue);
    if (entries.length === 0) return;
    await this.db.write((db) => applyBatches(db, entries));
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.db.write((db) => {
      assertRunActive(getRunRow(db, runId));
      if (!db.get('SELECT 1 FROM tags WHERE run_uuid = ? AND "key" = ?', [runId, key])) {
        throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `No tag with name: ${key} in run with id ${runId}`, { location: key });
      }
      db.run('DELETE FROM tags WHERE run_uuid = ? AND "key" = ?', [runId, key]);
    });
  }

  getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    return this.db.read((db) => {
      getRunRow(db, runId);
      return db
        .all('SELECT "key", value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND "key" = ? ORDER BY step, timestamp, rowid', [runId, key])
        .map(metricFromRow);
    });
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    for (const d of datasets) {
      validateLength('Dataset name', LIMITS.datasetNameLength, d.name);
      validateLength('Dataset digest', LIMITS.datasetDigestLength, d.digest);
      validateLength('Dataset source', LIMITS.datasetSourceLength, d.source);
      if (d.schema !== undefined) validateLength('Dataset schema', LIMITS.datasetSchemaLength, d.schema);
      if (d.profile !== undefined) validateLength('Dataset profile', LIMITS.datasetProfileLength, d.profile);
      for (const t of d.tags ?? []) {
        validateLength('Input tag key', LIMITS.inputTagKeyLength, t.key);
        validateLength('Input tag value', LIMITS.inputTagValueLength, t.value);
      }
      if (!d.name || !d.digest || !d.sourceType) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'A dataset needs a name, a digest and a source type');
    }
    await this.db.write((db) => {
      const run = getRunRow(db, runId);
      assertRunActive(run);
      const experimentId = Number(run.experiment_id);
      for (const d of datasets) {
        const existing = db.get('SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?', [experimentId, d.name, d.digest]);
        let datasetUuid: string;
        if (existing) {
          datasetUuid = str(existing.dataset_uuid);
        } else {
          datasetUuid = uuidHex();
          db.run(
            'INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            [datasetUuid, experimentId, d.name, d.digest, d.sourceType, d.source, d.schema ?? null, d.profile ?? null],
          );
        }
        const input = db.get(
          "SELECT input_uuid FROM inputs WHERE source_type = 'DATASET' AND source_id = ? AND destination_type = 'RUN' AND destination_id = ?",
          [datasetUuid, runId],
        );
        if (input) continue;
        const inputUuid = uuidHex();
        db.run("INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id) VALUES (?, 'DATASET', ?, 'RUN', ?)", [
          inputUuid,
          datasetUuid,
          runId,
        ]);
        for (const t of new Map((d.tags ?? []).map((x) => [x.key, x.value])))
          db.run('INSERT INTO input_tags (input_uuid, name, value) VALUES (?, ?, ?)', [inputUuid, t[0], t[1]]);
      }
    });
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return this.searchPage(query, RUN_COLUMNS, (db, rows) => runsFromRows(db, rows));
  }

  async searchRunIds(query: SearchRunsQuery): Promise<Page<string>> {
    return this.searchPage(query, 'run_uuid', (_db, rows) => rows.map((r) => str(r.run_uuid)));
  }

  private async searchPage<T>(query: SearchRunsQuery, columns: string, map: (db: SqlDatabase, rows: Row[]) => T[]): Promise<Page<T>> {
    const max = validateMaxResults(query.maxResults);
    const offset = decodePageToken(query.pageToken);
    const ids = query.experimentIds.map((id) => {
      validateExperimentId(id);
      return Number(id);
    });
    const { sql, params } = buildRunSearchSql(columns, ids, query.filter, query.runViewType, query.orderBy, max + 1, offset);
    return this.db.read((db) => {
      const rows = db.all(sql, params);
      const items = map(db, rows.slice(0, max));
      return rows.length > max ? { items, nextPageToken: encodePageToken(offset + max) } : { items };
    });
  }

  async metricRanges(experimentId: string, key: string): Promise<Map<string, { min: number; max: number }>> {
    validateExperimentId(experimentId);
    return this.db.read((db) => {
      const rows = db.all(
        `SELECT m.run_uuid AS id, MIN(m.value) AS lo, MAX(m.value) AS hi FROM metrics m JOIN runs r ON r.run_uuid = m.run_uuid
          WHERE m."key" = ? AND m.is_nan = 0 AND r.experiment_id = ? AND r.lifecycle_stage = 'active' GROUP BY m.run_uuid`,
        [key, Number(experimentId)],
      );
      return new Map(rows.map((r) => [str(r.id), { min: Number(r.lo), max: Number(r.hi) }]));
    });
  }

  // ---- artifacts ------------------------------------------------------------------------------

  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    const info = (await this.getRun(runId)).info;
    if (info.lifecycleStage !== 'active') assertRunActive({ run_uuid: runId, lifecycle_stage: info.lifecycleStage });
    copyArtifact(this.runArtifactDir(info.artifactUri, runId), localPath, artifactPath);
  }

  async listArtifacts(runId: string, path?: string): Promise<ArtifactInfo[]> {
    const info = (await this.getRun(runId)).info;
    return listArtifactDir(this.runArtifactDir(info.artifactUri, runId), path);
  }

  async artifactLocalPath(runId: string, path: string): Promise<string> {
    const info = (await this.getRun(runId)).info;
    return artifactPathIn(this.runArtifactDir(info.artifactUri, runId), path);
  }

  onDidChange(listener: () => void): () => void {
    return this.database.onDidChange(listener);
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}

/** Update, else insert: no ON CONFLICT, whose key would have to be the schema's key of the day. */
function upsertTag(db: SqlDatabase, runId: string, key: string, value: string): void {
  if (db.run('UPDATE tags SET value = ? WHERE "key" = ? AND run_uuid = ?', [value, key, runId]).changes === 0) {
    db.run('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)', [key, value, runId]);
  }
}

function upsertExperimentTag(db: SqlDatabase, experimentId: number, tag: Tag): void {
  if (db.run('UPDATE experiment_tags SET value = ? WHERE "key" = ? AND experiment_id = ?', [tag.value, tag.key, experimentId]).changes === 0) {
    db.run('INSERT INTO experiment_tags ("key", value, experiment_id) VALUES (?, ?, ?)', [tag.key, tag.value, experimentId]);
  }
}

function newer(a: { step: number; timestamp: number; value: number }, b: { step: number; timestamp: number; value: number }): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

const METRIC_ROWS_PER_INSERT = 100;
const INSERT_METRICS = `INSERT OR IGNORE INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES ${Array.from(
  { length: METRIC_ROWS_PER_INSERT },
  (_, i) => `(?${2 + 5 * i}, ?${3 + 5 * i}, ?${4 + 5 * i}, ?1, ?${5 + 5 * i}, ?${6 + 5 * i})`,
).join(', ')}`;
const INSERT_METRIC = 'INSERT OR IGNORE INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)';

/** The body of log-batch, for many requests in one transaction (MLflow's sqlalchemy log_batch). */
function applyBatches(db: SqlDatabase, entries: { runId: string; batch: LogBatch }[]): void {
  const checked = new Set<string>();
  type Latest = { runId: string; key: string; step: number; timestamp: number; value: number; isNan: number };
  const latest = new Map<string, Map<string, Latest>>();
  // Rows of one run go in 100 at a time with the run id bound once (?1): binding a string costs
  // sql.js a JS→wasm copy (node:sqlite a conversion), and the run id is the longest value of the row.
  const metricRows: SqlValue[] = new Array<SqlValue>(1 + 5 * METRIC_ROWS_PER_INSERT);
  let pending = 0;
  const flushPartial = (): void => {
    for (let i = 0; i < pending; i++) {
      const o = 1 + 5 * i;
      db.run(INSERT_METRIC, [metricRows[o]!, metricRows[o + 1]!, metricRows[o + 2]!, metricRows[0]!, metricRows[o + 3]!, metricRows[o + 4]!]);
    }
    pending = 0;
  };
  for (const { runId, batch } of entries) {
    if (!checked.has(runId)) {
      assertRunActive(getRunRow(db, runId));
      checked.add(runId);
    }
    insertParams(db, runId, batch.params ?? []);
    for (const t of batch.tags ?? []) {
      upsertTag(db, runId, t.key, t.value);
      if (t.key === TAG.runName) db.run('UPDATE runs SET name = ? WHERE run_uuid = ?', [t.value, runId]);
    }
    const metrics = batch.metrics ?? [];
    if (metrics.length === 0) continue;
    let latestOfRun = latest.get(runId);
    if (!latestOfRun) latest.set(runId, (latestOfRun = new Map()));
    if (metricRows[0] !== runId) {
      flushPartial();
      metricRows[0] = runId;
    }
    for (const m of metrics) {
      const raw = m.value;
      const isNan = Number.isNaN(raw) ? 1 : 0;
      const value = isNan ? 0 : raw === Infinity ? DBL_MAX : raw === -Infinity ? -DBL_MAX : raw;
      const o = 1 + 5 * pending;
      metricRows[o] = m.key;
      metricRows[o + 1] = value;
      metricRows[o + 2] = m.timestamp;
      metricRows[o + 3] = m.step;
      metricRows[o + 4] = isNan;
      if (++pending === METRIC_ROWS_PER_INSERT) {
        db.run(INSERT_METRICS, metricRows);
        pending = 0;
      }
      const cur = latestOfRun.get(m.key);
      if (!cur) latestOfRun.set(m.key, { runId, key: m.key, step: m.step, timestamp: m.timestamp, value, isNan });
      else if (newer({ step: m.step, timestamp: m.timestamp, value }, cur)) {
        cur.step = m.step;
        cur.timestamp = m.timestamp;
        cur.value = value;
        cur.isNan = isNan;
      }
    }
  }
  flushPartial();
  writeLatest(
    db,
    [...latest.values()].flatMap((m) => [...m.values()]),
  );
}

/** MLflow's rule: a param is logged once; the same value again is fine, another value is refused. */
function insertParams(db: SqlDatabase, runId: string, params: readonly { key: string; value: string }[]): void {
  const conflicts: string[] = [];
  for (const p of params) {
    const old = db.get('SELECT value FROM params WHERE "key" = ? AND run_uuid = ?', [p.key, runId]);
    if (!old) db.run('INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?)', [p.key, p.value, runId]);
    else if (str(old.value) !== p.value) conflicts.push(`{'key': '${p.key}', 'old_value': '${str(old.value)}', 'new_value': '${p.value}'}`);
  }
  if (conflicts.length > 0) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `Changing param values is not allowed. Params were already logged='[${conflicts.join(', ')}]' for run ID='${runId}'.`,
      { location: `run ${runId}` },
    );
  }
}

/** Each (run, key)'s newest point of the batch into latest_metrics, when newer than the stored one. */
function writeLatest(db: SqlDatabase, points: readonly { runId: string; key: string; step: number; timestamp: number; value: number; isNan: number }[]): void {
  for (const c of points) {
    const cur = db.get('SELECT step, timestamp, value FROM latest_metrics WHERE "key" = ? AND run_uuid = ?', [c.key, c.runId]);
    if (!cur)
      db.run('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)', [
        c.key,
        c.value,
        c.timestamp,
        c.step,
        c.isNan,
        c.runId,
      ]);
    else if (newer(c, { step: Number(cur.step), timestamp: Number(cur.timestamp), value: Number(cur.value) })) {
      db.run('UPDATE latest_metrics SET value = ?, timestamp = ?, step = ?, is_nan = ? WHERE "key" = ? AND run_uuid = ?', [
        c.value,
        c.timestamp,
        c.step,
        c.isNan,
        c.key,
        c.runId,
      ]);
    }
  }
}
