import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { predict } from '../../../src/pipeline/predict';
import { registerModel } from '../../../src/pipeline/register';
import type { TestWorkspace } from './workspace';
import { GOOD, churnCsv, openWorkspace } from './workspace';

describe('prediction', () => {
  let ws: TestWorkspace;
  let runId: string;
  before(async () => {
    ws = await openWorkspace();
    runId = await ws.trainRun(GOOD);
    await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validate: false });
    await ws.stores.registry.transitionModelVersionStage('churn', '1', 'Production', false);
    await ws.stores.registry.setRegisteredModelAlias('churn', 'champion', '1');
  });
  after(() => ws.close());

  test('writes the input rows with prediction and probability columns, and summarizes', async () => {
    const data = join(ws.dir, 'new.csv');
    writeFileSync(data, churnCsv(30, 5));
    const r = await predict(ws.stores, { model: 'models:/churn/Production', data, out: join(ws.dir, 'preds.csv'), proba: true, cwd: ws.dir });
    assert.equal(r.model.version, '1');
    assert.equal(r.summary.rows, 30);
    assert.equal(
      Object.values(r.summary.classCounts!).reduce((a, b) => a + b, 0),
      30,
    );
    const lines = readFileSync(r.outPath!, 'utf8').trim().split('\n');
    assert.equal(lines.length, 31);
    assert.equal(lines[0], 'customer_id,plan,tenure_months,support_tickets,monthly_charges,churned,prediction,probability_no,probability_yes');
    const first = lines[1]!.split(',');
    assert.ok(['yes', 'no'].includes(first[6]!));
    assert.ok(Math.abs(Number(first[7]) + Number(first[8]) - 1) < 1e-4);
  });

  test('every model URI form reaches the same model', async () => {
    const data = join(ws.dir, 'few.csv');
    writeFileSync(data, churnCsv(10, 6));
    const dir = await ws.stores.tracking.artifactLocalPath(runId, 'model');
    const answers = [];
    for (const model of ['models:/churn/1', 'models:/churn/production', 'models:/churn@champion', 'models:/churn/latest', `runs:/${runId}/model`, dir]) {
      answers.push((await predict(ws.stores, { model, data, cwd: ws.dir })).predictions);
    }
    for (const a of answers) assert.deepEqual(a, answers[0]);
  });

  test('unknown names, versions, stages and aliases fail clearly', async () => {
    const data = join(ws.dir, 'few.csv');
    for (const [model, message] of [
      ['models:/nope/1', /Registered Model with name=nope not found/],
      ['models:/churn/9', /Model Version \(name=churn, version=9\) not found/],
      ['models:/churn/Staging', /no version of 'churn' is in Staging/],
      ['models:/churn@challenger', /Registered model alias challenger not found/],
    ] as const) {
      await assert.rejects(predict(ws.stores, { model, data, cwd: ws.dir }), (e: unknown) => e instanceof ModelOpsError && message.test(e.message), model);
    }
  });

  test('bad rows are reported with line and column, and nothing is written', async () => {
    const lines = churnCsv(12, 8).trim().split('\n');
    lines[3] = lines[3]!.replace(/,(\d+),(\d+),/, ',many,$2,'); // tenure_months not a number on file line 4
    const data = join(ws.dir, 'bad.csv');
    writeFileSync(data, lines.join('\n') + '\n');
    const out = join(ws.dir, 'never.csv');
    await assert.rejects(
      predict(ws.stores, { model: 'models:/churn/Production', data, out, cwd: ws.dir }),
      (e: unknown) =>
        e instanceof ModelOpsError &&
        e.code === 'DATA_INVALID' &&
        /column 'tenure_months' expects double: 1 value\(s\) are not numbers: 'many' at .*bad\.csv:4:3/.test(e.message),
    );
    assert.equal(existsSync(out), false);
  });

  test('a missing column is an error naming the column; extra columns, missing values and unseen categories are notes', async () => {
    const missing = join(ws.dir, 'missing.csv');
    writeFileSync(missing, churnCsv(5, 9).replace(/,support_tickets/, ',tickets'));
    await assert.rejects(predict(ws.stores, { model: 'models:/churn/1', data: missing, cwd: ws.dir }), /missing column 'support_tickets'/);

    const lines = churnCsv(20, 10, { extraPlan: 'platinum' }).trim().split('\n');
    lines[0] += ',notes';
    for (let i = 1; i < lines.length; i++) lines[i] += ',x';
    lines[2] = lines[2]!.replace(/^(C\d+),(\w+),(\d+),/, '$1,$2,,'); // empty tenure on file line 3
    const data = join(ws.dir, 'odd.csv');
    writeFileSync(data, lines.join('\n') + '\n');
    const r = await predict(ws.stores, { model: 'models:/churn/1', data, cwd: ws.dir });
    assert.equal(r.predictions.length, 20);
    const kinds = r.notes.map((n) => n.kind).sort();
    assert.deepEqual(kinds, ['extra_column', 'extra_column', 'extra_column', 'missing_value', 'unseen_category']);
    assert.deepEqual(
      r.notes.filter((n) => n.kind === 'extra_column').map((n) => n.column),
      ['customer_id', 'churned', 'notes'],
    );
    const unseen = r.notes.find((n) => n.kind === 'unseen_category')!;
    assert.match(unseen.message, /category 'platinum' was not seen in training \(2 row\(s\)/);
    const gap = r.notes.find((n) => n.kind === 'missing_value')!;
    assert.match(gap.location, /odd\.csv:3:3$/);
  });

  test('a regression model adds its predicted values and summarizes their range', async () => {
    const reg = await ws.trainRun(GOOD, { target: 'monthly_charges' });
    const data = join(ws.dir, 'reg.csv');
    writeFileSync(data, churnCsv(25, 12));
    const r = await predict(ws.stores, { model: `runs:/${reg}/model`, data, out: join(ws.dir, 'reg-out.csv'), proba: true, cwd: ws.dir });
    assert.equal(r.summary.task, 'regression');
    assert.equal(r.probabilities, undefined);
    const { min, mean, max } = r.summary.range!;
    assert.ok(min <= mean && mean <= max && min >= 20 && max <= 100, JSON.stringify(r.summary.range));
    const header = readFileSync(join(ws.dir, 'reg-out.csv'), 'utf8').split('\n')[0]!;
    assert.equal(header.split(',').at(-1), 'prediction');
  });
});
