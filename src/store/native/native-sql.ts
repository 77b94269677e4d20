import type { Row, RunResult, SqlDatabase, SqlParams, SqlValue } from '../sql/sql-database';
import { StatementCache } from '../sql/sql-database';
import type { NativeDatabase, NativeStatement, NativeValue } from './node-sqlite';

/** SqlDatabase over a node:sqlite connection, with its prepared statements cached. */
export class NativeSql implements SqlDatabase {
  private readonly statements: StatementCache<NativeStatement>;

  constructor(readonly db: NativeDatabase) {
    this.statements = new StatementCache((sql) => db.prepare(sql));
  }

  all(sql: string, params: SqlParams = []): Row[] {
    return this.statements.get(sql).all(...(params as NativeValue[])) as Row[];
  }

  get(sql: string, params: SqlParams = []): Row | undefined {
    return this.statements.get(sql).get(...(params as NativeValue[])) as Row | undefined;
  }

  run(sql: string, params: SqlParams = []): RunResult {
    const r = this.statements.get(sql).run(...(params as SqlValue[]));
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  dispose(): void {
    this.statements.clear();
  }
}
