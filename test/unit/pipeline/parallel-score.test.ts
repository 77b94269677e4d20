import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { datasetFromText } from '../../../src/ml/dataset/dataset';
import { predictWorkerPath, scoreRows } from '../../../src/pipeline/parallel-score';
import { openScoringModel, score } from '../../../src/pipeline/scoring';
import type { TestWorkspace } from './workspace';
import { GOOD, churnCsv, openWorkspace } from './workspace';

let ws: TestWorkspace;
before(async () => {
  ws = await openWorkspace();
});
after(() => ws.close());

test('scoring on worker threads gives the same predictions and probabilities, in row order, as one thread', async () => {
  assert.ok(predictWorkerPath(), 'the compiled worker script sits beside parallel-score.js');
  const runId = await ws.trainRun(GOOD);
  const m = openScoringModel(await ws.stores.tracking.artifactLocalPath(runId, 'model'));
  const frame = datasetFromText(churnCsv(900, 77), 'rows.csv', { target: 'churned' }).frame;
  const single = score(m, frame);
  const parallel = await scoreRows(m, frame, { threads: 3, minRows: 100 });
  assert.deepEqual(parallel.predictions, single.predictions);
  assert.equal(parallel.probabilities!.length, 900);
  parallel.probabilities!.forEach((p, i) => p.forEach((x, k) => assert.ok(Math.abs(x - single.probabilities![i]![k]!) < 1e-12)));
});
