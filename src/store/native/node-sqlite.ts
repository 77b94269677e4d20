import { createRequire } from 'node:module';

/**
 * The part of Node's built-in `node:sqlite` (Node ≥ 22.13 unflagged; 22.5–22.12 behind a flag) the
 * native engine uses. Declared here because the project's @types/node is Node 20's, which has none.
 */
export type NativeValue = string | number | bigint | null | Uint8Array;

export interface NativeStatement {
  all(...params: NativeValue[]): Record<string, NativeValue>[];
  get(...params: NativeValue[]): Record<string, NativeValue> | undefined;
  run(...params: NativeValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
}

export interface NativeDatabase {
  prepare(sql: string): NativeStatement;
  exec(sql: string): void;
  close(): void;
}

export interface NodeSqlite {
  DatabaseSync: new (path: string, options?: { open?: boolean; readOnly?: boolean; enableForeignKeyConstraints?: boolean }) => NativeDatabase;
}

/** An error thrown by node:sqlite carries SQLite's (extended) result code. */
export interface NativeSqliteError extends Error {
  code?: string;
  errcode?: number;
  errstr?: string;
}

/** SQLite result codes the engine reacts to (primary code = errcode & 0xff). */
export const SQLITE = { BUSY: 5, LOCKED: 6, READONLY: 8, IOERR: 10, CORRUPT: 11, FULL: 13, CANTOPEN: 14, NOTADB: 26, READONLY_DBMOVED: 1032 } as const;

let loaded: { module?: NodeSqlite; why?: string } | undefined;

/** node:sqlite, or why this runtime has none (for the sql.js fallback's reason). */
export function loadNodeSqlite(): { module?: NodeSqlite; why?: string } {
  if (loaded) return loaded;
  try {
    // Through createRequire so that bundlers leave it alone and Node 20 fails here, not at load.
    const mod = createRequire(__filename)('node:sqlite') as Partial<NodeSqlite>;
    loaded =
      typeof mod.DatabaseSync === 'function' ? { module: mod as NodeSqlite } : { why: `node:sqlite has no DatabaseSync in Node ${process.versions.node}` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    loaded = {
      why:
        code === 'ERR_UNKNOWN_BUILTIN_MODULE'
          ? `Node ${process.versions.node} has no node:sqlite (it needs Node 22.13 or newer)`
          : `node:sqlite did not load: ${(e as Error).message}`,
    };
  }
  return loaded;
}
