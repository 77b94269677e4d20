import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { startTrackingServer } from '../../../../src/server/http-server';
import { openStores, openTrackingStore } from '../../../../src/store/open';
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

/** `modelops server` as MLflow ≥ 2.0 runs by default: runs get `mlflow-artifacts:` URIs, artifacts go through the proxy. */
async function serveProxied(): Promise<{ url: string; destination: string; stop(): Promise<void> }> {
  const dir = join(tmp.dir, `proxied-${++n}`);
  const destination = join(dir, 'served-artifacts');
  const backing = await openStores(join(dir, 'mlflow.db'), { artifactRoot: destination, artifactRootUri: 'mlflow-artifacts:/' });
  const server = await startTrackingServer({ tracking: backing.tracking, registry: backing.registry }, { port: 0, artifactsDestination: destination });
  return {
    url: server.url,
    destination,
    stop: async () => {
      await server.close();
      await backing.close();
    },
  };
}

describeTrackingStoreContract('REST store against modelops server with the artifact proxy', {
  scratchDir: tmp.dir,
  atomicAcrossRuns: false,
  async create(): Promise<TrackingStore> {
    const s = await serveProxied();
    const store = new RestTrackingStore(s.url);
    return Object.assign(store, { close: () => s.stop() });
  },
});

describe('REST store, artifact proxy', () => {
  test('a run made through the server has an mlflow-artifacts: URI, and its artifacts land in the server’s folder, not the client’s', async () => {
    const s = await serveProxied();
    const store = new RestTrackingStore(s.url);
    const run = await store.createRun({ experimentId: '0' });
    assert.match(run.info.artifactUri, /^mlflow-artifacts:\/0\/[0-9a-f]{32}\/artifacts$/);
    const file = join(tmp.dir, 'notes.txt');
    writeFileSync(file, 'written through the proxy');
    await store.logArtifact(run.info.runId, file, 'docs');
    const onServer = join(s.destination, '0', run.info.runId, 'artifacts', 'docs', 'notes.txt');
    assert.equal(readFileSync(onServer, 'utf8'), 'written through the proxy');
    assert.deepEqual(await store.listArtifacts(run.info.runId, 'docs'), [{ path: 'docs/notes.txt', isDir: false, fileSize: 25 }]);
    const local = await store.artifactLocalPath(run.info.runId, 'docs');
    assert.notEqual(local, join(s.destination, '0', run.info.runId, 'artifacts', 'docs'));
    assert.equal(readFileSync(join(local, 'notes.txt'), 'utf8'), 'written through the proxy');
    assert.ok(!existsSync(join(tmp.dir, '0')), 'nothing was written beside the client');
    await s.stop();
  });
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
