import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { ModelOpsError } from '../../../../src/core/errors';
import type { Dataset, Row } from '../../../../src/ml/dataset/dataset';
import { frameToRows, loadDataset, takeRows } from '../../../../src/ml/dataset/dataset';
import { kFold } from '../../../../src/ml/dataset/split';
import type { TrainingTarget } from '../../../../src/ml/ensemble/ensemble';
import { Ensemble } from '../../../../src/ml/ensemble/ensemble';
import { loadModel, readModelInfo, saveModel } from '../../../../src/ml/ensemble/model-package';
import { checkColumns } from '../../../../src/ml/ensemble/signature';
import { binaryAuc } from '../../../../src/ml/metrics/classification';
import { example } from '../helpers';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'modelops-model-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function target(ds: Dataset, index?: Int32Array): TrainingTarget {
  const labels = ds.target.labels;
  const values = ds.target.values;
  return {
    name: ds.target.name,
    task: ds.target.task,
    ...(labels ? { labels: index ? Array.from(index, (i) => labels[i]) : labels } : {}),
    ...(values ? { values: index ? Float64Array.from(index, (i) => values[i]) : values } : {}),
  };
}

async function fitted(
  name: string,
  target_: string,
  members = [{ type: 'rf' as const, params: { nEstimators: 30 } }, { type: 'knn' as const }],
): Promise<{ ds: Dataset; model: Ensemble; rows: Row[] }> {
  const ds = loadDataset(example(`${name}.csv`), { target: target_ });
  const model = await Ensemble.fit(ds.frame, target(ds), ds.schema.features, { members, seed: 4 });
  return { ds, model, rows: frameToRows(ds.frame) };
}

describe('ensemble', () => {
  test('string labels in, string labels out; probabilities per class', async () => {
    const { model, rows } = await fitted('iris', 'species');
    assert.deepEqual(model.classes, ['setosa', 'versicolor', 'virginica']);
    const pred = model.predict(rows.slice(0, 3));
    assert.deepEqual(pred, ['setosa', 'setosa', 'setosa']);
    const p = model.predictProba(rows.slice(0, 1))[0];
    assert.equal(p.length, 3);
    assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-9);
  });

  test('churn: categorical columns, missing values and unseen categories are handled on raw rows', async () => {
    const ds = loadDataset(example('churn.csv'), { target: 'churned' });
    const folds = kFold(ds.frame.nRows, 5, 1, ds.target.labels);
    const f = folds[0];
    const model = await Ensemble.fit(takeRows(ds.frame, f.train), target(ds, f.train), ds.schema.features, {
      members: [{ type: 'rf', params: { nEstimators: 40 } }, { type: 'knn' }],
      seed: 1,
    });
    const testRows = frameToRows(takeRows(ds.frame, f.test));
    const proba = model.predictProba(testRows);
    const truth = Array.from(f.test, (i) => (ds.target.labels as string[])[i]);
    // Churn is hard (scikit-learn's forest: accuracy 0.764 at a 0.767 majority, AUC 0.70): rank quality is the signal.
    const yes = model.classes.indexOf('yes');
    const auc = binaryAuc(
      truth.map((t) => t === 'yes'),
      proba.map((p) => p[yes]),
    );
    assert.ok(auc > 0.62, `churn AUC ${auc}`);
    const odd = model.predict([{ plan: 'platinum', region: null, tenure_months: 'NA', monthly_charges: '', support_tickets: 3, age: undefined }]);
    assert.ok(['yes', 'no'].includes(String(odd[0])), 'a row of unknowns still gets a label');
    assert.ok(model.featureNames.includes('plan=basic'), 'plan is one-hot encoded');
  });

  test('regression: the weighted mean of the members', async () => {
    const { model, rows } = await fitted('diabetes', 'progression');
    const p = model.predict(rows.slice(0, 5));
    assert.ok(p.every((v) => typeof v === 'number' && v > 20 && v < 400));
  });

  test('weights fitted on validation rows favour the better member', async () => {
    const ds = loadDataset(example('breast_cancer.csv'), { target: 'diagnosis' });
    const folds = kFold(ds.frame.nRows, 4, 2, ds.target.labels);
    const model = await Ensemble.fit(
      takeRows(ds.frame, folds[0].train),
      target(ds, folds[0].train),
      ds.schema.features,
      { members: [{ type: 'rf', params: { nEstimators: 30 } }, { type: 'dummy' }], seed: 2, weights: 'fit' },
      { frame: takeRows(ds.frame, folds[0].test), target: target(ds, folds[0].test) },
    );
    assert.ok(model.members[0].weight > model.members[1].weight, `rf ${model.members[0].weight} vs dummy ${model.members[1].weight}`);
  });
});

describe('model package', () => {
  test('save → load gives identical predictions and an MLflow-layout MLmodel', async () => {
    const { model, rows } = await fitted('iris', 'species');
    const dir = tmp();
    const info = saveModel(dir, model, { runId: 'abc123', inputExample: rows.slice(0, 2) });
    const { model: back, info: readBack } = loadModel(dir);
    assert.deepEqual(back.predictProba(rows), model.predictProba(rows));
    assert.deepEqual(back.predict(rows), model.predict(rows));
    assert.equal(readBack.modelUuid, info.modelUuid);
    const yml = parse(readFileSync(join(dir, 'MLmodel'), 'utf8')) as Record<string, unknown>;
    assert.equal(yml.run_id, 'abc123');
    assert.equal(yml.artifact_path, 'model');
    assert.match(String(yml.utc_time_created), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.match(String(yml.model_uuid), /^[0-9a-f]{32}$/);
    const sig = yml.signature as { inputs: string; outputs: string };
    assert.ok(sig.inputs.startsWith('[{"type": "double", "name": "sepal_length", "required": true}, '), sig.inputs);
    assert.equal(sig.outputs, '[{"type": "string", "name": "species", "required": true}]');
    const flavor = (yml.flavors as Record<string, Record<string, unknown>>).modelops_ensemble;
    assert.equal(flavor.format, 'modelops.ensemble/1');
    assert.equal(flavor.data, 'model.json');
    const example_ = JSON.parse(readFileSync(join(dir, 'input_example.json'), 'utf8')) as { columns: string[]; data: unknown[][] };
    assert.deepEqual(example_.columns, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.equal(example_.data.length, 2);
    const envelope = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { format: string; payload_sha256: string };
    assert.equal(envelope.format, 'modelops.ensemble/1');
    assert.match(envelope.payload_sha256, /^[0-9a-f]{64}$/);
  });

  test('the signature lets a caller check input columns', async () => {
    const { model } = await fitted('iris', 'species', [{ type: 'dummy' }] as never);
    const dir = tmp();
    saveModel(dir, model);
    const { signature } = readModelInfo(dir);
    assert.deepEqual(checkColumns(['sepal_length', 'sepal_width', 'petal_width', 'colour'], signature), { missing: ['petal_length'], extra: ['colour'] });
  });

  const invalid = (dir: string, file: string, message: RegExp) => (e: unknown) => {
    assert.ok(e instanceof ModelOpsError, String(e));
    assert.equal(e.code, 'MODEL_INVALID');
    assert.equal(e.location, join(dir, file));
    assert.match(e.message, message);
    return true;
  };

  test('a tampered, truncated or missing payload is rejected with an error naming the file', async () => {
    const { model } = await fitted('wine', 'cultivar', [{ type: 'rf', params: { nEstimators: 5 } }] as never);
    const dir = tmp();
    saveModel(dir, model);
    const file = join(dir, 'model.json');
    const good = readFileSync(file, 'utf8');

    writeFileSync(file, good.replace('"weight":1', '"weight":2'));
    assert.throws(() => loadModel(dir), invalid(dir, 'model.json', /checksum mismatch/));

    writeFileSync(file, good.slice(0, good.length / 2));
    assert.throws(() => loadModel(dir), invalid(dir, 'model.json', /checksum mismatch|truncated/));

    // Someone who also fixes MLmodel's file checksum still trips over the payload checksum.
    const tampered = good.replace('"weight":1', '"weight":2');
    writeFileSync(file, tampered);
    const mlmodel = readFileSync(join(dir, 'MLmodel'), 'utf8');
    const { createHash } = await import('node:crypto');
    writeFileSync(join(dir, 'MLmodel'), mlmodel.replace(/data_sha256: \w+/, `data_sha256: ${createHash('sha256').update(tampered).digest('hex')}`));
    assert.throws(() => loadModel(dir), invalid(dir, 'model.json', /payload checksum mismatch/));

    rmSync(file);
    assert.throws(() => loadModel(dir), invalid(dir, 'model.json', /not found/));
    rmSync(join(dir, 'MLmodel'));
    assert.throws(() => loadModel(dir), invalid(dir, 'MLmodel', /not found/));
  });

  test('an MLmodel of another flavor or format version is refused', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'MLmodel'), 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n');
    assert.throws(() => loadModel(dir), invalid(dir, 'MLmodel', /no 'modelops_ensemble' flavor \(flavors: sklearn\)/));
    writeFileSync(join(dir, 'MLmodel'), 'flavors:\n  modelops_ensemble:\n    format: modelops.ensemble/9\n');
    assert.throws(() => loadModel(dir), invalid(dir, 'MLmodel', /unsupported model format 'modelops.ensemble\/9'/));
  });
});
