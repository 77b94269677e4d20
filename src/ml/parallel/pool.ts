import { Worker } from 'node:worker_threads';
import { WORKER_LIMITS } from './worker-script';

/**
 * Worker threads kept between calls. Starting a worker costs tens of milliseconds (more on a busy
 * machine) — as much as predicting 10,000 rows — so synchronous jobs (prediction) reuse idle ones:
 * a job is posted as a message (its SharedArrayBuffers shared, not copied), the worker claims
 * blocks from the job's shared counter like any thread. Idle workers are unref'd (they never keep
 * a process alive) and end after `IDLE_MS` unused.
 */
const IDLE_MS = 30_000;

interface Pooled {
  workers: Worker[];
  idle: NodeJS.Timeout | undefined;
}

const pools = new Map<string, Pooled>();

/** Marks a worker started by this pool (the worker script waits for job messages). */
export const POOLED = { pooled: true } as const;

export function isPooledStart(data: unknown): data is typeof POOLED {
  return typeof data === 'object' && data !== null && (data as { pooled?: unknown }).pooled === true;
}

/** `count` workers running `file`, started as needed; true `warm` when none had to be started. */
export function pooledWorkers(file: string, count: number): { workers: Worker[]; warm: boolean } {
  let pool = pools.get(file);
  if (!pool) pools.set(file, (pool = { workers: [], idle: undefined }));
  const p = pool;
  const warm = p.workers.length >= count;
  while (p.workers.length < count) {
    const w = new Worker(file, { workerData: POOLED, resourceLimits: WORKER_LIMITS });
    w.unref();
    const drop = (): void => {
      const i = p.workers.indexOf(w);
      if (i >= 0) p.workers.splice(i, 1);
    };
    w.on('error', drop);
    w.on('exit', drop);
    p.workers.push(w);
  }
  if (p.idle) clearTimeout(p.idle);
  p.idle = setTimeout(() => closePool(file), IDLE_MS);
  p.idle.unref();
  return { workers: p.workers.slice(0, count), warm };
}

/** Ends a pool's workers (idle timeout, tests). */
export function closePool(file: string): void {
  const p = pools.get(file);
  if (!p) return;
  pools.delete(file);
  if (p.idle) clearTimeout(p.idle);
  for (const w of p.workers) void w.terminate();
}

/** Ends every pool's workers (before a memory-heavy phase that needs none of them). */
export function closeAllPools(): void {
  for (const file of [...pools.keys()]) closePool(file);
}

/** Whether workers for `file` are already running (a job may then be worth splitting at a smaller size). */
export function poolSize(file: string): number {
  return pools.get(file)?.workers.length ?? 0;
}
