import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import initSqlJs from 'sql.js';
import { schemaShape } from '../../../../src/store/schema/describe';
import type { SqlDatabase } from '../../../../src/store/sql/sql-database';
import { SqljsSql } from '../../../../src/store/sqljs/sqljs-sql';
import { mlflowSchemas } from '../../../repo-paths';

/** The fresh stores MLflow's own migrations made, one per release head (test/fixtures/mlflow/schemas/fresh/). */
export const FRESH = [
  '2.11',
  '2.13.0',
  '2.14',
  '2.16',
  '2.17',
  '2.22',
  '3.0',
  '3.1',
  '3.2',
  '3.3',
  '3.4',
  '3.7',
  '3.8',
  '3.9',
  '3.10',
  '3.11',
  '3.12',
  '3.13',
] as const;

export function freshStore(release: string): string {
  return mlflowSchemas('fresh', `mlflow-${release}-fresh.db`);
}

/** A copy of a reference store at `dest` (the fixture itself is never written). */
export function copyStore(source: string, dest: string): string {
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(source, dest);
  return dest;
}

/** Runs `fn` on a file, read through sql.js (independent of the engine under test), returning its result. */
export async function withFile<T>(file: string, fn: (db: SqlDatabase) => T, save = false): Promise<T> {
  const SQL = await initSqlJs();
  const raw = new SQL.Database(readFileSync(file));
  const db = new SqljsSql(raw);
  try {
    const r = fn(db);
    db.dispose();
    if (save) writeFileSync(file, raw.export());
    return r;
  } finally {
    raw.close();
  }
}

/** MLflow's tables' shapes (columns, types, nullability, defaults, keys, foreign keys, indexes) and triggers. */
export async function mlflowShape(file: string): Promise<unknown> {
  return withFile(file, (db) => ({
    tables: schemaShape(db, (t) => !t.startsWith('modelops_')),
    triggers: db.all("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").map((r) => r.name),
    revision: db.get('SELECT version_num FROM alembic_version')?.version_num,
  }));
}
