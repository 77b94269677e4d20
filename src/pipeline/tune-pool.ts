import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../core/errors';
import { ModelOpsError } from '../core/errors';
import type { Column, Dataset } from '../ml/dataset/dataset';
import { findWorkerScript } from '../ml/parallel/worker-script';
import { inSharedMemory } from '../ml/parallel/shared-memory';
import { checkCancelled } from './cross-validate';
import type { FoldData, FoldScorer, TrialFit } from './tune-folds';
import type { FoldReply, FoldRequest } from './tune-worker';

/** The worker script beside the code that starts it: `dist/tune-worker.js` or `out/src/pipeline/tune-worker.js`. */
export function tuneWorkerPath(): string | undefined {
  return findWorkerScript(__dirname, 'pipeline', 'tune-worker.js', 'MODELOPS_TUNE_WORKER');
}

function sharedColumn(c: Column): Column {
  if (Array.isArray(c)) return c;
  if (c instanceof Float32Array) return inSharedMemory(c, (b) => new Float32Array(b));
  return { ...c, codes: inSharedMemory(c.codes, (b) => new Int32Array(b)) };
}

/**
 * The session's data with its typed columns (features, regression target, folds) in
 * SharedArrayBuffers: every worker reads the same memory instead of a copy each; only the texts
 * (labels, category levels) are copied, once per worker.
 */
export function sharedFoldData(data: FoldData): FoldData {
  const { ds } = data;
  const columns = Object.fromEntries(Object.entries(ds.frame.columns).map(([k, c]) => [k, sharedColumn(c)]));
  const target = ds.target.values ? { ...ds.target, values: inSharedMemory(ds.target.values, (b) => new Float64Array(b)) } : ds.target;
  const shareFold = (a: Int32Array): Int32Array => inSharedMemory(a, (b) => new Int32Array(b));
  const sharedDs: Dataset = { ...ds, frame: { nRows: ds.frame.nRows, columns }, target };
  return { ...data, ds: sharedDs, folds: data.folds.map((f) => ({ train: shareFold(f.train), test: shareFold(f.test) })) };
}

/** One worker thread, scoring one fold at a time. */
class TrialWorker {
  readonly worker: Worker;
  dead = false;
  private pending?: { resolve(m: Record<string, number>): void; reject(e: Error): void };

  constructor(script: string, data: FoldData, cancelled: () => boolean) {
    this.worker = new Worker(script, { workerData: data });
    this.worker.on('message', (reply: FoldReply) => {
      const p = this.take();
      if ('metrics' in reply) p?.resolve(reply.metrics);
      else p?.reject(new ModelOpsError((reply.code as ErrorCode | undefined) ?? 'INTERNAL_ERROR', reply.error));
    });
    this.worker.on('error', (e) => {
      this.dead = true;
      this.take()?.reject(cancelled() ? new ModelOpsError('CANCELLED', 'tuning was cancelled') : e);
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      const why = cancelled()
        ? new ModelOpsError('CANCELLED', 'tuning was cancelled')
        : new ModelOpsError('INTERNAL_ERROR', `a tuning worker exited with code ${code}`);
      this.take()?.reject(why);
    });
  }

  private take(): TrialWorker['pending'] {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  score(req: FoldRequest): Promise<Record<string, number>> {
    if (this.dead) return Promise.reject(new ModelOpsError('INTERNAL_ERROR', 'the tuning worker has stopped'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(req);
    });
  }
}

/**
 * Worker threads for `--n-jobs`: a trial takes an idle worker for all its folds and gives it back
 * at its end; a worker that died is replaced for the next trial. Cancelling terminates them all.
 */
export class TuneWorkerPool {
  private readonly idle: TrialWorker[] = [];
  private readonly all = new Set<TrialWorker>();
  /** The session's data in shared memory: the caller may use it in place of its own copy. */
  readonly data: FoldData;
  private readonly abort = (): void => void this.close();

  constructor(
    private readonly script: string,
    data: FoldData,
    private readonly signal?: AbortSignal,
  ) {
    this.data = sharedFoldData(data);
    signal?.addEventListener('abort', this.abort, { once: true });
  }

  readonly scorer = (fit: TrialFit): FoldScorer => {
    const w = this.idle.pop() ?? this.spawn();
    let closed = false;
    return {
      fold: (f) => {
        checkCancelled(this.signal, 'tuning');
        return w.score({ fit, fold: f });
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (!w.dead && this.all.has(w)) this.idle.push(w);
      },
    };
  };

  private spawn(): TrialWorker {
    const w = new TrialWorker(this.script, this.data, () => this.signal?.aborted === true);
    this.all.add(w);
    return w;
  }

  async close(): Promise<void> {
    this.signal?.removeEventListener('abort', this.abort);
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
