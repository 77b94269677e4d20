import { ModelOpsError } from '../../core/errors';
import type { SqlDatabase } from '../sql/sql-database';
import type { MlflowHead } from './mlflow-heads';
import { NEWEST_HEAD, chainPosition, headOfRevision } from './mlflow-heads';

/**
 * What a store file's MLflow schema is, as far as this version of the product is concerned —
 * decided from the schema itself, not from the revision id alone, so a store that a newer MLflow
 * upgraded keeps working when nothing the product writes changed.
 */
export interface StoreSchema {
  /** alembic_version.version_num */
  revision: string;
  /** The known release head this revision is, if it is one. */
  head: MlflowHead | undefined;
  /** For people: 'MLflow 2.10.0–2.12.2', or what is known about a revision not in the table. */
  releases: string;
  /** The revision is in MLflow's chain as the product knows it (2.10.2's head onwards). */
  known: boolean;
  /** MLflow ≥ 3.10: experiments and the registry carry a `workspace` column; names are unique per workspace. */
  workspaces: boolean;
  /** The product's own tables carry theirs (a modelops migration the first write applies to an older store). */
  ownWorkspace: boolean;
  /** The tag value lengths the columns take (wider from 2.17 for runs, 3.1 for model versions). */
  limits: { runTagValue: number; experimentTagValue: number; modelVersionTagValue: number; registeredModelTagValue: number };
  /** Why the product may only read this store; undefined when it may write. */
  readOnly?: string;
  /** Said once when such a store opens: a revision newer than any the product knows, opened read-write. */
  notice?: string;
}

/** The columns the product writes, per core table: what its INSERTs name (plus `workspace` where it exists). */
export const WRITTEN_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  experiments: ['name', 'artifact_location', 'lifecycle_stage', 'creation_time', 'last_update_time'],
  experiment_tags: ['key', 'value', 'experiment_id'],
  runs: [
    'run_uuid',
    'name',
    'source_type',
    'source_name',
    'entry_point_name',
    'user_id',
    'status',
    'start_time',
    'end_time',
    'source_version',
    'lifecycle_stage',
    'artifact_uri',
    'experiment_id',
    'deleted_time',
  ],
  tags: ['key', 'value', 'run_uuid'],
  params: ['key', 'value', 'run_uuid'],
  metrics: ['key', 'value', 'timestamp', 'run_uuid', 'step', 'is_nan'],
  latest_metrics: ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'],
  datasets: ['dataset_uuid', 'experiment_id', 'name', 'digest', 'dataset_source_type', 'dataset_source', 'dataset_schema', 'dataset_profile'],
  inputs: ['input_uuid', 'source_type', 'source_id', 'destination_type', 'destination_id'],
  input_tags: ['input_uuid', 'name', 'value'],
  registered_models: ['name', 'creation_time', 'last_updated_time', 'description'],
  registered_model_tags: ['key', 'value', 'name'],
  model_versions: [
    'name',
    'version',
    'creation_time',
    'last_updated_time',
    'description',
    'user_id',
    'current_stage',
    'source',
    'run_id',
    'status',
    'status_message',
    'run_link',
    'storage_location',
  ],
  model_version_tags: ['key', 'value', 'name', 'version'],
  registered_model_aliases: ['alias', 'version', 'name'],
};

/** MLflow's own client-side limit where a column is TEXT (no length of its own). */
const TEXT_TAG_LIMIT = 8000;

interface Column {
  name: string;
  type: string;
  notnull: boolean;
  hasDefault: boolean;
  pk: number;
}

function columnsOf(db: SqlDatabase, table: string): Column[] {
  return db.all(`PRAGMA main.table_info("${table}")`).map((r) => ({
    name: String(r.name),
    type: String(r.type ?? ''),
    notnull: Number(r.notnull) === 1,
    hasDefault: r.dflt_value !== null && r.dflt_value !== undefined,
    pk: Number(r.pk),
  }));
}

/** The product cannot write a table when a column it writes is gone, or one it does not write must be given. */
function writeProblem(table: string, columns: Column[]): string | undefined {
  const names = new Set(columns.map((c) => c.name));
  const written = new Set([...WRITTEN_COLUMNS[table]!, 'workspace']);
  const missing = WRITTEN_COLUMNS[table]!.find((c) => !names.has(c));
  if (missing) return `table ${table} has no column ${missing}, which this version of ModelOps writes`;
  // A lone INTEGER primary key is the rowid: SQLite fills it in.
  const rowid = columns.filter((c) => c.pk > 0).length === 1 ? columns.find((c) => c.pk > 0 && c.type.toUpperCase() === 'INTEGER') : undefined;
  const required = columns.find((c) => !written.has(c.name) && c !== rowid && (c.notnull || c.pk > 0) && !c.hasDefault);
  if (required)
    return `table ${table} has a column ${required.name} (${required.type}${required.notnull ? ' NOT NULL' : ''}) without a default, which this version of ModelOps does not write`;
  // Its lookups and updates go by the key: a key column it does not write means rows it cannot tell apart.
  const key = columns.find((c) => c.pk > 0 && c !== rowid && !written.has(c.name));
  if (key) return `the primary key of table ${table} now includes ${key.name}, which this version of ModelOps does not write`;
  return undefined;
}

function varcharLimit(columns: Column[], name: string, fallback: number): number {
  const type = columns.find((c) => c.name === name)?.type ?? '';
  const m = /^VARCHAR\((\d+)\)$/i.exec(type.trim());
  return m ? Number(m[1]) : /TEXT/i.test(type) ? TEXT_TAG_LIMIT : fallback;
}

/** Reads and checks the schema of an open MLflow store; throws a ModelOpsError naming the file when it is not one. */
export function inspectSchema(db: SqlDatabase, file: string): StoreSchema {
  const tables = new Set(db.all("SELECT name FROM main.sqlite_master WHERE type = 'table'").map((r) => String(r.name)));
  if (!tables.has('alembic_version')) {
    throw new ModelOpsError(
      'STORE_UNSUPPORTED_SCHEMA',
      `${file}: an SQLite database but not an MLflow store (no alembic_version table); the file was left untouched`,
      { location: file },
    );
  }
  const revision = String(db.get('SELECT version_num FROM alembic_version')?.version_num ?? '(none)');
  const missing = Object.keys(WRITTEN_COLUMNS).filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw new ModelOpsError('STORE_CORRUPT', `${file}: MLflow tables missing: ${missing.join(', ')}; the file was left untouched`, { location: file });
  }
  const columns = new Map(Object.keys(WRITTEN_COLUMNS).map((t) => [t, columnsOf(db, t)]));
  const head = headOfRevision(revision);
  const known = chainPosition(revision) !== undefined;
  const releases = head
    ? `MLflow ${head.releases}`
    : known
      ? `an MLflow development revision between ${NEWEST_HEAD.label} and older heads`
      : `not a revision this version knows (newer than MLflow ${NEWEST_HEAD.label}, whose head is ${NEWEST_HEAD.revision}, or not MLflow's)`;
  const problem = [...columns.entries()].map(([t, cols]) => writeProblem(t, cols)).find((p) => p !== undefined);
  const schema: StoreSchema = {
    revision,
    head,
    releases,
    known,
    workspaces: columns.get('experiments')!.some((c) => c.name === 'workspace'),
    // Unqualified: a connection's temporary stand-ins count (they are made with every migration).
    ownWorkspace: db.all('PRAGMA table_info(modelops_registry_audit)').some((c) => c.name === 'workspace'),
    limits: {
      runTagValue: varcharLimit(columns.get('tags')!, 'value', 5000),
      experimentTagValue: varcharLimit(columns.get('experiment_tags')!, 'value', 5000),
      modelVersionTagValue: varcharLimit(columns.get('model_version_tags')!, 'value', 5000),
      registeredModelTagValue: varcharLimit(columns.get('registered_model_tags')!, 'value', 5000),
    },
  };
  if (problem) {
    schema.readOnly =
      `${file}: opened read-only: ${problem} (MLflow schema revision ${revision}, ${releases}).` +
      (known
        ? ' Upgrade the store with `modelops db upgrade`.'
        : ' Use a ModelOps version that knows this MLflow release, or keep writing with MLflow itself.');
  } else if (!known) {
    schema.notice = `${file}: MLflow schema revision ${revision} is ${releases}; every column and key ModelOps writes is unchanged, so it opens read-write`;
  }
  return schema;
}

/** The error a write to a read-only store gets (the file is left as it is). */
export function readOnlyError(schema: StoreSchema, file: string): ModelOpsError {
  return new ModelOpsError('STORE_UNSUPPORTED_SCHEMA', `${schema.readOnly ?? `${file}: opened read-only`}; nothing was written`, { location: file });
}
