import type { LogBatch } from '../core/tracking';
import type { TrackingStore } from '../store/tracking-store';

interface Pending {
  runId: string;
  batch: LogBatch;
  resolve(): void;
  reject(e: unknown): void;
}

export interface LogBatchQueueOptions {
  /** Requests per transaction at most (each up to 1,000 entities). Default 64. */
  maxGroup?: number;
  /** How long a group waits for the other recent clients' next requests. Default 2 ms. */
  lingerMs?: number;
}

/** A client counts as active this long after its last request. */
const ACTIVE_MS = 250;

/**
 * Group commit for log-batch requests. One durable commit per request is fsync-bound (a few ms each, and node:sqlite's
 * COMMIT holds the event loop meanwhile), so requests are written together: a group is committed once every client
 * active lately has a request in it (one client: at once), or after a short linger, as Kafka's producer batches.
 * Each request is answered only once its own data is durable (TrackingStore.logBatchMany is one transaction). When a
 * group fails, its transaction wrote nothing, and each request of it is applied again on its own, so one bad request
 * fails alone and the others are kept.
 */
export class LogBatchQueue {
  private pending: Pending[] = [];
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly seen = new Map<object, number>();
  private readonly maxGroup: number;
  private readonly lingerMs: number;

  constructor(
    private readonly store: TrackingStore,
    options: LogBatchQueueOptions = {},
  ) {
    this.maxGroup = options.maxGroup ?? 64;
    this.lingerMs = options.lingerMs ?? 2;
  }

  /** `client` identifies who sends (its connection), to know how many to wait for. */
  submit(runId: string, batch: LogBatch, client: object = {}): Promise<void> {
    this.seen.set(client, Date.now());
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ runId, batch, resolve, reject });
      this.schedule();
    });
  }

  private activeClients(): number {
    const now = Date.now();
    for (const [client, at] of this.seen) if (now - at > ACTIVE_MS) this.seen.delete(client);
    return Math.max(1, this.seen.size);
  }

  private schedule(): void {
    if (this.draining) return;
    if (this.pending.length >= Math.min(this.maxGroup, this.activeClients())) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.drain();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, this.lingerMs);
    }
  }

  private async drain(): Promise<void> {
    if (this.draining || this.pending.length === 0) return;
    this.draining = true;
    try {
      const group = this.pending.splice(0, this.maxGroup);
      await this.commit(group);
    } finally {
      this.draining = false;
    }
    if (this.pending.length > 0) this.schedule();
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
