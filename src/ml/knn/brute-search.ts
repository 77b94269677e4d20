import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { awaitBlocks, claimBlocks, newControl } from '../parallel/blocks';
import { findWorkerScript } from '../parallel/worker-script';
import { inSharedMemory } from '../parallel/shared-memory';
import { emptyNeighbours, insertNeighbour, SimdScan, sqDistUpTo } from './simd-scan';

/**
 * Exact brute-force k-nearest search over row-major float32 rows, split across worker threads.
 * Every query's answer is the scalar scan's (`searchRangeScalar`), whichever thread runs it and
 * whether or not the SIMD pre-filter (simd-scan.ts) does the bulk of the work: squared distances
 * summed in groups of four (the KD-tree's order too), ties kept by the lower training index.
 */

/** One search job; the arrays may live in SharedArrayBuffers (worker threads) or not. */
export interface BruteJob {
  train: Float32Array;
  nTrain: number;
  d: number;
  queries: Float32Array;
  nQueries: number;
  k: number;
  /** nQueries × k squared distances, ascending per query. */
  outD: Float64Array;
  /** nQueries × k training indices. */
  outI: Int32Array;
}

/** Queries per block claimed by a thread. */
export const BLOCK = 32;

/** How a thread scans: WebAssembly SIMD pre-filter (default where it can run) or plain scalar. */
export type ScanKernel = 'simd' | 'scalar';

/** The scalar scan of queries [q0, q1): the reference every other path must match exactly. */
export function searchRangeScalar(job: BruteJob, q0: number, q1: number): void {
  const { train, nTrain: n, d, queries, k, outD, outI } = job;
  // The query is copied into a small float64 array once, so the inner loop converts only train values.
  const qv = new Float64Array(d);
  for (let q = q0; q < q1; q++) {
    const o = q * k;
    emptyNeighbours(outD, outI, o, k);
    for (let c = 0; c < d; c++) qv[c] = queries[q * d + c];
    let worst = Infinity;
    for (let j = 0, base = 0; j < n; j++, base += d) {
      const s = sqDistUpTo(qv, train, base, d, worst);
      if (s >= worst) continue; // equal distance: the earlier training row wins
      insertNeighbour(outD, outI, o, k, s, j);
      worst = outD[o + k - 1];
    }
  }
}

/** This thread's scanner for the job: the SIMD one unless asked for scalar or it cannot run. */
export function scannerFor(job: BruteJob, kernel: ScanKernel = 'simd'): SimdScan | undefined {
  return kernel === 'simd' ? SimdScan.create(job, job.queries) : undefined;
}

/** Searches queries [q0, q1) and writes their k nearest into the job's outputs. */
export function searchRange(job: BruteJob, q0: number, q1: number, scan: SimdScan | undefined = scannerFor(job)): void {
  if (scan) scan.searchRange(job.queries, job.k, job.outD, job.outI, q0, q1);
  else searchRangeScalar(job, q0, q1);
}

function searchBlock(job: BruteJob, b: number, scan: SimdScan | undefined): void {
  searchRange(job, b * BLOCK, Math.min(job.nQueries, (b + 1) * BLOCK), scan);
}

/** Query blocks claimed from the shared counter, by the calling thread and the workers alike. */
export function runBlocks(job: BruteJob, control: Int32Array, kernel: ScanKernel = 'simd'): void {
  // One scanner per thread: the training rows are laid out in its memory once, not per block.
  const scan = scannerFor(job, kernel);
  claimBlocks(control, (b) => searchBlock(job, b, scan));
}

/** The worker script beside this file: out/src/ml/knn/knn-worker.js (tsc) or dist/knn-worker.js (esbuild). */
export function knnWorkerPath(): string | undefined {
  return findWorkerScript(__dirname, 'ml/knn', 'knn-worker.js', 'MODELOPS_KNN_WORKER');
}

export interface ParallelOptions {
  /** Threads in all, this one included (default: available parallelism, at most 4). */
  threads?: number;
  /** Below this many distance terms (queries × rows × features) one thread is faster than starting workers. */
  minWork?: number;
  /** Leave every block to the workers (tests use it to check the workers' answers). */
  workersOnly?: boolean;
  /** The scan every thread uses (default 'simd'; the answer is the same, only the speed differs). */
  kernel?: ScanKernel;
}

/**
 * Runs the search on this thread and `threads - 1` workers, which share the rows and the output
 * through SharedArrayBuffers. Synchronous (predict is): this thread takes blocks too and then
 * waits with Atomics.wait for blocks a worker is still on. A worker that never starts claims
 * nothing; one that stalls on a block past the deadline has that block redone here (same values).
 */
/** Returns the number of threads that took part (1 when the worker script is not found). */
export function searchParallel(job: BruteJob, options: ParallelOptions = {}): number {
  const threads = Math.max(1, Math.min(options.threads ?? Math.min(4, availableParallelism()), Math.ceil(job.nQueries / BLOCK)));
  const work = job.nQueries * job.nTrain * job.d;
  const file = threads > 1 && work >= (options.minWork ?? 5e7) ? knnWorkerPath() : undefined;
  const nBlocks = Math.ceil(job.nQueries / BLOCK);
  const kernel = options.kernel ?? 'simd';
  if (!file) {
    searchRange(job, 0, job.nQueries, scannerFor(job, kernel));
    return 1;
  }
  const shared: BruteJob = {
    ...job,
    train: inSharedMemory(job.train, (b) => new Float32Array(b)),
    queries: inSharedMemory(job.queries, (b) => new Float32Array(b)),
    outD: new Float64Array(new SharedArrayBuffer(job.outD.byteLength)),
    outI: new Int32Array(new SharedArrayBuffer(job.outI.byteLength)),
  };
  const control = newControl(nBlocks);
  const workers: Worker[] = [];
  try {
    for (let i = 1; i < threads; i++) workers.push(new Worker(file, { workerData: { job: shared, control, kernel } }));
    const t0 = performance.now();
    if (!options.workersOnly) runBlocks(shared, control, kernel);
    // A redone block is searched from scratch: the same neighbours whoever ran it first.
    let scan: SimdScan | undefined | null = null;
    awaitBlocks(control, t0, (b) => searchBlock(shared, b, scan === null ? (scan = scannerFor(shared, kernel)) : scan));
  } finally {
    for (const w of workers) void w.terminate();
  }
  job.outD.set(shared.outD);
  job.outI.set(shared.outI);
  return threads;
}
