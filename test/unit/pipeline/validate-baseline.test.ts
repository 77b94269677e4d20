import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { registerModel } from '../../../src/pipeline/register';
import type { TestWorkspace } from './workspace';
import { GOOD, WEAK, openWorkspace, writeGates } from './workspace';

const alice = 'alice';

describe('the default "beats the baseline" gate', () => {
  let ws: TestWorkspace;
  before(async () => {
    ws = await openWorkspace();
  });
  after(() => ws.close());

  test('a model no better than the majority class fails it on held-out data, naming both scores, and stays in None', async () => {
    writeGates(ws, { models: { flat: { data: 'holdout.csv' } } });
    const runId = await ws.trainRun(WEAK);
    const { version, validation } = await registerModel(ws.stores, { runId, name: 'flat', actor: alice, validation: { workspace: ws.dir } });
    const gate = validation!.report.gates.find((g) => g.gate === 'baseline')!;
    assert.equal(gate.outcome, 'fail');
    assert.match(gate.name, /^beats the majority-class baseline \((accuracy|roc_auc), held-out data\)$/);
    assert.match(gate.message, /does not beat the majority-class baseline's 0\.\d+/);
    assert.equal(version.currentStage, 'None');
    assert.ok(validation!.report.noSkillMetrics?.accuracy !== undefined, 'the baseline scores are in the report');
  });

  test('a real model beats it on the same rows and reaches Staging', async () => {
    const runId = await ws.trainRun(GOOD);
    const { version, validation } = await registerModel(ws.stores, { runId, name: 'flat', actor: alice, validation: { workspace: ws.dir } });
    assert.equal(validation!.report.gates.find((g) => g.gate === 'baseline')!.outcome, 'pass');
    assert.equal(version.currentStage, 'Staging');
  });

  test("without held-out data it compares the run's logged score with the logged baseline, on the metric training chose", async () => {
    writeGates(ws, {});
    const runId = await ws.trainRun(GOOD, { example: true, metrics: { accuracy: 0.7554, baseline_accuracy: 0.7674, roc_auc: 0.69, baseline_roc_auc: 0.5 } });
    await ws.stores.tracking.logBatch(runId, { tags: [{ key: 'modelops.baseline.metric', value: 'accuracy' }] });
    const lost = await registerModel(ws.stores, { runId, name: 'logged', actor: alice, validation: { workspace: ws.dir } });
    const gate = lost.validation!.report.gates.find((g) => g.gate === 'baseline')!;
    assert.deepEqual([gate.outcome, gate.expected, gate.actual], ['fail', '> 0.7674', '0.7554']);
    assert.equal(lost.version.currentStage, 'None');
    await ws.stores.tracking.logBatch(runId, { tags: [{ key: 'modelops.baseline.metric', value: 'roc_auc' }] });
    const won = await registerModel(ws.stores, { runId, name: 'logged', actor: alice, validation: { workspace: ws.dir } });
    assert.deepEqual(won.validation!.report.gates.find((g) => g.gate === 'baseline')!.outcome, 'pass');
  });

  test('a gates file can name the metric or turn the gate off', async () => {
    const runId = await ws.trainRun(GOOD, { example: true, metrics: { accuracy: 0.7554, baseline_accuracy: 0.7674, roc_auc: 0.69, baseline_roc_auc: 0.5 } });
    writeGates(ws, { models: { picked: { beats_baseline: { metric: 'roc_auc' } }, off: { beats_baseline: false } } });
    const picked = await registerModel(ws.stores, { runId, name: 'picked', actor: alice, validation: { workspace: ws.dir } });
    assert.match(picked.validation!.report.gates.find((g) => g.gate === 'baseline')!.name, /\(roc_auc, run metrics\)/);
    const off = await registerModel(ws.stores, { runId, name: 'off', actor: alice, validation: { workspace: ws.dir } });
    assert.equal(
      off.validation!.report.gates.some((g) => g.gate === 'baseline'),
      false,
    );
  });

  test('a run that logged no baseline has the gate skipped, not passed', async () => {
    writeGates(ws, {});
    const runId = await ws.trainRun(GOOD, { example: true, metrics: { accuracy: 0.9 } });
    const { validation } = await registerModel(ws.stores, { runId, name: 'old', actor: alice, validation: { workspace: ws.dir } });
    const gate = validation!.report.gates.find((g) => g.gate === 'baseline')!;
    assert.equal(gate.outcome, 'skipped');
    assert.match(gate.message, /logged no baseline score/);
  });
});
