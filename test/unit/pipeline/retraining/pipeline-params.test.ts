import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CliResult } from '../../cli/run-cli';
import { runCliCaptured } from '../../cli/run-cli';
import { batches, write } from './churn-files';

/**
 * Step 2's params, each way a pipeline file can name them: fixed params (the only way for a model
 * with no version yet), tune first with a budget, and the best trial of a named study.
 */
let ws: string;
const BASE = {
  model: 'churn',
  target: 'churned',
  gates: { data: 'holdout.csv', metrics: { roc_auc: { threshold: 0.6, greater_is_better: true } } },
  inference_test: { rows: 200 },
};

const cli = (args: string[]): Promise<CliResult> => runCliCaptured(ws, args, { MODELOPS_ACTOR: 'ci' });

function pipeline(name: string, body: Record<string, unknown>): string {
  writeFileSync(join(ws, name), JSON.stringify({ ...BASE, ...body }, null, 2));
  return name;
}

async function stages(): Promise<string[]> {
  const r = await cli(['models', 'show', 'churn', '--json']);
  if (r.code !== 0) return [];
  return (JSON.parse(r.out) as { versions: { version: string; currentStage: string }[] }).versions.map((v) => `${v.version}:${v.currentStage}`).sort();
}

before(() => {
  ws = mkdtempSync(join(tmpdir(), 'modelops-pipeline-params-'));
  const b = batches();
  write(ws, 'january.csv', b.january);
  write(ws, 'february.csv', b.february);
  write(ws, 'holdout.csv', b.holdout);
});
after(() => rmSync(ws, { recursive: true, force: true }));

describe('retraining pipeline: where the training params come from', () => {
  test('"best_run" for a model with no version yet is bad input (exit 1) naming the field; nothing is registered', async () => {
    const r = await cli(['pipeline', 'run', pipeline('best.modelops.pipeline.json', { dataset: 'january.csv', training: { params: 'best_run', cv: 0 } })]);
    assert.equal(r.code, 1, `${r.out}\n${r.err}`);
    assert.match(r.err, /best\.modelops\.pipeline\.json:\d+:\d+: training\.params: "best_run" needs a registered version of 'churn'/);
    assert.deepEqual(await stages(), []);
    const experiments = await cli(['experiments', 'list', '--json']);
    assert.doesNotMatch(experiments.out, /"churn"/, 'no experiment or run was written');
  });

  test('fixed params in the file train the first version into Staging (no Production yet, so no drift reference)', async () => {
    const file = pipeline('fixed.modelops.pipeline.json', {
      dataset: 'january.csv',
      training: { params: { fixed: { rf: { nEstimators: 20 }, knn: { nNeighbors: 15 } } }, cv: 0, seed: 7 },
    });
    const r = await cli(['pipeline', 'run', file]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.err, /\[2\/4 train\] passed: .*params from the params in the pipeline file/);
    assert.match(r.out, /Version 1 of 'churn' is in Staging/);
    assert.deepEqual(await stages(), ['1:Staging']);
    const promoted = await cli(['promote', '--name', 'churn', '--version', '1', '--to', 'Production', '--approve', '--comment', 'January model']);
    assert.equal(promoted.code, 0, promoted.err);
  });

  test('tune first with a budget: a study of 2 trials, then its best trial trains the new version', async () => {
    const file = pipeline('tune.modelops.pipeline.json', {
      dataset: 'february.csv',
      training: {
        params: {
          tune: { trials: 2, cv: 0, study: 'churn-retrain', sampler: 'random', pruner: 'hyperband', pruner_options: { reduction_factor: 4 }, n_jobs: 2 },
        },
        models: ['rf'],
        cv: 0,
      },
    });
    const r = await cli(['pipeline', 'run', file]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.err, /\[2\/4 train\] passed: .*params from trial [01] of study 'churn-retrain'/);
    const study = await cli(['studies', 'show', 'churn-retrain', '--json']);
    assert.equal(study.code, 0, study.err);
    assert.match(study.out, /"number": 1/, 'the study ran its two trials');
    assert.match(study.out, /"sampler": "random",\s+"pruner": "hyperband"/, "the file's sampler and pruner");
    assert.match(study.out, /"reduction_factor": 4/, "the file's pruner options");
    assert.match(r.err, /2 trials at a time/, "the file's n_jobs");
    assert.deepEqual(await stages(), ['1:Production', '2:Staging']);
  });

  test('{"study": name} trains with the best trial of an existing study; an unknown one is bad input (exit 1) and the registry is unchanged', async () => {
    const missing = await cli([
      'pipeline',
      'run',
      pipeline('nope.modelops.pipeline.json', { dataset: 'february.csv', training: { params: { study: 'nope' }, cv: 0 } }),
    ]);
    assert.equal(missing.code, 1, `${missing.out}\n${missing.err}`);
    assert.match(missing.err, /training\.params: there is no tuning study 'nope'/);
    assert.deepEqual(await stages(), ['1:Production', '2:Staging']);
    assert.doesNotMatch(missing.err, /\[1\/4 data validation\] passed[\s\S]*\[2\/4 train\]/, 'found before step 2 started');
    const r = await cli([
      'pipeline',
      'run',
      pipeline('study.modelops.pipeline.json', { dataset: 'february.csv', training: { params: { study: 'churn-retrain' }, models: ['rf'], cv: 0 } }),
    ]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.err, /\[2\/4 train\] passed: .*params from trial [01] of study 'churn-retrain'/);
    assert.deepEqual(await stages(), ['1:Production', '2:Staging', '3:Staging']);
  });
});
