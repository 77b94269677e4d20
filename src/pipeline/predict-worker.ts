/**
 * Worker-thread entry for parallel scoring: loads the model directory once, scores the slice of
 * rows it is given. Bundled as dist/predict-worker.js and compiled as out/src/pipeline/predict-worker.js;
 * see parallel-score.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Frame } from '../ml/dataset/dataset';
import { loadModel } from '../ml/ensemble/model-package';

const { dir, frame } = workerData as { dir: string; frame: Frame };
const port = parentPort;
if (port) {
  try {
    const { model } = loadModel(dir);
    const out = model.predictFrame(frame);
    const k = model.classes.length;
    let proba: Float64Array | undefined;
    if (out.probabilities) {
      proba = new Float64Array(out.probabilities.length * k);
      out.probabilities.forEach((p, i) => proba!.set(p, i * k));
    }
    port.postMessage({ predictions: out.predictions, proba }, proba ? [proba.buffer as ArrayBuffer] : []);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}
