/**
 * Worker-thread entry for parallel tuning (`--n-jobs`): holds the session's dataset and folds
 * (shared memory, given once) and scores one fold of one trial per message, so the main thread's
 * pruner decides between folds and the main thread alone writes to the store. Bundled as
 * dist/tune-worker.js and compiled as out/src/pipeline/tune-worker.js; see tune-pool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ModelOpsError } from '../core/errors';
import type { FoldData, TrialFit } from './tune-folds';
import { scoreFold } from './tune-folds';

export interface FoldRequest {
  fit: TrialFit;
  fold: number;
}

export type FoldReply = { metrics: Record<string, number> } | { error: string; code?: string };

const data = workerData as FoldData | null;
const port = parentPort;
if (port && data) {
  port.on('message', (req: FoldRequest) => {
    scoreFold(data, req.fit, req.fold).then(
      (metrics) => port.postMessage({ metrics } satisfies FoldReply),
      (e: unknown) =>
        port.postMessage({ error: e instanceof Error ? e.message : String(e), ...(e instanceof ModelOpsError ? { code: e.code } : {}) } satisfies FoldReply),
    );
  });
}
