import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { startTrackingServer } from '../../../../src/server/http-server';
import { openTrackingStore } from '../../../../src/store/open';
import { RestTrackingStore } from '../../../../src/store/rest/rest-tracking-store';
import type { TrackingStore } from '../../../../src/store/tracking-store';
import { tempDir } from '../helpers/temp';
import { describeTrackingStoreContract } from '../tracking-store-contract';

/**
 * The REST store runs the same contract suite as the workspace store, against `modelops server`
 * (MLflow's tracking API, itself checked against MLflow's recorded answers) on a fresh store.
 */
const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

async function serve(): Promise<{ url: string; stop(): Promise<void> }> {
  const backing = await openTrackingStore(join(tmp.dir, `server-${++n}`, 'mlflow.db'));
  const server = await startTrackingServer(backing, { port: 0 });
  return {
    url: server.url,
    stop: async () => {
      await server.close();
      await backing.close();
    },
  };
}

describeTrackingStoreContract('REST store against modelops server', {
  scratchDir: tmp.dir,
  atomicAcrossRuns: false,
  async create(): Promise<TrackingStore> {
    const s = await serve();
    const store = new RestTrackingStore(s.url);
    return Object.assign(store, { close: () => s.stop() });
  },
});

describe('REST store, transport', () => {
  test('an unreachable server is a STORE_IO error naming the URL', async () => {
    const s = await serve();
    const url = s.url;
    await s.stop();
    const store = new RestTrackingStore(url);
    await assert.rejects(store.getExperiment('0'), (e: unknown) => e instanceof ModelOpsError && e.code === 'STORE_IO' && e.message.includes(url));
  });

  test('a server that is not MLflow (HTML 404s) gets a clear error', async () => {
    const s = await serve();
    const store = new RestTrackingStore(`${s.url}/not-mlflow`);
    await assert.rejects(store.getExperiment('0'), (e: unknown) => e instanceof ModelOpsError && /not-mlflow/.test(e.message));
    await s.stop();
  });
});
