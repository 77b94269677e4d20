import { closeSync, constants, copyFileSync, existsSync, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { ModelOpsError } from '../../core/errors';
import type { StoreSchema } from '../schema/inspect';
import { verifyBackup } from '../schema/backup';
import { inspectSchema, readOnlyError } from '../schema/inspect';
import { NEWEST_HEAD, headForRelease } from '../schema/mlflow-heads';
import { NEW_STORE_PAGE_SIZE, createStoreSchema, ensureModelopsSchema, prepareForWrites } from '../schema/create';
import { ChangeNotifier } from '../sql/change-notifier';
import { WriteQueue } from '../sql/write-queue';
import { createStoreFile } from '../sql/create-store';
import { FileLock } from '../sql/file-lock';
import type { FileSignature } from '../sql/file-signature';
import { sameSignature, signatureOf } from '../sql/file-signature';
import { ioError } from '../sql/fs-util';
import { fsyncPath, removeOrphanTempFiles, replaceWithTemp, tryUnlink, writeDurable, writeDurableTemp } from '../../core/atomic-file';
import type { SqlDatabase } from '../sql/sql-database';
import type { EngineInfo, StoreFile, StoreFileOptions } from '../sql/store-file';
import { checkWorkspace, defaultArtifactRoot, defaultExperimentLocation, noStore, workspaceOf } from '../sql/store-file';
import { ImageBuffer, imageWithHeadroom, LiveImage } from './live-image';
import { SqljsSql } from './sqljs-sql';
import { loadSqlJs } from './sqljs-runtime';

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The sql.js engine: the store file held in memory by SQLite compiled to WebAssembly, for runtimes
 * without node:sqlite. sql.js cannot take SQLite's file locks, so it keeps a whole-file protocol:
 * every write is one transaction under the exclusive lock file — reload if changed, apply, write a
 * temp file beside the target, fsync, check the file is still the one loaded, rename over it, fsync
 * the folder. Readers of this engine only ever see complete files and a crash leaves the previous or
 * the next committed state; but a program using SQLite's own locks (MLflow, node:sqlite) can lose a
 * commit made between our read and our rename, so this engine is not safe beside other SQLite writers.
 */
export class SqljsStoreFile implements StoreFile {
  readonly path: string;
  readonly artifactRoot: string;
  readonly engine: EngineInfo;
  readonly workspace: string;
  private db: Database | undefined;
  private sqlDb: SqljsSql | undefined;
  private schemaInfo: StoreSchema | undefined;
  private loaded: FileSignature | undefined;
  /** The in-memory image may differ from the file (a failed write): reload before the next use. */
  private stale = false;
  /** The buffer MEMFS holds the open image in (see live-image.ts); undefined once proven not. */
  private live: LiveImage | undefined;
  private readonly writes: WriteQueue;
  private readonly notifier: ChangeNotifier;
  private readonly lock: FileLock;
  private readonly lockTimeoutMs: number;
  private readonly journalWaitMs: number;

  private constructor(
    private readonly sql: SqlJsStatic,
    file: string,
    /** The file the path names (a symlink's target): written in place of, so the link stays a link. */
    private readonly target: string,
    options: StoreFileOptions,
    reason: string,
  ) {
    this.path = resolve(file);
    this.artifactRoot = resolve(options.artifactRoot ?? defaultArtifactRoot(this.path));
    this.lock = new FileLock(`${target}.lock`);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.journalWaitMs = options.journalWaitMs ?? 10_000;
    this.notifier = new ChangeNotifier(this.path);
    this.writes = new WriteQueue(this.path);
    this.engine = { name: 'sql.js', reason, safeBesideOtherWriters: false };
    this.workspace = workspaceOf(options);
  }

  /** Opens (creating when allowed and missing) and validates the store file. */
  static async open(file: string, options: StoreFileOptions = {}, reason = 'chosen'): Promise<SqljsStoreFile> {
    const sql = await loadSqlJs();
    const path = resolve(file);
    if (!existsSync(path)) {
      if (options.create === false) throw noStore(path);
      await createStoreFile(path, new FileLock(`${path}.lock`), options.lockTimeoutMs ?? 30_000, (tmp) => writeNewStore(sql, tmp, path, options));
    }
    const store = new SqljsStoreFile(sql, path, realpathSync(path), options, reason);
    await store.refresh(true);
    removeOrphanTempFiles(store.target);
    return store;
  }

  get schema(): StoreSchema {
    if (!this.schemaInfo) throw new ModelOpsError('INTERNAL_ERROR', `${this.path}: store is not loaded`);
    return this.schemaInfo;
  }

  async read<T>(fn: (db: SqlDatabase) => T): Promise<T> {
    this.assertOpen();
    await this.refresh(false);
    return this.guard(() => fn(this.connection()));
  }

  write<T>(fn: (db: SqlDatabase) => T): Promise<T> {
    return this.writes.push(() => this.writeLocked(fn), this.readOnlyRefusal());
  }

  migrate<T>(backup: string, fn: (db: SqlDatabase) => T): Promise<T> {
    return this.writes.push(() => this.writeLocked(fn, backup), this.readOnlyRefusal());
  }

  onDidChange(listener: () => void): () => void {
    return this.notifier.subscribe(listener);
  }

  async close(): Promise<void> {
    if (!(await this.writes.close())) return;
    this.notifier.close();
    this.lock.dispose();
    this.closeImage();
  }

  // ---- internals -------------------------------------------------------------------------------

  /** One write transaction; with `backup`, a migration: copy verified first, foreign keys off, no waiting for the lock. */
  private async writeLocked<T>(fn: (db: SqlDatabase) => T, backup?: string): Promise<T> {
    await this.lock.acquire(backup === undefined ? this.lockTimeoutMs : 2000);
    try {
      for (let attempt = 0; ; attempt++) {
        await this.refresh(false);
        if (this.schema.readOnly) throw readOnlyError(this.schema, this.path); // the file changed to a schema we cannot write
        const sqlDb = this.connection();
        const db = sqlDb.db;
        if (backup !== undefined) {
          this.backupTo(backup);
          db.exec('PRAGMA foreign_keys = OFF');
        }
        const before = totalChanges(db);
        let result: T;
        db.exec('BEGIN');
        try {
          result = this.guard(() => fn(sqlDb));
          if (backup !== undefined && sqlDb.all('PRAGMA foreign_key_check').length > 0) {
            throw new ModelOpsError('STORE_CORRUPT', `${this.path}: the migrated store fails its foreign key check; nothing was changed`, {
              location: this.path,
            });
          }
          db.exec('COMMIT');
        } catch (e) {
          try {
            db.exec('ROLLBACK');
          } catch {
            /* fn's error ended the transaction already */
          }
          throw e;
        } finally {
          if (backup !== undefined) db.exec('PRAGMA foreign_keys = ON');
        }
        if (totalChanges(db) === before) return result; // nothing to persist
        // From here until the rename, memory is ahead of the file.
        this.stale = true;
        const fromBuffer = this.live?.committed(pageCount(db));
        const bytes = fromBuffer ?? db.export();
        if (!fromBuffer) this.sqlDb?.dispose(); // export() finalizes every statement of the database
        let tmp: string;
        try {
          tmp = writeDurableTemp(this.target, bytes, { keepModeOf: this.target });
        } catch (e) {
          throw ioError(dirname(this.target), `cannot write ${basename(this.target)} in this folder`, e);
        }
        const current = signatureOf(this.target);
        if (!current || !this.loaded || !sameSignature(current, this.loaded)) {
          // An outside writer (not using our lock) changed the file: start again from its state.
          tryUnlink(tmp);
          if (attempt >= 5) {
            throw new ModelOpsError('STORE_BUSY', `${this.path}: another program keeps changing the file; transaction not applied`, { location: this.path });
          }
          continue;
        }
        try {
          replaceWithTemp(tmp, this.target);
        } catch (e) {
          throw ioError(this.path, 'cannot replace the store file', e);
        }
        this.loaded = signatureOf(this.target);
        this.stale = false;
        if (!fromBuffer || this.live!.buffer.length - bytes.length < MIN_ROOM) {
          // Headroom nearly used, or MEMFS no longer writes into our buffer: continue on a fresh
          // image of what was just written.
          const buffer = imageWithHeadroom(bytes, headroomFor(bytes.length));
          const fresh = openImage(this.sql, { buffer, size: bytes.length }, this.path, false, this.workspace, join(this.artifactRoot, '0'));
          this.closeImage();
          this.setImage(fresh, buffer);
        }
        // A migration changed the schema: read it again (inspectSchema on the image as it is now).
        if (backup !== undefined && this.sqlDb) this.schemaInfo = inspectSchema(this.sqlDb, this.path);
        this.notifier.committed();
        return result;
      }
    } finally {
      this.lock.release();
    }
  }

  /** Reload the file if it changed on disk (or memory is stale); validate what is loaded. */
  private async refresh(force: boolean): Promise<void> {
    const sig = signatureOf(this.target);
    if (!sig) throw new ModelOpsError('STORE_IO', `${this.path}: the store file is gone`, { location: this.path });
    if (!force && !this.stale && this.db && this.loaded && sameSignature(sig, this.loaded)) return;
    await this.waitForHotJournal();
    let image: { buffer: ImageBuffer; size: number };
    let before: FileSignature | undefined;
    for (let i = 0; ; i++) {
      before = signatureOf(this.target);
      try {
        image = readWithHeadroom(this.target);
      } catch (e) {
        throw ioError(this.path, 'cannot read the store file', e);
      }
      // A rename or an in-place commit landing mid-read changes the signature: read again.
      if (sameSignature(before, signatureOf(this.target))) break;
      if (i > 20) throw new ModelOpsError('STORE_BUSY', `${this.path}: the file keeps changing while being read`, { location: this.path });
    }
    const opened = openImage(this.sql, image, this.path, force, this.workspace, join(this.artifactRoot, '0'));
    this.closeImage();
    this.setImage(opened, image.buffer);
    this.loaded = before;
    this.stale = false;
  }

  /**
   * Under the lock the file is what was loaded (memory may hold more: the product's tables made
   * for the first write): copied, and the copy checked against the file.
   */
  private backupTo(backup: string): void {
    try {
      copyFileSync(this.target, backup, constants.COPYFILE_EXCL);
    } catch (e) {
      throw ioError(backup, 'cannot write the backup copy', e);
    }
    fsyncPath(backup, 'r+');
    const file = new this.sql.Database(readFileSync(this.target));
    const copy = new this.sql.Database(readFileSync(backup));
    const [f, c] = [new SqljsSql(file), new SqljsSql(copy)];
    try {
      verifyBackup(f, c, backup);
    } finally {
      f.dispose();
      c.dispose();
      file.close();
      copy.close();
    }
  }

  private setImage(opened: { db: Database; schema: StoreSchema }, buffer: ImageBuffer): void {
    this.db = opened.db;
    this.sqlDb = new SqljsSql(opened.db);
    this.schemaInfo = opened.schema;
    this.live = new LiveImage(buffer);
  }

  private closeImage(): void {
    this.sqlDb?.dispose();
    this.db?.close();
    this.db = undefined;
    this.sqlDb = undefined;
  }

  private async waitForHotJournal(): Promise<void> {
    const deadline = Date.now() + this.journalWaitMs;
    for (;;) {
      const hot = ['-journal', '-wal']
        .map((s) => this.target + s)
        .find((p) => {
          try {
            return statSync(p).size > 0;
          } catch {
            return false;
          }
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

  private connection(): SqljsSql {
    if (!this.sqlDb) throw new ModelOpsError('INTERNAL_ERROR', `${this.path}: store is not loaded`);
    return this.sqlDb;
  }

  /** sql.js reports corruption found late (a bad page read by a query) as a plain Error. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ModelOpsError) && /malformed|not a database|disk image/i.test(String((e as Error).message))) {
        this.stale = true;
        throw new ModelOpsError('STORE_CORRUPT', `${this.path}: the store file is corrupt (${(e as Error).message})`, { location: this.path, cause: e });
      }
      throw e;
    }
  }

  private assertOpen(): void {
    this.writes.assertOpen();
  }

  private readOnlyRefusal(): Error | undefined {
    return this.schemaInfo?.readOnly ? readOnlyError(this.schemaInfo, this.path) : undefined;
  }
}

function writeNewStore(sql: SqlJsStatic, tmp: string, path: string, options: StoreFileOptions): void {
  const db = new sql.Database();
  try {
    db.exec(`PRAGMA page_size = ${NEW_STORE_PAGE_SIZE}`);
    const head = options.schema === undefined ? NEWEST_HEAD : headForRelease(options.schema);
    createStoreSchema(new SqljsSql(db), defaultExperimentLocation(path, options), Date.now(), head);
    writeDurable(tmp, db.export(), { keepModeOf: path });
  } finally {
    db.close();
  }
}

/** Validates a file image (SQLite, an MLflow schema this version reads) and opens it. */
function openImage(
  sql: SqlJsStatic,
  image: { buffer: ImageBuffer; size: number },
  file: string,
  verify: boolean,
  workspace: string,
  defaultArtifactLocation: string,
): { db: Database; schema: StoreSchema } {
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
    const conn = new SqljsSql(db);
    let schema: StoreSchema;
    try {
      // The full check reads every page (~1 s per 100 MB in wasm): done on first open of files up
      // to 32 MB; corruption in bigger files surfaces as STORE_CORRUPT from the query that hits it.
      if (verify && image.size <= QUICK_CHECK_MAX_BYTES) {
        const verdict = String(conn.get('PRAGMA quick_check(1)')?.quick_check ?? 'ok');
        if (verdict !== 'ok') throw new Error(verdict);
      }
      schema = inspectSchema(conn, file);
      checkWorkspace(conn, schema, workspace, file);
    } catch (e) {
      if (e instanceof ModelOpsError) throw e;
      throw corrupt(`the database is corrupt (${(e as Error).message})`, e);
    } finally {
      conn.dispose();
    }
    // In memory only, persisted by the next write (a store this version may only read is never written).
    if (schema.readOnly) ensureModelopsSchema(new SqljsSql(db));
    else prepareForWrites(new SqljsSql(db), defaultArtifactLocation);
    tune(db);
    return { db, schema };
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
 * is durable until export + rename anyway. MLflow's sessions turn foreign keys on; so do we. None
 * of this is stored in the file.
 */
function tune(db: Database): void {
  db.exec('PRAGMA cache_size = -1048576; PRAGMA journal_mode = MEMORY; PRAGMA temp_store = MEMORY; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON');
}

function pageCount(db: Database): number {
  return Number(db.exec('PRAGMA page_count')[0]?.values[0]?.[0] ?? 0);
}

function totalChanges(db: Database): number {
  return Number(db.exec('SELECT total_changes()')[0]?.values[0]?.[0] ?? 0);
}
