import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { awaitBlocks, claimBlocks, newControl } from '../parallel/blocks';
import { forestWorkerPath } from './grow-trees';

/**
 * Trees flattened for prediction: one 3-word record per node, [feature, right, threshold bits],
 * so a node and its left child (the next record) share cache lines. `right` is the right child's
 * record offset, or for a leaf (feature -1) the offset of its values. The arrays live in
 * SharedArrayBuffers so prediction workers read them without a copy.
 */
export interface Compiled {
  /** Record offset of each tree's root. */
  roots: Int32Array;
  nodes: Int32Array;
  /** Float view of `nodes` (thresholds at 3i + 2). */
  thresholds: Float32Array;
  values: Float32Array;
}

/** One prediction: row-major rows in, the per-row sum over trees of the leaf values out (n × V). */
export interface PredictJob {
  model: Compiled;
  rows: Float32Array;
  nRows: number;
  d: number;
  V: number;
  out: Float64Array;
}

/**
 * Rows [r0, r1), tree by tree: one tree's nodes stay in cache while the rows stream past, and each
 * row's sum is accumulated in tree order whichever thread runs the block, so results never depend
 * on the thread count.
 */
export function predictRange(job: PredictJob, r0: number, r1: number): void {
  const { rows, d, V, out } = job;
  const { roots, nodes, thresholds, values } = job.model;
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t];
    for (let r = r0; r < r1; r++) {
      let i = root;
      const base = r * d;
      let f = nodes[i];
      while (f >= 0) {
        i = rows[base + f] <= thresholds[i + 2] ? i + 3 : nodes[i + 1];
        f = nodes[i];
      }
      const slot = nodes[i + 1];
      if (V === 1) out[r] += values[slot];
      else for (let k = 0; k < V; k++) out[r * V + k] += values[slot + k];
    }
  }
}

function predictBlock(job: PredictJob, b: number, blockRows: number): void {
  predictRange(job, b * blockRows, Math.min(job.nRows, (b + 1) * blockRows));
}

/** Row blocks claimed from the shared counter, by the calling thread and the workers alike. */
export function predictBlocks(job: PredictJob, control: Int32Array, blockRows: number): void {
  claimBlocks(control, (b) => predictBlock(job, b, blockRows));
}

export interface PredictOptions {
  /** Threads in all, this one included (default: available parallelism, at most 4). */
  threads?: number;
  /**
   * Below this many row × tree traversals one thread beats starting workers (default 2e6: measured
   * on 2 cores, 10,000 rows × 100 trees gained nothing from a second thread, 50,000 rows gained 1.4×).
   */
  minWork?: number;
  /** Leave every block to the workers (tests use it to check the workers' sums). */
  workersOnly?: boolean;
}

export interface PredictWorkerData {
  predict: { job: PredictJob; control: Int32Array; blockRows: number };
}

/**
 * Fills `job.out` on this thread and `threads - 1` forest workers sharing the rows, the trees and
 * the output. Synchronous, as predict is: this thread takes blocks too, then waits (Atomics.wait)
 * for blocks still on a worker and redoes any that outlive a generous deadline. `job.rows` and
 * `job.out` must be on SharedArrayBuffers when workers may run. Returns the threads that took part.
 */
export function predictParallel(job: PredictJob, options: PredictOptions = {}): number {
  const threads = Math.max(1, options.threads ?? Math.min(4, availableParallelism()));
  const work = job.nRows * job.model.roots.length;
  const file = threads > 1 && work >= (options.minWork ?? 2e6) && job.out.buffer instanceof SharedArrayBuffer ? forestWorkerPath() : undefined;
  if (!file) {
    predictRange(job, 0, job.nRows);
    return 1;
  }
  // A few blocks per thread balance the load; big blocks keep each tree's top levels in cache.
  const nBlocks = Math.min(Math.ceil(job.nRows / 64), threads * 4);
  const blockRows = Math.ceil(job.nRows / nBlocks);
  const control = newControl(nBlocks);
  const workers: Worker[] = [];
  try {
    const data: PredictWorkerData = { predict: { job, control, blockRows } };
    for (let i = 1; i < threads; i++) workers.push(new Worker(file, { workerData: data }));
    const t0 = performance.now();
    if (!options.workersOnly) predictBlocks(job, control, blockRows);
    // A stalled block is redone from zero here: same sums in the same order.
    awaitBlocks(control, t0, (b) => {
      job.out.fill(0, b * blockRows * job.V, Math.min(job.nRows, (b + 1) * blockRows) * job.V);
      predictBlock(job, b, blockRows);
    });
  } finally {
    for (const w of workers) void w.terminate();
  }
  return threads;
}
