import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStores } from '../../../src/store/open';
import { ORPHAN_TAG, OWNER_TAG, VALIDATION_TAG, ownerTags } from '../../../src/store/run-owner';
import { ENGINES, ENGINE_NAME } from './helpers/engines';
import { tempDir } from './helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

/** The pid of a process that has just exited (so it is surely gone). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

for (const engine of ENGINES) {
  describe(`runs and validations whose process is gone (${ENGINE_NAME[engine]})`, () => {
    test('a RUNNING run of a dead process is FAILED when the store next opens, with the reason; a live one, a finished one and a foreign one are left alone', async () => {
      const file = join(tmp.dir, `reap-${engine}`, 'mlflow.db');
      const stores = await openStores(file, { engine });
      const dead = deadPid();
      const mine = ownerTags();
      const deadTags = mine.map((t) => (t.key === OWNER_TAG.pid ? { ...t, value: String(dead) } : t));
      const orphan = await stores.tracking.createRun({ experimentId: '0', runName: 'orphan', tags: deadTags });
      const live = await stores.tracking.createRun({ experimentId: '0', runName: 'live', tags: mine });
      const reused = await stores.tracking.createRun({
        experimentId: '0',
        runName: 'reused-pid',
        tags: mine.map((t) => (t.key === OWNER_TAG.started ? { ...t, value: '1000' } : t)),
      });
      const foreign = await stores.tracking.createRun({
        experimentId: '0',
        runName: 'other-host',
        tags: deadTags.map((t) => (t.key === OWNER_TAG.host ? { ...t, value: 'another-machine' } : t)),
      });
      const mlflow = await stores.tracking.createRun({ experimentId: '0', runName: 'no-owner-tags' });
      const done = await stores.tracking.createRun({ experimentId: '0', runName: 'done', tags: deadTags });
      await stores.tracking.updateRun(done.info.runId, { status: 'FINISHED', endTime: Date.now() });
      await stores.close();
      const again = await openStores(file, { engine, create: false });
      const status = async (id: string): Promise<string> => (await again.tracking.getRun(id)).info.status;
      assert.equal(await status(orphan.info.runId), 'FAILED');
      const why = (await again.tracking.getRun(orphan.info.runId)).data.tags.find((t) => t.key === ORPHAN_TAG)?.value;
      assert.match(why ?? '', new RegExp(`ended as FAILED when the store next opened: the process ${dead} on .* that ran it is gone`));
      assert.ok((await again.tracking.getRun(orphan.info.runId)).info.endTime! > 0);
      assert.equal(await status(reused.info.runId), 'FAILED', 'a reused pid (another start time) is not the owner');
      assert.equal(await status(live.info.runId), 'RUNNING');
      assert.equal(await status(foreign.info.runId), 'RUNNING', 'another host cannot be judged');
      assert.equal(await status(mlflow.info.runId), 'RUNNING', 'runs MLflow clients made carry no owner');
      assert.equal(await status(done.info.runId), 'FINISHED');
      await again.close();
    });

    test('a validation its process left running shows as interrupted, with the reason, when the store next opens', async () => {
      const file = join(tmp.dir, `reap-validation-${engine}`, 'mlflow.db');
      const stores = await openStores(file, { engine });
      const run = await stores.tracking.createRun({ experimentId: '0' });
      await stores.registry.createRegisteredModel('m');
      await stores.registry.createModelVersion({ name: 'm', source: `runs:/${run.info.runId}/model`, runId: run.info.runId });
      const dead = String(deadPid());
      for (const t of [{ key: VALIDATION_TAG, value: 'running' }, ...ownerTags().map((t) => (t.key === OWNER_TAG.pid ? { ...t, value: dead } : t))])
        await stores.registry.setModelVersionTag('m', '1', t);
      await stores.close();
      const again = await openStores(file, { engine, create: false });
      const tags = new Map((await again.registry.getModelVersion('m', '1')).tags.map((t) => [t.key, t.value]));
      assert.equal(tags.get(VALIDATION_TAG), 'interrupted');
      assert.match(tags.get(ORPHAN_TAG) ?? '', /validation interrupted: the process \d+ .* is gone; validate it again/);
      await again.close();
    });
  });
}
