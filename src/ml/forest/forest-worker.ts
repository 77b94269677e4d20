/**
 * Worker-thread entry: grows the trees it is asked for from the shared binned data, or (started
 * with `predict`) takes row blocks of a shared prediction until none is left. Bundled as
 * dist/forest-worker.js and compiled as out/src/ml/forest/forest-worker.js; see grow-trees.ts
 * and forest-predict.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PredictWorkerData } from './forest-predict';
import { predictBlocks } from './forest-predict';
import type { TreeData, TreeParams } from './tree-builder';
import { buildTree } from './tree-builder';

interface Init {
  data: TreeData;
  params: TreeParams;
}

const init = workerData as Init | PredictWorkerData;
const port = parentPort;
if ('predict' in init) {
  predictBlocks(init.predict.job, init.predict.control, init.predict.blockRows);
} else if (port) {
  const grow = init;
  port.on('message', (msg: { tree: number; seed: number }) => {
    const t = buildTree(grow.data, grow.params, msg.seed);
    const transfer = [t.feature.buffer, t.bin.buffer, t.right.buffer, t.values.buffer, t.importance.buffer] as ArrayBuffer[];
    port.postMessage({ tree: msg.tree, result: t }, transfer);
  });
}
