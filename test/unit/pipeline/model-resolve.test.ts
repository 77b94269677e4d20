import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { resolveModel, sourceDir } from '../../../src/pipeline/model-resolve';
import { openStores } from '../../../src/store/open';
import { tempDir } from '../store/helpers/temp';

const tmp = tempDir('modelops-resolve-');
after(() => tmp.cleanup());

describe('model sources a tracking server wrote', () => {
  test('a version registered through the artifact proxy (mlflow-artifacts:/…) is read from the run in the workspace', async () => {
    const artifacts = join(tmp.dir, 'artifacts');
    const stores = await openStores(join(tmp.dir, 'mlflow.db'), { artifactRoot: artifacts, artifactRootUri: 'mlflow-artifacts:/' });
    const run = await stores.tracking.createRun({ experimentId: '0' });
    assert.equal(run.info.artifactUri, `mlflow-artifacts:/0/${run.info.runId}/artifacts`);
    // What the Python client uploads through the proxy: files under the destination folder.
    const model = join(artifacts, '0', run.info.runId, 'artifacts', 'model');
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, 'MLmodel'), 'artifact_path: model\n');
    await stores.registry.createRegisteredModel('m');
    await stores.registry.createModelVersion({ name: 'm', source: `${run.info.artifactUri}/model`, runId: run.info.runId });
    assert.deepEqual(await sourceDir(stores.tracking, `${run.info.artifactUri}/model`), { dir: model, runId: run.info.runId });
    assert.equal((await resolveModel(stores, 'models:/m/1')).dir, model);
    await assert.rejects(sourceDir(stores.tracking, 'mlflow-artifacts:/elsewhere/model'), /not in a run's artifacts/);
    await stores.close();
  });
});
