import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { syncStores } from '../../../src/pipeline/sync';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import { churnCsv } from '../pipeline/workspace';
import { tempDir } from '../store/helpers/temp';
import type { Served } from '../store/rest/serve';
import { CLEAN_ENV, serveStore } from '../store/rest/serve';
import { runCliCaptured } from './run-cli';

/**
 * `modelops sync` from a workspace into a team's server (`modelops server`, with its guarded promotions) and back:
 * runs with their metric histories and artifacts, versions with their stages, aliases, reports and audit trail;
 * a second sync copies nothing; an interrupted one resumes.
 */
const tmp = tempDir('modelops-sync-');
after(() => tmp.cleanup());
const ENV = { ...CLEAN_ENV, MODELOPS_ACTOR: 'ana', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
const FAST = ['--models', 'rf', '--cv', '2'];

async function cli(dir: string, ...argv: string[]): Promise<string> {
  const r = await runCliCaptured(dir, argv, ENV);
  assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}`);
  return r.out;
}

async function activeRuns(s: Stores): Promise<{ name: string; id: string; tags: Record<string, string> }[]> {
  const exps = (await s.tracking.searchExperiments()).items.filter((e) => !e.tags.some((t) => t.key === 'modelops.internal'));
  const runs = await s.tracking.searchRuns({ experimentIds: exps.map((e) => e.experimentId), maxResults: 1000 });
  return runs.items.map((r) => ({ name: r.info.runName, id: r.info.runId, tags: Object.fromEntries(r.data.tags.map((t) => [t.key, t.value])) }));
}

describe('modelops sync', () => {
  let dir: string;
  let served: Served;
  const workspace = () => join(dir, '.modelops', 'mlflow.db');

  before(async () => {
    dir = join(tmp.dir, 'ws');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'train.csv'), churnCsv(300, 7));
    await cli(dir, 'train', '--data', 'train.csv', '--target', 'churned', '--experiment', 'churn', '--register', 'churn', ...FAST);
    await cli(dir, 'train', '--data', 'train.csv', '--target', 'churned', '--experiment', 'churn', '--register', 'churn', '--seed', '3', ...FAST);
    await cli(dir, 'promote', '--name', 'churn', '--version', '1', '--approve', '--comment', 'first');
    await cli(dir, 'alias', 'set', '--name', 'churn', '--alias', 'champion', '--version', '1');
    served = await serveStore(join(tmp.dir, 'server'));
  });
  after(() => served.stop());

  test('workspace → server: runs with metric histories and artifacts, versions in their stages, aliases, reports and the audit trail', async () => {
    const out = await cli(dir, 'sync', '--from', workspace(), '--to', served.url);
    assert.match(out, /runs copied\s+2/);
    const [src, dst] = [await openStores(workspace()), await openStores(served.url, { env: CLEAN_ENV, pollIntervalMs: 0 })];
    try {
      const runs = await activeRuns(dst);
      assert.equal(runs.length, 2);
      const source = await src.tracking.getRun((await src.registry.getModelVersion('churn', '1')).runId);
      const copy = await dst.registry.getModelVersion('churn', '1');
      assert.equal(copy.currentStage, 'Production');
      assert.deepEqual(copy.aliases, ['champion']);
      assert.equal((await dst.registry.getModelVersion('churn', '2')).currentStage, 'Staging');
      assert.equal(copy.source, `runs:/${copy.runId}/model`);
      const copied = await dst.tracking.getRun(copy.runId);
      assert.deepEqual(copied.data.params.map((p) => `${p.key}=${p.value}`).sort(), source.data.params.map((p) => `${p.key}=${p.value}`).sort());
      for (const m of source.data.metrics)
        assert.equal(
          (await dst.tracking.getMetricHistory(copy.runId, m.key)).length,
          (await src.tracking.getMetricHistory(source.info.runId, m.key)).length,
          m.key,
        );
      assert.ok((await dst.tracking.listArtifacts(copy.runId, 'model')).some((a) => a.path === 'model/MLmodel'));
      const trail = await dst.registry.getAuditTrail('churn');
      assert.ok(
        trail.some((e) => e.action === 'approve' && e.comment === 'first' && e.actor === 'ana'),
        JSON.stringify(trail),
      );
      assert.equal((await dst.registry.listValidationReports('churn', '1')).length, (await src.registry.listValidationReports('churn', '1')).length);
      // The copied model predicts from the server.
      writeFileSync(join(dir, 'score.csv'), churnCsv(10, 5));
      const predicted = await runCliCaptured(
        dir,
        ['predict', '--store', served.url, '--model', 'models:/churn@champion', '--data', 'score.csv', '--out', 'p.csv'],
        ENV,
      );
      assert.equal(predicted.code, 0, predicted.err);
    } finally {
      await src.close();
      await dst.close();
    }
  });

  test('a second sync copies nothing', async () => {
    const out = JSON.parse(await cli(dir, 'sync', '--from', workspace(), '--to', served.url, '--json')) as Record<string, number>;
    assert.deepEqual(out, { experiments: 0, runs: 0, skipped: 2, artifacts: 0, models: 0, versions: 0, audit: 0, reports: 0 });
  });

  test('server → a new workspace, and back: nothing is copied twice', async () => {
    const other = join(tmp.dir, 'other', 'mlflow.db');
    const back = JSON.parse(await cli(dir, 'sync', '--from', served.url, '--to', other, '--json')) as Record<string, number>;
    assert.equal(back.runs, 2);
    assert.equal(back.versions, 2);
    const again = JSON.parse(await cli(dir, 'sync', '--from', other, '--to', served.url, '--json')) as Record<string, number>;
    assert.equal(again.runs, 0);
    assert.equal(again.versions, 0);
    const o = await openStores(other);
    try {
      assert.equal((await o.registry.getModelVersion('churn', '1')).currentStage, 'Production');
      assert.ok((await o.registry.getAuditTrail('churn')).some((e) => e.comment === 'first'));
    } finally {
      await o.close();
    }
  });

  test('an interrupted sync leaves a half copy that the next one replaces: every run once, whole', async () => {
    const target = join(tmp.dir, 'interrupted', 'mlflow.db');
    const [src, dst] = [await openStores(workspace()), await openStores(target, { create: true })];
    try {
      const stop = new AbortController();
      let artifacts = 0;
      // Stopped in the middle of the first run's artifacts.
      const onProgress = (): void => undefined;
      const dstTracking = dst.tracking;
      const logArtifact = dstTracking.logArtifact.bind(dstTracking);
      dstTracking.logArtifact = async (...a) => {
        if (++artifacts === 2) stop.abort();
        return logArtifact(...a);
      };
      await assert.rejects(
        syncStores(src, dst, { actor: 'ana', signal: stop.signal, onProgress }),
        (e: unknown) => e instanceof ModelOpsError && e.code === 'CANCELLED',
      );
      dstTracking.logArtifact = logArtifact;
      const half = await activeRuns(dst);
      assert.equal(half.length, 1);
      assert.equal(half[0]!.tags['modelops.sync.complete'], undefined);
      const resumed = await syncStores(src, dst, { actor: 'ana' });
      assert.equal(resumed.runs, 2);
      const runs = await activeRuns(dst);
      assert.equal(runs.length, 2);
      assert.ok(runs.every((r) => r.tags['modelops.sync.complete'] === 'true'));
      assert.equal((await dst.registry.getModelVersion('churn', '1')).currentStage, 'Production');
    } finally {
      await src.close();
      await dst.close();
    }
  });
});
