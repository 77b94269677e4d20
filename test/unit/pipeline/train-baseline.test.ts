import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { train } from '../../../src/pipeline/train';
import { BASELINE_TAG, baselineSentence } from '../../../src/pipeline/train-baseline';
import { openTrackingStore } from '../../../src/store/open';
import type { TrackingStore } from '../../../src/store/tracking-store';
import { example } from '../ml/helpers';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'modelops-baseline-test-'));
  dirs.push(d);
  return d;
}
async function store(): Promise<TrackingStore> {
  return openTrackingStore(join(tempDir(), 'mlflow.db'));
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('training against its baseline', () => {
  test('every run logs the majority-class baseline scored on the same folds, and which metric decides', async () => {
    const s = await store();
    const r = await train(s, { data: example('iris.csv'), target: 'species', cv: 3, seed: 7, params: { rf: { nEstimators: 20 } } });
    const run = await s.getRun(r.runId);
    const metric = (k: string) => run.data.metrics.find((m) => m.key === k)?.value;
    assert.ok(Math.abs(metric('baseline_accuracy')! - 1 / 3) < 0.05, `iris's majority class is a third: ${metric('baseline_accuracy')}`);
    assert.equal(metric('baseline_roc_auc'), 0.5);
    const tag = (k: string) => run.data.tags.find((t) => t.key === k)?.value;
    assert.equal(tag(BASELINE_TAG.metric), 'accuracy');
    assert.equal(tag(BASELINE_TAG.beats), 'true');
    assert.equal(r.baselineComparison?.beats, true);
    await s.close();
  });

  test('churn.csv: accuracy loses to the majority class while ROC AUC beats 0.5, and the comparison uses ROC AUC for the imbalanced target', async () => {
    const s = await store();
    const r = await train(s, { data: example('churn.csv'), target: 'churned', cv: 5, seed: 42 });
    const c = r.baselineComparison;
    assert.ok(c, 'a comparison was made');
    assert.equal(c.metric, 'roc_auc');
    assert.match(c.reason, /imbalanced target: 'no' holds 76\.\d% of the rows/);
    assert.ok(c.beats && c.model > 0.65 && c.baseline === 0.5, JSON.stringify(c));
    assert.ok(c.accuracy && !c.accuracy.beats, `accuracy ${c.accuracy?.model} against ${c.accuracy?.baseline}`);
    assert.ok(Math.abs(c.accuracy.baseline - 0.7674) < 0.001, String(c.accuracy.baseline));
    assert.match(
      baselineSentence(c),
      /^ROC AUC 0\.6\d+ beats the baseline's 0\.5; accuracy 0\.7\d+ is below always predicting the majority class \(0\.7674\)\.$/,
    );
    await s.close();
  });

  test('a regression run is compared on R² with the training mean', async () => {
    const s = await store();
    const r = await train(s, { data: example('diabetes.csv'), target: 'progression', cv: 3, seed: 1, models: 'rf', params: { rf: { nEstimators: 20 } } });
    assert.equal(r.baselineComparison?.metric, 'r2');
    assert.ok(r.baselineMetrics.r2! < 0.05 && r.baselineComparison?.beats === true);
    await s.close();
  });

  test('an id-like target (customer_id) is refused before any run exists, naming the target, not a flag', async () => {
    const s = await store();
    await assert.rejects(train(s, { data: example('churn.csv'), target: 'customer_id' }), (e: unknown) => {
      assert.ok(e instanceof ModelOpsError);
      assert.equal(e.location, 'target');
      assert.match(e.message, /target 'customer_id' has 5,000 different values in 5,000 rows, like an id/);
      assert.doesNotMatch(e.message, /--/);
      return true;
    });
    assert.equal((await s.searchRuns({ experimentIds: ['0'] })).items.length, 0, 'no FAILED run is left behind');
    await s.close();
  });

  test('a class rarer than the folds is refused before any run exists, naming the cv setting', async () => {
    const s = await store();
    const csv = join(tempDir(), 'rare.csv');
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 5},${i < 38 ? (i % 2 ? 'a' : 'b') : 'rare'}`);
    writeFileSync(csv, `x,y,label\n${rows.join('\n')}\n`);
    await assert.rejects(train(s, { data: csv, target: 'label', cv: 5 }), (e: unknown) => {
      assert.ok(e instanceof ModelOpsError);
      assert.equal(e.location, 'cv');
      assert.match(e.message, /class 'rare' of target 'label' has 2 row\(s\), fewer than the 5 cross-validation folds/);
      assert.doesNotMatch(e.message, /--cv/);
      return true;
    });
    assert.equal((await s.searchRuns({ experimentIds: ['0'] })).items.length, 0);
    await s.close();
  });
});
