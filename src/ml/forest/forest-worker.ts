/**
 * Worker-thread entry: grows the trees it is asked for from the shared binned data. Bundled as
 * dist/forest-worker.js and compiled as out/src/ml/forest/forest-worker.js; see grow-trees.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TreeData, TreeParams } from './tree-builder';
import { buildTree } from './tree-builder';

interface Init {
  data: TreeData;
  params: TreeParams;
}

const init = workerData as Init;
const port = parentPort;
if (port) {
  port.on('message', (msg: { tree: number; seed: number }) => {
    const t = buildTree(init.data, init.params, msg.seed);
    const transfer = [t.feature.buffer, t.bin.buffer, t.right.buffer, t.values.buffer, t.importance.buffer] as ArrayBuffer[];
    port.postMessage({ tree: msg.tree, result: t }, transfer);
  });
}
