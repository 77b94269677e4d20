import { join } from 'node:path';
import { after } from 'node:test';
import { openStores } from '../../../../src/store/open';
import { tempDir } from '../helpers/temp';
import { registryStoreContract } from '../registry-contract';
import { studyStoreContract } from '../study-contract';
import { CLEAN_ENV, serveStore } from './serve';

/**
 * The registry and study contracts, run through the REST stores against `modelops server` (MLflow 2.10.2's REST API,
 * itself checked against MLflow's recorded answers). The registry contract moves versions between stages directly, as
 * MLflow's API allows: the server runs with MLflow's own stage rules here, as a plain `mlflow server` would; the
 * product's guarded path (validation → Staging, approval → Production) is tested in team-registry.test.ts.
 */
const tmp = tempDir('modelops-rest-registry-');
after(() => tmp.cleanup());
let n = 0;

registryStoreContract('REST store against modelops server', async () => {
  const served = await serveStore(join(tmp.dir, `r${++n}`), { stageTransitions: 'open' });
  const client = await openStores(served.url, { env: CLEAN_ENV, pollIntervalMs: 0 });
  return {
    store: client.registry,
    db: {
      close: async () => {
        await client.close();
        await served.stop();
      },
    },
  };
});

studyStoreContract('REST store against modelops server', async () => {
  const served = await serveStore(join(tmp.dir, `s${++n}`));
  const client = await openStores(served.url, { env: CLEAN_ENV, pollIntervalMs: 0 });
  return {
    studies: client.studies,
    parentRun: async () => (await client.tracking.createRun({ experimentId: '0', runName: 'tune-parent' })).info.runId,
    reopen: async () => (await openStores(served.url, { env: CLEAN_ENV, pollIntervalMs: 0 })).studies,
    close: async () => {
      await client.close();
      await served.stop();
    },
  };
});
