import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openTrackingStore } from '../../../../src/store/open';
import { tempDir } from '../helpers/temp';
import { describeTrackingStoreContract } from '../tracking-store-contract';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

describeTrackingStoreContract('sql.js workspace store', {
  scratchDir: tmp.dir,
  create: () => openTrackingStore(join(tmp.dir, `store-${++n}`, '.modelops', 'mlflow.db')),
});

test('onDidChange tells a store when another store on the same file commits, until disposed', async () => {
  const file = join(tmp.dir, 'watched', 'mlflow.db');
  const viewer = await openTrackingStore(file);
  const cli = await openTrackingStore(file);
  let fired = 0;
  const dispose = viewer.onDidChange!(() => fired++);
  await cli.createExperiment('from-cli');
  for (let i = 0; i < 300 && fired === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fired >= 1);
  assert.equal((await viewer.getExperimentByName('from-cli'))?.name, 'from-cli');
  dispose();
  await viewer.close();
  await cli.close();
});
