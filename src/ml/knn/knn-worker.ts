/**
 * Worker-thread entry for the kNN brute-force search: takes query blocks from the shared counter
 * until none is left. Bundled as dist/knn-worker.js and compiled as out/src/ml/knn/knn-worker.js;
 * see brute-search.ts.
 */
import { workerData } from 'node:worker_threads';
import type { BruteJob, ScanKernel } from './brute-search';
import { runBlocks } from './brute-search';

const init = workerData as { job: BruteJob; control: Int32Array; kernel: ScanKernel } | null;
if (init) runBlocks(init.job, init.control, init.kernel);
