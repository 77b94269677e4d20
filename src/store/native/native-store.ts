import { accessSync, constants, copyFileSync, existsSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import {
  NEW_STORE_PAGE_SIZE,
  createModelopsTempTables,
  createStoreSchema,
  dropModelopsTempTables,
  hasModelopsTables,
  prepareForWrites,
} from '../schema/create';
import type { StoreSchema } from '../schema/inspect';
import { inspectSchema, readOnlyError } from '../schema/inspect';
import { NEWEST_HEAD, headForRelease } from '../schema/mlflow-heads';
import { ChangeNotifier } from '../sql/change-notifier';
import { WriteQueue } from '../sql/write-queue';
import { createStoreFile } from '../sql/create-store';
import { FileLock } from '../sql/file-lock';
import { fsyncPath } from '../../core/atomic-file';
import { ioError } from '../sql/fs-util';
import { verifyBackup } from '../schema/backup';
import type { SqlDatabase } from '../sql/sql-database';
import type { EngineInfo, StoreFile, StoreFileOptions } from '../sql/store-file';
import { checkWorkspace, defaultArtifactRoot, defaultExperimentLocation, noStore, workspaceOf } from '../sql/store-file';
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
  /** PRAGMA schema_version when `schema` was read: another program (a newer MLflow) may change the schema under us. */
  schemaVersion: number;
  /** The file lacks `modelops_*` tables: temp tables stand in for reads; the first write creates them. */
  modelopsPending: boolean;
  /** The first write of this connection has made the store ready for writes (prepareForWrites). */
  prepared: boolean;
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
  readonly workspace: string;
  private conn: Connection;
  private readonly writes: WriteQueue;
  private readonly notifier: ChangeNotifier;
  private readonly lock: FileLock;
  private readonly lockTimeoutMs: number;

  private constructor(
    private readonly sqlite: NodeSqlite,
    path: string,
    options: StoreFileOptions,
    conn: Connection,
  ) {
    this.path = path;
    this.conn = conn;
    this.workspace = workspaceOf(options);
    this.artifactRoot = resolve(options.artifactRoot ?? defaultArtifactRoot(path));
    this.lock = new FileLock(`${realTarget(path)}.lock`);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.notifier = new ChangeNotifier(path);
    this.writes = new WriteQueue(path);
    this.engine = { name: 'node:sqlite', reason: `Node ${process.versions.node} has node:sqlite`, safeBesideOtherWriters: true };
  }

  static async open(file: string, sqlite: NodeSqlite, options: StoreFileOptions = {}): Promise<NativeStoreFile> {
    const path = resolve(file);
    if (!existsSync(path)) {
      if (options.create === false) throw noStore(path);
      const head = options.schema === undefined ? NEWEST_HEAD : headForRelease(options.schema);
      const artifacts = defaultExperimentLocation(path, options);
      await createStoreFile(path, new FileLock(`${path}.lock`), options.lockTimeoutMs ?? 30_000, (tmp) => {
        const db = new sqlite.DatabaseSync(tmp);
        try {
          db.exec(`PRAGMA page_size = ${NEW_STORE_PAGE_SIZE}`);
          createStoreSchema(new NativeSql(db), artifacts, Date.now(), head);
        } finally {
          db.close();
        }
      });
    }
    return new NativeStoreFile(sqlite, path, options, connect(sqlite, path, true, workspaceOf(options)));
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
        this.followSchema(conn);
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
    return this.writes.push(() => this.writeLocked(fn), this.readOnlyRefusal());
  }

  onDidChange(listener: () => void): () => void {
    return this.notifier.subscribe(listener);
  }

  async close(): Promise<void> {
    if (!(await this.writes.close())) return;
    this.notifier.close();
    this.lock.dispose();
    closeConnection(this.conn);
  }

  // ---- internals -------------------------------------------------------------------------------

  migrate<T>(backup: string, fn: (db: SqlDatabase) => T): Promise<T> {
    return this.writes.push(() => this.writeLocked(fn, backup), this.readOnlyRefusal());
  }

  /** One write transaction; with `backup`, a migration: copy verified first, foreign keys off, no waiting for the lock. */
  private async writeLocked<T>(fn: (db: SqlDatabase) => T, backup?: string): Promise<T> {
    const migrating = backup !== undefined;
    await this.lock.acquire(migrating ? 2000 : this.lockTimeoutMs);
    try {
      for (let attempt = 0; ; attempt++) {
        const conn = this.current();
        if (migrating) conn.sql.exec('PRAGMA foreign_keys = OFF');
        try {
          await this.beginImmediate(conn.sql, migrating ? 0 : this.lockTimeoutMs);
        } catch (e) {
          if (migrating) conn.sql.exec('PRAGMA foreign_keys = ON');
          throw e;
        }
        try {
          const result = this.guard(() => {
            this.followSchema(conn);
            if (conn.schema.readOnly) throw readOnlyError(conn.schema, this.path);
            if (backup !== undefined) this.backupTo(conn, backup);
            if (!conn.prepared) {
              if (conn.modelopsPending) dropModelopsTempTables(conn.sql);
              prepareForWrites(conn.sql, join(this.artifactRoot, '0'));
              this.followSchema(conn); // the product's migrations may have just changed its tables
            }
            const r = fn(conn.sql);
            if (migrating && conn.sql.all('PRAGMA foreign_key_check').length > 0) {
              throw new ModelOpsError('STORE_CORRUPT', `${this.path}: the migrated store fails its foreign key check; nothing was changed`, {
                location: this.path,
              });
            }
            conn.sql.exec('COMMIT');
            return r;
          });
          if (migrating) {
            conn.sql.exec('PRAGMA foreign_keys = ON');
            this.followSchema(conn);
          }
          conn.modelopsPending = false;
          conn.prepared = true;
          this.notifier.committed();
          return result;
        } catch (e) {
          rollback(conn.sql);
          if (migrating) conn.sql.exec('PRAGMA foreign_keys = ON');
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
  private async beginImmediate(db: NativeSql, waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    let delay = 2;
    db.exec('PRAGMA busy_timeout = 0');
    try {
      for (;;) {
        try {
          db.exec('BEGIN IMMEDIATE');
          return;
        } catch (e) {
          if (!isCode(e, SQLITE.BUSY) || Date.now() >= deadline) throw waitMs === 0 && isCode(e, SQLITE.BUSY) ? busyNow(this.path) : this.mapError(e);
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

  /** Under the write transaction (no one else can commit): the file as it is, copied and checked. */
  private backupTo(conn: Connection, backup: string): void {
    try {
      copyFileSync(realTarget(this.path), backup, constants.COPYFILE_EXCL);
    } catch (e) {
      throw ioError(backup, 'cannot write the backup copy', e);
    }
    fsyncPath(backup, 'r+');
    const copy = new NativeSql(new this.sqlite.DatabaseSync(backup, { readOnly: true }));
    try {
      verifyBackup(conn.sql, copy, backup);
    } finally {
      closeConnection({ sql: copy });
    }
  }

  /** Inside a transaction: when another program changed the schema (MLflow upgraded the file), read it again. */
  private followSchema(conn: Connection): void {
    const version = schemaVersion(conn.sql);
    if (version === conn.schemaVersion) return;
    conn.schema = inspectSchema(conn.sql, this.path);
    conn.schemaVersion = version;
  }

  private reconnect(): void {
    const fresh = connect(this.sqlite, this.path, false, this.workspace);
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
    this.writes.assertOpen();
  }

  private readOnlyRefusal(): Error | undefined {
    return this.conn.schema.readOnly ? readOnlyError(this.conn.schema, this.path) : undefined;
  }
}

/** Opens and checks a connection: an SQLite file (quick check of small files), an MLflow schema this version reads. */
function connect(sqlite: NodeSqlite, path: string, verify: boolean, workspace: string): Connection {
  const st = statSync(path, { bigint: true });
  // SQLite takes an empty file for an empty database; to the user it is a broken store.
  if (st.size === 0n)
    throw new ModelOpsError('STORE_CORRUPT', `${path}: the file is empty, not an SQLite database; the file was left untouched`, { location: path });
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
  let sql = new NativeSql(raw);
  try {
    sql.exec(`PRAGMA busy_timeout = ${READ_BUSY_MS}`);
    const modelops = hasModelopsTables(sql);
    // Stand-ins first (outside the transaction, which is rolled back), so that the schema read
    // sees the product's tables as reads will.
    if (!modelops) createModelopsTempTables(sql);
    sql.exec('BEGIN');
    let schema: StoreSchema;
    let version: number;
    try {
      if (verify && st.size <= BigInt(QUICK_CHECK_MAX_BYTES)) {
        const verdict = String(sql.get('PRAGMA quick_check(1)')?.quick_check ?? 'ok');
        if (verdict !== 'ok')
          throw new ModelOpsError('STORE_CORRUPT', `${path}: the database is corrupt (${verdict}); the file was left untouched`, { location: path });
      }
      schema = inspectSchema(sql, path);
      checkWorkspace(sql, schema, workspace, path);
      version = schemaVersion(sql);
    } finally {
      rollback(sql);
    }
    if (schema.readOnly) {
      // A schema this version cannot write: hold the file so that nothing can be written, even by mistake.
      closeConnection({ sql });
      sql = new NativeSql(new sqlite.DatabaseSync(path, { readOnly: true, enableForeignKeyConstraints: true }));
      sql.exec(`PRAGMA busy_timeout = ${READ_BUSY_MS}`);
      if (!modelops) createModelopsTempTables(sql);
    }
    return { sql, ino, schema, schemaVersion: version, modelopsPending: !modelops, prepared: false };
  } catch (e) {
    closeConnection({ sql });
    throw e instanceof ModelOpsError ? e : nativeError(e, path, READ_BUSY_MS);
  }
}

function schemaVersion(db: SqlDatabase): number {
  return Number(db.get('PRAGMA schema_version')?.schema_version ?? 0);
}

function closeConnection(conn: { sql: NativeSql }): void {
  conn.sql.dispose();
  try {
    conn.sql.db.close();
  } catch {
    /* closed already */
  }
}

function busyNow(path: string): ModelOpsError {
  return new ModelOpsError(
    'STORE_BUSY',
    `${path}: another program is writing the store right now; stop it (an MLflow server, a notebook, a training run) and try again — nothing was changed`,
    { location: path },
  );
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
      return new ModelOpsError('STORE_BUSY', `${path}: another program holds the store's write lock (${why}); gave up after ${waitedMs} ms`, {
        location: path,
        cause: e,
      });
    case SQLITE.CORRUPT:
      return new ModelOpsError('STORE_CORRUPT', `${path}: the store file is corrupt (${why}); the file was left untouched`, { location: path, cause: e });
    case SQLITE.NOTADB:
      return new ModelOpsError('STORE_CORRUPT', `${path}: not an SQLite database (${why}); the file was left untouched`, { location: path, cause: e });
    case SQLITE.READONLY:
      if (err.errcode === SQLITE.READONLY_DBMOVED) return e;
      return new ModelOpsError('STORE_IO', `${path}: cannot write the store file (${why}: permission denied or a read-only file system)`, {
        location: path,
        cause: e,
      });
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
