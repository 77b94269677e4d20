import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { registerModel } from '../../../src/pipeline/register';
import { validateModelVersion } from '../../../src/pipeline/validate';
import type { TestWorkspace } from './workspace';
import { GOOD, WEAK, openWorkspace, writeGates } from './workspace';

const alice = 'alice';

describe('validation gates', () => {
  let ws: TestWorkspace;
  before(async () => {
    ws = await openWorkspace();
    writeGates(ws, {
      models: {
        churn: {
          data: 'holdout.csv',
          metrics: { accuracy: { threshold: 0.75, min_absolute_change: 0.01, greater_is_better: true } },
          smoke_test: { rows: 50 },
          max_size_mb: 50,
        },
      },
    });
  });
  after(() => ws.close());

  test('promotes to Staging when every gate passes, with a stored report and report artifacts', async () => {
    const runId = await ws.trainRun(GOOD);
    const { version, validation } = await registerModel(ws.stores, { runId, name: 'churn', actor: alice, validation: { workspace: ws.dir } });
    assert.equal(version.source, `runs:/${runId}/model`);
    assert.equal(version.currentStage, 'Staging');
    const report = validation!.report;
    assert.equal(report.passed, true);
    assert.deepEqual(
      report.gates.map((g) => [g.gate, g.outcome]),
      [
        ['data', 'pass'],
        ['metric', 'pass'],
        ['metric', 'skipped'],
        ['baseline', 'pass'],
        ['signature', 'skipped'],
        ['smoke_test', 'pass'],
        ['size', 'pass'],
      ],
    );
    // The verdicts that judged a metric name it (the review panel keys on it), and only those.
    assert.deepEqual(
      report.gates.map((g) => g.metric),
      [undefined, 'accuracy', 'accuracy', 'accuracy', undefined, undefined, undefined],
    );
    assert.ok(report.candidateMetrics.accuracy! >= 0.75);
    assert.deepEqual(await ws.stores.registry.getValidationReport(report.reportId), report);
    const artifacts = await ws.stores.tracking.listArtifacts(runId, 'validation');
    assert.equal(artifacts.length, 2);
    const txt = readFileSync(join(await ws.stores.tracking.artifactLocalPath(runId, validation!.artifacts[1]!)), 'utf8');
    assert.match(txt, /PASSED \(None → Staging\)/);
    const trail = await ws.stores.registry.getAuditTrail('churn', version.version);
    assert.deepEqual(
      trail.map((e) => [e.action, e.fromStage, e.toStage, e.reportId]),
      [
        ['register', null, 'None', null],
        ['validate', 'None', 'Staging', report.reportId],
      ],
    );
  });

  test('a version that fails a gate stays in None with its report saying expected and actual', async () => {
    const runId = await ws.trainRun(WEAK);
    const { version, validation } = await registerModel(ws.stores, { runId, name: 'churn', actor: alice, validation: { workspace: ws.dir } });
    assert.equal(version.currentStage, 'None');
    const failed = validation!.report.gates.find((g) => g.outcome === 'fail')!;
    assert.equal(failed.gate, 'metric');
    assert.match(failed.expected, />= 0.75/);
    assert.match(failed.actual, /^0\.\d+/);
    const trail = await ws.stores.registry.getAuditTrail('churn', version.version);
    assert.deepEqual(trail.at(-1)!.toStage, 'None');
    assert.equal(trail.at(-1)!.reportId, validation!.report.reportId);
    assert.equal((await ws.stores.registry.listValidationReports('churn', version.version)).length, 1);
  });

  test('compares with the current Production version on the same held-out data', async () => {
    await ws.stores.registry.transitionModelVersionStage('churn', '1', 'Production', true, { actor: alice });
    const runId = await ws.trainRun(GOOD, { seed: 7 });
    const { validation } = await registerModel(ws.stores, { runId, name: 'churn', actor: alice, validation: { workspace: ws.dir } });
    const report = validation!.report;
    assert.deepEqual(report.baseline?.version, '1');
    assert.equal(report.data?.rows, 200);
    const change = report.gates.find((g) => g.name.startsWith('accuracy min absolute change'))!;
    // Same training data and seed: same accuracy as Production, so "at least 0.01 better" fails.
    assert.equal(report.baselineMetrics!.accuracy, report.candidateMetrics.accuracy);
    assert.equal(change.outcome, 'fail');
    assert.equal(report.gates.find((g) => g.gate === 'signature')!.outcome, 'pass');
    assert.equal(validation!.version.currentStage, 'None');
  });

  test('a candidate needing fewer inputs than Production passes the signature gate; one needing a new input fails it', async () => {
    writeGates(ws, { models: { churn: { data: 'holdout.csv', smoke_test: false }, lean: { data: 'holdout.csv' } } });
    const runId = await ws.trainRun(GOOD, { dropColumn: 'plan' });
    // force: registration refuses a version whose inputs differ (register-match.ts); the gate is what is tested here.
    const { validation } = await registerModel(ws.stores, { runId, name: 'churn', actor: alice, force: true, validation: { workspace: ws.dir } });
    // Callers of Production still send 'plan'; the candidate ignores it.
    assert.equal(validation!.report.gates.find((g) => g.gate === 'signature')!.outcome, 'pass');

    const leanRun = await ws.trainRun(GOOD, { dropColumn: 'plan' });
    await registerModel(ws.stores, { runId: leanRun, name: 'lean', actor: alice, validation: { workspace: ws.dir } });
    await ws.stores.registry.transitionModelVersionStage('lean', '1', 'Production', true, { actor: alice });
    const fullRun = await ws.trainRun(GOOD);
    const full = await registerModel(ws.stores, { runId: fullRun, name: 'lean', actor: alice, force: true, validation: { workspace: ws.dir } });
    const gate = full.validation!.report.gates.find((g) => g.gate === 'signature')!;
    assert.equal(gate.outcome, 'fail');
    assert.match(gate.message, /requires input 'plan' \(string\) that Production does not take/);
    assert.equal(full.version.currentStage, 'None');
  });

  test('validate without a version takes the newest unvalidated version in None', async () => {
    const runId = await ws.trainRun(GOOD);
    const { version } = await registerModel(ws.stores, { runId, name: 'churn', actor: alice, validate: false });
    const result = await validateModelVersion(ws.stores, { name: 'churn', actor: alice, workspace: ws.dir });
    assert.equal(result.report.version, version.version);
    await assert.rejects(
      validateModelVersion(ws.stores, { name: 'churn', actor: alice, workspace: ws.dir }),
      (e: unknown) => e instanceof ModelOpsError && /no unvalidated version in None/.test(e.message),
    );
  });

  test('a malformed gates file stops validation with the field named', async () => {
    writeGates(ws, { models: { churn: { metrics: { accuracy: { threshold: 0.5 } } } } });
    await assert.rejects(
      validateModelVersion(ws.stores, { name: 'churn', version: '1', actor: alice, workspace: ws.dir }),
      (e: unknown) => e instanceof ModelOpsError && /models\.churn\.metrics\.accuracy\.greater_is_better: is required/.test(e.message),
    );
  });

  test("without held-out data, metric gates use the runs' logged metrics and the smoke test scores the input example", async () => {
    writeGates(ws, { models: { solo: { metrics: { accuracy: { threshold: 0.8, greater_is_better: true } } } } });
    const good = await ws.trainRun(GOOD, { example: true, metrics: { accuracy: 0.85 } });
    const a = await registerModel(ws.stores, { runId: good, name: 'solo', actor: alice, validation: { workspace: ws.dir } });
    assert.deepEqual(
      a.validation!.report.gates.map((g) => [g.name, g.outcome]),
      [
        ['accuracy threshold (run metrics)', 'pass'],
        ['beats the majority-class baseline', 'skipped'],
        ['signature compatible with Production', 'skipped'],
        ['inference smoke test on 5 input example rows', 'pass'],
      ],
    );
    assert.equal(a.version.currentStage, 'Staging');
    const weak = await ws.trainRun(GOOD, { example: true, metrics: { accuracy: 0.7 } });
    const b = await registerModel(ws.stores, { runId: weak, name: 'solo', actor: alice, validation: { workspace: ws.dir } });
    assert.equal(b.version.currentStage, 'None');
    assert.equal(b.validation!.report.gates[0]!.actual, '0.7');
  });

  test('held-out rows with a label the model never saw are named in the report and left out of the metrics', async () => {
    const lines = readFileSync(join(ws.dir, 'holdout.csv'), 'utf8').trim().split('\n');
    lines[1] = lines[1]!.replace(/,(yes|no)$/, ',maybe');
    writeFileSync(join(ws.dir, 'odd-holdout.csv'), lines.join('\n') + '\n');
    writeGates(ws, { models: { odd: { data: 'odd-holdout.csv' } } });
    const runId = await ws.trainRun(GOOD);
    const { validation } = await registerModel(ws.stores, { runId, name: 'odd', actor: alice, validation: { workspace: ws.dir } });
    const gate = validation!.report.gates.find((g) => g.gate === 'data')!;
    assert.equal(gate.outcome, 'pass');
    assert.match(gate.message, /1 row\(s\) with labels the model never saw \('maybe'\) are left out of the metrics/);
    assert.ok(Number.isFinite(validation!.report.candidateMetrics.accuracy));
  });

  test('registering a run without a model says so', async () => {
    const run = await ws.stores.tracking.createRun({ experimentId: '0' });
    await assert.rejects(
      registerModel(ws.stores, { runId: run.info.runId, name: 'churn', actor: alice }),
      (e: unknown) => e instanceof ModelOpsError && /has no model at 'model'/.test(e.message),
    );
    assert.ok(existsSync(ws.dir));
  });
});
