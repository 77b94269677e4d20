import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { archiveModelVersion, deleteAlias, promoteModelVersion, rejectModelVersion, setAlias } from '../../../src/pipeline/promote';
import { registerModel } from '../../../src/pipeline/register';
import { validateModelVersion } from '../../../src/pipeline/validate';
import type { TestWorkspace } from './workspace';
import { GOOD, openWorkspace, writeGates } from './workspace';

const refusal = (message: RegExp) => (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_STATE' && message.test(e.message);

describe('promotion with human approval', () => {
  let ws: TestWorkspace;
  const stage = async (v: string): Promise<string> => (await ws.stores.registry.getModelVersion('churn', v)).currentStage;
  before(async () => {
    ws = await openWorkspace();
    writeGates(ws, { models: { churn: { data: 'holdout.csv', metrics: { accuracy: { threshold: 0.6, greater_is_better: true } } } } });
    for (let i = 0; i < 3; i++) {
      const runId = await ws.trainRun(GOOD, { seed: 10 + i });
      await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validation: { workspace: ws.dir } });
    }
  });
  after(() => ws.close());

  test('Staging → Production is refused without --approve, and without a comment', async () => {
    assert.equal(await stage('1'), 'Staging');
    await assert.rejects(
      promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: false, comment: 'ok', actor: 'bob' }),
      refusal(/explicit approval/),
    );
    await assert.rejects(promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: '', actor: 'bob' }), refusal(/needs a comment/));
    assert.equal(await stage('1'), 'Staging');
  });

  test('an approved promotion records the approver, the comment and the report it relied on', async () => {
    const r = await promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: 'first release', actor: 'bob' });
    assert.equal(r.version.currentStage, 'Production');
    assert.deepEqual(r.archived, []);
    const last = (await ws.stores.registry.getAuditTrail('churn', '1')).at(-1)!;
    assert.deepEqual([last.action, last.actor, last.fromStage, last.toStage, last.comment], ['approve', 'bob', 'Staging', 'Production', 'first release']);
    assert.equal(last.reportId, r.report!.reportId);
  });

  test('promoting another version archives the previous Production version in the same transaction', async () => {
    const r = await promoteModelVersion(ws.stores, { name: 'churn', version: '2', approve: true, comment: 'better on Q3', actor: 'carol' });
    assert.deepEqual(r.archived, ['1']);
    assert.equal(await stage('1'), 'Archived');
    assert.equal(await stage('2'), 'Production');
    assert.equal((await ws.stores.registry.getLatestVersions('churn', ['Production'])).length, 1);
    const archived = (await ws.stores.registry.getAuditTrail('churn', '1')).at(-1)!;
    assert.deepEqual([archived.action, archived.actor, archived.comment], ['archive', 'carol', 'replaced by version 2']);
  });

  test('rejection keeps the version in Staging with the reviewer comment', async () => {
    assert.equal(await stage('3'), 'Staging');
    const entry = await rejectModelVersion(ws.stores, { name: 'churn', version: '3', comment: 'recall on new customers too low', actor: 'dave' });
    assert.deepEqual([entry.action, entry.fromStage, entry.toStage, entry.comment], ['reject', 'Staging', 'Staging', 'recall on new customers too low']);
    assert.equal(await stage('3'), 'Staging');
    await assert.rejects(rejectModelVersion(ws.stores, { name: 'churn', version: '2', comment: 'x', actor: 'dave' }), refusal(/only a Staging version/));
  });

  test('Archived → Production without re-validation is refused; re-validation brings it back to Staging first', async () => {
    await assert.rejects(
      promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: 'rollback', actor: 'bob' }),
      refusal(/without re-validation/),
    );
    const again = await validateModelVersion(ws.stores, { name: 'churn', version: '1', actor: 'bob', workspace: ws.dir });
    assert.equal(again.version.currentStage, 'Staging');
    const r = await promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: 'rollback', actor: 'bob' });
    assert.deepEqual(r.archived, ['2']);
  });

  test('None → Production is refused with what to do; archive works from any active stage', async () => {
    const runId = await ws.trainRun(GOOD, { seed: 30 });
    const { version } = await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validate: false });
    await assert.rejects(
      promoteModelVersion(ws.stores, { name: 'churn', version: version.version, approve: true, comment: 'yolo', actor: 'eve' }),
      refusal(/validate it first/),
    );
    const archived = await archiveModelVersion(ws.stores, { name: 'churn', version: version.version, actor: 'eve', comment: 'abandoned' });
    assert.equal(archived.currentStage, 'Archived');
    await assert.rejects(archiveModelVersion(ws.stores, { name: 'churn', version: version.version, actor: 'eve' }), refusal(/already in Archived/));
  });

  test('aliases move between versions and every move is in the history', async () => {
    await setAlias(ws.stores, { name: 'churn', alias: 'champion', version: '1', actor: 'bob' });
    const moved = await setAlias(ws.stores, { name: 'churn', alias: 'champion', version: '3', actor: 'bob' });
    assert.equal(moved.version, '3');
    await deleteAlias(ws.stores, { name: 'churn', alias: 'champion', actor: 'bob' });
    await assert.rejects(deleteAlias(ws.stores, { name: 'churn', alias: 'champion', actor: 'bob' }), /Registered model alias champion not found/);
    const moves = (await ws.stores.registry.getAuditTrail('churn')).filter((e) => e.alias === 'champion').map((e) => [e.action, e.fromStage, e.toStage]);
    assert.deepEqual(moves, [
      ['alias_set', null, 'v1'],
      ['alias_set', 'v1', 'v3'],
      ['alias_delete', 'v3', null],
    ]);
  });
});

describe('concurrent promotions from two processes', () => {
  test('leave exactly one Production version and archive the others, each change audited', async () => {
    const ws = await openWorkspace();
    try {
      writeGates(ws, { models: { churn: { data: 'holdout.csv' } } });
      for (let i = 0; i < 3; i++) {
        const runId = await ws.trainRun(GOOD, { seed: 40 + i });
        await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validation: { workspace: ws.dir } });
      }
      await promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: 'base', actor: 'alice' });
      const child = join(__dirname, 'promote-child.js');
      const run = (version: string): Promise<number> =>
        new Promise((resolve) => spawn(process.execPath, [child, ws.db.file!.path, version], { stdio: 'ignore' }).on('exit', (code) => resolve(code ?? 1)));
      assert.deepEqual(await Promise.all([run('2'), run('3')]), [0, 0]);
      const stages = (await ws.stores.registry.searchModelVersions({ filter: "name = 'churn'" })).items.map((v) => v.currentStage);
      assert.equal(stages.filter((s) => s === 'Production').length, 1);
      assert.equal(stages.filter((s) => s === 'Archived').length, 2);
      const trail = await ws.stores.registry.getAuditTrail('churn');
      assert.equal(trail.filter((e) => e.action === 'approve').length, 3);
      assert.equal(trail.filter((e) => e.action === 'archive' && e.fromStage === 'Production').length, 2);
    } finally {
      await ws.close();
    }
  });
});
