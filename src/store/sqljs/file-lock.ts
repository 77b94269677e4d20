import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ModelOpsError } from '../../core/errors';

/**
 * An exclusive cross-process lock held as a file beside the database (`<db>.lock`).
 *
 * Acquire = hard-link a fully written temp file to the lock name: `link` is atomic and fails if the
 * lock exists, so the lock file is never seen empty or half written. A lock whose owner process is
 * gone (crash, SIGKILL) is stale; it is broken under a second, short-lived "breaker" lock and only
 * if it still holds the very owner we found dead, so two processes breaking at once cannot both win
 * and a fresh lock is never removed.
 */
export interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

const BREAKER_STALE_MS = 10_000;

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
    const mine = this.held;
    if (!mine) return;
    this.held = undefined;
    const owner = readOwner(this.lockPath);
    // Only remove the lock if it is still ours (it can't legitimately be anyone else's, but be safe).
    if (owner && owner.token === mine.token) tryUnlink(this.lockPath);
  }

  private tryAcquire(): boolean {
    const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };
    const tmp = `${this.lockPath}.${process.pid}.${owner.token}`;
    try {
      writeFileSync(tmp, JSON.stringify(owner));
    } catch (e) {
      throw new ModelOpsError('STORE_IO', `${this.lockPath}: cannot create the lock file (${(e as Error).message})`, {
        location: this.lockPath,
        cause: e,
      });
    }
    try {
      linkSync(tmp, this.lockPath);
      this.held = owner;
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new ModelOpsError('STORE_IO', `${this.lockPath}: cannot take the lock (${(e as Error).message})`, {
        location: this.lockPath,
        cause: e,
      });
    } finally {
      tryUnlink(tmp);
    }
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
      if (now && now.token === dead.token) tryUnlink(this.lockPath);
    } finally {
      tryUnlink(breaker);
    }
  }
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return { pid: parsed.pid, host: String(parsed.host ?? ''), token: parsed.token };
    }
    // Unreadable content cannot come from us (we link complete files): treat as dead owner.
    return { pid: -1, host: '', token: 'garbage' };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { pid: -1, host: '', token: 'garbage' };
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.pid <= 0) return true;
  // A lock from another machine (shared folder) cannot be checked: never break it.
  if (owner.host !== hostname()) return false;
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
