import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ModelOpsError } from '../core/errors';
import type { Frame } from '../ml/dataset/dataset';
import { sliceRows } from '../ml/dataset/dataset';
import type { EnsemblePrediction } from '../ml/ensemble/ensemble';
import { findWorkerScript } from '../ml/parallel/worker-script';
import type { ScoringModel } from './scoring';
import { score } from './scoring';

/** Below this many rows, starting workers (each loads the model) costs more than it saves. */
export const PARALLEL_MIN_ROWS = 20_000;

/** The worker script beside the code that starts it: `dist/predict-worker.js` or `out/src/pipeline/predict-worker.js`. */
export function predictWorkerPath(): string | undefined {
  return findWorkerScript(__dirname, 'pipeline', 'predict-worker.js', 'MODELOPS_PREDICT_WORKER');
}

/**
 * Scores rows on worker threads, one contiguous slice per thread, each worker loading the model from
 * its directory; results come back in row order, identical to scoring in one thread. Falls back to
 * the calling thread for small inputs, one core, or when the worker script is not there.
 */
export async function scoreRows(
  m: ScoringModel,
  frame: Frame,
  options: { threads?: number; minRows?: number; signal?: AbortSignal } = {},
): Promise<EnsemblePrediction> {
  // One thread unless asked: on a busy machine the workers' start-up and model loading cost more than
  // they save (measured on the 2-core build machine under load: 10.3 s with 1 thread, 12.5 s with 2).
  const minRows = options.minRows ?? PARALLEL_MIN_ROWS;
  const threads = Math.min(options.threads ?? 1, availableParallelism() * 2, Math.ceil(frame.nRows / Math.max(1, minRows / 2)));
  const script = predictWorkerPath();
  if (threads < 2 || frame.nRows < minRows || !script) return score(m, frame);
  const bounds = Array.from({ length: threads + 1 }, (_, i) => Math.round((i * frame.nRows) / threads));
  const workers: Worker[] = [];
  const abort = (): void => {
    for (const w of workers) void w.terminate();
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const parts = await Promise.all(
      bounds.slice(0, -1).map(
        (from, i) =>
          new Promise<{ predictions: (string | number)[]; proba?: Float64Array }>((resolve, reject) => {
            const w = new Worker(script, { workerData: { dir: m.dir, frame: sliceRows(frame, from, bounds[i + 1]!) } });
            workers.push(w);
            w.once('message', (msg: { predictions?: (string | number)[]; proba?: Float64Array; error?: string }) => {
              if (msg.error !== undefined || !msg.predictions) reject(new ModelOpsError('MODEL_INVALID', `scoring failed: ${msg.error ?? 'no result'}`));
              else resolve({ predictions: msg.predictions, ...(msg.proba ? { proba: msg.proba } : {}) });
            });
            w.once('error', reject);
            w.once('exit', (code) => {
              if (options.signal?.aborted) reject(new ModelOpsError('CANCELLED', 'prediction was cancelled'));
              else if (code !== 0) reject(new ModelOpsError('INTERNAL_ERROR', `a scoring worker exited with code ${code}`));
            });
          }),
      ),
    );
    const predictions = parts.flatMap((p) => p.predictions);
    if (m.model.task !== 'classification') return { predictions };
    const k = m.model.classes.length;
    const probabilities: number[][] = [];
    for (const p of parts) {
      const flat = p.proba!;
      for (let i = 0; i < flat.length; i += k) probabilities.push(Array.from(flat.subarray(i, i + k)));
    }
    return { predictions, probabilities };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    abort();
  }
}
