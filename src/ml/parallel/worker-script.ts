import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A worker script sits beside the code that starts it in both layouts: `dist/<name>` next to the
 * esbuild bundles, or next to the caller's compiled file under `out/`. `envVar` overrides both.
 * `callerDir` is the caller's `__dirname`; `subdir` is the caller's folder below `src/`, for a
 * bundle that keeps that layout beside it.
 */
export function findWorkerScript(callerDir: string, subdir: string, name: string, envVar: string): string | undefined {
  const candidates = [process.env[envVar], join(callerDir, name), join(callerDir, subdir, name)];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return undefined;
}

/**
 * Limits for every ML worker. A worker's data is typed arrays outside its heap: a young generation
 * sized from the machine's memory (tens of MB per worker) would only hold garbage beside a large file.
 */
export const WORKER_LIMITS = { maxYoungGenerationSizeMb: 2 } as const;
