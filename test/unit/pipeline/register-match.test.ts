import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { RegistrationMismatchError, registerModel } from '../../../src/pipeline/register';
import type { TestWorkspace } from './workspace';
import { GOOD, openWorkspace } from './workspace';

const alice = 'alice';

describe('registering a run as a version of an existing model', () => {
  let ws: TestWorkspace;
  before(async () => {
    ws = await openWorkspace();
    await registerModel(ws.stores, { runId: await ws.trainRun(GOOD), name: 'churn', actor: alice, validate: false });
  });
  after(() => ws.close());

  test('a run with another target is refused, naming both targets, and no version is made', async () => {
    const other = await ws.trainRun(GOOD, { target: 'plan' });
    await assert.rejects(registerModel(ws.stores, { runId: other, name: 'churn', actor: alice, validate: false }), (e: unknown) => {
      assert.ok(e instanceof RegistrationMismatchError);
      assert.equal(e.mismatch.version, '1');
      assert.deepEqual(e.mismatch.target, { run: 'plan', model: 'churned' });
      assert.match(e.message, /it predicts 'plan', version 1 predicts 'churned'/);
      assert.match(e.message, /it takes 'churned', which version 1 does not; it lacks 'plan', which version 1 takes/);
      return true;
    });
    const versions = (await ws.stores.registry.searchModelVersions({ filter: "name = 'churn'" })).items;
    assert.equal(versions.length, 1);
  });

  test('a run with other input columns is refused with the columns named', async () => {
    const lean = await ws.trainRun(GOOD, { dropColumn: 'plan' });
    await assert.rejects(registerModel(ws.stores, { runId: lean, name: 'churn', actor: alice, validate: false }), /it lacks 'plan', which version 1 takes/);
  });

  test('force registers it anyway and says so in the audit trail', async () => {
    const lean = await ws.trainRun(GOOD, { dropColumn: 'plan' });
    const { version } = await registerModel(ws.stores, { runId: lean, name: 'churn', actor: alice, validate: false, force: true });
    const entry = (await ws.stores.registry.getAuditTrail('churn', version.version)).find((e) => e.action === 'register');
    assert.match(entry?.comment ?? '', /^registered with force: it lacks 'plan'/);
  });

  test('a matching run becomes the next version; a new name makes a new model', async () => {
    const same = await ws.trainRun(GOOD, { seed: 11 });
    assert.equal((await registerModel(ws.stores, { runId: same, name: 'churn', actor: alice, validate: false })).version.version, '3');
    const other = await ws.trainRun(GOOD, { target: 'plan' });
    assert.equal((await registerModel(ws.stores, { runId: other, name: 'plans', actor: alice, validate: false })).version.version, '1');
  });

  test('a KILLED run is not registered even when a model was logged before it stopped', async () => {
    const runId = await ws.trainRun(GOOD, { seed: 12 });
    await ws.stores.tracking.updateRun(runId, { status: 'KILLED' });
    await assert.rejects(
      registerModel(ws.stores, { runId, name: 'churn', actor: alice, validate: false }),
      (e: unknown) => e instanceof ModelOpsError && /is KILLED: only the model of a run that finished can be registered/.test(e.message),
    );
  });
});
