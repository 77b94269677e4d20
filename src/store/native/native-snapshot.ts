import { ModelOpsError } from '../../core/errors';
import type { SqlDatabase } from '../sql/sql-database';
import { NativeSql } from './native-sql';
import type { NativeSqliteError, NodeSqlite } from './node-sqlite';
import { SQLITE } from './node-sqlite';

/** How long a read waits for another program's commit to finish (SQLite's busy handler). */
const BUSY_MS = 5000;

/**
 * Runs `fn` over one committed state of an SQLite file that is not a store (an Optuna study file):
 * opened read-only, one read transaction, closed again, so the file is never written and its
 * owner's writers are held up only for the moment of the read.
 */
export function readNativeSnapshot<T>(path: string, sqlite: NodeSqlite, fn: (db: SqlDatabase) => T): T {
  let sql: NativeSql | undefined;
  try {
    sql = new NativeSql(new sqlite.DatabaseSync(path, { readOnly: true }));
    sql.exec(`PRAGMA busy_timeout = ${BUSY_MS}`);
    sql.exec('BEGIN');
    try {
      return fn(sql);
    } finally {
      try {
        sql.exec('ROLLBACK');
      } catch {
        /* SQLite ended the transaction already */
      }
    }
  } catch (e) {
    throw snapshotError(e, path);
  } finally {
    sql?.dispose();
    try {
      sql?.db.close();
    } catch {
      /* closed already */
    }
  }
}

function snapshotError(e: unknown, path: string): unknown {
  const err = e as NativeSqliteError;
  if (e instanceof ModelOpsError || typeof err?.errcode !== 'number') return e;
  const why = err.errstr ?? err.message;
  switch (err.errcode & 0xff) {
    case SQLITE.NOTADB:
      return new ModelOpsError('INVALID_PARAMETER_VALUE', `${path}: not an SQLite database (${why})`, { location: path, cause: e });
    case SQLITE.BUSY:
    case SQLITE.LOCKED:
      return new ModelOpsError('STORE_BUSY', `${path}: another program kept the file locked for ${BUSY_MS / 1000} s (${why}); try again`, {
        location: path,
        cause: e,
      });
    case SQLITE.CORRUPT:
      return new ModelOpsError('STORE_CORRUPT', `${path}: the file is corrupt (${why})`, { location: path, cause: e });
    case SQLITE.CANTOPEN:
    case SQLITE.IOERR:
      return new ModelOpsError('STORE_IO', `${path}: cannot read the file (${why})`, { location: path, cause: e });
    default:
      return e;
  }
}
