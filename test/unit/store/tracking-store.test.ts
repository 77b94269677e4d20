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

for (const engine of ENGINES) {
  test(`searchRunIds gives searchRuns' ids in its order, page by page; metricRanges every run's min and max (${ENGINE_NAME[engine]})`, async () => {
    const store = await openTrackingStore(join(tmp.dir, `ids-${engine}`, 'mlflow.db'), { engine });
    const exp = await store.createExperiment('ids');
    for (let i = 0; i < 7; i++) {
      const run = await store.createRun({ experimentId: exp, runName: `r${i}` });
      await store.logBatch(run.info.runId, {
        params: [{ key: 'model', value: i % 2 ? 'rf' : 'knn' }],
        metrics: [0, 1, 2]
          .map((step) => ({ key: 'loss', value: i + step / 10, step, timestamp: 1 + step }))
          .concat([{ key: 'loss', value: Number.NaN, step: 3, timestamp: 4 }]),
      });
    }
    const query = { experimentIds: [exp], filter: "params.model = 'rf'", orderBy: ['metrics.loss DESC'], maxResults: 2 };
    const all = async <T>(fn: (token?: string) => Promise<{ items: T[]; nextPageToken?: string }>): Promise<T[]> => {
      const out: T[] = [];
      let token: string | undefined;
      do {
        const page = await fn(token);
        out.push(...page.items);
        token = page.nextPageToken;
      } while (token);
      return out;
    };
    const runs = await all((pageToken) => store.searchRuns({ ...query, pageToken }));
    const ids = await all((pageToken) => store.searchRunIds!({ ...query, pageToken }));
    assert.equal(ids.length, 3);
    assert.deepEqual(
      ids,
      runs.map((r) => r.info.runId),
    );
    const ranges = await store.metricRanges!(exp, 'loss');
    assert.equal(ranges.size, 7);
    for (const r of runs) {
      const i = Number(r.info.runName.slice(1));
      assert.deepEqual(ranges.get(r.info.runId), { min: i, max: i + 0.2 }, 'NaN left out');
    }
    await store.close();
  });
}
