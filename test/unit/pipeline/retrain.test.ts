import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promoteModelVersion } from '../../../src/pipeline/promote';
import { registerModel } from '../../../src/pipeline/register';
import { retrain } from '../../../src/pipeline/retrain';
import type { PipelineEvent } from '../../../src/pipeline/retraining/run-pipeline';
import { train } from '../../../src/pipeline/train';
import { churnCsv, openWorkspace, writeGates } from './workspace';

test('retrain checks the data, reuses the best run params, registers, validates to Staging and scores the new data', async () => {
  const ws = await openWorkspace();
  try {
    writeGates(ws, { models: { churn: { data: 'holdout.csv', metrics: { accuracy: { threshold: 0.6, greater_is_better: true } } } } });
    writeFileSync(join(ws.dir, 'v1.csv'), churnCsv(400, 21));
    const first = await train(ws.stores.tracking, {
      data: join(ws.dir, 'v1.csv'),
      target: 'churned',
      experiment: 'churn',
      cv: 0,
      seed: 3,
      params: { rf: { nEstimators: 12, maxDepth: 8 } },
      threads: 1,
      workspace: ws.dir,
    });
    await registerModel(ws.stores, { runId: first.runId, name: 'churn', actor: 'alice', validation: { workspace: ws.dir } });
    await promoteModelVersion(ws.stores, { name: 'churn', version: '1', approve: true, comment: 'v1', actor: 'alice' });

    writeFileSync(join(ws.dir, 'v2.csv'), churnCsv(400, 22));
    const events: PipelineEvent[] = [];
    const { report: r } = await retrain(ws.stores, { name: 'churn', data: 'v2.csv', actor: 'ci', workspace: ws.dir, onEvent: (e) => events.push(e) });
    assert.deepEqual(
      events.filter((e) => e.kind === 'end').map((e) => [e.step, e.status]),
      [
        ['data_validation', 'passed'],
        ['train', 'passed'],
        ['validate', 'passed'],
        ['inference_test', 'passed'],
      ],
    );
    assert.equal(r.exitCode, 0);
    assert.equal(r.dataValidation.reference?.version, '1');
    assert.equal(r.training?.fromRunId, first.runId);
    const run = await ws.stores.tracking.getRun(r.training!.runId);
    const param = (k: string): string | undefined => run.data.params.find((p) => p.key === k)?.value;
    assert.equal(param('rf.nEstimators'), '12');
    assert.equal(param('rf.maxDepth'), '8');
    assert.equal(param('seed'), '3');
    assert.deepEqual(r.registered, { version: '2', stage: 'Staging' });
    assert.equal(r.inference?.rows, 400);
    assert.equal(r.inference?.passed, true);

    writeFileSync(join(ws.dir, 'bad.csv'), churnCsv(50, 23).replace(/,support_tickets/, ',tickets'));
    const bad = await retrain(ws.stores, { name: 'churn', data: 'bad.csv', actor: 'ci', workspace: ws.dir });
    assert.equal(bad.report.exitCode, 3);
    const missing = bad.report.dataValidation.checks.find((c) => c.outcome === 'fail' && c.column === 'support_tickets');
    assert.match(missing?.message ?? '', /column 'support_tickets' is missing; the new data has 'tickets' instead/);
  } finally {
    await ws.close();
  }
});
