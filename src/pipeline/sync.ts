import type { Stores } from '../store/open';
import { syncRegistry } from './sync-registry';
import type { SyncCounts } from './sync-runs';
import { syncExperiments } from './sync-runs';

export type { SyncCounts } from './sync-runs';

export interface SyncOptions {
  /** Who the stage moves and aliases sync makes are by, in the target's audit trail. */
  actor: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/**
 * Copies one store into another (workspace → server, server → workspace, or between two of either): experiments and
 * runs first (src/pipeline/sync-runs.ts), then the registry that names those runs (sync-registry.ts). Idempotent: what
 * the target has already is left alone, so a second sync copies nothing; an interrupted one is resumed by running it
 * again.
 */
export async function syncStores(from: Stores, to: Stores, options: SyncOptions): Promise<SyncCounts> {
  const counts: SyncCounts = { experiments: 0, runs: 0, skipped: 0, artifacts: 0, models: 0, versions: 0, audit: 0, reports: 0 };
  const ctx = {
    from,
    to,
    counts,
    runMap: new Map<string, string>(),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  await syncExperiments(ctx);
  await syncRegistry({ ...ctx, fromRegistry: from.registry, toRegistry: to.registry, actor: options.actor });
  return counts;
}
