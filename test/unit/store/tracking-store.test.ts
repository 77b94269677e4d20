import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openTrackingStore } from '../../../src/store/open';
import { ENGINES, ENGINE_NAME } from './helpers/engines';
import { tempDir } from './helpers/temp';
import { describeTrackingStoreContract } from './tracking-store-contract';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

for (const engine of ENGINES) {
  describeTrackingStoreContract(`workspace store (${ENGINE_NAME[engine]})`, {
    scratchDir: tmp.dir,
    create: () => openTrackingStore(join(tmp.dir, `store-${++n}`, '.modelops', 'mlflow.db'), { engine }),
  });

  test(`onDidChange tells a store when another store on the same file commits, until disposed (${ENGINE_NAME[engine]})`, async () => {
    const file = join(tmp.dir, `watched-${engine}`, 'mlflow.db');
    const viewer = await openTrackingStore(file, { engine });
    const cli = await openTrackingStore(file, { engine });
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
}
