import { ModelOpsError } from '../core/errors';
import type { LogBatch } from '../core/tracking';
import type { TrackingStore } from './tracking-store';
import { LIMITS } from './validation';

/**
 * A batch of any size as log-batch requests within MLflow's limits: at most 1,000 metrics, 100 params and 100 tags
 * per request, and 1,000 entities in all. Params and tags go first (a run's params are known before its metrics), in
 * their order; metrics keep theirs, so a metric's history arrives step after step.
 */
export function chunkBatch(batch: LogBatch): LogBatch[] {
  const params = [...(batch.params ?? [])];
  const tags = [...(batch.tags ?? [])];
  const metrics = [...(batch.metrics ?? [])];
  const out: LogBatch[] = [];
  while (params.length > 0 || tags.length > 0 || metrics.length > 0) {
    const p = params.splice(0, LIMITS.paramsTagsPerBatch);
    const t = tags.splice(0, LIMITS.paramsTagsPerBatch);
    const room = Math.min(LIMITS.metricsPerBatch, LIMITS.entitiesPerBatch - p.length - t.length);
    const m = metrics.splice(0, room);
    out.push({ ...(p.length ? { params: p } : {}), ...(t.length ? { tags: t } : {}), ...(m.length ? { metrics: m } : {}) });
  }
  return out;
}

/** Logs a batch of any size, as as many requests as MLflow's limits need (each one a transaction of its own). */
export async function logBatchChunked(store: TrackingStore, runId: string, batch: LogBatch, signal?: AbortSignal): Promise<number> {
  const chunks = chunkBatch(batch);
  for (const chunk of chunks) {
    if (signal?.aborted) throw new ModelOpsError('CANCELLED', 'cancelled while logging a batch');
    await store.logBatch(runId, chunk);
  }
  return chunks.length;
}
