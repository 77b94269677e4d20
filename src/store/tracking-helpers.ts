import { ModelOpsError } from '../core/errors';
import type { Metric, RunStatus } from '../core/tracking';
import type { TrackingStore } from './tracking-store';
import { LIMITS, validateMetric } from './validation';

/** Conveniences on top of `logBatch`, as MLflow's client builds them; every store gets them. */

export function logMetric(store: TrackingStore, runId: string, key: string, value: number, step = 0, timestamp = Date.now()): Promise<void> {
  return store.logBatch(runId, { metrics: [{ key, value, step, timestamp }] });
}

export function logParam(store: TrackingStore, runId: string, key: string, value: string | number | boolean): Promise<void> {
  return store.logBatch(runId, { params: [{ key, value: String(value) }] });
}

export function logParams(store: TrackingStore, runId: string, params: Record<string, string | number | boolean>): Promise<void> {
  const list = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
  const entries = [];
  for (let i = 0; i < list.length; i += LIMITS.paramsTagsPerBatch) entries.push({ runId, batch: { params: list.slice(i, i + LIMITS.paramsTagsPerBatch) } });
  return store.logBatchMany(entries);
}

export function setTag(store: TrackingStore, runId: string, key: string, value: string): Promise<void> {
  return store.logBatch(runId, { tags: [{ key, value }] });
}

/** Marks a run finished (or failed/killed) with its end time, as `mlflow.end_run()` does. */
export async function endRun(store: TrackingStore, runId: string, status: RunStatus = 'FINISHED', endTime = Date.now()): Promise<void> {
  await store.updateRun(runId, { status, endTime });
}

/** Splits metrics of many runs into MLflow-sized log-batch requests (≤1000 metrics each). */
export function toBatches(byRun: Map<string, Metric[]>): { runId: string; batch: { metrics: Metric[] } }[] {
  const out: { runId: string; batch: { metrics: Metric[] } }[] = [];
  for (const [runId, metrics] of byRun) {
    for (let i = 0; i < metrics.length; i += LIMITS.metricsPerBatch) out.push({ runId, batch: { metrics: metrics.slice(i, i + LIMITS.metricsPerBatch) } });
  }
  return out;
}

export interface BufferedMetricLoggerOptions {
  /** Flush at most this often while metrics keep coming (default 1000 ms). */
  intervalMs?: number;
  /** Flush early when this many points are waiting (default 100,000: ~19 MB of rows), to bound memory and the size of one transaction. */
  maxPending?: number;
  /** Called when a background flush fails (the points stay queued for the next flush). */
  onError?: (e: unknown) => void;
}

/**
 * Buffers metric points and writes them in one transaction per flush: at most every ~1 s, on
 * `flush()`, on `endRun()`, on `close()` — like MLflow's asynchronous logging, and so that a
 * training loop logging every step costs one file write per second, not one per point.
 * Points are validated when logged, so a bad one fails at the call site, not later.
 */
export class BufferedMetricLogger {
  private pending = new Map<string, Metric[]>();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly intervalMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly store: TrackingStore,
    private readonly options: BufferedMetricLoggerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxPending = options.maxPending ?? 100_000;
  }

  /** Number of points waiting for the next flush. */
  get pendingCount(): number {
    return this.count;
  }

  log(runId: string, key: string, value: number, step = 0, timestamp = Date.now()): void {
    if (this.closed) throw new ModelOpsError('INVALID_STATE', 'the metric logger is closed');
    const m: Metric = { key, value, step, timestamp };
    validateMetric(m);
    let list = this.pending.get(runId);
    if (!list) this.pending.set(runId, (list = []));
    list.push(m);
    this.count++;
    if (this.count >= this.maxPending) void this.flush().catch((e) => this.report(e));
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush().catch((e) => this.report(e));
      }, this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Writes everything queued so far as one transaction; resolves when it is durable. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const next = this.flushing.then(async () => {
      if (this.count === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      const n = this.count;
      this.count = 0;
      try {
        await this.store.logBatchMany(toBatches(batch));
      } catch (e) {
        // Put the points back in front so nothing is lost; the caller sees the error.
        for (const [runId, metrics] of this.pending) batch.set(runId, [...(batch.get(runId) ?? []), ...metrics]);
        this.pending = batch;
        this.count += n;
        throw e;
      }
    });
    this.flushing = next.catch(() => undefined);
    return next;
  }

  /** Flushes, then marks the run ended. */
  async endRun(runId: string, status: RunStatus = 'FINISHED'): Promise<void> {
    await this.flush();
    await endRun(this.store, runId, status);
  }

  /** Flushes what is left; further `log` calls throw. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private report(e: unknown): void {
    this.options.onError?.(e);
  }
}
