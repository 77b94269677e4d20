import { closeSync, fsyncSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ModelOpsError } from '../../core/errors';

/** File-system helpers both engines use around the store file. */

export function ioError(path: string, what: string, e: unknown): ModelOpsError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : (e as Error).message;
  return new ModelOpsError('STORE_IO', `${path}: ${what} (${why})`, { location: path, cause: e });
}

export function fsyncPath(path: string, flags = 'r'): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, flags);
    fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on a directory; renames and links are still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** A temp file name beside `file` that names this process (so orphans of dead writers can be removed). */
export function tempPathBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Temp files left beside `file` by writers that died before their rename or link. */
export function removeOrphanTempFiles(file: string): void {
  const prefix = `.${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) tryUnlink(join(dirname(file), name));
  }
}
