import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { promoteModelVersion } from '../../../src/pipeline/promote';
import { registerModel } from '../../../src/pipeline/register';
import { retrain } from '../../../src/pipeline/retrain';
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
    const steps: string[] = [];
    const r = await retrain(ws.stores, { name: 'churn', data: 'v2.csv', actor: 'ci', workspace: ws.dir, onProgress: (s) => steps.push(s) });
    assert.deepEqual(steps, ['data', 'params', 'train', 'validate', 'inference']);
    assert.equal(r.reference.version, '1');
    assert.equal(r.paramsFrom.runId, first.runId);
    const run = await ws.stores.tracking.getRun(r.trainRunId);
    const param = (k: string): string | undefined => run.data.params.find((p) => p.key === k)?.value;
    assert.equal(param('rf.nEstimators'), '12');
    assert.equal(param('rf.maxDepth'), '8');
    assert.equal(param('seed'), '3');
    assert.equal(r.registered.version.version, '2');
    assert.equal(r.registered.version.currentStage, 'Staging');
    assert.deepEqual(r.inference, { rows: 400, ok: true, message: '400 rows scored' });

    writeFileSync(join(ws.dir, 'bad.csv'), churnCsv(50, 23).replace(/,support_tickets/, ',tickets'));
    await assert.rejects(
      retrain(ws.stores, { name: 'churn', data: 'bad.csv', actor: 'ci', workspace: ws.dir }),
      (e: unknown) => e instanceof ModelOpsError && /lacks input column\(s\) support_tickets/.test(e.message),
    );
  } finally {
    await ws.close();
  }
});
