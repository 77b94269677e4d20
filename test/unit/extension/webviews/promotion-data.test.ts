import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPromotionReview, loadPromotionState } from '../../../../src/extension/webviews/promotion-data';
import type { ValidationReport } from '../../../../src/registry/report';
import { promotionStateCheck } from '../../../../src/shared/promotion-protocol';
import type { Stores } from '../../../../src/store/open';
import { openStores } from '../../../../src/store/open';

let dir: string;
let db: Stores;
let stores: Stores;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelops-review-'));
  db = await openStores(join(dir, 'mlflow.db'));
  stores = db;
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A run with a logged model whose signature has these inputs, a dataset input and metrics. */
async function modelRun(inputs: { name: string; type: string }[], metrics: Record<string, number>, rows: number): Promise<string> {
  const run = await stores.tracking.createRun({ experimentId: '0', runName: `train-${n}` });
  const id = run.info.runId;
  const modelDir = join(dir, `m${n++}`, 'model');
  mkdirSync(modelDir, { recursive: true });
  const spec = (cols: { name: string; type: string }[]) => JSON.stringify(JSON.stringify(cols.map((c) => ({ ...c, required: true }))));
  writeFileSync(
    join(modelDir, 'MLmodel'),
    `artifact_path: model\nflavors:\n  modelops_ensemble:\n    format: modelops.ensemble/1\n    task: classification\n    target: species\nsignature:\n  inputs: ${spec(inputs)}\n  outputs: ${spec([{ name: 'species', type: 'string' }])}\n`,
  );
  await stores.tracking.logArtifact(id, modelDir);
  await stores.tracking.logBatch(id, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: 1 })) });
  await stores.tracking.logInputs(id, [
    {
      name: 'iris.csv',
      digest: `d${rows}`,
      sourceType: 'local',
      source: 'data/iris.csv',
      profile: JSON.stringify({ num_rows: rows }),
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
    },
  ]);
  return id;
}

function report(name: string, version: string, passed: boolean): ValidationReport {
  return {
    reportId: `rep-${name}-${version}`,
    name,
    version,
    createdAt: 1_764_000_000_000,
    actor: 'ci',
    passed,
    fromStage: 'None',
    toStage: passed ? 'Staging' : 'None',
    baseline: { version: '1', runId: 'x' },
    data: { path: 'holdout.csv', rows: 30, target: 'species' },
    candidateMetrics: { accuracy: 0.95, log_loss: 0.2 },
    baselineMetrics: { accuracy: 0.9, log_loss: 0.25 },
    gates: [
      { gate: 'metric', name: 'accuracy threshold', expected: '>= 0.9', actual: '0.95', outcome: 'pass', message: '' },
      { gate: 'signature', name: 'signature compatible with Production v1', expected: 'compatible', actual: 'compatible', outcome: 'pass', message: '' },
      {
        gate: 'smoke_test',
        name: 'smoke test',
        expected: '30 rows',
        actual: '30 rows',
        outcome: passed ? 'pass' : 'fail',
        message: passed ? '' : '2 rows failed',
      },
    ],
  };
}

describe('promotion review from the registry', () => {
  test('puts the Staging candidate beside Production with report metrics, gates, signatures and lineage', async () => {
    const prodRun = await modelRun(
      [
        { name: 'a', type: 'double' },
        { name: 'b', type: 'double' },
      ],
      { accuracy: 0.9 },
      120,
    );
    const candRun = await modelRun(
      [
        { name: 'a', type: 'double' },
        { name: 'b', type: 'long' },
      ],
      { accuracy: 0.95 },
      150,
    );
    await stores.registry.createRegisteredModel('iris');
    await stores.registry.createModelVersion({ name: 'iris', source: `runs:/${prodRun}/model`, runId: prodRun });
    await stores.registry.transitionModelVersionStage('iris', '1', 'Production', false, { actor: 'ci' });
    await stores.registry.createModelVersion({ name: 'iris', source: `runs:/${candRun}/model`, runId: candRun });
    await stores.registry.recordValidation({ report: report('iris', '2', true), toStage: 'Staging' }, { actor: 'ci', action: 'validate' });

    const review = await loadPromotionReview(stores, 'iris', '2');
    assert.equal(review.candidate.version.stage, 'Staging');
    assert.equal(review.production?.version.version, '1');
    assert.deepEqual(
      review.metrics.map((m) => [m.key, m.candidate, m.production, m.goal, m.gate?.passed]),
      [
        ['accuracy', 0.95, 0.9, 'maximize', true],
        ['log_loss', 0.2, 0.25, 'minimize', undefined],
      ],
    );
    assert.deepEqual(review.candidate.signature?.inputs, [
      { name: 'a', type: 'double' },
      { name: 'b', type: 'long' },
    ]);
    assert.deepEqual(review.production?.signature?.inputs[1], { name: 'b', type: 'double' });
    assert.deepEqual(review.candidate.datasets, [{ name: 'iris.csv', digest: 'd150', source: 'data/iris.csv', rows: 150, context: 'training' }]);
    assert.equal(review.validation?.passed, true);
    assert.equal(review.validation?.checks.length, 3);
    assert.equal(review.decision, null);
  });

  test('the last rejection in the audit trail shows with its comment and reviewer', async () => {
    await stores.registry.recordAudit('iris', '2', { actor: 'dana', action: 'reject', comment: 'needs more data' });
    const review = await loadPromotionReview(stores, 'iris', '2');
    assert.deepEqual([review.decision?.action, review.decision?.comment, review.decision?.by], ['rejected', 'needs more data', 'dana']);
    // What is sent must pass the webview's own validation.
    const state = { status: 'ready' as const, review };
    assert.deepEqual(promotionStateCheck(JSON.parse(JSON.stringify(state)), 'state'), state);
  });

  test("without a report the runs' own metrics are compared and no gates are claimed", async () => {
    const run = await modelRun([{ name: 'a', type: 'double' }], { accuracy: 0.8 }, 10);
    await stores.registry.createRegisteredModel('solo');
    await stores.registry.createModelVersion({ name: 'solo', source: `runs:/${run}/model`, runId: run });
    const review = await loadPromotionReview(stores, 'solo', '1');
    assert.equal(review.production, null);
    assert.deepEqual(review.metrics, [{ key: 'accuracy', candidate: 0.8, production: null, goal: 'maximize' }]);
    assert.equal(review.validation, null);
  });

  test('a version that does not exist becomes an error state naming it', async () => {
    const state = await loadPromotionState(stores, 'iris', '99');
    assert.equal(state.status, 'error');
    assert.match(state.message ?? '', /iris/);
    assert.match(state.message ?? '', /99/);
  });
});

describe('promotion review: honest feedback', () => {
  test('a skipped gate is not reported as passed, and the report says where the version went', async () => {
    const run = await modelRun([{ name: 'a', type: 'double' }], { accuracy: 0.9 }, 10);
    await stores.registry.createRegisteredModel('skips');
    await stores.registry.createModelVersion({ name: 'skips', source: `runs:/${run}/model`, runId: run });
    const r = report('skips', '1', true);
    r.gates[1] = {
      gate: 'signature',
      name: 'signature compatible with Production',
      expected: 'the inputs Production accepts',
      actual: '1 inputs',
      outcome: 'skipped',
      message: 'no Production version yet',
    };
    await stores.registry.recordValidation({ report: r, toStage: 'Staging' }, { actor: 'ci', action: 'validate' });
    const review = await loadPromotionReview(stores, 'skips', '1');
    const skipped = review.validation!.checks.find((c) => c.gate === 'signature')!;
    assert.deepEqual([skipped.passed, skipped.outcome], [false, 'skipped']);
    assert.deepEqual([review.validation!.fromStage, review.validation!.toStage], ['None', 'Staging']);
  });

  test('a metric row takes the gate that names its metric, whatever the gate is called; a report from before gates named one still matches by name', async () => {
    const run = await modelRun([{ name: 'a', type: 'double' }], { accuracy: 0.9, f1_macro: 0.8 }, 10);
    await stores.registry.createRegisteredModel('named');
    await stores.registry.createModelVersion({ name: 'named', source: `runs:/${run}/model`, runId: run });
    const r = report('named', '1', false);
    r.candidateMetrics = { accuracy: 0.9, f1_macro: 0.8 };
    r.gates = [
      {
        gate: 'metric',
        name: 'f1 macro threshold (custom wording)',
        expected: '>= 0.85',
        actual: '0.8',
        outcome: 'fail',
        message: 'too low',
        metric: 'f1_macro',
      },
      { gate: 'metric', name: 'accuracy threshold', expected: '>= 0.5', actual: '0.9', outcome: 'pass', message: '' },
      { gate: 'baseline', name: 'beats the majority-class baseline', expected: '> 0.5', actual: '0.9', outcome: 'pass', message: '', metric: 'accuracy' },
    ];
    r.noSkillMetrics = { accuracy: 0.5, f1_macro: 0.3 };
    await stores.registry.recordValidation({ report: r, toStage: 'None' }, { actor: 'ci', action: 'validate' });
    const review = await loadPromotionReview(stores, 'named', '1');
    assert.deepEqual(
      review.metrics.map((m) => [m.key, m.gate?.passed, m.gate?.rule]),
      [
        ['accuracy', true, 'accuracy threshold: >= 0.5'],
        ['f1_macro', false, 'f1 macro threshold (custom wording): >= 0.85'],
        ['log_loss', undefined, undefined],
      ],
    );
    // The baseline verdict's own metric, not one parsed out of its name (which names none here).
    assert.equal(review.noSkill?.metric, 'accuracy');
  });

  test("lineage shows the dataset path, not its JSON, and the trainer's importance artifact is read", async () => {
    const run = await modelRun([{ name: 'a', type: 'double' }], { accuracy: 0.9 }, 10);
    await stores.tracking.logInputs(run, [
      { name: 'churn', digest: 'abcd1234', sourceType: 'local', source: JSON.stringify({ uri: '/work/data/churn.csv' }), profile: '{}', tags: [] },
    ]);
    const imp = join(dir, `imp-${run}`);
    mkdirSync(imp, { recursive: true });
    writeFileSync(
      join(imp, 'feature_importance.json'),
      JSON.stringify({
        impurity: [
          { name: 'tenure', importance: 0.6 },
          { name: 'plan', importance: 0.4 },
        ],
        permutation: [{ name: 'tenure', importance: 0.1, std: 0.01 }],
      }),
    );
    await stores.tracking.logArtifact(run, join(imp, 'feature_importance.json'));
    await stores.registry.createRegisteredModel('lineage');
    await stores.registry.createModelVersion({ name: 'lineage', source: `runs:/${run}/model`, runId: run });
    const review = await loadPromotionReview(stores, 'lineage', '1');
    assert.ok(
      review.candidate.datasets.some((d) => d.source === '/work/data/churn.csv'),
      JSON.stringify(review.candidate.datasets),
    );
    assert.deepEqual(review.candidate.featureImportance, { features: ['tenure', 'plan'], importances: [0.6, 0.4] });
  });

  test('a version whose accuracy loses to the majority class is flagged, though ROC AUC (the comparison for its imbalanced target) beats it', async () => {
    const run = await modelRun(
      [{ name: 'a', type: 'double' }],
      { accuracy: 0.7554, baseline_accuracy: 0.7674, roc_auc: 0.6869, baseline_roc_auc: 0.5, accuracy_std: 0.01, cv_accuracy: 0.76 },
      5000,
    );
    await stores.tracking.logBatch(run, {
      tags: [
        { key: 'modelops.baseline.metric', value: 'roc_auc' },
        { key: 'modelops.baseline.reason', value: "imbalanced target: 'no' holds 76.7% of the rows" },
      ],
    });
    await stores.registry.createRegisteredModel('churn');
    await stores.registry.createModelVersion({ name: 'churn', source: `runs:/${run}/model`, runId: run });
    const review = await loadPromotionReview(stores, 'churn', '1');
    assert.deepEqual(
      review.metrics.map((m) => [m.key, m.noSkill]),
      [
        ['accuracy', 0.7674],
        ['roc_auc', 0.5],
      ],
      'spreads, folds and baselines are not rows of their own',
    );
    assert.deepEqual(review.noSkill, {
      metric: 'roc_auc',
      candidate: 0.6869,
      noSkill: 0.5,
      beats: true,
      source: 'training folds',
      reason: "imbalanced target: 'no' holds 76.7% of the rows",
      losing: [{ key: 'accuracy', candidate: 0.7554, noSkill: 0.7674 }],
    });
    const state = { status: 'ready' as const, review };
    assert.deepEqual(promotionStateCheck(JSON.parse(JSON.stringify(state)), 'state'), state);
  });

  test('a rejection stands on the version until it is validated again', async () => {
    await stores.registry.recordAudit('churn', '1', { actor: 'raj', action: 'reject', comment: 'recall too low' });
    assert.deepEqual((await loadPromotionReview(stores, 'churn', '1')).rejection?.comment, 'recall too low');
    await stores.registry.recordValidation({ report: report('churn', '1', true), toStage: 'Staging' }, { actor: 'ci', action: 'validate' });
    assert.equal((await loadPromotionReview(stores, 'churn', '1')).rejection, undefined);
  });
});
