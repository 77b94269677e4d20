import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import { NEW_STORE_PAGE_SIZE, createModelopsTempTables, createStoreSchema, dropModelopsTempTables, ensureModelopsSchema, hasModelopsTables } from '../schema/create';
import type { StoreSchema } from '../schema/inspect';
import { inspectSchema } from '../schema/inspect';
import { ChangeNotifier } from '../sql/change-notifier';
import { createStoreFile } from '../sql/create-store';
import { FileLock } from '../sql/file-lock';
import { ioError } from '../sql/fs-util';
import type { SqlDatabase } from '../sql/sql-database';
import type { EngineInfo, StoreFile, StoreFileOptions } from '../sql/store-file';
import { defaultArtifactRoot, defaultExperimentLocation, noStore } from '../sql/store-file';
import { NativeSql } from './native-sql';
import type { NativeSqliteError, NodeSqlite } from './node-sqlite';
import { SQLITE } from './node-sqlite';

/** Readers wait this long (inside SQLite) for a writer's commit to finish. */
const READ_BUSY_MS = 5000;
const QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024;

interface Connection {
  sql: NativeSql;
  ino: bigint;
  schema: StoreSchema;
  /** The file lacks `modelops_*` tables: temp tables stand in for reads; the first write creates them. */
  modelopsPending: boolean;
}

/**
 * The native engine: SQLite itself through Node's built-in node:sqlite, writing pages in place under
 * SQLite's own POSIX locks, as MLflow's clients do. Rollback journal (MLflow's default), `BEGIN
 * IMMEDIATE` for every write (one logical write, one transaction), cached prepared statements,
 * foreign keys on as in MLflow's sessions. Safe beside MLflow and any other SQLite program; inode,
 * mode, owner and symlinks of the file are kept because nothing replaces it. The lock file of the
 * sql.js engine is taken around writes too, so a sql.js process on the same file never loses ours.
 */
export class NativeStoreFile implements StoreFile {
  readonly path: string;
  readonly artifactRoot: string;
  readonly engine: EngineInfo;
  private conn: Connection;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly notifier: ChangeNotifier;
  private readonly lock: FileLock;
  private readonly lockTimeoutMs: number;
  private closed = false;

  private constructor(
    private readonly sqlite: NodeSqlite,
    path: string,
    options: StoreFileOptions,
    conn: Connection,
  ) {
    this.path = path;
    this.conn = conn;
    this.artifactRoot = resolve(options.artifactRoot ?? defaultArtifactRoot(path));
    this.lock = new FileLock(`${realTarget(path)}.lock`);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.notifier = new ChangeNotifier(path);
    this.engine = { name: 'node:sqlite', reason: `Node ${process.versions.node} has node:sqlite`, safeBesideOtherWriters: true };
  }

  static async open(file: string, sqlite: NodeSqlite, options: StoreFileOptions = {}): Promise<NativeStoreFile> {
    const path = resolve(file);
    if (!existsSync(path)) {
      if (options.create === false) throw noStore(path);
      const artifacts = defaultExperimentLocation(path, options);
      await createStoreFile(path, new FileLock(`${path}.lock`), options.lockTimeoutMs ?? 30_000, (tmp) => {
        const db = new sqlite.DatabaseSync(tmp);
        try {
          db.exec(`PRAGMA page_size = ${NEW_STORE_PAGE_SIZE}`);
          createStoreSchema(new NativeSql(db), artifacts, Date.now());
        } finally {
          db.close();
        }
      });
    }
    return new NativeStoreFile(sqlite, path, options, connect(sqlite, path, true));
  }

  get schema(): StoreSchema {
    return this.conn.schema;
  }

  async read<T>(fn: (db: SqlDatabase) => T): Promise<T> {
    this.assertOpen();
    const conn = this.current();
    return this.guard(() => {
      const db = conn.sql;
      db.exec('BEGIN');
      try {
        if (conn.modelopsPending && hasModelopsTables(db)) {
          // Another process created them since we opened: read the real ones from now on.
          dropModelopsTempTables(db);
          conn.modelopsPending = false;
        }
        const result = fn(db);
        db.exec('COMMIT');
        return result;
      } catch (e) {
        rollback(db);
        throw e;
      }
    });
  }

  write<T>(fn: (db: SqlDatabase) => T): Promise<T> {
    this.assertOpen();
    const next = this.queue.then(() => this.writeLocked(fn));
    this.queue = next.catch(() => undefined);
    return next;
  }

  onDidChange(listener: () => void): () => void {
    return this.notifier.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.notifier.close();
    closeConnection(this.conn);
  }

  // ---- internals -------------------------------------------------------------------------------

  private async writeLocked<T>(fn: (db: SqlDatabase) => T): Promise<T> {
    await this.lock.acquire(this.lockTimeoutMs);
    try {
      for (let attempt = 0; ; attempt++) {
        const conn = this.current();
        await this.beginImmediate(conn.sql);
        try {
          const result = this.guard(() => {
            if (conn.modelopsPending) {
              dropModelopsTempTables(conn.sql);
              ensureModelopsSchema(conn.sql);
            }
            const r = fn(conn.sql);
            conn.sql.exec('COMMIT');
            return r;
          });
          conn.modelopsPending = false;
          this.notifier.committed();
          return result;
        } catch (e) {
          rollback(conn.sql);
          // A whole-file writer (the sql.js engine) renamed a new file over ours mid-way: once more on it.
          if (attempt === 0 && isCode(e, SQLITE.READONLY_DBMOVED)) {
            this.reconnect();
            continue;
          }
          throw e;
        }
      }
    } finally {
      this.lock.release();
    }
  }

  /**
   * BEGIN IMMEDIATE takes SQLite's write lock now, so the transaction never fails half-way for
   * want of it. While another program holds it, wait here without blocking the event loop (the
   * busy timeout would block it), then give up with STORE_BUSY.
   */
  private async beginImmediate(db: NativeSql): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 2;
    db.exec('PRAGMA busy_timeout = 0');
    try {
      for (;;) {
        try {
          db.exec('BEGIN IMMEDIATE');
          return;
        } catch (e) {
          if (!isCode(e, SQLITE.BUSY) || Date.now() > deadline) throw this.mapError(e);
        }
        await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
        delay = Math.min(delay * 2, 50);
      }
    } finally {
      db.exec(`PRAGMA busy_timeout = ${READ_BUSY_MS}`);
    }
  }

  /** The connection, reopened first when the file under the path is another one now (renamed over). */
  private current(): Connection {
    let ino: bigint | undefined;
    try {
      ino = statSync(this.path, { bigint: true }).ino;
    } catch {
      throw new ModelOpsError('STORE_IO', `${this.path}: the store file is gone`, { location: this.path });
    }
    if (ino !== this.conn.ino) this.reconnect();
    return this.conn;
  }

  private reconnect(): void {
    const fresh = connect(this.sqlite, this.path, false);
    closeConnection(this.conn);
    this.conn = fresh;
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.mapError(e);
    }
  }

  private mapError(e: unknown): unknown {
    return e instanceof ModelOpsError ? e : nativeError(e, this.path, this.lockTimeoutMs);
  }

  private assertOpen(): void {
    if (this.closed) throw new ModelOpsError('INTERNAL_ERROR', `${this.path}: store is closed`);
  }
}

/** Opens and checks a connection: an SQLite file (quick check of small files), an MLflow schema this version reads. */
function connect(sqlite: NodeSqlite, path: string, verify: boolean): Connection {
  const st = statSync(path, { bigint: true });
  // SQLite takes an empty file for an empty database; to the user it is a broken store.
  if (st.size === 0n) throw new ModelOpsError('STORE_CORRUPT', `${path}: the file is empty, not an SQLite database; the file was left untouched`, { location: path });
  const ino = st.ino;
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw ioError(path, 'cannot read the store file', e);
  }
  let raw;
  try {
    raw = new sqlite.DatabaseSync(path, { enableForeignKeyConstraints: true });
  } catch (e) {
    throw nativeError(e, path, 0);
  }
  const sql = new NativeSql(raw);
  try {
    sql.exec(`PRAGMA busy_timeout = ${READ_BUSY_MS}`);
    sql.exec('BEGIN');
    let schema: StoreSchema;
    let modelops: boolean;
    try {
      if (verify && st.size <= BigInt(QUICK_CHECK_MAX_BYTES)) {
        const verdict = String(sql.get('PRAGMA quick_check(1)')?.quick_check ?? 'ok');
        if (verdict !== 'ok') throw new ModelOpsError('STORE_CORRUPT', `${path}: the database is corrupt (${verdict}); the file was left untouched`, { location: path });
      }
      schema = inspectSchema(sql, path);
      modelops = hasModelopsTables(sql);
    } finally {
      rollback(sql);
    }
    if (!modelops) createModelopsTempTables(sql);
    return { sql, ino, schema, modelopsPending: !modelops };
  } catch (e) {
    closeConnection({ sql });
    throw e instanceof ModelOpsError ? e : nativeError(e, path, READ_BUSY_MS);
  }
}

function closeConnection(conn: { sql: NativeSql }): void {
  conn.sql.dispose();
  try {
    conn.sql.db.close();
  } catch {
    /* closed already */
  }
}

function rollback(db: SqlDatabase): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    /* no transaction open (it failed to begin, or SQLite ended it) */
  }
}

function isCode(e: unknown, code: number): boolean {
  const c = (e as NativeSqliteError).errcode;
  return typeof c === 'number' && (c === code || (code < 256 && (c & 0xff) === code));
}

/** SQLite's errors as the store's: what happened to which file, and what to do. */
function nativeError(e: unknown, path: string, waitedMs: number): unknown {
  const err = e as NativeSqliteError;
  if (typeof err?.errcode !== 'number') return e;
  const primary = err.errcode & 0xff;
  const why = err.errstr ?? err.message;
  switch (primary) {
    case SQLITE.BUSY:
    case SQLITE.LOCKED:
      return new ModelOpsError('STORE_BUSY', `${path}: another program holds the store's write lock (${why}); gave up after ${waitedMs} ms`, { location: path, cause: e });
    case SQLITE.CORRUPT:
      return new ModelOpsError('STORE_CORRUPT', `${path}: the store file is corrupt (${why}); the file was left untouched`, { location: path, cause: e });
    case SQLITE.NOTADB:
      return new ModelOpsError('STORE_CORRUPT', `${path}: not an SQLite database (${why}); the file was left untouched`, { location: path, cause: e });
    case SQLITE.READONLY:
      if (err.errcode === SQLITE.READONLY_DBMOVED) return e;
      return new ModelOpsError('STORE_IO', `${path}: cannot write the store file (${why}: permission denied or a read-only file system)`, { location: path, cause: e });
    case SQLITE.FULL:
      return new ModelOpsError('STORE_IO', `${path}: the disk is full (${why}); nothing was written`, { location: path, cause: e });
    case SQLITE.CANTOPEN:
    case SQLITE.IOERR:
      return new ModelOpsError('STORE_IO', `${path}: cannot read or write the store file (${why})`, { location: path, cause: e });
    default:
      return e;
  }
}

function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
