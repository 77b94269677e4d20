import { availableParallelism } from 'node:os';
import { awaitBlocks, claimBlocks, newControl } from '../parallel/blocks';
import { pooledWorkers, poolSize } from '../parallel/pool';
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
 * on the thread count. Four rows descend a tree together, each step written without a branch on
 * the comparison (`+!(x <= t)`: NaN goes right, as `x <= t ? left : right` sends it): their
 * independent loads overlap instead of each waiting on a mispredicted branch (~1.3× here).
 */
export function predictRange(job: PredictJob, r0: number, r1: number): void {
  const { rows, d, V, out } = job;
  const { roots, nodes, thresholds, values } = job.model;
  const add = (r: number, leaf: number): void => {
    const slot = nodes[leaf + 1];
    if (V === 1) out[r] += values[slot];
    else for (let k = 0; k < V; k++) out[r * V + k] += values[slot + k];
  };
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t];
    let r = r0;
    for (; r + 4 <= r1; r += 4) {
      const b0 = r * d;
      const b1 = b0 + d;
      const b2 = b1 + d;
      const b3 = b2 + d;
      let i0 = root;
      let i1 = root;
      let i2 = root;
      let i3 = root;
      let f0 = nodes[root];
      let f1 = f0;
      let f2 = f0;
      let f3 = f0;
      // Leaves have feature -1: the AND is negative once all four rows sit on a leaf.
      while ((f0 & f1 & f2 & f3) >= 0) {
        if (f0 >= 0) {
          i0 = i0 + 3 + +!(rows[b0 + f0] <= thresholds[i0 + 2]) * (nodes[i0 + 1] - i0 - 3);
          f0 = nodes[i0];
        }
        if (f1 >= 0) {
          i1 = i1 + 3 + +!(rows[b1 + f1] <= thresholds[i1 + 2]) * (nodes[i1 + 1] - i1 - 3);
          f1 = nodes[i1];
        }
        if (f2 >= 0) {
          i2 = i2 + 3 + +!(rows[b2 + f2] <= thresholds[i2 + 2]) * (nodes[i2 + 1] - i2 - 3);
          f2 = nodes[i2];
        }
        if (f3 >= 0) {
          i3 = i3 + 3 + +!(rows[b3 + f3] <= thresholds[i3 + 2]) * (nodes[i3 + 1] - i3 - 3);
          f3 = nodes[i3];
        }
      }
      add(r, i0);
      add(r + 1, i1);
      add(r + 2, i2);
      add(r + 3, i3);
    }
    for (; r < r1; r++) {
      const base = r * d;
      let i = root;
      let f = nodes[i];
      while (f >= 0) {
        i = i + 3 + +!(rows[base + f] <= thresholds[i + 2]) * (nodes[i + 1] - i - 3);
        f = nodes[i];
      }
      add(r, i);
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

/**
 * Row × tree traversals from which workers help: starting them (~40 ms) is worth it from about
 * 500,000 (10,000 rows × 100 trees take ~110 ms on one thread here); once they are running, from
 * about 100,000.
 */
export const COLD_MIN_WORK = 5e5;
export const WARM_MIN_WORK = 1e5;

export interface PredictOptions {
  /** Threads in all, this one included (default: available parallelism, at most 4). */
  threads?: number;
  /** Below this many row × tree traversals one thread does the job (default: COLD_/WARM_MIN_WORK). */
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
/**
 * Starts the prediction workers in the background and has them predict `sample` once, unwaited:
 * a forest just fitted on many rows is usually asked to predict next, and a worker's first job
 * pays its start (~70 ms) and runs un-optimised code — together as much as predicting 10,000 rows.
 */
export function warmPredictWorkers(model: Compiled, sample: { rows: Float32Array; nRows: number; d: number; V: number }, options: PredictOptions = {}): void {
  const threads = Math.max(1, options.threads ?? Math.min(4, availableParallelism()));
  const script = threads > 1 ? forestWorkerPath() : undefined;
  if (!script || sample.nRows === 0) return;
  const rows = new Float32Array(new SharedArrayBuffer(sample.rows.byteLength));
  rows.set(sample.rows);
  const job: PredictJob = {
    model,
    rows,
    nRows: sample.nRows,
    d: sample.d,
    V: sample.V,
    out: new Float64Array(new SharedArrayBuffer(sample.nRows * sample.V * 8)),
  };
  const message: PredictWorkerData = { predict: { job, control: newControl(1), blockRows: sample.nRows } };
  for (const w of pooledWorkers(script, threads - 1).workers) w.postMessage(message);
}

export function predictParallel(job: PredictJob, options: PredictOptions = {}): number {
  const work = job.nRows * job.model.roots.length;
  // Too small for any worker: skip looking for them (a served model predicts a few rows per request,
  // and the lookups are syscalls: core count, the worker script's existence).
  if (options.minWork === undefined && !options.workersOnly && work < WARM_MIN_WORK) {
    predictRange(job, 0, job.nRows);
    return 1;
  }
  const threads = Math.max(1, options.threads ?? Math.min(4, availableParallelism()));
  const script = threads > 1 && job.out.buffer instanceof SharedArrayBuffer ? forestWorkerPath() : undefined;
  // Warm workers (kept from an earlier call) pay off for much smaller jobs than cold ones.
  const minWork = options.minWork ?? (script && poolSize(script) >= threads - 1 ? WARM_MIN_WORK : COLD_MIN_WORK);
  if (!script || work < minWork) {
    predictRange(job, 0, job.nRows);
    return 1;
  }
  // Sixteen blocks per thread: a worker still starting (or still interpreting its first block)
  // holds up only a small block; blocks of hundreds of rows still keep each tree's top in cache.
  const nBlocks = Math.min(Math.ceil(job.nRows / 64), threads * 16);
  const blockRows = Math.ceil(job.nRows / nBlocks);
  const control = newControl(nBlocks);
  const message: PredictWorkerData = { predict: { job, control, blockRows } };
  for (const w of pooledWorkers(script, threads - 1).workers) w.postMessage(message);
  const t0 = performance.now();
  if (!options.workersOnly) predictBlocks(job, control, blockRows);
  // A stalled block is redone from zero here: same sums in the same order.
  awaitBlocks(control, t0, (b) => {
    job.out.fill(0, b * blockRows * job.V, Math.min(job.nRows, (b + 1) * blockRows) * job.V);
    predictBlock(job, b, blockRows);
  });
  return threads;
}
