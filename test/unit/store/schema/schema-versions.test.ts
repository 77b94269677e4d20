import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { openStoreFile } from '../../../../src/store/engine';
import { openStores, openTrackingStore } from '../../../../src/store/open';
import { MLFLOW_HEADS, NEWEST_HEAD, headForRelease } from '../../../../src/store/schema/mlflow-heads';
import { upgradeStore } from '../../../../src/store/schema/upgrade';
import { mlflowReference, mlflowSchemas } from '../../../repo-paths';
import { ENGINES, ENGINE_NAME, engineEnv } from '../helpers/engines';
import { copyStore, freshStore, mlflowShape, withFile } from '../helpers/schemas';
import { tempDir } from '../helpers/temp';
import { registryStoreContract } from '../registry-contract';
import { studyStoreContract } from '../study-contract';
import { describeTrackingStoreContract } from '../tracking-store-contract';

/** Issue 11: every MLflow schema from 2.10 to 3.13, and stores a newer MLflow made. */
const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const scratch = (name: string): string => join(tmp.dir, `${++n}-${name}`, 'mlflow.db');

const CONTRACT_RELEASES = ['2.11', '2.13.0', '2.17', '2.22', '3.0', '3.3', '3.10', '3.13'];

for (const engine of ENGINES) {
  for (const release of CONTRACT_RELEASES) {
    const label = `a store MLflow ${release} made (${ENGINE_NAME[engine]})`;
    const fresh = (): string => copyStore(freshStore(release), scratch(`${engine}-${release}`));
    describeTrackingStoreContract(label, { scratchDir: tmp.dir, create: () => openTrackingStore(fresh(), { engine }) });
    registryStoreContract(label, async () => {
      const db = await openStores(fresh(), { engine });
      return { store: db.registry, db };
    });
    studyStoreContract(label, async () => {
      const db = await openStores(fresh(), { engine });
      return { studies: db.studies, close: () => db.close() };
    });
  }
}

describe('the table of known MLflow heads', () => {
  test('every fresh reference store is at the head the table gives its release', async () => {
    const files = readdirSync(mlflowSchemas('fresh')).filter((f) => f.endsWith('.db'));
    assert.equal(files.length, 18);
    for (const f of files) {
      const release = /^mlflow-(.+)-fresh\.db$/.exec(f)![1]!;
      const revision = await withFile(mlflowSchemas('fresh', f), (db) => String(db.get('SELECT version_num FROM alembic_version')?.version_num));
      assert.equal(headForRelease(release === '2.11' ? '2.11.0' : release).revision, revision, f);
    }
    assert.equal(NEWEST_HEAD.label, '3.13');
  });

  test('releases are found by version, and an unknown one is refused with the known range', () => {
    assert.equal(headForRelease('2.10.2').label, '2.10');
    assert.equal(headForRelease('2.17.1').label, '2.17');
    assert.equal(headForRelease('2.19').label, '2.22');
    assert.equal(headForRelease('3.1.0').label, '3.0');
    assert.equal(headForRelease('3.1.3').label, '3.1');
    assert.throws(() => headForRelease('4.0'), /unknown MLflow release '4.0'.*2\.10\.0 to 3\.13/);
    assert.throws(() => headForRelease('banana'), /unknown MLflow release/);
  });
});

for (const engine of ENGINES) {
  describe(`stores at every head (${ENGINE_NAME[engine]})`, () => {
    test('a store the product creates has exactly the schema MLflow 3.13 creates (tables, columns, types, nullability, defaults, keys, indexes, triggers)', async () => {
      const file = scratch(`${engine}-created`);
      await (await openStoreFile(file, { engine })).close();
      assert.deepEqual(await mlflowShape(file), await mlflowShape(freshStore('3.13')));
    });

    test('--schema makes every older head exactly as that MLflow release makes it', async () => {
      for (const h of MLFLOW_HEADS) {
        const file = scratch(`${engine}-schema-${h.label}`);
        await (await openStoreFile(file, { engine, schema: h.label })).close();
        const reference = h.label === '2.10' ? mlflowReference('schema', 'mlflow-fresh.db') : freshStore(h.label);
        assert.deepEqual(await mlflowShape(file), await mlflowShape(reference), `MLflow ${h.label}`);
      }
    });

    test("a 2.10.2 product store that MLflow 3.13 upgraded keeps every experiment, run, metric, param, tag, dataset, version, alias and the product's rows, and takes writes", async () => {
      const before = mlflowSchemas('upgrade', 'rich-2.10.2-with-modelops-before.db');
      const file = copyStore(mlflowSchemas('upgrade', 'upgrade-from-2.10.2-rich-with-modelops.db'), scratch(`${engine}-rich`));
      const stores = await openStores(file, { engine, create: false });
      assert.equal(stores.file!.schema.revision, 'da6fb0208061');
      assert.equal(stores.file!.schema.readOnly, undefined);
      const old = await withFile(before, (db) => ({
        experiments: db.all('SELECT experiment_id, name FROM experiments ORDER BY experiment_id').map((r) => [String(r.experiment_id), r.name]),
        runs: db.all('SELECT run_uuid FROM runs').map((r) => String(r.run_uuid)),
        metrics: db.all('SELECT count(*) AS n FROM metrics')[0]!.n,
        models: db.all('SELECT name FROM registered_models').map((r) => r.name),
        audit: db.all('SELECT action, name FROM modelops_registry_audit ORDER BY id').map((r) => [r.action, r.name]),
      }));
      const exps = (await stores.tracking.searchExperiments({ viewType: 'ALL', maxResults: 100 })).items.map((e) => [e.experimentId, e.name]).sort();
      assert.deepEqual(exps, [...old.experiments].sort());
      for (const runId of old.runs) {
        const run = await stores.tracking.getRun(runId);
        const orig = await withFile(before, (db) => ({
          params: db.all('SELECT "key", value FROM params WHERE run_uuid = ? ORDER BY "key"', [runId]).map((r) => [r.key, r.value]),
          tags: db.all('SELECT "key", value FROM tags WHERE run_uuid = ? ORDER BY "key"', [runId]).map((r) => [r.key, r.value]),
          latest: db.all('SELECT "key", value, step FROM latest_metrics WHERE run_uuid = ? ORDER BY "key"', [runId]).map((r) => [r.key, r.step]),
          inputs: db
            .all('SELECT d.name, d.digest FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id WHERE i.destination_id = ?', [runId])
            .map((r) => [r.name, r.digest]),
        }));
        assert.deepEqual(run.data.params.map((p) => [p.key, p.value]).sort(), orig.params);
        assert.deepEqual(run.data.tags.map((t) => [t.key, t.value]).sort(), orig.tags);
        assert.deepEqual(run.data.metrics.map((m) => [m.key, m.step]).sort(), orig.latest);
        assert.deepEqual(
          run.inputs.map((d) => [d.name, d.digest]),
          orig.inputs,
        );
      }
      const models = (await stores.registry.searchRegisteredModels()).items;
      assert.deepEqual(
        models.map((m) => m.name),
        old.models,
      );
      const model = models[0]!;
      assert.ok(model.aliases.length > 0, 'the alias survived');
      const versions = (await stores.registry.searchModelVersions({ filter: `name = '${model.name}'` })).items;
      assert.equal(versions.length, 2);
      assert.deepEqual(
        (await stores.registry.getAuditTrail(model.name)).map((e) => [e.action, e.name]),
        old.audit,
      );
      // And it takes writes: a new run, a new version, an alias move, with the audit rows.
      const run = await stores.tracking.createRun({ experimentId: old.experiments[1]![0] as string, runName: 'after-upgrade' });
      await stores.tracking.logBatch(run.info.runId, { metrics: [{ key: 'acc', value: 0.9, step: 0, timestamp: 1 }], params: [{ key: 'p', value: '1' }] });
      const v3 = await stores.registry.createModelVersion({
        name: model.name,
        source: `runs:/${run.info.runId}/model`,
        runId: run.info.runId,
        audit: { actor: 'tester' },
      });
      await stores.registry.setRegisteredModelAlias(model.name, 'champion', v3.version, { actor: 'tester' });
      assert.equal((await stores.registry.getModelVersionByAlias(model.name, 'champion')).version, v3.version);
      await stores.close();
      const counts = await withFile(file, (db) => [
        db.get('SELECT count(*) AS n FROM model_versions')!.n,
        db.get('SELECT workspace FROM model_versions WHERE version = 3')!.workspace,
      ]);
      assert.deepEqual(counts, [3, 'default']);
    });
  });

  describe(`modelops db upgrade (${ENGINE_NAME[engine]})`, () => {
    test('2.10.2 → 3.13 gives exactly the schema MLflow 3.13 creates, keeps every row, and leaves a verified backup', async () => {
      const source = mlflowSchemas('upgrade', 'rich-2.10.2-with-modelops-before.db');
      const file = copyStore(source, scratch(`${engine}-upgrade`));
      const rowsBefore = await withFile(file, (db) =>
        db.all("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => [r.name, db.get(`SELECT count(*) AS n FROM "${String(r.name)}"`)!.n]),
      );
      const store = await openStoreFile(file, { engine, create: false });
      const result = await upgradeStore(store, NEWEST_HEAD);
      assert.equal(store.schema.revision, NEWEST_HEAD.revision, 'the open store follows the new schema');
      await store.close();
      assert.deepEqual(await mlflowShape(file), await mlflowShape(freshStore('3.13')));
      for (const [table, count] of rowsBefore) {
        const now = Number(await withFile(file, (db) => db.get(`SELECT count(*) AS n FROM "${String(table)}"`)!.n));
        // modelops_meta also records the product's own migrations, which the first write applies.
        if (table === 'modelops_meta') assert.ok(now >= Number(count), `rows of ${String(table)}`);
        else assert.equal(now, count, `rows of ${String(table)}`);
      }
      assert.ok(existsSync(result.backup));
      assert.deepEqual(readFileSync(result.backup), readFileSync(source), 'the backup is the store as it was');
      // The upgraded file is one MLflow's own upgrade would also leave: same shape as MLflow upgrading it.
      assert.deepEqual(await mlflowShape(file), await mlflowShape(mlflowSchemas('upgrade', 'upgrade-from-2.10.2-rich-with-modelops.db')));
    });

    test("every head to every newer head gives that head's schema", async () => {
      for (const [i, from] of MLFLOW_HEADS.entries()) {
        for (const to of MLFLOW_HEADS.slice(i + 1).filter((_, j, all) => j === 0 || j === all.length - 1)) {
          const file = scratch(`${engine}-${from.label}-${to.label}`);
          await (await openStoreFile(file, { engine, schema: from.label })).close();
          const store = await openStoreFile(file, { engine, create: false });
          await upgradeStore(store, to);
          await store.close();
          const reference = to.label === '2.10' ? mlflowReference('schema', 'mlflow-fresh.db') : freshStore(to.label);
          assert.deepEqual(await mlflowShape(file), await mlflowShape(reference), `${from.label} → ${to.label}`);
        }
      }
    });

    test('a downgrade, an upgrade to the same head and an unknown release are refused, and change nothing', async () => {
      const file = scratch(`${engine}-refused`);
      await (await openStoreFile(file, { engine, schema: '3.0' })).close();
      const bytes = readFileSync(file);
      const store = await openStoreFile(file, { engine, create: false });
      await assert.rejects(upgradeStore(store, headForRelease('2.17')), /newer than MLflow 2\.17's schema: MLflow has no downgrade/);
      await assert.rejects(upgradeStore(store, headForRelease('3.0')), /already at MLflow 3\.0's schema/);
      assert.throws(() => headForRelease('9.9'), ModelOpsError);
      await store.close();
      assert.deepEqual(readFileSync(file), bytes);
    });

    test('killed at random moments mid-upgrade, the store is the old one or the new one, whole', async () => {
      for (let round = 0; round < 6; round++) {
        const file = copyStore(mlflowSchemas('upgrade', 'rich-2.10.2-with-modelops-before.db'), scratch(`${engine}-kill-${round}`));
        const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'upgrader.js'), file], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: engineEnv(engine),
        });
        const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
        await Promise.race([new Promise<void>((resolve) => child.stdout.once('data', () => resolve())), closed]);
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
        child.kill('SIGKILL');
        await closed;
        const store = await openStoreFile(file, { engine, create: false });
        const revision = store.schema.revision;
        assert.ok(['acf3f17fdcc7', NEWEST_HEAD.revision].includes(revision), `round ${round}: ${revision}`);
        assert.equal(await store.read((db) => String(db.get('PRAGMA integrity_check')?.integrity_check)), 'ok');
        assert.equal(await store.read((db) => Number(db.get('SELECT count(*) AS n FROM metrics')?.n)), 3, `round ${round}: the metrics`);
        await store.close();
        const reference = revision === 'acf3f17fdcc7' ? mlflowSchemas('upgrade', 'rich-2.10.2-with-modelops-before.db') : freshStore('3.13');
        const shape = (await mlflowShape(file)) as { tables: unknown };
        assert.deepEqual(shape.tables, ((await mlflowShape(reference)) as { tables: unknown }).tables, `round ${round}: a whole schema`);
      }
    });
  });

  describe(`stores at revisions newer than any the product knows (${ENGINE_NAME[engine]})`, () => {
    /** 3.13's store, then changed the way a later MLflow might change it. */
    async function later(name: string, ddl: string[]): Promise<string> {
      const file = copyStore(freshStore('3.13'), scratch(`${engine}-${name}`));
      await withFile(
        file,
        (db) => {
          for (const s of ddl) db.exec(s);
          db.run("UPDATE alembic_version SET version_num = 'ffffffffffff'");
        },
        true,
      );
      return file;
    }

    test('experiment_tags.value as TEXT, a new nullable column and a new table: opens read-write, says which revision once, and writes', async () => {
      const file = await later('compatible', [
        // SQLite's way to retype a column: rebuild the table (as alembic's batch mode does).
        'CREATE TABLE experiment_tags_new ("key" VARCHAR(250) NOT NULL, value TEXT, experiment_id INTEGER NOT NULL, CONSTRAINT experiment_tag_pk PRIMARY KEY ("key", experiment_id), FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id))',
        'DROP TABLE experiment_tags',
        'ALTER TABLE experiment_tags_new RENAME TO experiment_tags',
        'ALTER TABLE runs ADD COLUMN retention_days INTEGER',
        'CREATE TABLE label_schemas (id VARCHAR(36) NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL)',
      ]);
      const stores = await openStores(file, { engine, create: false });
      const s = stores.file!.schema;
      assert.equal(s.readOnly, undefined);
      assert.match(s.notice ?? '', /MLflow schema revision ffffffffffff is not a revision this version knows.*opens read-write/);
      assert.equal(s.limits.experimentTagValue, 8000);
      const exp = await stores.tracking.createExperiment('later', [{ key: 'long', value: 'x'.repeat(6000) }]);
      const run = await stores.tracking.createRun({ experimentId: exp });
      await stores.tracking.logBatch(run.info.runId, { metrics: [{ key: 'm', value: 1, step: 0, timestamp: 1 }] });
      assert.equal((await stores.tracking.getExperiment(exp)).tags[0]!.value.length, 6000);
      await stores.close();
      assert.equal(await withFile(file, (db) => db.get('SELECT count(*) AS n FROM label_schemas')!.n), 0, 'the new table is left alone');
    });

    test('a new NOT NULL column without a default: opens read-only, reads work, a write names the table and column, and the file is unchanged', async () => {
      const file = await later('incompatible', ["ALTER TABLE experiments ADD COLUMN owner VARCHAR(64) NOT NULL DEFAULT 'x'", 'CREATE TABLE x_tmp (a)']);
      // SQLite cannot add a NOT NULL column without a default; a later MLflow's rebuild could. Make it so.
      await withFile(
        file,
        (db) => {
          db.exec('PRAGMA writable_schema = ON');
          db.run(
            "UPDATE sqlite_master SET sql = replace(sql, 'owner VARCHAR(64) NOT NULL DEFAULT ''x''', 'owner VARCHAR(64) NOT NULL') WHERE name = 'experiments'",
          );
          db.exec('PRAGMA writable_schema = OFF');
          db.exec('DROP TABLE x_tmp');
        },
        true,
      );
      const bytes = readFileSync(file);
      const stores = await openStores(file, { engine, create: false });
      const s = stores.file!.schema;
      assert.match(
        s.readOnly ?? '',
        /opened read-only: table experiments has a column owner \(VARCHAR\(64\) NOT NULL\) without a default, which this version of ModelOps does not write/,
      );
      assert.deepEqual((await stores.tracking.searchExperiments({ viewType: 'ALL' })).items, [], 'reads work (MLflow made no experiment yet)');
      assert.deepEqual((await stores.registry.searchRegisteredModels()).items, []);
      await assert.rejects(
        stores.tracking.createExperiment('nope'),
        (e) =>
          e instanceof ModelOpsError &&
          e.code === 'STORE_UNSUPPORTED_SCHEMA' &&
          /table experiments has a column owner/.test(e.message) &&
          /nothing was written/.test(e.message),
      );
      await stores.close();
      assert.deepEqual(readFileSync(file), bytes, 'byte-identical');
    });
  });
}
