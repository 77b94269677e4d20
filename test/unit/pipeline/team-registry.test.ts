import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { datasetFromText } from '../../../src/ml/dataset/dataset';
import { Ensemble } from '../../../src/ml/ensemble/ensemble';
import { saveModel } from '../../../src/ml/ensemble/model-package';
import { predict } from '../../../src/pipeline/predict';
import { promoteModelVersion, rejectModelVersion } from '../../../src/pipeline/promote';
import { registerModel } from '../../../src/pipeline/register';
import { STAGE_REQUEST_TAG } from '../../../src/registry/registry-tags';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import { tempDir } from '../store/helpers/temp';
import type { Served } from '../store/rest/serve';
import { CLEAN_ENV, serveStore } from '../store/rest/serve';
import { churnCsv, GOOD } from './workspace';

/**
 * The product's registry — validation → Staging, human approval → Production, the audit trail, reports — through the
 * REST stores on `modelops server`, as a team shares it: two workspaces on one server see the same history, the
 * trail names the server's authenticated user, and a plain MLflow client still cannot promote.
 */
const tmp = tempDir('modelops-team-');
after(() => tmp.cleanup());
const ANA = { ...CLEAN_ENV, MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 'pw' };
let n = 0;

/** Trains a small churn model on this machine and logs it into `stores` (through the server's artifact proxy). */
async function trainRun(stores: Stores, seed: number): Promise<string> {
  const data = datasetFromText(churnCsv(300, seed), 'train.csv', { target: 'churned' });
  const model = await Ensemble.fit(data.frame, data.target, data.schema.features, { members: GOOD, seed: 1, threads: 1 });
  const exp = (await stores.tracking.getExperimentByName('churn'))?.experimentId ?? (await stores.tracking.createExperiment('churn'));
  const run = await stores.tracking.createRun({ experimentId: exp });
  const out = join(tmp.dir, `model-${++n}`, 'model');
  mkdirSync(out, { recursive: true });
  saveModel(out, model, { runId: run.info.runId });
  await stores.tracking.logArtifact(run.info.runId, out);
  await stores.tracking.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
  return run.info.runId;
}

function workspaceFolder(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(join(dir, '.modelops'), { recursive: true });
  writeFileSync(join(dir, 'holdout.csv'), churnCsv(150, 99));
  writeFileSync(
    join(dir, '.modelops', 'gates.json'),
    JSON.stringify({ models: { churn: { data: 'holdout.csv', metrics: { accuracy: { threshold: 0.6, greater_is_better: true } } } } }),
  );
  return dir;
}

async function rawTransition(served: Served, version: string, stage: string): Promise<{ status: number; body: { error_code?: string; message?: string } }> {
  const res = await fetch(`${served.url}/api/2.0/mlflow/model-versions/transition-stage`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from('ana:pw').toString('base64')}` },
    body: JSON.stringify({ name: 'churn', version, stage, archive_existing_versions: true }),
  });
  return { status: res.status, body: (await res.json()) as { error_code?: string; message?: string } };
}

describe('the registry of a team on modelops server (promotion guarded, basic auth)', () => {
  let served: Served;
  let a: Stores;
  let b: Stores;
  const wsA = workspaceFolder('alice');
  const wsB = workspaceFolder('bob');
  before(async () => {
    served = await serveStore(join(tmp.dir, 'server'), { auth: { basic: { username: 'ana', password: 'pw' } } });
    a = await openStores(served.url, { env: ANA, pollIntervalMs: 0 });
    b = await openStores(served.url, { env: ANA, pollIntervalMs: 0 });
  });
  after(async () => {
    await a.close();
    await b.close();
    await served.stop();
  });

  test('a version registered and validated from one workspace reaches Staging; another workspace sees its report and trail, naming the authenticated user', async () => {
    const runId = await trainRun(a, 1);
    const r = await registerModel(a, { runId, name: 'churn', actor: 'alice', validation: { workspace: wsA } });
    assert.equal(r.validation?.report.passed, true);
    assert.equal(r.version.currentStage, 'Staging');
    const v = await b.registry.getModelVersion('churn', '1');
    assert.equal(v.currentStage, 'Staging');
    assert.ok(!v.tags.some((t) => t.key === STAGE_REQUEST_TAG), 'the stage request is consumed');
    const reports = await b.registry.listValidationReports('churn', '1');
    assert.deepEqual(
      reports.map((x) => [x.reportId, x.passed]),
      [[r.validation!.report.reportId, true]],
    );
    const trail = await b.registry.getAuditTrail('churn', '1');
    assert.deepEqual(
      trail.map((e) => [e.action, e.actor, e.fromStage, e.toStage]),
      [
        ['register', 'ana', null, 'None'],
        ['validate', 'ana', 'None', 'Staging'],
      ],
    );
    // The server's own workspace keeps the validation too (its trail names the caller it authenticated).
    const local = await served.backing.registry.getAuditTrail('churn', '1');
    assert.ok(local.some((e) => e.action === 'validate' && e.actor === 'ana' && e.toStage === 'Staging' && e.reportId === r.validation!.report.reportId));
    assert.equal((await served.backing.registry.listValidationReports('churn', '1'))[0]?.passed, true);
  });

  test('a plain MLflow client still cannot promote: transition-stage to Production is refused, nothing moves', async () => {
    const r = await rawTransition(served, '1', 'Production');
    assert.equal(r.status, 400);
    assert.equal(r.body.error_code, 'INVALID_STATE');
    assert.match(r.body.message ?? '', /human approval/);
    assert.equal((await a.registry.getModelVersion('churn', '1')).currentStage, 'Staging');
  });

  test('a stage request that names no passing report on the version is refused', async () => {
    const forged = {
      from: 'Staging',
      to: 'Production',
      action: 'approve',
      actor: 'mallory',
      reportId: 'f'.repeat(32),
      comment: 'trust me',
      archiveExisting: true,
      time: Date.now(),
    };
    await a.registry.setModelVersionTag('churn', '1', { key: STAGE_REQUEST_TAG, value: JSON.stringify(forged) });
    const r = await rawTransition(served, '1', 'Production');
    assert.equal(r.status, 400);
    assert.match(r.body.message ?? '', /does not carry as a passing report/);
    await a.registry.deleteModelVersionTag('churn', '1', STAGE_REQUEST_TAG);
    assert.equal((await a.registry.getModelVersion('churn', '1')).currentStage, 'Staging');
  });

  test('approved from the second workspace: Production with the approval in every trail; the next approval archives it', async () => {
    const first = await promoteModelVersion(b, { name: 'churn', version: '1', to: 'Production', approve: true, comment: 'first release', actor: 'bob' });
    assert.equal(first.version.currentStage, 'Production');
    const runId = await trainRun(b, 2);
    await registerModel(b, { runId, name: 'churn', actor: 'bob', validation: { workspace: wsB } });
    const second = await promoteModelVersion(a, { name: 'churn', version: '2', to: 'Production', approve: true, comment: 'better', actor: 'alice' });
    assert.deepEqual(second.archived, ['1']);
    assert.deepEqual((await b.registry.getLatestVersions('churn')).map((v) => [v.version, v.currentStage]).sort(), [
      ['1', 'Archived'],
      ['2', 'Production'],
    ]);
    const last = (await b.registry.getAuditTrail('churn', '2')).at(-1)!;
    assert.deepEqual(
      [last.action, last.actor, last.fromStage, last.toStage, last.comment, last.reportId],
      ['approve', 'ana', 'Staging', 'Production', 'better', second.report!.reportId],
    );
    const archived = (await a.registry.getAuditTrail('churn', '1')).at(-1)!;
    assert.deepEqual([archived.action, archived.toStage, archived.comment], ['archive', 'Archived', 'replaced by version 2']);
    const local = (await served.backing.registry.getAuditTrail('churn', '2')).at(-1)!;
    assert.deepEqual([local.action, local.actor, local.comment], ['approve', 'ana', 'better']);
  });

  test('a rejection from one workspace is in the other’s trail', async () => {
    const runId = await trainRun(a, 3);
    await registerModel(a, { runId, name: 'churn', actor: 'alice', validation: { workspace: wsA } });
    await rejectModelVersion(a, { name: 'churn', version: '3', comment: 'not this quarter', actor: 'alice' });
    const last = (await b.registry.getAuditTrail('churn', '3')).at(-1)!;
    assert.deepEqual([last.action, last.comment, last.fromStage, last.toStage], ['reject', 'not this quarter', 'Staging', 'Staging']);
  });

  test('predicts with models:/churn/Production, the model downloaded through the artifact proxy', async () => {
    const r = await predict(a, { model: 'models:/churn/Production', data: join(wsA, 'holdout.csv'), cwd: wsA });
    assert.equal(r.summary.rows, 150);
    assert.equal(r.model.version, '2');
  });

  test('wrong credentials are refused with UNAUTHENTICATED and what to set', async () => {
    const wrong = await openStores(served.url, { env: { ...CLEAN_ENV, MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 'nope' }, pollIntervalMs: 0 });
    await assert.rejects(
      wrong.registry.getRegisteredModel('churn'),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'UNAUTHENTICATED' && /MLFLOW_TRACKING_USERNAME/.test(e.message),
    );
    const none = await openStores(served.url, { env: CLEAN_ENV, pollIntervalMs: 0 });
    await assert.rejects(
      none.tracking.searchExperiments(),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'UNAUTHENTICATED' && /no credentials were sent/.test(e.message),
    );
  });
});

describe('the product’s promotion against a server with MLflow’s own stage rules (as a plain mlflow server)', () => {
  test('validate → Staging and approve → Production work, and no stage request is left on the version', async () => {
    const served = await serveStore(join(tmp.dir, 'plain'), { stageTransitions: 'open' });
    const s = await openStores(served.url, { env: CLEAN_ENV, pollIntervalMs: 0 });
    try {
      const ws = workspaceFolder('plain-ws');
      const runId = await trainRun(s, 4);
      await registerModel(s, { runId, name: 'churn', actor: 'carol', validation: { workspace: ws } });
      const p = await promoteModelVersion(s, { name: 'churn', version: '1', to: 'Production', approve: true, comment: 'ok', actor: 'carol' });
      assert.equal(p.version.currentStage, 'Production');
      const v = await s.registry.getModelVersion('churn', '1');
      assert.ok(!v.tags.some((t) => t.key === STAGE_REQUEST_TAG));
      assert.deepEqual(
        (await s.registry.getAuditTrail('churn', '1')).map((e) => [e.action, e.actor]),
        [
          ['register', 'carol'],
          ['validate', 'carol'],
          ['approve', 'carol'],
        ],
      );
    } finally {
      await s.close();
      await served.stop();
    }
  });
});
