import { ModelOpsError } from '../../core/errors';
import type { AuditEntry, AuditInput, ModelVersion, ModelVersionStatus, RegisteredModel } from '../../core/registry';
import type { Stage } from '../../core/stages';
import { STAGE_DELETED_INTERNAL, isStage } from '../../core/stages';
import type { Tag } from '../../core/tracking';
import type { Row, SqlDatabase, SqlValue } from '../sql/sql-database';
import { num, str } from '../sql/sql-database';

/** Row helpers and entity mapping for the registry tables (MLflow's schema, read as MLflow writes it). */

export type { Row } from '../sql/sql-database';
export { str } from '../sql/sql-database';
export type Params = (string | number | null)[];

export function notFoundModel(name: string): ModelOpsError {
  return new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`, { location: name });
}

export function notFoundVersion(name: string, version: string): ModelOpsError {
  return new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=${version}) not found`, {
    location: `models:/${name}/${version}`,
  });
}

export function validateModelName(name: string): void {
  if (typeof name !== 'string' || name === '') {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Registered model name cannot be empty.', { location: 'name' });
  }
}

/** Versions are positive integers; MLflow accepts them as strings. */
export function validateVersion(version: string): number {
  const s = String(version).trim();
  if (!/^\d+$/.test(s)) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Model version must be an integer, got '${version}'`, { location: 'version' });
  }
  return Number(s);
}

/** MLflow's `_validate_model_alias_name`. */
export function validateAlias(alias: string): void {
  if (typeof alias !== 'string' || alias === '') {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Registered model alias name cannot be empty.', { location: 'alias' });
  }
  if (!/^[\w-]*$/.test(alias)) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
      { location: 'alias' },
    );
  }
  if (alias.length > 255) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Registered model alias name '${alias.slice(0, 20)}…' exceeds the maximum length of 255`, {
      location: 'alias',
    });
  }
  const lower = alias.toLowerCase();
  if (lower === 'latest' || /^v\d+$/.test(lower)) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `'${alias}' alias name (case insensitive) is reserved.`, { location: 'alias' });
  }
}

export function validateTagKey(key: string): void {
  if (typeof key !== 'string' || key === '') {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Tag name cannot be empty. A key name must be provided.', { location: 'key' });
  }
  if (key.length > 250) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Tag key '${key.slice(0, 50)}…' had length ${key.length}, which exceeded length limit of 250`, {
      location: 'key',
    });
  }
}

/** `limit`: what the store's column takes (model version tags are TEXT from MLflow 3.1). */
export function validateTag(tag: Tag, limit = 5000): void {
  validateTagKey(tag.key);
  if (tag.value !== undefined && tag.value !== null && String(tag.value).length > limit) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `Tag value for '${tag.key}' had length ${String(tag.value).length}, which exceeded length limit of ${limit}`,
      {
        location: tag.key,
      },
    );
  }
}

/** Stage as stored; MLflow itself only writes the canonical names (and its internal deleted marker). */
function stageOf(v: SqlValue): Stage {
  const s = str(v);
  return isStage(s) ? s : 'None';
}

export function modelVersionFromRow(db: SqlDatabase, r: Row): ModelVersion {
  const name = str(r.name);
  const version = num(r.version);
  const tags = db
    .all('SELECT "key", value FROM model_version_tags WHERE name = ? AND version = ?{ws} ORDER BY "key"', [name, version])
    .map((t) => ({ key: str(t.key), value: str(t.value) }));
  const aliases = db
    .all('SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ?{ws} ORDER BY alias', [name, version])
    .map((a) => str(a.alias));
  return {
    name,
    version: String(version),
    creationTimestamp: num(r.creation_time),
    lastUpdatedTimestamp: num(r.last_updated_time),
    currentStage: stageOf(r.current_stage),
    description: str(r.description),
    userId: str(r.user_id),
    source: str(r.source),
    runId: str(r.run_id),
    status: (str(r.status) || 'READY') as ModelVersionStatus,
    statusMessage: str(r.status_message),
    runLink: str(r.run_link),
    tags,
    aliases,
  };
}

export function getVersionRow(db: SqlDatabase, name: string, version: string): Row {
  validateModelName(name);
  const v = validateVersion(version);
  const rows = db.all('SELECT * FROM model_versions WHERE name = ? AND version = ? AND current_stage != ?{ws}', [name, v, STAGE_DELETED_INTERNAL]);
  if (rows.length === 0) throw notFoundVersion(name, String(version));
  return rows[0]!;
}

export function getModelRow(db: SqlDatabase, name: string): Row {
  validateModelName(name);
  const rows = db.all('SELECT * FROM registered_models WHERE name = ?{ws}', [name]);
  if (rows.length === 0) throw notFoundModel(name);
  return rows[0]!;
}

/** The highest version in each stage, in the order MLflow lists them (stages met in version order). */
export function latestVersions(db: SqlDatabase, name: string): ModelVersion[] {
  const rows = db.all('SELECT * FROM model_versions WHERE name = ? AND current_stage != ?{ws} ORDER BY version ASC', [name, STAGE_DELETED_INTERNAL]);
  const byStage = new Map<string, Row>();
  for (const r of rows) byStage.set(str(r.current_stage), r);
  const firstSeen = new Map<string, number>();
  rows.forEach((r, i) => {
    const s = str(r.current_stage);
    if (!firstSeen.has(s)) firstSeen.set(s, i);
  });
  return [...byStage.entries()].sort((a, b) => firstSeen.get(a[0])! - firstSeen.get(b[0])!).map(([, r]) => modelVersionFromRow(db, r));
}

export function registeredModelFromRow(db: SqlDatabase, r: Row): RegisteredModel {
  const name = str(r.name);
  return {
    name,
    creationTimestamp: num(r.creation_time),
    lastUpdatedTimestamp: num(r.last_updated_time),
    description: str(r.description),
    latestVersions: latestVersions(db, name),
    tags: db.all('SELECT "key", value FROM registered_model_tags WHERE name = ?{ws} ORDER BY "key"', [name]).map((t) => ({
      key: str(t.key),
      value: str(t.value),
    })),
    aliases: db.all('SELECT alias, version FROM registered_model_aliases WHERE name = ?{ws} ORDER BY alias', [name]).map((a) => ({
      alias: str(a.alias),
      version: String(num(a.version)),
    })),
  };
}

export function insertAudit(
  db: SqlDatabase,
  time: number,
  entry: { name: string; version: string | null; fromStage?: string | null; toStage?: string | null; alias?: string | null },
  audit: AuditInput,
  defaultAction: AuditEntry['action'],
): void {
  db.run(
    'INSERT INTO modelops_registry_audit (time, actor, action, name, version, from_stage, to_stage, alias, comment, report_id{own,}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?{own?})',
    [
      time,
      audit.actor || 'unknown',
      audit.action ?? defaultAction,
      entry.name,
      entry.version === null ? null : Number(entry.version),
      entry.fromStage ?? null,
      entry.toStage ?? null,
      entry.alias ?? null,
      audit.comment ?? null,
      audit.reportId ?? null,
    ],
  );
}

export function auditFromRow(r: Row): AuditEntry {
  const opt = (v: SqlValue): string | null => (v === null || v === undefined ? null : String(v));
  return {
    id: num(r.id),
    time: num(r.time),
    actor: str(r.actor),
    action: str(r.action) as AuditEntry['action'],
    name: str(r.name),
    version: opt(r.version),
    fromStage: opt(r.from_stage),
    toStage: opt(r.to_stage),
    alias: opt(r.alias),
    comment: opt(r.comment),
    reportId: opt(r.report_id),
  };
}
