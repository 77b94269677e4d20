import { ModelOpsError } from '../../core/errors';

/** File-system helpers both engines use around the store file (the atomic replace is core/atomic-file.ts). */

export function ioError(path: string, what: string, e: unknown): ModelOpsError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : (e as Error).message;
  return new ModelOpsError('STORE_IO', `${path}: ${what} (${why})`, { location: path, cause: e });
}
