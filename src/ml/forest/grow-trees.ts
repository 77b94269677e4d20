import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelOpsError } from '../../core/errors';
import type { BuiltTree, TreeData, TreeParams } from './tree-builder';
import { buildTree } from './tree-builder';

/**
 * The worker script sits beside the code that starts it in both layouts: `dist/forest-worker.js`
 * next to the esbuild bundles, `out/src/ml/forest/forest-worker.js` next to this file compiled by tsc.
 */
export function forestWorkerPath(): string {
  const candidates = [join(__dirname, 'forest-worker.js'), join(__dirname, 'ml', 'forest', 'forest-worker.js')];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new ModelOpsError('INTERNAL_ERROR', `forest worker script not found (looked for ${candidates.join(', ')}); rebuild with npm run build`);
}

export interface GrowOptions {
  threads: number;
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
  const threads = Math.max(1, Math.min(options.threads, total));
  if (threads === 1) {
    const out: BuiltTree[] = [];
    for (let t = 0; t < total; t++) {
      if (options.signal?.aborted) throw cancelled();
      out.push(buildTree(data, params, seeds[t]));
      options.onProgress?.(t + 1, total);
      // Let the event loop run (progress rendering, abort events) between trees.
      if (t % 4 === 3) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return out;
  }
  // Workers share the binned features and the target through SharedArrayBuffers.
  const bins = new Uint8Array(new SharedArrayBuffer(data.bins.length));
  bins.set(data.bins);
  const y = new Float64Array(new SharedArrayBuffer(data.y.length * 8));
  y.set(data.y);
  const shared: TreeData = { ...data, bins, y };
  const file = forestWorkerPath();
  const results: BuiltTree[] = new Array<BuiltTree>(total);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
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
      const dispatch = (w: Worker): void => {
        if (next < total) {
          w.postMessage({ tree: next, seed: seeds[next] });
          next++;
        }
      };
      for (let i = 0; i < threads; i++) {
        const w = new Worker(file, { workerData: { data: shared, params } });
        workers.push(w);
        w.on('message', (msg: { tree: number; result: BuiltTree }) => {
          results[msg.tree] = msg.result;
          done++;
          options.onProgress?.(done, total);
          if (done === total) {
            options.signal?.removeEventListener('abort', onAbort);
            resolve();
          } else dispatch(w);
        });
        w.on('error', (e) => fail(new ModelOpsError('INTERNAL_ERROR', `forest worker failed: ${e.message}`, { cause: e })));
        w.on('exit', (code) => {
          if (done < total && code !== 0) fail(new ModelOpsError('INTERNAL_ERROR', `forest worker exited with code ${code}`));
        });
        dispatch(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
