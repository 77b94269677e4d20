import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../../../src/ml/dataset/csv';
import { sketchColumn } from '../../../../src/ml/drift/sketch';
import { promoteModelVersion } from '../../../../src/pipeline/promote';
import { registerModel } from '../../../../src/pipeline/register';
import { retrain } from '../../../../src/pipeline/retrain';
import type { DataCheck } from '../../../../src/pipeline/retraining/data-checks';
import { validateData } from '../../../../src/pipeline/retraining/data-validation';
import { defaultPipeline } from '../../../../src/pipeline/retraining/pipeline-file';
import type { ReferenceModel } from '../../../../src/pipeline/retraining/reference';
import { churnCsv, GOOD, openWorkspace } from '../workspace';

const CSV = ['id,plan,age,score,label', '1,basic,30,0.5,yes', '2,pro,41,x,no', '3,gold,250,0.7,no', '4,basic,,0.1,no', '5,basic,52,0.2,'].join('\n');
const table = parseCsv(`${CSV}\n`, 'new.csv');
const reference: ReferenceModel = {
  name: 'm',
  version: '1',
  stage: 'Production',
  runId: 'r1',
  task: 'classification',
  target: 'label',
  classes: ['no', 'yes'],
  columns: [
    { name: 'plan', type: 'categorical', required: true, sketch: sketchColumn('plan', 'categorical', ['basic', 'pro', 'basic']) },
    { name: 'age', type: 'numeric', required: true, sketch: sketchColumn('age', 'numeric', ['20', '60', '35']) },
    { name: 'score', type: 'numeric', required: true },
    { name: 'tenure', type: 'numeric', required: true },
  ],
};

function find(checks: DataCheck[], test: string, column?: string): DataCheck {
  const c = checks.find((x) => x.test === test && x.column === column);
  assert.ok(c, `a ${test} check of ${column}: ${JSON.stringify(checks.map((x) => [x.test, x.column]))}`);
  return c;
}

test('defaults from the reference: columns, types, training categories, training range, missing share, the target', () => {
  const spec = defaultPipeline({ model: 'm', dataset: 'new.csv' });
  const r = validateData({ spec, target: 'label', table, schemaRef: reference });
  assert.equal(r.passed, false);
  assert.match(find(r.checks, 'columns', 'tenure').message, /new\.csv:1: column 'tenure' is missing/);
  const type = find(r.checks, 'type', 'score');
  assert.equal(type.outcome, 'fail');
  assert.equal(type.location, 'new.csv:3:4');
  assert.match(find(r.checks, 'new categories', 'plan').message, /'gold' \(1 row\(s\), first at new\.csv:4:2\)/);
  assert.match(find(r.checks, 'training range', 'age').message, /25% of the values are outside the training range \[20, 60\], e\.g\. 250 at new\.csv:4:3/);
  assert.equal(find(r.checks, 'missing values', 'age').outcome, 'pass', '1 of 5 missing: the training share (0%) + 20% is allowed, inclusive');
  assert.match(find(r.checks, 'target', 'label').message, /missing or invalid on 1 of 5 rows/);
  assert.equal(find(r.checks, 'dataset drift').outcome, 'skipped', 'no Production reference was given');
});

test('the file’s expectations replace the defaults: allowed categories, ranges, missing share, rows, classes, balance, extra columns', () => {
  const spec = defaultPipeline({ model: 'm', dataset: 'new.csv' });
  spec.expectations = {
    ...spec.expectations,
    minRows: 10,
    extraColumns: 'fail',
    newCategories: 'warn',
    columns: { plan: { allowed: ['basic', 'pro', 'gold'] }, age: { min: 0, max: 120, maxMissing: 0.5 } },
    classBalance: { minShare: 0.3, classes: ['no', 'yes', 'maybe'] },
  };
  const r = validateData({ spec, target: 'label', table, schemaRef: reference });
  assert.equal(find(r.checks, 'rows').outcome, 'fail');
  assert.equal(find(r.checks, 'allowed categories', 'plan').outcome, 'pass');
  assert.match(find(r.checks, 'range', 'age').message, /1 value\(s\) outside \[0, 120\]: 250 at new\.csv:4:3/);
  assert.equal(find(r.checks, 'missing values', 'age').outcome, 'pass');
  assert.match(find(r.checks, 'columns').message, /column\(s\) the model does not take: id/);
  assert.equal(find(r.checks, 'columns').outcome, 'fail');
  assert.match(find(r.checks, 'class balance', 'label').message, /expected classes absent: maybe; class 'yes' holds 25% of the rows, less than 30%/);
});

test('a CSV that cannot be read fails data validation (exit 3), naming where', () => {
  const spec = defaultPipeline({ model: 'm', dataset: 'bad.csv' });
  let error: unknown;
  try {
    parseCsv('a,b\n1,2,3,4\n"open', 'bad.csv');
  } catch (e) {
    error = e;
  }
  const r = validateData({ spec, target: 'b', table: error as never });
  assert.equal(r.passed, false);
  assert.equal(r.checks[0]!.test, 'parse');
  assert.match(r.checks[0]!.message, /bad\.csv/);
});

test('a model saved before training profiles keeps working: the drift reference is missing, categories come from the model', async () => {
  const ws = await openWorkspace();
  try {
    const runId = await ws.trainRun(GOOD, { example: true });
    await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validation: { workspace: ws.dir } });
    await promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: 'old model', actor: 'alice' });
    writeFileSync(join(ws.dir, 'next.csv'), churnCsv(300, 5));
    const ok = await retrain(ws.stores, { name: 'churn', data: 'next.csv', actor: 'ci', workspace: ws.dir, dryRun: true });
    assert.equal(ok.report.exitCode, 0, ok.markdown);
    assert.match(
      find(ok.report.dataValidation.checks, 'dataset drift').message,
      /the drift reference is missing: Production version 1 was saved without a training profile/,
    );
    writeFileSync(join(ws.dir, 'odd.csv'), churnCsv(300, 5, { extraPlan: 'platinum' }));
    const odd = await retrain(ws.stores, { name: 'churn', data: 'odd.csv', actor: 'ci', workspace: ws.dir, dryRun: true });
    assert.equal(odd.report.exitCode, 3);
    assert.match(find(odd.report.dataValidation.checks, 'new categories', 'plan').message, /'platinum'/);
  } finally {
    await ws.close();
  }
});
