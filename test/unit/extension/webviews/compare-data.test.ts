import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCompareState, loadMetricHistories } from '../../../../src/extension/webviews/compare-data';
import { normaliseFeatureImportance } from '../../../../src/extension/webviews/artifact-data';
import { compareStateCheck } from '../../../../src/shared/compare-protocol';
import type { Stores } from '../../../../src/store/open';
import { openStores } from '../../../../src/store/open';
import type { TrackingStore } from '../../../../src/store/tracking-store';
import { HOSTILE_NAME } from '../../../webview/builders';

let dir: string;
let db: Stores;
let store: TrackingStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelops-compare-'));
  db = await openStores(join(dir, 'mlflow.db'));
  store = db.tracking;
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runWith(name: string, metrics: Record<string, number[]>, params: Record<string, string> = {}): Promise<string> {
  const run = await store.createRun({ experimentId: '0', runName: name });
  const t = 1_764_000_000_000;
  await store.logBatch(run.info.runId, {
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics).flatMap(([key, values]) => values.map((value, step) => ({ key, value, step, timestamp: t + step }))),
  });
  return run.info.runId;
}

describe('comparison data from the tracking store', () => {
  test('runs come back in the order asked, with params, latest metrics and NaN as null', async () => {
    const a = await runWith('alpha', { acc: [0.5, 0.7], loss: [NaN] }, { k: '3' });
    const b = await runWith(HOSTILE_NAME, { acc: [0.6] }, { k: '5' });
    const state = await loadCompareState(store, [b, a]);
    assert.equal(state.status, 'ready');
    assert.deepEqual(
      state.runs.map((r) => r.runName),
      [HOSTILE_NAME, 'alpha'],
    );
    const alpha = state.runs[1];
    assert.deepEqual(alpha.params, [{ key: 'k', value: '3' }]);
    assert.deepEqual(Object.fromEntries(alpha.metrics.map((m) => [m.key, m.value])), { acc: 0.7, loss: null });
    assert.equal(alpha.experimentName, 'Default');
    // What is sent must pass the webview's own validation.
    assert.deepEqual(compareStateCheck(JSON.parse(JSON.stringify(state)), 'state'), state);
  });

  test('a deleted or unknown run is left out instead of failing the panel', async () => {
    const a = await runWith('kept', { acc: [1] });
    const gone = await runWith('gone', { acc: [1] });
    await store.deleteRun(gone);
    const state = await loadCompareState(store, [a, gone, 'ffffffffffffffffffffffffffffffff']);
    assert.deepEqual(
      state.runs.map((r) => r.runName),
      ['kept'],
    );
  });

  test('histories are sorted by step with NaN as null', async () => {
    const a = await runWith('h', { acc: [0.1, NaN, 0.3] });
    const [h] = await loadMetricHistories(store, 'acc', [a]);
    assert.deepEqual(h, { runId: a, steps: [0, 1, 2], values: [0.1, null, 0.3] });
  });

  test('confusion matrix and feature importance artifacts are read; a model directory marks the run', async () => {
    const id = await runWith('with-artifacts', { acc: [0.9] });
    const scratch = join(dir, 'scratch');
    mkdirSync(join(scratch, 'model'), { recursive: true });
    writeFileSync(join(scratch, 'model', 'MLmodel'), 'flavors: {}\n');
    writeFileSync(
      join(scratch, 'confusion_matrix.json'),
      JSON.stringify({
        labels: ['no', 'yes'],
        matrix: [
          [5, 1],
          [2, 7],
        ],
      }),
    );
    writeFileSync(
      join(scratch, 'feature_importance.json'),
      JSON.stringify([
        { name: 'age', importance: 0.7 },
        { name: 'plan', importance: 0.3 },
      ]),
    );
    await store.logArtifact(id, join(scratch, 'model'));
    await store.logArtifact(id, join(scratch, 'confusion_matrix.json'), 'plots');
    await store.logArtifact(id, join(scratch, 'feature_importance.json'));
    const [run] = (await loadCompareState(store, [id])).runs;
    assert.equal(run.hasModel, true);
    assert.deepEqual(run.confusionMatrix, {
      labels: ['no', 'yes'],
      matrix: [
        [5, 1],
        [2, 7],
      ],
    });
    assert.deepEqual(run.featureImportance, { features: ['age', 'plan'], importances: [0.7, 0.3] });
    // Stopped (KILLED) or FAILED: the same model directory no longer offers Register.
    await store.updateRun(id, { status: 'KILLED', endTime: Date.now() });
    assert.equal((await loadCompareState(store, [id])).runs[0]?.hasModel, false);
  });

  test("the trainer's SVG plots travel as base64 data URIs that pass the protocol check", async () => {
    const id = await runWith('with-plots', { acc: [0.9] });
    const plots = join(dir, 'plots-src');
    mkdirSync(plots, { recursive: true });
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
    writeFileSync(join(plots, 'confusion_matrix.svg'), svg);
    writeFileSync(join(plots, 'notes.txt'), 'ignored');
    await store.logArtifact(id, join(plots, 'confusion_matrix.svg'), 'plots');
    await store.logArtifact(id, join(plots, 'notes.txt'), 'plots');
    const state = await loadCompareState(store, [id]);
    assert.deepEqual(
      state.runs[0].plots?.map((p) => p.name),
      ['confusion_matrix'],
    );
    assert.equal(Buffer.from(state.runs[0].plots?.[0].dataUri.split(',')[1] ?? '', 'base64').toString(), svg);
    assert.deepEqual(compareStateCheck(JSON.parse(JSON.stringify(state)), 'state'), state);
  });

  test('a run without artifacts has no model and no matrix', async () => {
    const id = await runWith('bare', { acc: [0.9] });
    const [run] = (await loadCompareState(store, [id])).runs;
    assert.equal(run.hasModel, false);
    assert.equal(run.confusionMatrix, undefined);
  });

  test('feature importance as a plain object or parallel arrays is accepted; junk is not', () => {
    assert.deepEqual(normaliseFeatureImportance({ a: 0.2, b: 0.8 }), { features: ['a', 'b'], importances: [0.2, 0.8] });
    assert.deepEqual(normaliseFeatureImportance({ features: ['a'], importances: [1] }), { features: ['a'], importances: [1] });
    assert.equal(normaliseFeatureImportance({ features: ['a'], importances: [1, 2] }), undefined);
    assert.equal(normaliseFeatureImportance('x'), undefined);
  });
});

describe('comparison data: folds and baselines', () => {
  test('per-fold values travel with each run, and the run says whether it beats its baseline on the metric training chose', async () => {
    const id = await runWith('churn-forest', {
      cv_accuracy: [0.74, 0.76, 0.75],
      accuracy: [0.7554],
      baseline_accuracy: [0.7674],
      roc_auc: [0.687],
      baseline_roc_auc: [0.5],
    });
    await store.logBatch(id, {
      tags: [
        { key: 'modelops.baseline.metric', value: 'accuracy' },
        { key: 'modelops.baseline.reason', value: 'balanced target' },
      ],
    });
    const state = await loadCompareState(store, [id]);
    const run = state.runs[0]!;
    assert.deepEqual(run.folds, [{ key: 'cv_accuracy', values: [0.74, 0.76, 0.75] }]);
    assert.deepEqual(run.baseline, { metric: 'accuracy', model: 0.7554, baseline: 0.7674, beats: false, reason: 'balanced target' });
    assert.deepEqual(compareStateCheck(JSON.parse(JSON.stringify(state)), 'state'), state);
  });
});
