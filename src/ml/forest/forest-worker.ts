/**
 * Worker-thread entry: grows the trees it is asked for from the shared binned data, or (pooled)
 * takes row blocks of each prediction job it is sent until none is left. Bundled as
 * dist/forest-worker.js and compiled as out/src/ml/forest/forest-worker.js; see grow-trees.ts
 * and forest-predict.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PredictWorkerData } from './forest-predict';
import { predictBlocks } from './forest-predict';
import type { TreeData, TreeParams } from './tree-builder';
import { buildTree } from './tree-builder';
import type { POOLED } from '../parallel/pool';
import { isPooledStart } from '../parallel/pool';

interface Init {
  data: TreeData;
  params: TreeParams;
}

const init = workerData as Init | typeof POOLED;
const port = parentPort;
if (isPooledStart(init)) {
  // Kept between predictions (src/ml/parallel/pool.ts): one message per prediction job.
  port?.on('message', (msg: PredictWorkerData) => predictBlocks(msg.predict.job, msg.predict.control, msg.predict.blockRows));
} else if (port) {
  const grow = init;
  port.on('message', (msg: { tree: number; seed: number }) => {
    const t = buildTree(grow.data, grow.params, msg.seed);
    const transfer = [t.feature.buffer, t.bin.buffer, t.right.buffer, t.values.buffer, t.importance.buffer] as ArrayBuffer[];
    port.postMessage({ tree: msg.tree, result: t }, transfer);
  });
}
