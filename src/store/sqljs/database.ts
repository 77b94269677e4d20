import { randomBytes } from 'node:crypto';
import type { FSWatcher } from 'node:fs';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  unwatchFile,
  watch,
  watchFile,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { ModelOpsError } from '../../core/errors';
import { FileLock } from './file-lock';
import { ImageBuffer, imageWithHeadroom, LiveImage } from './live-image';
import { MLFLOW_ALEMBIC_REVISION, MLFLOW_SCHEMA_DDL, MLFLOW_TABLES } from './mlflow-schema';
import { MODELOPS_MIGRATIONS, MODELOPS_SCHEMA_DDL } from './modelops-schema';
import { loadSqlJs } from './sqljs-runtime';

/** The sql.js database handed to `read`/`write` callbacks. */
export type SqlJsDatabase = Database;

export interface StoreDatabaseOptions {
  /** Create the file (and its folder) when missing. Default true. */
  create?: boolean;
  /** How long a writer waits for the cross-process lock. Default 30 s. */
  lockTimeoutMs?: number;
  /** How long to wait for another SQLite program's hot journal to go away. Default 10 s. */
  journalWaitMs?: number;
  /** Folder under which new experiments' artifacts go. Default `<store folder>/artifacts`. */
  artifactRoot?: string;
}

interface FileSignature {
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024;

/** Where artifacts of a store at `storeFile` live by default (MLflow's local layout). */
export function defaultArtifactRoot(storeFile: string): string {
  return join(dirname(resolve(storeFile)), 'artifacts');
}

/**
 * One SQLite file in MLflow 2.10.2's schema, held in memory by sql.js.
 *
 * Reads run on the in-memory image, reloaded first if the file changed on disk. Every write is one
 * transaction under the exclusive cross-process lock: reload if changed, apply, export, write a temp
 * file in the same folder, fsync, check the file is still the one we loaded, rename over it, fsync
 * the folder. Readers (other processes included) therefore only ever see complete, committed files;
 * a crash at any point leaves the previous or the next committed state.
 */
export class StoreDatabase {
  readonly path: string;
  readonly artifactRoot: string;
  private db: Database | undefined;
  private loaded: FileSignature | undefined;
  /** The in-memory image may differ from the file (a failed write): reload before the next use. */
  private stale = false;
  /** The buffer MEMFS holds the open image in (see live-image.ts); undefined once proven not. */
  private live: LiveImage | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * The file state listeners were last told about. Kept apart from `loaded`: a read that reloads
   * another process's write must not swallow the watcher's notification of it.
   */
  private notified: FileSignature | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly lock: FileLock;
  private readonly lockTimeoutMs: number;
  private readonly journalWaitMs: number;
  private closed = false;
  private stopWatching: (() => void) | undefined;

  private constructor(
    private readonly sql: SqlJsStatic,
    file: string,
    options: StoreDatabaseOptions,
  ) {
    this.path = resolve(file);
    this.artifactRoot = resolve(options.artifactRoot ?? defaultArtifactRoot(this.path));
    this.lock = new FileLock(`${this.path}.lock`);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.journalWaitMs = options.journalWaitMs ?? 10_000;
  }

  /** Opens (creating when allowed and missing) and validates the store file. */
  static async open(file: string, options: StoreDatabaseOptions = {}): Promise<StoreDatabase> {
    const sql = await loadSqlJs();
    const store = new StoreDatabase(sql, file, options);
    if (!existsSync(store.path)) {
      if (options.create === false) {
        throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `${store.path}: no store file here (it is created by the first command that writes, e.g. \`modelops experiments create <name>\`)`, { location: store.path });
      }
      await store.createFile();
    }
    await store.refresh(true);
    store.removeOrphanTempFiles();
    return store;
  }

  /** Runs `fn` on the current committed state (reloaded first if another process wrote). */
  async read<T>(fn: (db: SqlJsDatabase) => T): Promise<T> {
    this.assertOpen();
    await this.refresh(false);
    return this.guard(() => fn(this.image()));
  }

  /**
   * Runs `fn` as one durable transaction. `fn` must be synchronous and may be called more than once
   * (when an outside writer changed the file under us, the transaction is re-applied on the new
   * state). If `fn` throws, nothing is written and the error propagates.
   */
  write<T>(fn: (db: SqlJsDatabase) => T): Promise<T> {
    this.assertOpen();
    const next = this.queue.then(() => this.writeLocked(fn));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Called after every change of the file: our own commits, and others' once `watch()` is on. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Watches the file for changes made by other processes; returns a disposer. */
  watch(): () => void {
    if (this.stopWatching) return this.stopWatching;
    this.notified ??= this.loaded;
    let timer: NodeJS.Timeout | undefined;
    const check = (): void => {
      timer = undefined;
      const now = signatureOf(this.path);
      if (now && (!this.notified || !sameSignature(now, this.notified))) this.emit(now);
    };
    const poke = (): void => {
      if (!timer) timer = setTimeout(check, 30);
    };
    let watcher: FSWatcher | undefined;
    try {
      // Watch the folder: writers replace the file by rename, which a file watch would lose.
      watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(this.path)) poke();
      });
    } catch {
      watcher = undefined;
    }
    watchFile(this.path, { interval: 1000, persistent: false }, poke);
    this.stopWatching = () => {
      watcher?.close();
      unwatchFile(this.path, poke);
      if (timer) clearTimeout(timer);
      this.stopWatching = undefined;
    };
    return this.stopWatching;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.stopWatching?.();
    this.listeners.clear();
    this.db?.close();
    this.db = undefined;
  }

  // ---- internals -------------------------------------------------------------------------------

  private async writeLocked<T>(fn: (db: SqlJsDatabase) => T): Promise<T> {
    await this.lock.acquire(this.lockTimeoutMs);
    try {
      for (let attempt = 0; ; attempt++) {
        await this.refresh(false);
        const db = this.image();
        const before = totalChanges(db);
        let result: T;
        db.exec('BEGIN');
        try {
          result = this.guard(() => fn(db));
          db.exec('COMMIT');
        } catch (e) {
          try {
            db.exec('ROLLBACK');
          } catch {
            /* fn's error ended the transaction already */
          }
          throw e;
        }
        if (totalChanges(db) === before) return result; // nothing to persist
        // From here until the rename, memory is ahead of the file.
        this.stale = true;
        const fromBuffer = this.live?.committed(pageCount(db));
        const bytes = fromBuffer ?? db.export();
        const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
        writeDurably(tmp, bytes, this.path);
        const current = signatureOf(this.path);
        if (!current || !this.loaded || !sameSignature(current, this.loaded)) {
          // An outside writer (not using our lock) changed the file: start again from its state.
          tryUnlink(tmp);
          if (attempt >= 5) {
            throw new ModelOpsError('STORE_BUSY', `${this.path}: another program keeps changing the file; transaction not applied`, {
              location: this.path,
            });
          }
          continue;
        }
        try {
          renameSync(tmp, this.path);
        } catch (e) {
          tryUnlink(tmp);
          throw ioError(this.path, 'cannot replace the store file', e);
        }
        fsyncDir(dirname(this.path));
        this.loaded = signatureOf(this.path);
        this.stale = false;
        if (!fromBuffer || this.live!.buffer.length - bytes.length < MIN_ROOM) {
          // Headroom nearly used, or MEMFS no longer writes into our buffer: continue on a fresh
          // image of what was just written.
          const buffer = imageWithHeadroom(bytes, headroomFor(bytes.length));
          const fresh = openImage(this.sql, { buffer, size: bytes.length }, this.path, false);
          db.close();
          this.db = fresh;
          this.live = new LiveImage(buffer);
        }
        this.emit(this.loaded);
        return result;
      }
    } finally {
      this.lock.release();
    }
  }

  /** Reload the file if it changed on disk (or memory is stale); validate what is loaded. */
  private async refresh(force: boolean): Promise<void> {
    const sig = signatureOf(this.path);
    if (!sig) throw new ModelOpsError('STORE_IO', `${this.path}: the store file is gone`, { location: this.path });
    if (!force && !this.stale && this.db && this.loaded && sameSignature(sig, this.loaded)) return;
    await this.waitForHotJournal();
    let image: { buffer: ImageBuffer; size: number };
    let before: FileSignature | undefined;
    for (let i = 0; ; i++) {
      before = signatureOf(this.path);
      try {
        image = readWithHeadroom(this.path);
      } catch (e) {
        throw ioError(this.path, 'cannot read the store file', e);
      }
      const after = signatureOf(this.path);
      // A rename landing mid-read gives a different inode: read again.
      if (before && after && sameSignature(before, after)) break;
      if (i > 20) throw new ModelOpsError('STORE_BUSY', `${this.path}: the file keeps changing while being read`, { location: this.path });
    }
    const db = openImage(this.sql, image, this.path, force);
    this.db?.close();
    this.db = db;
    this.live = new LiveImage(image.buffer);
    this.loaded = before;
    this.stale = false;
  }

  private async waitForHotJournal(): Promise<void> {
    const deadline = Date.now() + this.journalWaitMs;
    for (;;) {
      const hot = ['-journal', '-wal'].map((s) => this.path + s).find((p) => {
        const sig = signatureOf(p);
        return sig !== undefined && sig.size > 0n;
      });
      if (!hot) return;
      if (Date.now() > deadline) {
        throw new ModelOpsError(
          'STORE_BUSY',
          `${this.path}: another SQLite program is in the middle of a transaction (${basename(hot)} exists); try again later` +
            ' (if no program is running, open the file once with sqlite3 to roll the journal back)',
          { location: hot },
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async createFile(): Promise<void> {
    const folder = dirname(this.path);
    try {
      mkdirSync(folder, { recursive: true });
    } catch (e) {
      throw ioError(folder, 'cannot create the store folder', e);
    }
    await this.lock.acquire(this.lockTimeoutMs);
    try {
      if (existsSync(this.path)) return; // another process created it meanwhile
      const db = new this.sql.Database();
      try {
        db.exec(`PRAGMA page_size = ${NEW_STORE_PAGE_SIZE}`);
        createMlflowSchema(db, join(this.artifactRoot, '0'), Date.now());
        ensureModelopsSchema(db);
        const tmp = join(folder, `.${basename(this.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
        writeDurably(tmp, db.export(), this.path);
        try {
          linkSync(tmp, this.path); // never clobbers a file that appeared meanwhile
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(this.path, 'cannot create the store file', e);
        } finally {
          tryUnlink(tmp);
        }
        fsyncDir(folder);
      } finally {
        db.close();
      }
    } finally {
      this.lock.release();
    }
  }

  /** Temp files left by writers that crashed before their rename. */
  private removeOrphanTempFiles(): void {
    const prefix = `.${basename(this.path)}.`;
    let names: string[];
    try {
      names = readdirSync(dirname(this.path));
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const pid = Number(name.slice(prefix.length).split('.')[0]);
      if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) tryUnlink(join(dirname(this.path), name));
    }
  }

  private image(): Database {
    if (!this.db) throw new ModelOpsError('INTERNAL_ERROR', `${this.path}: store is not loaded`);
    return this.db;
  }

  /** sql.js reports corruption found late (a bad page read by a query) as a plain Error. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ModelOpsError) && /malformed|not a database|disk image/i.test(String((e as Error).message))) {
        this.stale = true;
        throw new ModelOpsError('STORE_CORRUPT', `${this.path}: the store file is corrupt (${(e as Error).message})`, {
          location: this.path,
          cause: e,
        });
      }
      throw e;
    }
  }

  private emit(state: FileSignature | undefined): void {
    this.notified = state;
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        /* a listener's failure is not the writer's */
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ModelOpsError('INTERNAL_ERROR', `${this.path}: store is closed`);
  }
}

/**
 * Page size of stores this project creates (MLflow's own files keep theirs): metric inserts run
 * faster with big pages, but every table and index takes at least one, so an empty store is about
 * 50 pages: 16 KB pages make it ~0.85 MB (64 KB: 3.3 MB) and still log 190k points/s (docs/tracking.md).
 */
const NEW_STORE_PAGE_SIZE = 16384;

/** Creates MLflow 2.10.2's tables, alembic head and the Default experiment, as `mlflow` does. */
export function createMlflowSchema(db: Database, defaultArtifactLocation: string, now: number): void {
  db.exec('BEGIN');
  for (const ddl of MLFLOW_SCHEMA_DDL) db.exec(ddl);
  db.run('INSERT INTO alembic_version (version_num) VALUES (?)', [MLFLOW_ALEMBIC_REVISION]);
  db.run(
    "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, 'Default', ?, 'active', ?, ?)",
    [defaultArtifactLocation, now, now],
  );
  db.exec('COMMIT');
}

/** Creates missing `modelops_*` tables and applies pending modelops migrations. */
export function ensureModelopsSchema(db: Database): void {
  for (const ddl of MODELOPS_SCHEMA_DDL) db.exec(ddl);
  for (const [id, sql] of MODELOPS_MIGRATIONS) {
    const key = `migration:${id}`;
    const done = db.exec('SELECT 1 FROM modelops_meta WHERE "key" = ?', [key]);
    if (done.length > 0) continue;
    db.exec(sql);
    db.run('INSERT INTO modelops_meta ("key", value) VALUES (?, ?)', [key, String(Date.now())]);
  }
}

/** Validates a file image: SQLite, MLflow's tables, the alembic revision we speak. */
function openImage(sql: SqlJsStatic, image: { buffer: ImageBuffer; size: number }, file: string, verify: boolean): Database {
  const bytes = image.buffer.subarray(0, image.size);
  const corrupt = (why: string, cause?: unknown): ModelOpsError =>
    new ModelOpsError('STORE_CORRUPT', `${file}: ${why}; the file was left untouched`, { location: file, cause });
  if (bytes.length === 0) throw corrupt('the file is empty, not an SQLite database');
  if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_MAGIC) {
    throw corrupt('not an SQLite database (bad header)');
  }
  let db: Database;
  try {
    db = new sql.Database(image.buffer.length > image.size && headerSizeValid(bytes) ? image.buffer : bytes);
  } catch (e) {
    throw corrupt(`cannot be opened as an SQLite database (${(e as Error).message})`, e);
  }
  try {
    let tables: Set<string>;
    try {
      const rows = db.exec("SELECT name FROM sqlite_master WHERE type = 'table'");
      tables = new Set((rows[0]?.values ?? []).map((r) => String(r[0])));
      // The full check reads every page (~1 s per 100 MB in wasm): done on first open of files up
      // to 32 MB; corruption in bigger files surfaces as STORE_CORRUPT from the query that hits it.
      if (verify && image.size <= QUICK_CHECK_MAX_BYTES) {
        const check = db.exec('PRAGMA quick_check(1)');
        const verdict = String(check[0]?.values[0]?.[0] ?? 'ok');
        if (verdict !== 'ok') throw new Error(verdict);
      }
    } catch (e) {
      throw corrupt(`the database is corrupt (${(e as Error).message})`, e);
    }
    if (!tables.has('alembic_version')) {
      throw new ModelOpsError(
        'STORE_UNSUPPORTED_SCHEMA',
        `${file}: an SQLite database but not an MLflow store (no alembic_version table); the file was left untouched`,
        { location: file },
      );
    }
    const rev = db.exec('SELECT version_num FROM alembic_version');
    const revision = String(rev[0]?.values[0]?.[0] ?? '(none)');
    if (revision !== MLFLOW_ALEMBIC_REVISION) {
      throw new ModelOpsError(
        'STORE_UNSUPPORTED_SCHEMA',
        `${file}: MLflow schema revision ${revision} is not the one this version reads (${MLFLOW_ALEMBIC_REVISION}, MLflow 2.10.2);` +
          ` an older file can be upgraded with \`mlflow db upgrade sqlite:///${file}\`; the file was left untouched`,
        { location: file },
      );
    }
    const missing = MLFLOW_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) throw corrupt(`MLflow tables missing: ${missing.join(', ')}`);
    ensureModelopsSchema(db); // in memory only; persisted by the next write
    tune(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * sql.js keeps the database as a file in Emscripten's in-memory file system, which grows a file
 * by reallocating and copying all of it (×1.125 at a time): a commit that appends 10 MB of pages
 * to a 30 MB image copied ~90 MB and took ~300 ms. Loading the image with zeroed headroom after
 * its last page lets SQLite append in place (commit ~10 ms). SQLite ignores bytes past the page
 * count stored in the header when that count is valid (every file written by SQLite ≥ 3.7.0);
 * when it is not, no headroom is added. `export()` writes only the real pages.
 */
function headerSizeValid(bytes: Uint8Array): boolean {
  if (bytes.length < 100) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pages = view.getUint32(28);
  return pages > 0 && view.getUint32(24) === view.getUint32(92) && pages * pageSize === bytes.length;
}

/** Reads the file straight into a buffer that has the headroom already (MEMFS then keeps it). */
function readWithHeadroom(path: string): { buffer: ImageBuffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = new ImageBuffer(size + headroomFor(size));
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buffer, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return { buffer, size: off };
  } finally {
    closeSync(fd);
  }
}

/**
 * Room reserved after the image: twice the file's size, at least 256 MB, at most 1 GB. It costs
 * address space, not memory: MEMFS keeps our buffer (live-image.ts), so its zero pages are not
 * touched until SQLite writes there; moving to a bigger buffer costs a copy of the whole image
 * (first-touch ~3 ms/MB here), so it is done rarely: when less than `MIN_ROOM` is left.
 */
function headroomFor(size: number): number {
  return Math.min(1024 * 1024 * 1024, Math.max(256 * 1024 * 1024, 2 * size));
}

/** Free room below which a commit moves the image to a new buffer (a flush of 100k metric points adds ~18 MB). */
const MIN_ROOM = 64 * 1024 * 1024;

/**
 * The image lives in Emscripten's in-memory file system, so SQLite's own page cache should hold all
 * of it (a cache miss is a copy through JS), and the rollback journal needs no file: nothing here
 * is durable until export + rename anyway. None of this is stored in the file.
 */
function tune(db: Database): void {
  db.exec(`PRAGMA cache_size = ${process.env.MODELOPS_CACHE ?? '-1048576'}; PRAGMA journal_mode = ${process.env.MODELOPS_JOURNAL ?? 'MEMORY'}; PRAGMA temp_store = MEMORY; PRAGMA synchronous = OFF`);
}

function pageCount(db: Database): number {
  return Number(db.exec('PRAGMA page_count')[0]?.values[0]?.[0] ?? 0);
}

function totalChanges(db: Database): number {
  return Number(db.exec('SELECT total_changes()')[0]?.values[0]?.[0] ?? 0);
}

function writeDurably(tmp: string, bytes: Uint8Array, storeFile: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    tryUnlink(tmp);
    throw ioError(dirname(storeFile), `cannot write ${basename(storeFile)} in this folder`, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on a directory; the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function signatureOf(path: string): FileSignature | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return { size: s.size, mtimeNs: s.mtimeNs, ino: s.ino };
  } catch {
    return undefined;
  }
}

function sameSignature(a: FileSignature, b: FileSignature): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function ioError(path: string, what: string, e: unknown): ModelOpsError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : (e as Error).message;
  return new ModelOpsError('STORE_IO', `${path}: ${what} (${why})`, { location: path, cause: e });
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
