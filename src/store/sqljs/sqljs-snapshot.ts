import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Database } from 'sql.js';
import { ModelOpsError } from '../../core/errors';
import type { SqlDatabase } from '../sql/sql-database';
import { loadSqlJs } from './sqljs-runtime';
import { SqljsSql } from './sqljs-sql';

const nonEmpty = (p: string): boolean => {
  try {
    return statSync(p).size > 0;
  } catch {
    return false;
  }
};

/**
 * `readNativeSnapshot` for runtimes without node:sqlite: the file's bytes are read (no lock is
 * taken, nothing is written) once no other program is mid-commit, and queried in memory.
 */
export async function readSqljsSnapshot<T>(path: string, fn: (db: SqlDatabase) => T, journalWaitMs = 10_000): Promise<T> {
  // sql.js sees only the main file: a WAL file's commits would be missing, so say so.
  if (nonEmpty(`${path}-wal`)) {
    throw new ModelOpsError(
      'STORE_UNSUPPORTED_SCHEMA',
      `${path}: the file is in WAL mode (${basename(path)}-wal exists), which the sql.js engine cannot read; use a Node with node:sqlite (22.13 or newer) or the editor`,
      { location: path },
    );
  }
  const deadline = Date.now() + journalWaitMs;
  while (nonEmpty(`${path}-journal`)) {
    if (Date.now() > deadline)
      throw new ModelOpsError(
        'STORE_BUSY',
        `${path}: another program has been mid-commit for ${journalWaitMs / 1000} s (${basename(path)}-journal exists); try again`,
        { location: path },
      );
    await new Promise((r) => setTimeout(r, 50));
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ModelOpsError('STORE_IO', `${path}: cannot read the file (${(e as Error).message})`, { location: path, cause: e });
  }
  const SQL = await loadSqlJs();
  let db: Database | undefined;
  let sql: SqljsSql | undefined;
  try {
    db = new SQL.Database(bytes);
    sql = new SqljsSql(db);
    return fn(sql);
  } catch (e) {
    if (e instanceof ModelOpsError) throw e;
    const why = (e as Error).message;
    if (/not a database|malformed/i.test(why))
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${path}: not an SQLite database (${why})`, { location: path, cause: e });
    throw e;
  } finally {
    sql?.dispose();
    db?.close();
  }
}
