import type { LogBatch } from '../core/tracking';
import type { TrackingStore } from '../store/tracking-store';

interface Pending {
  runId: string;
  batch: LogBatch;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Group commit for log-batch requests. One durable commit per request is fsync-bound (a few ms each), so requests that
 * arrive while a commit is in flight are written together by the next one (TrackingStore.logBatchMany, one
 * transaction). Each request is answered only once its own data is durable. When a group fails, its transaction
 * wrote nothing, and every request of it is applied again on its own, so one bad request fails alone.
 */
export class LogBatchQueue {
  private pending: Pending[] = [];
  private draining = false;

  constructor(
    private readonly store: TrackingStore,
    /** Requests per transaction at most (each up to 1,000 entities). */
    private readonly maxGroup = 64,
  ) {}

  submit(runId: string, batch: LogBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ runId, batch, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, this.maxGroup);
        await this.commit(group);
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    if (group.length === 1) {
      const only = group[0]!;
      await this.store.logBatch(only.runId, only.batch).then(only.resolve, only.reject);
      return;
    }
    try {
      await this.store.logBatchMany(group.map((p) => ({ runId: p.runId, batch: p.batch })));
      for (const p of group) p.resolve();
    } catch {
      for (const p of group) await this.store.logBatch(p.runId, p.batch).then(p.resolve, p.reject);
    }
  }
}
