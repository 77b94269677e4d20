import type { SqlDatabase } from '../sql/sql-database';
import { MLFLOW_ALEMBIC_REVISION, MLFLOW_SCHEMA_DDL } from './mlflow-2.10.2';
import { MODELOPS_MIGRATIONS, MODELOPS_SCHEMA_DDL } from './modelops-schema';

/**
 * Page size of stores this project creates (MLflow's own files keep theirs): metric inserts run
 * faster with big pages, but every table and index takes at least one, so an empty store is about
 * 50 pages: 16 KB pages make it ~0.85 MB (64 KB: 3.3 MB) (docs/tracking.md). Set before any table.
 */
export const NEW_STORE_PAGE_SIZE = 16384;

/** Creates MLflow's tables, the alembic head and the Default experiment, as `mlflow` does; then ours. */
export function createStoreSchema(db: SqlDatabase, defaultArtifactLocation: string, now: number): void {
  db.exec('BEGIN');
  try {
    for (const ddl of MLFLOW_SCHEMA_DDL) db.exec(ddl);
    db.run('INSERT INTO alembic_version (version_num) VALUES (?)', [MLFLOW_ALEMBIC_REVISION]);
    db.run(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, 'Default', ?, 'active', ?, ?)",
      [defaultArtifactLocation, now, now],
    );
    ensureModelopsSchema(db);
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

/** Creates missing `modelops_*` tables and applies pending modelops migrations (inside the caller's transaction). */
export function ensureModelopsSchema(db: SqlDatabase): void {
  for (const ddl of MODELOPS_SCHEMA_DDL) db.exec(ddl);
  for (const [id, sql] of MODELOPS_MIGRATIONS) {
    const key = `migration:${id}`;
    if (db.get('SELECT 1 FROM modelops_meta WHERE "key" = ?', [key])) continue;
    db.exec(sql);
    db.run('INSERT INTO modelops_meta ("key", value) VALUES (?, ?)', [key, String(Date.now())]);
  }
}

/** The `modelops_*` tables, as temporary tables of this connection: reads of an MLflow-made file see them empty. */
export function createModelopsTempTables(db: SqlDatabase): void {
  for (const ddl of MODELOPS_SCHEMA_DDL) {
    if (/^CREATE TABLE/i.test(ddl)) db.exec(ddl.replace(/^CREATE TABLE/i, 'CREATE TEMP TABLE'));
  }
}

export function dropModelopsTempTables(db: SqlDatabase): void {
  for (const name of db.all("SELECT name FROM temp.sqlite_master WHERE type = 'table' AND name LIKE 'modelops\\_%' ESCAPE '\\'")) {
    db.exec(`DROP TABLE temp."${String(name.name).replace(/"/g, '""')}"`);
  }
}

/** Whether the file itself (not a temp shadow) has the product's tables. */
export function hasModelopsTables(db: SqlDatabase): boolean {
  return db.get("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'modelops_meta'") !== undefined;
}
