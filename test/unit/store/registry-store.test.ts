import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import type { RegistryStore } from '../../../src/store/registry-store';
import { loadSqlJs } from '../../../src/store/sqljs/sqljs-runtime';
import { mlflowReference } from '../../repo-paths';
import { ENGINES, ENGINE_NAME } from './helpers/engines';
import { registryStoreContract } from './registry-contract';

const REFERENCE = mlflowReference();
const RUN_A = '4cd29275abf34644bfd642fa5b7f30c9';
const RUN_B = 'ab2e0308cf1d42a4b1def1b4a1c4033f';
const actor = { actor: 'alice' };

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelops-registry-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;

for (const engine of ENGINES) {
  async function freshStore(): Promise<{ store: RegistryStore; db: Stores }> {
    const db = await openStores(join(dir, `s${counter++}`, 'mlflow.db'), { engine });
    return { store: db.registry, db };
  }

  registryStoreContract(ENGINE_NAME[engine], freshStore);

  describe(`registry store (${ENGINE_NAME[engine]})`, () => {
    test('promotion with archive_existing_versions leaves exactly one Production version at every committed state', async () => {
      const { store, db } = await freshStore();
      await store.createRegisteredModel('m');
      for (const run of [RUN_A, RUN_B, RUN_A]) await store.createModelVersion({ name: 'm', source: `runs:/${run}/model`, runId: run });
      await store.transitionModelVersionStage('m', '1', 'Production', false, actor);
      const SQL = await loadSqlJs();
      const productionCounts: number[] = [];
      db.onDidChange(() => {
        const copy = new SQL.Database(readFileSync(db.file!.path));
        productionCounts.push(Number(copy.exec("SELECT COUNT(*) FROM model_versions WHERE name = 'm' AND current_stage = 'Production'")[0]!.values[0]![0]));
        copy.close();
      });
      await store.transitionModelVersionStage('m', '2', 'Production', true, { actor: 'bob', comment: 'better f1' });
      await store.transitionModelVersionStage('m', '3', 'Production', true, { actor: 'bob', comment: 'even better' });
      assert.deepEqual(productionCounts, [1, 1]);
      const stages = (await store.searchModelVersions({ filter: "name = 'm'" })).items.map((v) => [v.version, v.currentStage]).sort();
      assert.deepEqual(stages, [
        ['1', 'Archived'],
        ['2', 'Archived'],
        ['3', 'Production'],
      ]);
      const trail = await store.getAuditTrail('m');
      assert.deepEqual(
        trail.map((e) => [e.version, e.action, e.fromStage, e.toStage, e.actor]),
        [
          ['1', 'transition', 'None', 'Production', 'alice'],
          ['1', 'archive', 'Production', 'Archived', 'bob'],
          ['2', 'transition', 'None', 'Production', 'bob'],
          ['2', 'archive', 'Production', 'Archived', 'bob'],
          ['3', 'transition', 'None', 'Production', 'bob'],
        ],
      );
      assert.equal(trail[1]!.comment, 'replaced by version 2');
      await db.close();
    });
  });

  describe(`a registry written by MLflow 2.10.2 (${ENGINE_NAME[engine]})`, () => {
    test('reads exactly as the MLflow server answered, and takes new versions after the existing ones', async () => {
      const file = join(dir, `mlflow-copy-${engine}.db`);
      copyFileSync(join(REFERENCE, 'schema', 'mlflow-after-transcripts.db'), file);
      const db = await openStores(file, { create: false, engine });
      const store = db.registry;
      const expected = JSON.parse(readFileSync(join(REFERENCE, 'transcripts', '81_registered_models_search_after_delete.json'), 'utf8')) as {
        response: {
          json: {
            registered_models: {
              name: string;
              description: string;
              last_updated_timestamp: number;
              tags: unknown[];
              latest_versions: Record<string, unknown>[];
            }[];
          };
        };
      };
      const page = await store.searchRegisteredModels();
      assert.equal(page.items.length, 1);
      const [m] = page.items;
      const want = expected.response.json.registered_models[0]!;
      assert.equal(m!.name, want.name);
      assert.equal(m!.description, want.description);
      assert.equal(m!.lastUpdatedTimestamp, want.last_updated_timestamp);
      assert.deepEqual(m!.tags, want.tags);
      assert.deepEqual(
        m!.latestVersions.map((v) => ({
          name: v.name,
          version: v.version,
          creation_timestamp: v.creationTimestamp,
          last_updated_timestamp: v.lastUpdatedTimestamp,
          current_stage: v.currentStage,
          description: v.description,
          source: v.source,
          run_id: v.runId,
          status: v.status,
          ...(v.tags.length ? { tags: v.tags } : {}),
          run_link: v.runLink,
        })),
        want.latest_versions,
      );
      // MLflow's search order: most recently updated first.
      assert.deepEqual(
        (await store.searchModelVersions({ filter: "name='peer-model'" })).items.map((v) => v.version),
        ['1', '2'],
      );
      const v3 = await store.createModelVersion({ name: 'peer-model', source: `runs:/${RUN_A}/model`, runId: RUN_A });
      assert.equal(v3.version, '3');
      await store.transitionModelVersionStage('peer-model', '3', 'Production', true, actor);
      assert.equal((await store.getModelVersion('peer-model', '2')).currentStage, 'Archived');
      await db.close();
    });
  });
}
