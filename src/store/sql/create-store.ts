import { existsSync, linkSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { FileLock } from './file-lock';
import { fsyncPath, tempPathBeside, tryUnlink } from '../../core/atomic-file';
import { ioError } from './fs-util';

/**
 * Creates a store file at `path` (and its folder) without ever clobbering one that appears
 * meanwhile: `build` writes a complete database at a temp path beside it, which is then hard-linked
 * into place (a link fails if the name exists) under the store's lock. Readers never see a
 * half-made store.
 */
export async function createStoreFile(path: string, lock: FileLock, lockTimeoutMs: number, build: (tmp: string) => void): Promise<void> {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw ioError(folder, 'cannot create the store folder', e);
  }
  await lock.acquire(lockTimeoutMs);
  const tmp = tempPathBeside(path);
  try {
    if (existsSync(path)) return; // another process created it meanwhile
    try {
      build(tmp);
    } catch (e) {
      throw e instanceof ModelOpsError ? e : ioError(folder, 'cannot write the new store in this folder', e);
    }
    fsyncPath(tmp, 'r+');
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(path, 'cannot create the store file', e);
    }
    fsyncPath(folder);
  } finally {
    tryUnlink(tmp);
    tryUnlink(`${tmp}-journal`);
    lock.dispose();
  }
}
