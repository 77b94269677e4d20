import { ModelOpsError } from '../../core/errors';

/**
 * What both engines' store files keep around their transactions: writes run one at a time, in the
 * order asked (one that fails does not stop the next), and closing waits for the last of them.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly path: string) {}

  /** Queues a write; refused when the store is closed, or with `refusal` (a read-only schema, say). */
  push<T>(task: () => Promise<T>, refusal?: Error): Promise<T> {
    this.assertOpen();
    if (refusal) return Promise.reject(refusal);
    const next = this.tail.then(task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  assertOpen(): void {
    if (this.closed) throw new ModelOpsError('INTERNAL_ERROR', `${this.path}: store is closed`);
  }

  /** Waits for the queued writes and marks the store closed; false when it was closed already (nothing to release). */
  async close(): Promise<boolean> {
    if (this.closed) return false;
    await this.tail;
    this.closed = true;
    return true;
  }
}
