import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Replacing a file so that a reader, or a crash, sees the old file or the complete new one, never
 * half of it: write a temp file beside the target, fsync it, rename it over the target, fsync the
 * folder. The one implementation for the store file, model packages and CSV outputs.
 */

/** What is written: text, bytes, or chunks of either (a large CSV is streamed, not joined). */
export type FileContent = string | Uint8Array | Iterable<string | Uint8Array>;

export interface TempOptions {
  /** Permission bits of a new file (default 0o644 less the umask). */
  mode?: number;
  /** Give the temp file this existing file's mode and owner (so a 0600 store stays 0600). */
  keepModeOf?: string;
}

/** A temp file name beside `file` that names this process (so orphans of dead writers can be removed). */
export function tempPathBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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

function writeAll(fd: number, chunk: string | Uint8Array): void {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

function applyMode(fd: number, options: TempOptions): void {
  const like = options.keepModeOf !== undefined ? statSync(options.keepModeOf, { throwIfNoEntry: false }) : undefined;
  fchmodSync(fd, like ? like.mode & 0o7777 : (options.mode ?? 0o644) & ~process.umask());
  if (!like) return;
  try {
    fchownSync(fd, like.uid, like.gid);
  } catch {
    /* only root may give a file away; ours then */
  }
}

/** Writes `content` to `path`, which must not exist yet, and fsyncs it; nothing is left behind when it throws. */
export function writeDurable(path: string, content: FileContent, options: TempOptions = {}): void {
  // O_EXCL: never write into a file someone else made (and never remove one on failure).
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  let open = true;
  try {
    applyMode(fd, options);
    if (typeof content === 'string' || content instanceof Uint8Array) writeAll(fd, content);
    else for (const chunk of content) writeAll(fd, chunk);
    fsyncSync(fd);
    open = false;
    closeSync(fd);
  } catch (e) {
    if (open) closeSync(fd);
    tryUnlink(path);
    throw e;
  }
}

/**
 * Writes `content` to a new temp file beside `target` and fsyncs it; returns its path, for
 * `replaceWithTemp` (or `tryUnlink` when the caller decides against it).
 */
export function writeDurableTemp(target: string, content: FileContent, options: TempOptions = {}): string {
  const tmp = tempPathBeside(target);
  writeDurable(tmp, content, options);
  return tmp;
}

/** Renames `tmp` over `target` and fsyncs the folder (so the rename itself survives a crash). */
export function replaceWithTemp(tmp: string, target: string): void {
  try {
    renameSync(tmp, target);
  } catch (e) {
    tryUnlink(tmp);
    throw e;
  }
  fsyncPath(dirname(target));
}

/** Replaces `target` with `content` atomically and durably. Throws the file system's error, the target untouched. */
export function writeFileAtomic(target: string, content: FileContent, options: TempOptions = {}): void {
  replaceWithTemp(writeDurableTemp(target, content, options), target);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The names in `file`'s folder that start with `prefix` and end with `suffix` (none when the folder cannot be read). */
export function namesBeside(file: string, prefix: string, suffix: string): string[] {
  try {
    return readdirSync(dirname(file)).filter((name) => name.startsWith(prefix) && name.endsWith(suffix));
  } catch {
    return [];
  }
}

/** Temp files left beside `file` by writers that died before their rename or link. */
export function removeOrphanTempFiles(file: string): void {
  const prefix = `.${basename(file)}.`;
  for (const name of namesBeside(file, prefix, '.tmp')) {
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) tryUnlink(join(dirname(file), name));
  }
}
