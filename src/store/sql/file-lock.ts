import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { namesBeside } from '../../core/atomic-file';
import { ModelOpsError } from '../../core/errors';

/**
 * An exclusive cross-process lock held as a file beside the database (`<db>.lock`).
 *
 * Acquire = hard-link this handle's owner record (`<db>.lock.<token>.owner`) to the lock name
 * (`link` fails with EEXIST when it exists: atomic, and the lock is named from its first instant);
 * release = unlink the name. node:sqlite writers take it around every commit, and a link costs about
 * a quarter of creating and writing a new file each time (no inode, no data block). The record is
 * written on the first hold of a burst of writes and removed when they pause, so an idle store
 * leaves no file. Where the file system has no hard links, the lock name is created exclusively
 * (`O_CREAT|O_EXCL`) and the owner written into it, as older versions of the product do; a lock file
 * caught between its creation and its first write reads empty: that is an owner about to be named,
 * never taken for a dead one unless it stays empty for `UNNAMED_STALE_MS`. A lock whose owner
 * process is gone (crash, SIGKILL) is stale; it is broken under a second, short-lived "breaker" lock
 * and only if it still holds the very owner we found dead, so two processes breaking at once cannot
 * both win and a fresh lock is never removed. A killed process's record is swept by the next writer.
 */
export interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

const BREAKER_STALE_MS = 10_000;
/** How long an owner record outlives its last hold: a logging loop's writes reuse it, an idle store has none. */
const RECORD_IDLE_MS = 2_000;
/** An empty or unreadable lock file older than this is a writer that died before naming itself. */
const UNNAMED_STALE_MS = 5_000;
const HOST = hostname();

export class FileLock {
  private held: LockOwner | undefined;
  /** This handle's owner record, linked to the lock name for each hold (written on the first). */
  private record: { owner: LockOwner; file: string } | undefined;
  private linkable = true;
  private idle: NodeJS.Timeout | undefined;
  private lastRelease = 0;

  /** `recordIdleMs`: the owner record is removed after this long without a hold (written again on the next). */
  constructor(
    readonly lockPath: string,
    private readonly recordIdleMs = RECORD_IDLE_MS,
  ) {}

  get isHeld(): boolean {
    return this.held !== undefined;
  }

  /** Waits (polling with jitter) up to `timeoutMs`; STORE_BUSY after that. */
  async acquire(timeoutMs: number): Promise<void> {
    if (this.held) throw new ModelOpsError('INTERNAL_ERROR', `lock ${this.lockPath} is already held by this handle`);
    const deadline = Date.now() + timeoutMs;
    let delay = 1;
    for (;;) {
      if (this.tryAcquire()) return;
      const owner = readOwner(this.lockPath);
      if (owner && isStale(owner)) {
        this.breakStale(owner);
        continue;
      }
      if (Date.now() > deadline) {
        const who = owner ? `process ${owner.pid} on ${owner.host}` : 'another process';
        throw new ModelOpsError('STORE_BUSY', `${this.lockPath}: the store is locked by ${who}; gave up after ${timeoutMs} ms`, {
          location: this.lockPath,
        });
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 25);
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = undefined;
    // Ours while we live: a lock is only ever broken when its owner process is gone.
    tryUnlink(this.lockPath);
    // Kept for the next write of a burst; gone when writing pauses, so an open store leaves no file
    // behind. One timer per pause, not per write: a write only stamps the time.
    this.lastRelease = Date.now();
    if (this.record && !this.idle) this.dropWhenIdle(this.recordIdleMs);
  }

  private dropWhenIdle(afterMs: number): void {
    this.idle = setTimeout(() => {
      this.idle = undefined;
      const wait = this.held ? this.recordIdleMs : this.lastRelease + this.recordIdleMs - Date.now();
      if (wait > 0) this.dropWhenIdle(wait);
      else this.dropRecord();
    }, afterMs);
    this.idle.unref();
  }

  /** Releases the lock and removes the owner record (the store is closed). */
  dispose(): void {
    this.release();
    this.dropRecord();
  }

  private dropRecord(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    if (!this.record || this.held) return;
    tryUnlink(this.record.file);
    LIVE_RECORDS.delete(this.record.file);
    this.record = undefined;
  }

  private tryAcquire(): boolean {
    if (this.linkable) {
      const linked = this.tryLink();
      if (linked !== undefined) return linked;
    }
    return this.tryCreate();
  }

  /** undefined: no record or no hard links here, so the lock is to be created instead. */
  private tryLink(): boolean | undefined {
    const record = this.ownRecord();
    if (!record) return undefined;
    try {
      linkSync(record.file, this.lockPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'ENOENT') {
        LIVE_RECORDS.delete(record.file); // the record was removed under us: written again next time
        this.record = undefined;
      } else {
        this.linkable = false; // no hard links on this file system (or not for us): create from now on
      }
      return undefined;
    }
    this.held = record.owner;
    return true;
  }

  private ownRecord(): { owner: LockOwner; file: string } | undefined {
    if (this.record) return this.record;
    sweepDeadRecords(this.lockPath);
    const owner = newOwner();
    const file = `${this.lockPath}.${owner.token}.owner`;
    try {
      writeFileSync(file, JSON.stringify(owner), { flag: 'wx' });
    } catch {
      this.linkable = false; // creating the lock itself will say what is wrong with the folder
      return undefined;
    }
    this.record = { owner, file };
    rememberRecord(file);
    return this.record;
  }

  private tryCreate(): boolean {
    const owner = newOwner();
    let fd: number;
    try {
      fd = openSync(this.lockPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new ModelOpsError('STORE_IO', `${this.lockPath}: cannot create the lock file (${(e as Error).message})`, {
        location: this.lockPath,
        cause: e,
      });
    }
    try {
      writeSync(fd, JSON.stringify(owner));
    } catch (e) {
      closeSync(fd);
      tryUnlink(this.lockPath);
      throw new ModelOpsError('STORE_IO', `${this.lockPath}: cannot write the lock file (${(e as Error).message})`, { location: this.lockPath, cause: e });
    }
    closeSync(fd);
    this.held = owner;
    return true;
  }

  private breakStale(dead: LockOwner): void {
    const breaker = `${this.lockPath}.break`;
    try {
      writeFileSync(breaker, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Someone else is breaking; a breaker left by a crashed breaker expires.
      try {
        if (Date.now() - statSync(breaker).mtimeMs > BREAKER_STALE_MS) tryUnlink(breaker);
      } catch {
        /* gone already */
      }
      return;
    }
    try {
      const now = readOwner(this.lockPath);
      if (now && now.token === dead.token && isStale(now)) tryUnlink(this.lockPath);
    } finally {
      tryUnlink(breaker);
    }
  }
}

function newOwner(): LockOwner {
  return { pid: process.pid, host: HOST, token: randomBytes(8).toString('hex') };
}

/** Records of handles still open when the process exits normally; a killed process's are swept by the next one. */
const LIVE_RECORDS = new Set<string>();
let exitHookSet = false;

function rememberRecord(file: string): void {
  LIVE_RECORDS.add(file);
  if (exitHookSet) return;
  exitHookSet = true;
  process.once('exit', () => {
    for (const f of LIVE_RECORDS) tryUnlink(f);
  });
}

/** Removes the owner records of dead processes of this host (killed, so their exit hook never ran). */
function sweepDeadRecords(lockPath: string): void {
  for (const name of namesBeside(lockPath, `${basename(lockPath)}.`, '.owner')) {
    const file = join(dirname(lockPath), name);
    const owner = readOwner(file);
    // Still linked as the lock, it is only a second name: breaking the stale lock removes the other.
    if (owner && owner.pid > 0 && isStale(owner)) tryUnlink(file);
  }
}

function readOwner(lockPath: string): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    text = '';
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return { pid: parsed.pid, host: String(parsed.host ?? ''), token: parsed.token };
    }
  } catch {
    /* empty (an owner about to write its name) or garbage */
  }
  return { pid: unnamedIsStale(lockPath) ? -1 : 0, host: '', token: 'unnamed' };
}

function unnamedIsStale(lockPath: string): boolean {
  try {
    return Date.now() - statSync(lockPath).mtimeMs > UNNAMED_STALE_MS;
  } catch {
    return false;
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.pid < 0) return true;
  if (owner.pid === 0) return false; // unnamed yet: alive
  // A lock from another machine (shared folder) cannot be checked: never break it.
  if (owner.host !== HOST) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
