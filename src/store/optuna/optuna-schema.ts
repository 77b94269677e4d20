import { ModelOpsError } from '../../core/errors';
import type { SqlDatabase } from '../sql/sql-database';

/**
 * Which Optuna RDB schemas the reader knows: schema_version 12 (Optuna 2.4 to 3.x) at these
 * alembic revisions. Before v3.0.0.a the distributions have Optuna 2's class names; before
 * v3.0.0.c / v3.0.0.d there is no value-type column (±inf could not be stored); v3.2.0.a only adds
 * an index. A revision not listed may have moved a column, so it is refused rather than guessed at.
 */
export const KNOWN_REVISIONS: readonly string[] = ['v2.4.0.a', 'v2.6.0.a', 'v3.0.0.a', 'v3.0.0.b', 'v3.0.0.c', 'v3.0.0.d', 'v3.2.0.a'];
const SCHEMA_VERSION = 12;
const TABLES = ['studies', 'study_directions', 'trials', 'trial_params', 'trial_values', 'trial_intermediate_values', 'version_info', 'alembic_version'];

export interface OptunaSchema {
  revision: string;
  /** The Optuna that created the file (version_info.library_version). */
  libraryVersion: string;
  /** trial_values.value_type exists (±inf values). */
  valueType: boolean;
  /** trial_intermediate_values.intermediate_value_type exists (±inf and NaN). */
  intermediateType: boolean;
  /** study_user_attributes exists. */
  studyUserAttributes: boolean;
  /** trial_system_attributes exists (where Optuna 2 kept a failed trial's `fail_reason`). */
  trialSystemAttributes: boolean;
}

function notOptuna(path: string, why: string): ModelOpsError {
  return new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `${path}: not an Optuna storage file (${why}); give the SQLite file of an Optuna RDB storage (optuna.create_study(storage="sqlite:///<file>"))`,
    { location: path },
  );
}

function columns(db: SqlDatabase, table: string): Set<string> {
  return new Set(db.all(`PRAGMA table_info(${table})`).map((r) => String(r.name)));
}

/** Checks that `db` is an Optuna storage this reader knows; what it has. */
export function checkOptunaSchema(db: SqlDatabase, path: string): OptunaSchema {
  const tables = new Set(db.all("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => String(r.name)));
  const missing = TABLES.filter((t) => !tables.has(t));
  if (tables.has('experiments') && tables.has('runs') && !tables.has('studies'))
    throw notOptuna(path, 'it is an MLflow store: open it as the workspace store instead');
  if (missing.length) throw notOptuna(path, `it has no ${missing.join(', ')} table`);
  const info = db.get('SELECT schema_version, library_version FROM version_info');
  const revision = String(db.get('SELECT version_num FROM alembic_version')?.version_num ?? '');
  const libraryVersion = String(info?.library_version ?? '?');
  if (!info || Number(info.schema_version) !== SCHEMA_VERSION || !KNOWN_REVISIONS.includes(revision)) {
    throw new ModelOpsError(
      'STORE_UNSUPPORTED_SCHEMA',
      `${path}: an Optuna storage of a schema this version does not read (schema_version ${String(info?.schema_version ?? 'none')}, alembic revision '${revision}', written by Optuna ${libraryVersion}); ModelOps reads schema ${SCHEMA_VERSION} at ${KNOWN_REVISIONS.join(', ')}` +
        (revision !== '' && revision < 'v2.4.0.a' ? ' (an older file can be brought up to date with `optuna storage upgrade --storage sqlite:///<file>`)' : ''),
      { location: path },
    );
  }
  return {
    revision,
    libraryVersion,
    valueType: columns(db, 'trial_values').has('value_type'),
    intermediateType: columns(db, 'trial_intermediate_values').has('intermediate_value_type'),
    studyUserAttributes: tables.has('study_user_attributes'),
    trialSystemAttributes: tables.has('trial_system_attributes'),
  };
}
