import { ModelOpsError } from '../../core/errors';
import type { SqlDatabase } from '../sql/sql-database';
import { MLFLOW_ALEMBIC_REVISION, MLFLOW_TABLES } from './mlflow-2.10.2';

/** What a store file's schema is, as far as this version of the product is concerned. */
export interface StoreSchema {
  /** alembic_version.version_num */
  revision: string;
  /** The MLflow releases whose head this revision is. */
  releases: string;
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
  if (revision !== MLFLOW_ALEMBIC_REVISION) {
    throw new ModelOpsError(
      'STORE_UNSUPPORTED_SCHEMA',
      `${file}: MLflow schema revision ${revision} is not the one this version reads (${MLFLOW_ALEMBIC_REVISION}, MLflow 2.10.2);` +
        ` an older file can be upgraded with \`mlflow db upgrade sqlite:///${file}\`; the file was left untouched`,
      { location: file },
    );
  }
  const missing = MLFLOW_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw new ModelOpsError('STORE_CORRUPT', `${file}: MLflow tables missing: ${missing.join(', ')}; the file was left untouched`, { location: file });
  }
  return { revision, releases: '2.10.0–2.12.2' };
}
