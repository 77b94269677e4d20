import { isAbsolute, relative, resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import { encodePageToken } from '../../core/page-token';
import type { AuditEntry, AuditInput, ModelVersion, RegisteredModel } from '../../core/registry';
import type { Stage } from '../../core/stages';
import { STAGES, STAGE_DELETED_INTERNAL, canonicalStage, transitionTarget } from '../../core/stages';
import type { Page, Tag } from '../../core/tracking';
import type { ValidationReport } from '../../registry/report';
import { VALIDATION_REPORT } from '../../registry/report';
import { parseStored } from '../../shared/validate';
import type { CreateVersionOptions, DeleteAudit, RegistryHistory, RegistryStore, SearchQuery, TransitionAudit, ValidationOutcome } from '../registry-store';
import type { SqlDatabase } from '../sql/sql-database';
import type { StoreFile } from '../sql/store-file';
import { ORPHAN_TAG, OWNER_TAG, VALIDATION_TAG } from '../run-owner';
import { ScopedSql } from './scope';

/** The tags a running validation puts on its version (pipeline/validate.ts). */
const VALIDATION_MARKS = [VALIDATION_TAG, ORPHAN_TAG, OWNER_TAG.pid, OWNER_TAG.host, OWNER_TAG.started];
import type { Row } from './registry-rows';
import {
  auditFromRow,
  getModelRow,
  getVersionRow,
  insertAudit,
  latestVersions,
  modelVersionFromRow,
  registeredModelFromRow,
  str,
  validateAlias,
  validateModelName,
  validateTag,
  validateTagKey,
  validateVersion,
} from './registry-rows';
import { searchModelVersionsSql, searchRegisteredModelsSql } from './registry-search';

/**
 * The registry on MLflow's own tables, with MLflow's semantics (mlflow/store/model_registry/
 * sqlalchemy_store.py): version numbers never reused (deleted versions stay as `Deleted_Internal`),
 * `archive_existing_versions` for Staging/Production, one version per alias, MLflow's messages.
 * Every call is one StoreFile transaction; audit rows are written inside it.
 */
export class SqliteRegistryStore implements RegistryStore {
  constructor(
    private readonly file: StoreFile,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every statement confined to the store's workspace (scope.ts). */
  private readonly db = {
    read: <T>(fn: (db: SqlDatabase) => T): Promise<T> => this.file.read((raw) => fn(ScopedSql.of(raw, this.file))),
    write: <T>(fn: (db: SqlDatabase) => T): Promise<T> => this.file.write((raw) => fn(ScopedSql.of(raw, this.file))),
  };

  // ---- registered models ---------------------------------------------------------------------

  async createRegisteredModel(name: string, options: { tags?: Tag[]; description?: string } = {}): Promise<RegisteredModel> {
    validateModelName(name);
    for (const t of options.tags ?? []) validateTag(t, this.file.schema.limits.registeredModelTagValue);
    return this.db.write((db) => {
      if (db.get('SELECT 1 FROM registered_models WHERE name = ?{ws}', [name])) {
        throw new ModelOpsError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`, { location: name });
      }
      const t = this.now();
      db.run('INSERT INTO registered_models (name, creation_time, last_updated_time, description{ws,}) VALUES (?, ?, ?, ?{ws?})', [
        name,
        t,
        t,
        options.description ?? null,
      ]);
      const tags = new Map((options.tags ?? []).map((x) => [x.key, x.value]));
      for (const [k, v] of tags) db.run('INSERT INTO registered_model_tags ("key", value, name{ws,}) VALUES (?, ?, ?{ws?})', [k, v, name]);
      return registeredModelFromRow(db, getModelRow(db, name));
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.db.read((db) => registeredModelFromRow(db, getModelRow(db, name)));
  }

  async renameRegisteredModel(name: string, newName: string, audit?: AuditInput): Promise<RegisteredModel> {
    validateModelName(newName);
    return this.db.write((db) => {
      getModelRow(db, name);
      if (name !== newName && db.get('SELECT 1 FROM registered_models WHERE name = ?{ws}', [newName])) {
        throw new ModelOpsError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${newName}) already exists.`, { location: newName });
      }
      const t = this.now();
      // MLflow's foreign keys carry the new name to versions, tags and aliases (ON UPDATE CASCADE);
      // the updates below are for files whose keys lack it.
      db.run('UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?{ws}', [newName, t, name]);
      db.run('UPDATE model_versions SET name = ?, last_updated_time = ? WHERE name = ?{ws}', [newName, t, name]);
      for (const table of ['registered_model_tags', 'model_version_tags', 'registered_model_aliases']) {
        db.run(`UPDATE ${table} SET name = ? WHERE name = ?{ws}`, [newName, name]);
      }
      // The trail follows the model: history under the new name includes what happened before.
      db.run('UPDATE modelops_registry_audit SET name = ? WHERE name = ?{own}', [newName, name]);
      db.run('UPDATE modelops_registry_validation_reports SET name = ? WHERE name = ?{own}', [newName, name]);
      if (audit) insertAudit(db, t, { name: newName, version: null }, { ...audit, comment: audit.comment ?? `renamed from ${name}` }, 'rename');
      return registeredModelFromRow(db, getModelRow(db, newName));
    });
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.db.write((db) => {
      getModelRow(db, name);
      db.run('UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?{ws}', [description, this.now(), name]);
      return registeredModelFromRow(db, getModelRow(db, name));
    });
  }

  async deleteRegisteredModel(name: string, audit?: DeleteAudit): Promise<void> {
    return this.db.write((db) => {
      getModelRow(db, name);
      if (audit?.keepProduction) {
        const prod = db
          .all("SELECT version FROM model_versions WHERE name = ?{ws} AND current_stage = 'Production' ORDER BY version", [name])
          .map((r) => str(r.version));
        if (prod.length > 0) throw productionRefusal(name, prod);
      }
      if (audit) insertAudit(db, this.now(), { name, version: null }, { ...audit, comment: audit.comment ?? 'registered model deleted' }, 'delete');
      for (const table of ['model_version_tags', 'registered_model_aliases', 'model_versions', 'registered_model_tags', 'registered_models']) {
        db.run(`DELETE FROM ${table} WHERE name = ?{ws}`, [name]);
      }
    });
  }

  async searchRegisteredModels(q: SearchQuery = {}): Promise<Page<RegisteredModel>> {
    return this.db.read((db) => {
      const { sql, params, maxResults, offset } = searchRegisteredModelsSql(q);
      const rows = db.all(sql, params);
      return this.page(rows, maxResults, offset, (r) => registeredModelFromRow(db, r));
    });
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    validateTag(tag, this.file.schema.limits.registeredModelTagValue);
    return this.db.write((db) => {
      getModelRow(db, name);
      db.run('DELETE FROM registered_model_tags WHERE name = ? AND "key" = ?{ws}', [name, tag.key]);
      db.run('INSERT INTO registered_model_tags ("key", value, name{ws,}) VALUES (?, ?, ?{ws?})', [tag.key, tag.value, name]);
    });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateTagKey(key);
    return this.db.write((db) => {
      getModelRow(db, name);
      db.run('DELETE FROM registered_model_tags WHERE name = ? AND "key" = ?{ws}', [name, key]);
    });
  }

  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    const wanted = new Set<string>(stages && stages.length > 0 ? stages.map(canonicalStage) : STAGES);
    return this.db.read((db) => {
      getModelRow(db, name);
      return latestVersions(db, name).filter((v) => wanted.has(v.currentStage));
    });
  }

  // ---- model versions ------------------------------------------------------------------------

  async createModelVersion(o: CreateVersionOptions): Promise<ModelVersion> {
    validateModelName(o.name);
    for (const t of o.tags ?? []) validateTag(t, this.file.schema.limits.modelVersionTagValue);
    return this.db.write((db) => {
      getModelRow(db, o.name);
      checkSource(db, o.source, o.runId);
      const storage = storageLocation(db, o.source);
      const t = this.now();
      const max = db.get('SELECT MAX(version) AS v FROM model_versions WHERE name = ?{ws}', [o.name])?.v;
      const version = (max === null || max === undefined ? 0 : Number(max)) + 1;
      db.run(
        `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location{ws,})
         VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, 'READY', NULL, ?, ?{ws?})`,
        [o.name, version, t, t, o.description ?? null, o.audit?.actor ?? null, o.source, o.runId ?? null, o.runLink ?? null, storage],
      );
      db.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?{ws}', [t, o.name]);
      const tags = new Map((o.tags ?? []).map((x) => [x.key, x.value]));
      for (const [k, v] of tags) db.run('INSERT INTO model_version_tags ("key", value, name, version{ws,}) VALUES (?, ?, ?, ?{ws?})', [k, v, o.name, version]);
      if (o.audit) insertAudit(db, t, { name: o.name, version: String(version), fromStage: null, toStage: 'None' }, o.audit, 'register');
      return modelVersionFromRow(db, getVersionRow(db, o.name, String(version)));
    });
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.db.read((db) => modelVersionFromRow(db, getVersionRow(db, name, version)));
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return this.db.write((db) => {
      getVersionRow(db, name, version);
      db.run('UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?{ws}', [
        description,
        this.now(),
        name,
        Number(version),
      ]);
      return modelVersionFromRow(db, getVersionRow(db, name, version));
    });
  }

  /** MLflow keeps the row (so the number is never reused), redacted, and drops aliases to it. */
  async deleteModelVersion(name: string, version: string, audit?: DeleteAudit): Promise<void> {
    return this.db.write((db) => {
      const stage = str(getVersionRow(db, name, version).current_stage);
      if (audit?.keepProduction && stage === 'Production') throw productionRefusal(name, [String(Number(version))]);
      const t = this.now();
      if (audit) insertAudit(db, t, { name, version: String(Number(version)), fromStage: stage, toStage: null }, audit, 'delete');
      db.run(
        `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL,
           source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', status_message = NULL
         WHERE name = ? AND version = ?{ws}`,
        [STAGE_DELETED_INTERNAL, t, name, Number(version)],
      );
      db.run('DELETE FROM registered_model_aliases WHERE name = ? AND version = ?{ws}', [name, Number(version)]);
      db.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?{ws}', [t, name]);
    });
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return this.db.read((db) => {
      const row = getVersionRow(db, name, version);
      return str(row.storage_location) || str(row.source);
    });
  }

  async searchModelVersions(q: SearchQuery = {}): Promise<Page<ModelVersion>> {
    return this.db.read((db) => {
      const { sql, params, maxResults, offset } = searchModelVersionsSql(q);
      const rows = db.all(sql, params);
      return this.page(rows, maxResults, offset, (r) => modelVersionFromRow(db, r));
    });
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    validateTag(tag, this.file.schema.limits.modelVersionTagValue);
    return this.db.write((db) => {
      getVersionRow(db, name, version);
      db.run('DELETE FROM model_version_tags WHERE name = ? AND version = ? AND "key" = ?{ws}', [name, Number(version), tag.key]);
      db.run('INSERT INTO model_version_tags ("key", value, name, version{ws,}) VALUES (?, ?, ?, ?{ws?})', [tag.key, tag.value, name, Number(version)]);
    });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    validateTagKey(key);
    return this.db.write((db) => {
      getVersionRow(db, name, version);
      db.run('DELETE FROM model_version_tags WHERE name = ? AND version = ? AND "key" = ?{ws}', [name, Number(version), key]);
    });
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
    audit?: TransitionAudit,
  ): Promise<ModelVersion> {
    const target = transitionTarget(stage, archiveExistingVersions);
    return this.db.write((db) => transitionIn(db, this.now(), name, version, target, archiveExistingVersions, audit));
  }

  // ---- aliases -------------------------------------------------------------------------------

  async setRegisteredModelAlias(name: string, alias: string, version: string, audit?: AuditInput): Promise<void> {
    validateAlias(alias);
    return this.db.write((db) => {
      getModelRow(db, name);
      getVersionRow(db, name, version);
      const before = db.get('SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?{ws}', [name, alias]);
      db.run('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?{ws}', [name, alias]);
      db.run('INSERT INTO registered_model_aliases (alias, version, name{ws,}) VALUES (?, ?, ?{ws?})', [alias, Number(version), name]);
      if (audit) {
        const from = before ? `v${str(before.version)}` : null;
        insertAudit(db, this.now(), { name, version: String(Number(version)), alias, fromStage: from, toStage: `v${Number(version)}` }, audit, 'alias_set');
      }
    });
  }

  async deleteRegisteredModelAlias(name: string, alias: string, audit?: AuditInput): Promise<void> {
    validateAlias(alias);
    return this.db.write((db) => {
      getModelRow(db, name);
      const before = db.get('SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?{ws}', [name, alias]);
      db.run('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?{ws}', [name, alias]);
      if (audit && before) {
        insertAudit(db, this.now(), { name, version: str(before.version), alias, fromStage: `v${str(before.version)}`, toStage: null }, audit, 'alias_delete');
      }
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateAlias(alias);
    return this.db.read((db) => {
      getModelRow(db, name);
      const row = db.get('SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?{ws}', [name, alias]);
      if (!row) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Registered model alias ${alias} not found.`, { location: `models:/${name}@${alias}` });
      return modelVersionFromRow(db, getVersionRow(db, name, str(row.version)));
    });
  }

  // ---- audit trail and validation reports ---------------------------------------------------

  async getAuditTrail(name: string, version?: string): Promise<AuditEntry[]> {
    return this.db.read((db) => {
      const rows =
        version === undefined
          ? db.all('SELECT * FROM modelops_registry_audit WHERE name = ?{own} ORDER BY id', [name])
          : db.all('SELECT * FROM modelops_registry_audit WHERE name = ? AND version = ?{own} ORDER BY id', [name, validateVersion(version)]);
      return rows.map(auditFromRow);
    });
  }

  async recordAudit(name: string, version: string | null, audit: AuditInput): Promise<AuditEntry> {
    return this.db.write((db) => {
      let stage: string | null = null;
      if (version !== null) stage = str(getVersionRow(db, name, version).current_stage);
      else getModelRow(db, name);
      insertAudit(db, this.now(), { name, version, fromStage: stage, toStage: stage }, audit, 'transition');
      return auditFromRow(db.get('SELECT * FROM modelops_registry_audit WHERE id = last_insert_rowid()')!);
    });
  }

  async recordValidation(outcome: ValidationOutcome, audit: AuditInput): Promise<ModelVersion> {
    const { report, toStage } = outcome;
    return this.db.write((db) => {
      const row = getVersionRow(db, report.name, report.version);
      const current = str(row.current_stage);
      if (current !== report.fromStage) {
        throw new ModelOpsError(
          'INVALID_STATE',
          `version ${report.version} of '${report.name}' moved from ${report.fromStage} to ${current} while it was being validated; validate it again`,
          { location: `models:/${report.name}/${report.version}` },
        );
      }
      const t = this.now();
      db.run(
        'INSERT INTO modelops_registry_validation_reports (report_id, name, version, created_time, passed, report{own,}) VALUES (?, ?, ?, ?, ?, ?{own?})',
        [report.reportId, report.name, Number(report.version), report.createdAt, report.passed ? 1 : 0, JSON.stringify(report)],
      );
      // The validation is over: its in-flight marks (run-owner.ts) go with the report, in this transaction.
      db.run(`DELETE FROM model_version_tags WHERE name = ? AND version = ? AND "key" IN (${VALIDATION_MARKS.map(() => '?').join(', ')}){ws}`, [
        report.name,
        Number(report.version),
        ...VALIDATION_MARKS,
      ]);
      const withReport: AuditInput = { ...audit, reportId: report.reportId };
      if (toStage !== current) {
        transitionIn(db, t, report.name, report.version, toStage, false, { ...withReport, action: audit.action ?? 'validate' });
      } else {
        insertAudit(db, t, { name: report.name, version: report.version, fromStage: current, toStage: current }, withReport, 'validate');
      }
      return modelVersionFromRow(db, getVersionRow(db, report.name, report.version));
    });
  }

  async getValidationReport(reportId: string): Promise<ValidationReport> {
    return this.db.read((db) => {
      const row = db.get('SELECT report FROM modelops_registry_validation_reports WHERE report_id = ?{own}', [reportId]);
      if (!row) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `Validation report ${reportId} not found`, { location: reportId });
      return parseStored(VALIDATION_REPORT, str(row.report), `validation report ${reportId}`);
    });
  }

  async listValidationReports(name: string, version: string): Promise<ValidationReport[]> {
    return this.db.read((db) =>
      db
        .all('SELECT report FROM modelops_registry_validation_reports WHERE name = ? AND version = ?{own} ORDER BY created_time DESC, rowid DESC', [
          name,
          validateVersion(version),
        ])
        .map((r) => parseStored(VALIDATION_REPORT, str(r.report), `a validation report of ${name} version ${version}`)),
    );
  }

  /** `modelops sync`: history made elsewhere, with its own times and actors; what is already here is skipped. */
  async importHistory(name: string, history: RegistryHistory): Promise<{ audit: number; reports: number }> {
    return this.db.write((db) => {
      let reports = 0;
      for (const r of history.reports) {
        if (db.get('SELECT 1 FROM modelops_registry_validation_reports WHERE report_id = ?{own}', [r.reportId])) continue;
        db.run(
          'INSERT INTO modelops_registry_validation_reports (report_id, name, version, created_time, passed, report{own,}) VALUES (?, ?, ?, ?, ?, ?{own?})',
          [r.reportId, name, Number(r.version), r.createdAt, r.passed ? 1 : 0, JSON.stringify({ ...r, name })],
        );
        reports++;
      }
      const identity = (e: Omit<AuditEntry, 'id' | 'name'>): string =>
        JSON.stringify([e.time, e.actor, e.action, e.version, e.fromStage, e.toStage, e.alias, e.comment, e.reportId]);
      const have = new Set(db.all('SELECT * FROM modelops_registry_audit WHERE name = ?{own}', [name]).map((row) => identity(auditFromRow(row))));
      let audit = 0;
      for (const e of history.audit) {
        const id = identity(e);
        if (have.has(id)) continue;
        have.add(id);
        insertAudit(
          db,
          e.time,
          { name, version: e.version, fromStage: e.fromStage, toStage: e.toStage, alias: e.alias },
          { actor: e.actor, action: e.action, ...(e.comment !== null ? { comment: e.comment } : {}), ...(e.reportId !== null ? { reportId: e.reportId } : {}) },
          e.action,
        );
        audit++;
      }
      return { audit, reports };
    });
  }

  private page<T>(rows: Row[], maxResults: number, offset: number, map: (r: Row) => T): Page<T> {
    const items = rows.slice(0, maxResults).map(map);
    return rows.length > maxResults ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
  }
}

function productionRefusal(name: string, versions: string[]): ModelOpsError {
  const which = versions.length === 1 ? `version ${versions[0]} of '${name}' is` : `versions ${versions.join(', ')} of '${name}' are`;
  return new ModelOpsError(
    'INVALID_STATE',
    `${which} in Production and cannot be deleted: archive ${versions.length === 1 ? 'it' : 'them'} first (modelops archive --name ${name} --version ${versions[0]})`,
    { location: `models:/${name}/${versions[0]}` },
  );
}

/** The stage change itself, inside a transaction; archived versions get their own audit rows. */
function transitionIn(
  db: SqlDatabase,
  t: number,
  name: string,
  version: string,
  target: Stage,
  archiveExisting: boolean,
  audit: TransitionAudit | undefined,
): ModelVersion {
  const row = getVersionRow(db, name, version);
  const v = Number(row.version);
  const from = str(row.current_stage);
  if (audit?.expectStage !== undefined && from !== audit.expectStage) {
    throw new ModelOpsError('INVALID_STATE', `version ${v} of '${name}' is now in ${from}, not ${audit.expectStage}; look again before changing it`, {
      location: `models:/${name}/${v}`,
    });
  }
  if (archiveExisting) {
    const others = db.all('SELECT version FROM model_versions WHERE name = ? AND version != ? AND current_stage = ?{ws}', [name, v, target]);
    for (const o of others) {
      db.run("UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE name = ? AND version = ?{ws}", [t, name, Number(o.version)]);
      if (audit) {
        insertAudit(
          db,
          t,
          { name, version: str(o.version), fromStage: target, toStage: 'Archived' },
          { actor: audit.actor, action: 'archive', comment: `replaced by version ${v}`, ...(audit.reportId ? { reportId: audit.reportId } : {}) },
          'archive',
        );
      }
    }
  }
  db.run('UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?{ws}', [target, t, name, v]);
  db.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?{ws}', [t, name]);
  if (audit) insertAudit(db, t, { name, version: String(v), fromStage: from, toStage: target }, audit, 'transition');
  return modelVersionFromRow(db, getVersionRow(db, name, String(v)));
}

/** MLflow: a `models:/<name>/<version>` source (a copied version) is stored where that version's files are. */
function storageLocation(db: SqlDatabase, source: string): string {
  const m = /^models:\/+([^/]+)\/(\d+)\/*$/i.exec(source);
  if (!/^models:/i.test(source)) return source;
  if (!m)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Unable to fetch model from model URI source artifact location '${source}'.`, { location: 'source' });
  const row = getVersionRow(db, m[1]!, m[2]!);
  return str(row.storage_location) || str(row.source);
}

/** MLflow refuses a local-path source unless it lies inside the artifact folder of the given run. */
function checkSource(db: SqlDatabase, source: string, runId: string | undefined): void {
  if (typeof source !== 'string' || source === '') {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'source'.", { location: 'source' });
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(source)?.[1]?.toLowerCase();
  const local = scheme === undefined || scheme === 'file' || /^[a-zA-Z]:[\\/]/.test(source);
  if (!local) return;
  const refuse = (): never => {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
      { location: 'source' },
    );
  };
  if (!runId) refuse();
  const run = db.get('SELECT artifact_uri FROM runs WHERE run_uuid = ?', [runId!]);
  if (!run) refuse();
  const root = str(run!.artifact_uri).replace(/^file:\/\//, '');
  const path = resolve(source.replace(/^file:\/\//, ''));
  const rel = relative(resolve(root), path);
  if (rel.startsWith('..') || isAbsolute(rel)) refuse();
}
