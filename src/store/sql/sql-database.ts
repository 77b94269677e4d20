/**
 * One SQLite connection as the stores use it, whichever engine runs it (node:sqlite or sql.js).
 * Statements are prepared once per connection and cached by their text, so a store writes plain
 * SQL with `?` parameters and pays for parsing once.
 */
export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, SqlValue>;
export type SqlParams = readonly SqlValue[];

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

export interface SqlDatabase {
  /** Every row of a query. */
  all(sql: string, params?: SqlParams): Row[];
  /** The first row of a query, or undefined. */
  get(sql: string, params?: SqlParams): Row | undefined;
  /** Runs one statement; what it changed. */
  run(sql: string, params?: SqlParams): RunResult;
  /** Runs one or more statements without parameters (DDL, pragmas). */
  exec(sql: string): void;
}

/**
 * A bounded cache of prepared statements: queries with IN lists of varying length would otherwise
 * grow it without end. The oldest entry is dropped (and finalized by `drop`) past `limit`.
 */
export class StatementCache<S> {
  private readonly map = new Map<string, S>();

  constructor(
    private readonly prepare: (sql: string) => S,
    private readonly drop: (statement: S) => void = () => undefined,
    private readonly limit = 256,
  ) {}

  get(sql: string): S {
    const hit = this.map.get(sql);
    if (hit !== undefined) return hit;
    const s = this.prepare(sql);
    this.map.set(sql, s);
    if (this.map.size > this.limit) {
      const [oldest, statement] = this.map.entries().next().value as [string, S];
      this.map.delete(oldest);
      this.drop(statement);
    }
    return s;
  }

  clear(): void {
    for (const s of this.map.values()) this.drop(s);
    this.map.clear();
  }
}

/** Column text of a value read from SQLite (NULL → ''). */
export function str(v: SqlValue | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** Column number of a value read from SQLite (NULL → 0). */
export function num(v: SqlValue | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

export function numOrNull(v: SqlValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
