import type { SqlDatabase } from '../sql/sql-database';
import { DDL_POOL, HEAD_SCHEMAS } from './mlflow-ddl.generated';
import type { MlflowHead } from './mlflow-heads';
import { NEWEST_HEAD } from './mlflow-heads';
import { MODELOPS_MIGRATIONS, MODELOPS_SCHEMA_DDL } from './modelops-schema';

/**
 * Page size of stores this project creates (MLflow's own files keep theirs): metric inserts run
 * faster with big pages, but every table and index takes at least one, so an empty store is about
 * 50 pages: 16 KB pages make it ~0.85 MB (64 KB: 3.3 MB) (docs/tracking.md). Set before any table.
 */
export const NEW_STORE_PAGE_SIZE = 16384;

/** The workspace the product works in unless told otherwise (MLflow ≥ 3.10's default workspace). */
export const DEFAULT_WORKSPACE = 'default';

/** The DDL statements of a known head, tables first, as MLflow's migrations leave them. */
export function headDdl(head: MlflowHead): string[] {
  return HEAD_SCHEMAS[head.revision]!.ddl.map((i) => DDL_POOL[i]!);
}

/**
 * Creates MLflow's tables at `head` (default: the newest known) with MLflow's own DDL, the rows its
 * migrations insert (3.10's `workspaces` default row), the alembic head and the Default
 * experiment, as `mlflow` does; then the product's tables. One transaction.
 */
export function createStoreSchema(db: SqlDatabase, defaultArtifactLocation: string, now: number, head: MlflowHead = NEWEST_HEAD): void {
  db.exec('BEGIN');
  try {
    for (const ddl of headDdl(head)) db.exec(ddl);
    for (const row of HEAD_SCHEMAS[head.revision]!.seed) db.exec(row);
    db.run('INSERT INTO alembic_version (version_num) VALUES (?)', [head.revision]);
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

/**
 * What a store needs before the product's first write to it (inside that write's transaction):
 * its own tables, and — as MLflow's store does on first use — the Default experiment when a file
 * made by MLflow's migrations alone has no experiment yet.
 */
export function prepareForWrites(db: SqlDatabase, defaultArtifactLocation: string, now: number = Date.now()): void {
  ensureModelopsSchema(db);
  if (!db.get('SELECT 1 FROM experiments LIMIT 1')) {
    db.run(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, 'Default', ?, 'active', ?, ?)",
      [defaultArtifactLocation, now, now],
    );
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
  for (const [, sql] of MODELOPS_MIGRATIONS) {
    if (/^ALTER TABLE/i.test(sql)) db.exec(sql.replace(/^ALTER TABLE\s+/i, 'ALTER TABLE temp.'));
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
