import { ModelOpsError } from '../../core/errors';
import type { SqlDatabase } from '../sql/sql-database';
import { rowCounts } from './upgrade';

/** A backup copy is good when SQLite finds it sound and it holds every row the live store holds. */
export function verifyBackup(live: SqlDatabase, copy: SqlDatabase, path: string): void {
  const verdict = String(copy.get('PRAGMA integrity_check')?.integrity_check);
  if (verdict !== 'ok') throw new ModelOpsError('STORE_IO', `${path}: the backup copy is not sound (${verdict}); nothing was changed`, { location: path });
  const want = rowCounts(live);
  const got = rowCounts(copy);
  for (const [table, n] of Object.entries(want)) {
    if (got[table] !== n)
      throw new ModelOpsError('STORE_IO', `${path}: the backup copy has ${got[table] ?? 0} rows in ${table}, the store ${n}; nothing was changed`, {
        location: path,
      });
  }
}
