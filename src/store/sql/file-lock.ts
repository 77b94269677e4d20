import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { ModelOpsError } from '../../core/errors';

/**
 * An exclusive cross-process lock held as a file beside the database (`<db>.lock`).
 *
 * Acquire = create the lock name exclusively (`O_CREAT|O_EXCL`, atomic) and write the owner into
 * it; release = unlink. Two directory operations per hold, because node:sqlite writers take it
 * around every commit too. A lock file caught between its creation and its first write reads
 * empty: that is an owner about to be named, never taken for a dead one unless it stays empty for
 * `UNNAMED_STALE_MS`. A lock whose owner process is gone (crash, SIGKILL) is stale; it is broken
 * under a second, short-lived "breaker" lock and only if it still holds the very owner we found
 * dead, so two processes breaking at once cannot both win and a fresh lock is never removed.
 */
export interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

const BREAKER_STALE_MS = 10_000;
/** An empty or unreadable lock file older than this is a writer that died before naming itself. */
const UNNAMED_STALE_MS = 5_000;
const HOST = hostname();

export class FileLock {
  private held: LockOwner | undefined;

  constructor(readonly lockPath: string) {}

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
  }

  private tryAcquire(): boolean {
    const owner: LockOwner = { pid: process.pid, host: HOST, token: randomBytes(8).toString('hex') };
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
