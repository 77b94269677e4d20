import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { RegistryStore } from '../../../src/store/registry-store';

/**
 * The registry store contract: MLflow's registry semantics and messages, plus the audit trail.
 * Every RegistryStore implementation runs it (`registryStoreContract('sql.js', open)`).
 */
export type OpenRegistry = () => Promise<{ store: RegistryStore; db: { close(): Promise<void> } }>;

const RUN_A = '4cd29275abf34644bfd642fa5b7f30c9';
const RUN_B = 'ab2e0308cf1d42a4b1def1b4a1c4033f';
const actor = { actor: 'alice' };

function code(c: string, message?: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof ModelOpsError && e.code === c && (message === undefined || message.test(e.message));
}

export function registryStoreContract(label: string, freshStore: OpenRegistry): void {
  describe(`registry store contract (${label})`, () => {
    describe('registered models', () => {
      test('creates a model with tags and description, and refuses a duplicate name', async () => {
        const { store, db } = await freshStore();
        const m = await store.createRegisteredModel('churn', { tags: [{ key: 'domain', value: 'demo' }], description: 'churn model' });
        assert.equal(m.name, 'churn');
        assert.equal(m.description, 'churn model');
        assert.deepEqual(m.tags, [{ key: 'domain', value: 'demo' }]);
        assert.equal(m.creationTimestamp, m.lastUpdatedTimestamp);
        await assert.rejects(store.createRegisteredModel('churn'), code('RESOURCE_ALREADY_EXISTS', /Registered Model \(name=churn\) already exists/));
        await assert.rejects(store.getRegisteredModel('nope'), code('RESOURCE_DOES_NOT_EXIST', /Registered Model with name=nope not found/));
        await db.close();
      });

      test('rename carries versions, tags and aliases to the new name, and refuses a taken name', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('a');
        await store.createRegisteredModel('taken');
        await store.createModelVersion({ name: 'a', source: `runs:/${RUN_A}/model`, runId: RUN_A, tags: [{ key: 'k', value: 'v' }] });
        await store.setRegisteredModelAlias('a', 'champion', '1');
        await assert.rejects(store.renameRegisteredModel('a', 'taken'), code('RESOURCE_ALREADY_EXISTS'));
        const renamed = await store.renameRegisteredModel('a', 'b');
        assert.equal(renamed.name, 'b');
        const v = await store.getModelVersion('b', '1');
        assert.deepEqual(v.tags, [{ key: 'k', value: 'v' }]);
        assert.deepEqual(v.aliases, ['champion']);
        await assert.rejects(store.getRegisteredModel('a'), code('RESOURCE_DOES_NOT_EXIST'));
        await db.close();
      });

      test('search filters by name (LIKE is case-sensitive, ILIKE is not) and by tag, and pages', async () => {
        const { store, db } = await freshStore();
        for (const n of ['churn-a', 'churn-b', 'Churn-c', 'iris'])
          await store.createRegisteredModel(n, { tags: [{ key: 'team', value: n === 'iris' ? 'x' : 'y' }] });
        const names = async (filter: string): Promise<string[]> => (await store.searchRegisteredModels({ filter })).items.map((m) => m.name);
        assert.deepEqual(await names("name LIKE 'churn%'"), ['churn-a', 'churn-b']);
        assert.deepEqual(await names("name ILIKE 'churn%'"), ['Churn-c', 'churn-a', 'churn-b']);
        assert.deepEqual(await names("tags.team = 'x'"), ['iris']);
        assert.deepEqual(await names("name = 'iris' AND tags.team = 'y'"), []);
        const p1 = await store.searchRegisteredModels({ maxResults: 3 });
        assert.equal(p1.items.length, 3);
        const p2 = await store.searchRegisteredModels({ maxResults: 3, pageToken: p1.nextPageToken! });
        assert.deepEqual(
          p2.items.map((m) => m.name),
          ['iris'],
        );
        assert.equal(p2.nextPageToken, undefined);
        await assert.rejects(store.searchRegisteredModels({ filter: "run_id = 'x'" }), code('INVALID_PARAMETER_VALUE', /Invalid attribute name: run_id/));
        await db.close();
      });
    });

    describe('model versions', () => {
      test('versions from a run artifact get increasing numbers, READY status and stage None', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('churn');
        const v1 = await store.createModelVersion({ name: 'churn', source: `runs:/${RUN_A}/model`, runId: RUN_A, description: 'first', audit: actor });
        const v2 = await store.createModelVersion({ name: 'churn', source: `runs:/${RUN_B}/model`, runId: RUN_B });
        assert.deepEqual([v1.version, v2.version], ['1', '2']);
        assert.equal(v1.status, 'READY');
        assert.equal(v1.currentStage, 'None');
        assert.equal(v1.source, `runs:/${RUN_A}/model`);
        assert.equal(v1.runId, RUN_A);
        assert.equal(await store.getModelVersionDownloadUri('churn', '1'), `runs:/${RUN_A}/model`);
        const trail = await store.getAuditTrail('churn', '1');
        assert.deepEqual(
          trail.map((e) => [e.action, e.actor, e.fromStage, e.toStage]),
          [['register', 'alice', null, 'None']],
        );
        await db.close();
      });

      test('a local path outside any run is refused with MLflow message', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        await assert.rejects(
          store.createModelVersion({ name: 'm', source: '/srv/mlflow/artifacts/some/model' }),
          code('INVALID_PARAMETER_VALUE', /To use a local path as a model version source, the run_id request parameter has to be specified/),
        );
        await db.close();
      });

      test('a deleted version is gone, its number is never reused, and its aliases go with it', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_A}/model`, runId: RUN_A });
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_B}/model`, runId: RUN_B });
        await store.setRegisteredModelAlias('m', 'champion', '2');
        await store.deleteModelVersion('m', '2');
        await assert.rejects(store.getModelVersion('m', '2'), code('RESOURCE_DOES_NOT_EXIST', /^Model Version \(name=m, version=2\) not found$/));
        assert.deepEqual((await store.getRegisteredModel('m')).aliases, []);
        const v3 = await store.createModelVersion({ name: 'm', source: `runs:/${RUN_B}/model`, runId: RUN_B });
        assert.equal(v3.version, '3');
        const listed = (await store.searchModelVersions({ filter: "name = 'm'" })).items.map((v) => v.version);
        assert.deepEqual(listed.sort(), ['1', '3']);
        await db.close();
      });

      test('tags on versions are set, replaced and deleted; search finds versions by run id and tag', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_A}/model`, runId: RUN_A });
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_B}/model`, runId: RUN_B });
        await store.setModelVersionTag('m', '1', { key: 'validated', value: 'false' });
        await store.setModelVersionTag('m', '1', { key: 'validated', value: 'true' });
        assert.deepEqual((await store.getModelVersion('m', '1')).tags, [{ key: 'validated', value: 'true' }]);
        assert.deepEqual(
          (await store.searchModelVersions({ filter: `run_id = '${RUN_B}'` })).items.map((v) => v.version),
          ['2'],
        );
        assert.deepEqual((await store.searchModelVersions({ filter: `run_id IN ('${RUN_A}', '${RUN_B}')` })).items.length, 2);
        assert.deepEqual(
          (await store.searchModelVersions({ filter: "tags.validated = 'true'" })).items.map((v) => v.version),
          ['1'],
        );
        await store.deleteModelVersionTag('m', '1', 'validated');
        assert.deepEqual((await store.getModelVersion('m', '1')).tags, []);
        await db.close();
      });
    });

    describe('stages', () => {
      test("refuses an unknown stage and archive_existing_versions for a non-active stage with MLflow's messages", async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_A}/model`, runId: RUN_A });
        await assert.rejects(
          store.transitionModelVersionStage('m', '1', 'Bogus', false),
          code('INVALID_PARAMETER_VALUE', /^Invalid Model Version stage: Bogus\. Value must be one of None, Staging, Production, Archived\.$/),
        );
        await assert.rejects(store.transitionModelVersionStage('m', '1', 'archived', true), code('INVALID_PARAMETER_VALUE', /is not an Active stage/));
        assert.equal((await store.transitionModelVersionStage('m', '1', 'staging', false)).currentStage, 'Staging');
        await db.close();
      });

      test('a transition guarded by an expected stage changes nothing when the version moved meanwhile', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_A}/model`, runId: RUN_A });
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_B}/model`, runId: RUN_B });
        await store.transitionModelVersionStage('m', '1', 'Production', false);
        await assert.rejects(
          store.transitionModelVersionStage('m', '2', 'Production', true, { actor: 'x', expectStage: 'Staging' }),
          code('INVALID_STATE', /is now in None, not Staging/),
        );
        assert.equal((await store.getModelVersion('m', '1')).currentStage, 'Production');
        assert.equal((await store.getAuditTrail('m')).length, 0);
        await db.close();
      });

      test('latest versions: the highest version per stage, filtered by stages', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        for (let i = 0; i < 4; i++) await store.createModelVersion({ name: 'm', source: `runs:/${RUN_A}/model`, runId: RUN_A });
        await store.transitionModelVersionStage('m', '1', 'Staging', false);
        await store.transitionModelVersionStage('m', '2', 'Staging', false);
        await store.transitionModelVersionStage('m', '3', 'Production', false);
        const all = await store.getLatestVersions('m');
        assert.deepEqual(
          all.map((v) => [v.currentStage, v.version]),
          [
            ['Staging', '2'],
            ['Production', '3'],
            ['None', '4'],
          ],
        );
        assert.deepEqual(
          (await store.getLatestVersions('m', ['production'])).map((v) => v.version),
          ['3'],
        );
        await db.close();
      });
    });

    describe('aliases', () => {
      test('an alias points at one version; setting it again moves it; both changes are audited', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_A}/model`, runId: RUN_A });
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_B}/model`, runId: RUN_B });
        await store.setRegisteredModelAlias('m', 'champion', '1', actor);
        await store.setRegisteredModelAlias('m', 'champion', '2', { actor: 'bob', comment: 'swap' });
        assert.equal((await store.getModelVersionByAlias('m', 'champion')).version, '2');
        assert.deepEqual((await store.getModelVersion('m', '1')).aliases, []);
        assert.deepEqual((await store.getRegisteredModel('m')).aliases, [{ alias: 'champion', version: '2' }]);
        await store.deleteRegisteredModelAlias('m', 'champion', actor);
        await assert.rejects(store.getModelVersionByAlias('m', 'champion'), code('INVALID_PARAMETER_VALUE', /^Registered model alias champion not found\.$/));
        const trail = await store.getAuditTrail('m');
        assert.deepEqual(
          trail.map((e) => [e.action, e.alias, e.fromStage, e.toStage]),
          [
            ['alias_set', 'champion', null, 'v1'],
            ['alias_set', 'champion', 'v1', 'v2'],
            ['alias_delete', 'champion', 'v2', null],
          ],
        );
        await db.close();
      });

      test('refuses reserved and malformed aliases and aliases to missing versions', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel('m');
        await store.createModelVersion({ name: 'm', source: `runs:/${RUN_A}/model`, runId: RUN_A });
        await assert.rejects(store.setRegisteredModelAlias('m', 'latest', '1'), code('INVALID_PARAMETER_VALUE', /reserved/));
        await assert.rejects(store.setRegisteredModelAlias('m', 'V3', '1'), code('INVALID_PARAMETER_VALUE', /reserved/));
        await assert.rejects(store.setRegisteredModelAlias('m', 'a b', '1'), code('INVALID_PARAMETER_VALUE', /Invalid alias name/));
        await assert.rejects(store.setRegisteredModelAlias('m', 'champion', '9'), code('RESOURCE_DOES_NOT_EXIST'));
        await db.close();
      });
    });

    describe('registry search filters', () => {
      test('a quote inside a name can be doubled or backslash-escaped', async () => {
        const { store, db } = await freshStore();
        await store.createRegisteredModel("O'Brien");
        for (const filter of ["name = 'O''Brien'", "name = 'O\\'Brien'"]) {
          assert.deepEqual(
            (await store.searchRegisteredModels({ filter })).items.map((m) => m.name),
            ["O'Brien"],
            filter,
          );
        }
        await assert.rejects(store.searchRegisteredModels({ filter: "name = 'open" }), /unterminated string/);
        await db.close();
      });
    });
  });
}
