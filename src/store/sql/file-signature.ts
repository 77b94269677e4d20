import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * What identifies one committed state of a store file: inode (a whole-file writer renames a new
 * file over it), size, modification time, and SQLite's own file change counter (header offset 24,
 * bumped by every write transaction in rollback-journal mode), which catches two commits inside
 * one mtime tick.
 */
export interface FileSignature {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  counter: number;
}

export function signatureOf(path: string): FileSignature | undefined {
  let s;
  try {
    s = statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
  return { ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, counter: changeCounter(path) };
}

export function sameSignature(a: FileSignature | undefined, b: FileSignature | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.counter === b.counter;
}

function changeCounter(path: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 24) === 4 ? b.readUInt32BE(0) : -1;
  } catch {
    return -1;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
