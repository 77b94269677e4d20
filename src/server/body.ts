import type { IncomingMessage } from 'node:http';
import { HttpError } from './respond';

/**
 * Request bodies held in memory (JSON) are bounded twice: each by `maxBytes` (413 beyond it), and all together by
 * one byte budget, so a burst of huge bodies waits (its socket paused, TCP pushing back on the sender) instead of
 * growing the heap; one that waits too long is refused with 503. Artifact uploads stream to disk and are not
 * counted here.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(readonly capacity: number) {}

  /** Resolves once `bytes` are reserved; rejects with 503 after `waitMs`. */
  acquire(bytes: number, waitMs: number): Promise<void> {
    const n = Math.min(bytes, this.capacity);
    if (this.waiting.length === 0 && this.used + n <= this.capacity) {
      this.used += n;
      return Promise.resolve();
    }
    return new Promise((resolveGrant, reject) => {
      const waiter = {
        bytes: n,
        grant: () => {
          clearTimeout(timer);
          resolveGrant();
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new HttpError(503, 'TEMPORARILY_UNAVAILABLE', 'The server is busy receiving other large requests; try again shortly', { 'Retry-After': '2' }));
      }, waitMs);
      this.waiting.push(waiter);
    });
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - Math.min(bytes, this.capacity));
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.capacity) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.grant();
    }
  }

  get inUse(): number {
    return this.used;
  }
}

export interface BodyLimits {
  maxBytes: number;
  budget: ByteBudget;
  /** How long a body may wait for the budget. */
  waitMs: number;
}

/** Bytes reserved at a time for a body of unknown length (chunked). */
const STEP = 256 * 1024;

export interface Body {
  bytes: Buffer;
  text: string;
  /** Gives the reserved bytes back; call once the body is no longer needed. */
  release(): void;
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${max} bytes`);
}

export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Body> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  let reserved = 0;
  const release = (): void => {
    limits.budget.release(reserved);
    reserved = 0;
  };
  // A body of known length reserves it all at once, so two large bodies never hold half each.
  if (Number.isFinite(declared) && declared > 0) {
    await limits.budget.acquire(declared, limits.waitMs);
    reserved = declared;
  }
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.maxBytes) throw tooLarge(limits.maxBytes);
      if (size > reserved) {
        const more = Math.max(STEP, size - reserved);
        await limits.budget.acquire(more, limits.waitMs);
        reserved += more;
      }
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks, size);
    return { bytes, text: bytes.toString('utf8'), release };
  } catch (e) {
    release();
    throw e;
  }
}

/** Reads and discards what is left of a body (so a refused request's connection can be reused). */
export function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}
