import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { loadPromotionState } from '../../../src/extension/webviews/promotion-data';
import { loadModel } from '../../../src/ml/ensemble/model-package';
import { FILES_DIGEST_TAG, PAYLOAD_DIGEST_TAG } from '../../../src/pipeline/model-pin';
import { sourceDir } from '../../../src/pipeline/model-resolve';
import { predict } from '../../../src/pipeline/predict';
import { promoteModelVersion } from '../../../src/pipeline/promote';
import { registerModel } from '../../../src/pipeline/register';
import { validateModelVersion } from '../../../src/pipeline/validate';
import type { TestWorkspace } from './workspace';
import { GOOD, churnCsv, openWorkspace } from './workspace';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Rewrites model.json the way someone covering their tracks would: new payload, every checksum recomputed. */
function tamper(dir: string): void {
  const file = join(dir, 'model.json');
  const env = JSON.parse(readFileSync(file, 'utf8')) as { format: string; modelops_version: string; payload: { members: { weight: number }[] } };
  env.payload.members[0]!.weight = 0.5;
  const payloadText = JSON.stringify(env.payload);
  const text = `{"format":${JSON.stringify(env.format)},"modelops_version":${JSON.stringify(env.modelops_version)},"payload_sha256":"${sha256(payloadText)}","payload":${payloadText}}\n`;
  const mlmodel = readFileSync(join(dir, 'MLmodel'), 'utf8').replace(/data_sha256: [0-9a-f]+/, `data_sha256: ${sha256(text)}`);
  writeFileSync(file, text);
  writeFileSync(join(dir, 'MLmodel'), mlmodel);
}

describe('pinned approvals', () => {
  let ws: TestWorkspace;
  let dir: string;
  before(async () => {
    ws = await openWorkspace();
    const runId = await ws.trainRun(GOOD);
    await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validate: false });
    dir = (await sourceDir(ws.stores.tracking, `runs:/${runId}/model`)).dir;
    writeFileSync(join(ws.dir, 'new.csv'), churnCsv(20, 5));
  });
  after(() => ws.close());

  test('registration stores the payload digest and every file digest on the version', async () => {
    const v = await ws.stores.registry.getModelVersion('churn', '1');
    assert.equal(
      v.tags.find((t) => t.key === PAYLOAD_DIGEST_TAG)?.value,
      createHash('sha256')
        .update(readFileSync(join(dir, 'model.json')))
        .digest('hex'),
    );
    const files = JSON.parse(v.tags.find((t) => t.key === FILES_DIGEST_TAG)!.value) as Record<string, string>;
    assert.ok(files['MLmodel'] && files['code/modelops_pyfunc/__init__.py'] && files['requirements.txt'], Object.keys(files).join(', '));
  });

  test("Python's bytecode caches (MLflow importing code/) do not break the pin", async () => {
    mkdirSync(join(dir, 'code', 'modelops_pyfunc', '__pycache__'), { recursive: true });
    writeFileSync(join(dir, 'code', 'modelops_pyfunc', '__pycache__', '_model.cpython-311.pyc'), 'x');
    const r = await predict(ws.stores, { model: 'models:/churn/1', data: join(ws.dir, 'new.csv'), cwd: ws.dir });
    assert.equal(r.predictions.length, 20);
  });

  test('a payload changed after registration, checksums recomputed, is refused by predict, validate, promote and review', async () => {
    tamper(dir);
    assert.doesNotThrow(() => loadModel(dir), 'the envelope checks alone accept the rewritten file');
    const refused = (e: unknown): boolean =>
      e instanceof ModelOpsError && e.code === 'MODEL_INVALID' && e.message.includes('models:/churn/1') && e.message.includes(join(dir, 'model.json'));
    await assert.rejects(predict(ws.stores, { model: 'models:/churn/1', data: join(ws.dir, 'new.csv'), cwd: ws.dir }), refused);
    await assert.rejects(validateModelVersion(ws.stores, { name: 'churn', version: '1', actor: 'alice', workspace: ws.dir, data: 'holdout.csv' }), refused);
    await ws.stores.registry.transitionModelVersionStage('churn', '1', 'Staging', false);
    await assert.rejects(promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: 'ok', actor: 'bob' }), refused);
    const review = await loadPromotionState(ws.stores, 'churn', '1');
    assert.equal(review.status, 'error');
    assert.match(review.message ?? '', /models:\/churn\/1: .*model\.json was changed/);
    // The run's own model (not a registry version) has nothing pinned: it still loads.
    const runId = (await ws.stores.registry.getModelVersion('churn', '1')).runId;
    assert.equal((await predict(ws.stores, { model: `runs:/${runId}/model`, data: join(ws.dir, 'new.csv'), cwd: ws.dir })).predictions.length, 20);
  });

  test('a version registered without pins (another MLflow client) still loads', async () => {
    const runId = await ws.trainRun(GOOD, { seed: 3 });
    await ws.stores.registry.createModelVersion({ name: 'churn', source: `runs:/${runId}/model`, runId });
    const r = await predict(ws.stores, { model: 'models:/churn/2', data: join(ws.dir, 'new.csv'), cwd: ws.dir });
    assert.equal(r.predictions.length, 20);
  });
});
