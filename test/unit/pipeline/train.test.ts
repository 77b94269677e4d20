import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { TAG } from '../../../src/core/tracking';
import { frameToRows, loadDataset } from '../../../src/ml/dataset/dataset';
import { readTrainingProfile } from '../../../src/ml/drift/sketch';
import { loadModel } from '../../../src/ml/ensemble/model-package';
import type { TrainProgress } from '../../../src/pipeline/train';
import { train } from '../../../src/pipeline/train';
import { openTrackingStore } from '../../../src/store/open';
import type { TrackingStore } from '../../../src/store/tracking-store';
import { example } from '../ml/helpers';

const dirs: string[] = [];
async function store(): Promise<TrackingStore> {
  const d = mkdtempSync(join(tmpdir(), 'modelops-train-test-'));
  dirs.push(d);
  return openTrackingStore(join(d, 'mlflow.db'));
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('train pipeline', () => {
  test('saves a sketch of the training data with the model, and adds the caller’s fields to the dataset profile', async () => {
    const s = await store();
    const r = await train(s, {
      data: example('iris.csv'),
      target: 'species',
      cv: 0,
      seed: 1,
      params: { rf: { nEstimators: 5 } },
      profileExtras: { drift: [] },
    });
    const profile = readTrainingProfile(await s.artifactLocalPath(r.runId, 'model'));
    assert.ok(profile, 'model/training_profile.json is written');
    assert.equal(profile.rows, 150);
    assert.deepEqual(
      profile.columns.map((c) => c.name),
      ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
    );
    const petal = profile.columns[2]!;
    assert.ok(petal.kind === 'numeric' && petal.exact && petal.weights.reduce((a, b) => a + b, 0) === 150);
    assert.ok(profile.target.kind === 'categorical' && profile.target.categories.length === 3);
    const run = await s.getRun(r.runId);
    assert.deepEqual((JSON.parse(String(run.inputs[0]!.profile)) as { drift: unknown }).drift, []);
  });

  test('logs one finished run: params, per-fold metrics with steps, means, dataset input, model and plots', async () => {
    const s = await store();
    const events: TrainProgress[] = [];
    const r = await train(s, {
      data: example('iris.csv'),
      target: 'species',
      experiment: 'iris',
      cv: 3,
      seed: 7,
      params: { rf: { nEstimators: 20 } },
      onProgress: (p) => events.push(p),
    });
    const run = await s.getRun(r.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.info.experimentId, r.experimentId);
    assert.equal((await s.getExperiment(r.experimentId)).name, 'iris');
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    assert.equal(params.models, 'rf,knn');
    assert.equal(params.cv, '3');
    assert.equal(params.seed, '7');
    assert.equal(params['rf.nEstimators'], '20');
    const history = await s.getMetricHistory(r.runId, 'cv_accuracy');
    assert.deepEqual(
      history.map((m) => m.step),
      [0, 1, 2],
    );
    const acc = run.data.metrics.find((m) => m.key === 'accuracy');
    assert.ok(acc && Math.abs(acc.value - history.reduce((t, m) => t + m.value, 0) / 3) < 1e-12, 'accuracy is the mean of the folds');
    assert.ok(acc.value > 0.9);
    for (const key of ['roc_auc', 'log_loss', 'f1_macro', 'balanced_accuracy', 'rf_accuracy', 'knn_accuracy'])
      assert.ok(
        run.data.metrics.some((m) => m.key === key),
        key,
      );
    assert.equal(run.inputs.length, 1);
    const input = run.inputs[0];
    assert.equal(input.name, 'iris');
    assert.equal(input.digest, loadDataset(example('iris.csv'), { target: 'species' }).digest);
    assert.match(String(input.schema), /"mlflow_colspec"/);
    assert.equal((JSON.parse(String(input.profile)) as { num_rows: number }).num_rows, 150);
    assert.ok(input.tags?.some((t) => t.key === 'mlflow.data.context' && t.value === 'training'));
    const top = (await s.listArtifacts(r.runId)).map((a) => a.path).sort();
    assert.deepEqual(top, ['confusion_matrix.json', 'feature_importance.json', 'model', 'plots']);
    const cm = JSON.parse(readFileSync(await s.artifactLocalPath(r.runId, 'confusion_matrix.json'), 'utf8')) as { labels: string[]; matrix: number[][] };
    assert.deepEqual(cm.labels, ['setosa', 'versicolor', 'virginica']);
    assert.equal(
      cm.matrix.flat().reduce((t, v) => t + v, 0),
      150,
      'every row is predicted once out of fold',
    );
    assert.equal(cm.matrix[0][0], 50, 'setosa is never confused');
    const plots = (await s.listArtifacts(r.runId, 'plots')).map((a) => a.path).sort();
    assert.deepEqual(plots, ['plots/confusion_matrix.svg', 'plots/feature_importance.svg', 'plots/permutation_importance.svg', 'plots/roc.svg']);
    const importance = JSON.parse(readFileSync(join(await s.artifactLocalPath(r.runId, 'feature_importance.json')), 'utf8')) as {
      permutation: { name: string; importance: number }[];
    };
    assert.ok(['petal_length', 'petal_width'].includes(importance.permutation[0].name), 'a petal measurement matters most');
    assert.ok(importance.permutation.some((p) => p.importance > 0.05));
    const modelDir = await s.artifactLocalPath(r.runId, 'model');
    const { model, info } = loadModel(modelDir);
    assert.equal(info.runId, r.runId);
    const rows = frameToRows(loadDataset(example('iris.csv'), { target: 'species' }).frame, 3);
    assert.deepEqual(model.predict(rows), ['setosa', 'setosa', 'setosa']);
    assert.ok(run.data.tags.some((t) => t.key === TAG.loggedModels));
    assert.ok(events.length > 3 && events[events.length - 1].fraction === 1, 'progress reaches 100%');
    assert.ok(
      events.every((e, i) => i === 0 || e.fraction >= events[i - 1].fraction - 1e-9),
      'progress never goes back',
    );
    await s.close();
  });

  test('a regression run logs R², RMSE and a residual plot; --baseline logs a second run beside it', async () => {
    const s = await store();
    const r = await train(s, {
      data: example('diabetes.csv'),
      target: 'progression',
      cv: 3,
      seed: 1,
      models: 'rf',
      params: { rf: { nEstimators: 20 } },
      baseline: true,
    });
    assert.equal(r.task, 'regression');
    assert.ok(r.metrics.r2 > 0.3, `r2 ${r.metrics.r2}`);
    assert.ok(r.baseline && r.baseline.metrics.r2 < 0.05, 'the mean baseline explains nothing');
    const base = await s.getRun(r.baseline.runId);
    assert.ok(base.data.tags.some((t) => t.key === 'modelops.baseline_for' && t.value === r.runId));
    assert.ok((await s.listArtifacts(r.runId, 'plots')).some((a) => a.path === 'plots/residuals.svg'));
    await s.close();
  });

  test('the same seed gives the same metrics and model bytes', async () => {
    const s = await store();
    const opts = { data: example('wine.csv'), target: 'cultivar', cv: 3, seed: 5, params: { rf: { nEstimators: 15 } } };
    const a = await train(s, opts);
    const b = await train(s, { ...opts, threads: 2 });
    assert.deepEqual(a.metrics, b.metrics);
    const payload = async (id: string): Promise<unknown> => {
      const env = JSON.parse(readFileSync(join(await s.artifactLocalPath(id, 'model'), 'model.json'), 'utf8')) as { payload: unknown };
      return env.payload;
    };
    assert.deepEqual(await payload(a.runId), await payload(b.runId));
    await s.close();
  });

  test('bad input fails before a run is created, with the file named', async () => {
    const s = await store();
    const d = mkdtempSync(join(tmpdir(), 'modelops-bad-'));
    dirs.push(d);
    const bad = join(d, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,x\n2\n');
    await assert.rejects(train(s, { data: bad, target: 'b' }), (e: unknown) => e instanceof ModelOpsError && e.location === `${bad}:3:2`);
    await assert.rejects(train(s, { data: example('iris.csv'), target: 'colour' }), /no target column 'colour'/);
    await assert.rejects(train(s, { data: example('iris.csv'), target: 'species', models: 'rf,svm' }), /unknown model 'svm'/);
    const runs = await s.searchRuns({ experimentIds: ['0'] });
    assert.equal(runs.items.length, 0);
    await s.close();
  });

  test('cancellation marks the run KILLED', async () => {
    const s = await store();
    const c = new AbortController();
    let runSeen = false;
    await assert.rejects(
      train(s, {
        data: example('breast_cancer.csv'),
        target: 'diagnosis',
        cv: 3,
        signal: c.signal,
        onProgress: (p) => {
          if (p.stage === 'cv') {
            runSeen = true;
            c.abort();
          }
        },
      }),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'CANCELLED',
    );
    assert.ok(runSeen);
    const runs = await s.searchRuns({ experimentIds: ['0'] });
    assert.equal(runs.items.length, 1);
    assert.equal(runs.items[0].info.status, 'KILLED');
    assert.ok(!existsSync(join(runs.items[0].info.artifactUri.replace(/^file:\/\//, ''), 'model')), 'no model is logged');
    await s.close();
  });
});
