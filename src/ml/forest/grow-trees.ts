import { Worker } from 'node:worker_threads';
import { ModelOpsError } from '../../core/errors';
import type { BuiltTree, TreeData, TreeParams } from './tree-builder';
import { buildTree, releaseRowBuffers } from './tree-builder';
import { WORKER_LIMITS, findWorkerScript } from '../parallel/worker-script';
import { inSharedMemory } from '../parallel/shared-memory';

/**
 * The worker script sits beside the code that starts it in both layouts: `dist/forest-worker.js`
 * next to the esbuild bundles, `out/src/ml/forest/forest-worker.js` next to this file compiled by tsc.
 */
export function forestWorkerPath(): string | undefined {
  return findWorkerScript(__dirname, 'ml/forest', 'forest-worker.js', 'MODELOPS_FOREST_WORKER');
}

export interface GrowOptions {
  threads: number;
  /** Told how many threads actually grew the trees (1 when the worker script is not found). */
  onThreads?: (threads: number) => void;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

function cancelled(): ModelOpsError {
  return new ModelOpsError('CANCELLED', 'training was cancelled');
}

/**
 * Grows one tree per seed. Each tree depends only on its own seed, so the forest is identical
 * whatever the number of threads; results are returned in seed order.
 */
export async function growTrees(data: TreeData, params: TreeParams, seeds: number[], options: GrowOptions): Promise<BuiltTree[]> {
  const total = seeds.length;
  const file = options.threads > 1 ? forestWorkerPath() : undefined;
  // Without the worker script (e.g. code bundled elsewhere) trees grow in this thread: same trees, slower.
  const threads = file ? Math.max(1, Math.min(options.threads, total)) : 1;
  options.onThreads?.(threads);
  if (threads === 1 || !file) return growHere(data, params, seeds, options);
  // Workers share the binned features and the target through SharedArrayBuffers.
  const shared: TreeData = {
    ...data,
    bins: inSharedMemory(data.bins, (b) => new Uint8Array(b)),
    y: inSharedMemory(data.y, (b) => new Float64Array(b)),
    yc: inSharedMemory(data.yc, (b) => new Int32Array(b)),
  };
  const results: BuiltTree[] = new Array<BuiltTree>(total);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      let failed = false;
      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const onAbort = (): void => fail(cancelled());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) return fail(cancelled());
      for (let i = 0; i < threads; i++) {
        const w = new Worker(file, { workerData: { data: shared, params }, resourceLimits: WORKER_LIMITS });
        workers.push(w);
        w.on('message', (msg: { tree: number; result: BuiltTree }) => {
          results[msg.tree] = msg.result;
          done++;
          options.onProgress?.(done, total);
          if (done === total) {
            options.signal?.removeEventListener('abort', onAbort);
            resolve();
          }
        });
        w.on('error', (e) => fail(new ModelOpsError('INTERNAL_ERROR', `forest worker failed: ${e.message}`, { cause: e })));
        w.on('exit', (code) => {
          if (done < total && code !== 0) fail(new ModelOpsError('INTERNAL_ERROR', `forest worker exited with code ${code}`));
        });
        // Trees are striped over the workers up front (tree t → worker t mod threads): no
        // round trip per tree, and which worker grows a tree never changes the tree.
        for (let t = i; t < total; t += threads) w.postMessage({ tree: t, seed: seeds[t] });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

async function growHere(data: TreeData, params: TreeParams, seeds: number[], options: GrowOptions): Promise<BuiltTree[]> {
  const out: BuiltTree[] = [];
  try {
    for (let t = 0; t < seeds.length; t++) {
      if (options.signal?.aborted) throw cancelled();
      out.push(buildTree(data, params, seeds[t]));
      options.onProgress?.(t + 1, seeds.length);
      // Let the event loop run (progress rendering, abort events) between trees.
      if (t % 4 === 3) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    releaseRowBuffers();
  }
  return out;
}
