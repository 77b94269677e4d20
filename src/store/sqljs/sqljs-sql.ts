import type { BindParams, Database, Statement } from 'sql.js';
import type { Row, RunResult, SqlDatabase, SqlParams } from '../sql/sql-database';
import { StatementCache } from '../sql/sql-database';

/** SqlDatabase over a sql.js Database, with its prepared statements cached (freed with the database). */
export class SqljsSql implements SqlDatabase {
  private readonly statements: StatementCache<Statement>;

  constructor(readonly db: Database) {
    this.statements = new StatementCache(
      (sql) => db.prepare(sql),
      (s) => s.free(),
    );
  }

  all(sql: string, params: SqlParams = []): Row[] {
    const s = this.statements.get(sql);
    try {
      s.bind(params as BindParams);
      const rows: Row[] = [];
      while (s.step()) rows.push(s.getAsObject() as Row);
      return rows;
    } finally {
      s.reset();
    }
  }

  get(sql: string, params: SqlParams = []): Row | undefined {
    const s = this.statements.get(sql);
    try {
      s.bind(params as BindParams);
      return s.step() ? (s.getAsObject() as Row) : undefined;
    } finally {
      s.reset();
    }
  }

  run(sql: string, params: SqlParams = []): RunResult {
    this.statements.get(sql).run(params as BindParams);
    const db = this.db;
    // last_insert_rowid() costs a query in sql.js: asked only when read.
    return {
      changes: db.getRowsModified(),
      get lastInsertRowid(): number {
        return Number(db.exec('SELECT last_insert_rowid()')[0]?.values[0]?.[0] ?? 0);
      },
    };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** Before the Database closes: its statements go with it. */
  dispose(): void {
    this.statements.clear();
  }
}
