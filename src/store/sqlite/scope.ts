import type { Row, RunResult, SqlDatabase, SqlParams, SqlValue } from '../sql/sql-database';
import type { StoreFile } from '../sql/store-file';

/**
 * Queries confined to one workspace. MLflow ≥ 3.10 gives experiments and the registry a
 * `workspace` column and makes names unique per workspace, so every lookup by name must say which
 * workspace; older schemas have no such column. The product's own tables always have one (a
 * modelops migration). SQL is written once with placeholders, expanded per schema:
 *
 *   {ws}  {ws:t.workspace}   ` AND workspace = ?` on an MLflow table (nothing before 3.10)
 *   {ws,} {ws?}              `, workspace` / `, ?` in an INSERT into an MLflow table
 *   {own} {own:t.workspace}  ` AND workspace = ?` on a modelops table (nothing until the
 *   {own,} {own?}            modelops migration that adds the column has run: every row is then `default`'s)
 *
 * The workspace is bound where its placeholder stood, never pasted into the SQL.
 */
const TOKEN = /\{(ws|own)(?::([\w.]+))?\}|\{(ws|own)([,?])\}/g;

interface Expanded {
  sql: string;
  /** Parameter positions where the workspace is bound. */
  at: number[];
}

/** One cache per schema shape, keyed by the SQL text itself (constants, so no key is built per call). */
const caches = [new Map<string, Expanded>(), new Map<string, Expanded>(), new Map<string, Expanded>(), new Map<string, Expanded>()] as const;

function expand(sql: string, mlflowHasWorkspace: boolean, ownHasWorkspace: boolean): Expanded {
  const cache = caches[(mlflowHasWorkspace ? 2 : 0) + (ownHasWorkspace ? 1 : 0)];
  const hit = cache.get(sql);
  if (hit) return hit;
  const at: number[] = [];
  let out = '';
  let last = 0;
  for (const m of sql.matchAll(TOKEN)) {
    out += sql.slice(last, m.index);
    last = m.index + m[0].length;
    const owner = m[1] ?? m[3]!;
    if (owner === 'ws' ? !mlflowHasWorkspace : !ownHasWorkspace) continue;
    const piece = m[4] === ',' ? ', workspace' : m[4] === '?' ? ', ?' : ` AND ${m[2] ?? 'workspace'} = ?`;
    if (piece.endsWith('?')) at.push(countMarks(out));
    out += piece;
  }
  out += sql.slice(last);
  const e = { sql: out, at };
  if (cache.size > 2000) cache.clear();
  cache.set(sql, e);
  return e;
}

/** Bare `?` parameters in `sql` (the product's SQL has no `?` inside string literals). */
function countMarks(sql: string): number {
  let n = 0;
  for (let i = 0; i < sql.length; i++) if (sql.charCodeAt(i) === 63) n++;
  return n;
}

/** A connection whose statements are confined to one workspace (see above). */
export class ScopedSql implements SqlDatabase {
  constructor(
    private readonly db: SqlDatabase,
    private readonly mlflowHasWorkspace: boolean,
    private readonly ownHasWorkspace: boolean,
    readonly workspace: string,
  ) {}

  static of(db: SqlDatabase, file: StoreFile): ScopedSql {
    return new ScopedSql(db, file.schema.workspaces, file.schema.ownWorkspace, file.workspace);
  }

  private bind(sql: string, params: SqlParams): [string, SqlParams] {
    const e = expand(sql, this.mlflowHasWorkspace, this.ownHasWorkspace);
    if (e.at.length === 0) return [e.sql, params];
    const out: SqlValue[] = [...params];
    // Positions were counted in the expanded text, left to right: insert in that order.
    for (const i of e.at) out.splice(i, 0, this.workspace);
    return [e.sql, out];
  }

  all(sql: string, params: SqlParams = []): Row[] {
    return this.db.all(...this.bind(sql, params));
  }

  get(sql: string, params: SqlParams = []): Row | undefined {
    return this.db.get(...this.bind(sql, params));
  }

  run(sql: string, params: SqlParams = []): RunResult {
    return this.db.run(...this.bind(sql, params));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }
}
