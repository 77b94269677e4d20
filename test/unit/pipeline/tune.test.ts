import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { TAG } from '../../../src/core/tracking';
import type { PrunerName, SamplerName, TuneOptions } from '../../../src/pipeline/tune';
import { tune } from '../../../src/pipeline/tune';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import { FAIL_REASON_TAG } from '../../../src/core/tuning';
import type { CliResult } from '../cli/run-cli';
import { runCliCaptured } from '../cli/run-cli';
import { example } from '../ml/helpers';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'modelops-tune-test-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function stores(dir: string): Promise<Stores> {
  return openStores(join(dir, 'mlflow.db'));
}

/** Small and quick: 10 trees, a space without the forest size. */
const QUICK: Partial<TuneOptions> = {
  cv: 3,
  params: { rf: { nEstimators: 10 } },
  space: { 'rf.minSamplesLeaf': { type: 'int', low: 1, high: 8 }, 'knn.nNeighbors': { type: 'int', low: 1, high: 15 }, 'knn.weights': ['uniform', 'distance'] },
};

describe('tune pipeline', () => {
  test('each trial is a nested run with train-style params and CV metrics; the study, its best and best_params.json are stored', async () => {
    const s = await stores(tempDir());
    const r = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 6, pruner: 'none', ...QUICK });
    assert.equal(r.trials.length, 6);
    assert.ok(r.trials.every((t) => t.state === 'COMPLETE'));
    assert.equal(r.metric, 'accuracy');
    assert.equal(r.direction, 'maximize');
    assert.equal(r.best!.value, Math.max(...r.trials.map((t) => t.value!)));
    const parent = await s.tracking.getRun(r.runId);
    assert.equal(parent.info.status, 'FINISHED');
    assert.equal(parent.data.tags.find((t) => t.key === 'modelops.best_trial')?.value, String(r.best!.number));
    const trialRun = await s.tracking.getRun(r.best!.runId!);
    assert.equal(trialRun.data.tags.find((t) => t.key === TAG.parentRunId)?.value, r.runId);
    const params = Object.fromEntries(trialRun.data.params.map((p) => [p.key, p.value]));
    assert.equal(params.models, 'rf,knn');
    assert.equal(params['rf.nEstimators'], '10');
    assert.equal(params['knn.nNeighbors'], String(r.best!.params['knn.nNeighbors']));
    assert.deepEqual(
      (await s.tracking.getMetricHistory(trialRun.info.runId, 'cv_accuracy')).map((m) => m.step),
      [0, 1, 2],
    );
    assert.equal(trialRun.data.metrics.find((m) => m.key === 'accuracy')?.value, r.best!.value);
    const best = JSON.parse(readFileSync(await s.tracking.artifactLocalPath(r.runId, 'best_params.json'), 'utf8')) as {
      trial: number;
      paramsFile: { knn: Record<string, unknown> };
    };
    assert.equal(best.trial, r.best!.number);
    assert.equal(best.paramsFile.knn.nNeighbors, r.best!.params['knn.nNeighbors']);
    const stored = await s.studies.getStudy(r.study);
    assert.deepEqual(
      stored!.trials.map((t) => [t.number, t.state, t.value]),
      r.trials.map((t) => [t.number, t.state, t.value]),
    );
    await s.close();
  });

  test('--n-jobs 2 runs the trials on worker threads with the same runs, tags, metrics and study records as one at a time', async () => {
    // The random sampler draws each trial's params from (seed, number) alone, so both sessions try
    // the same params and, with seeded fits, must log the same values; the TPE's would differ.
    const session = async (nJobs: number): Promise<{ runs: unknown[]; trials: unknown[]; said: string[] }> => {
      const s = await stores(tempDir());
      const said: string[] = [];
      const opts = { data: example('iris.csv'), target: 'species', trials: 5, sampler: 'random' as const, pruner: 'none' as const, ...QUICK };
      const r = await tune(s.tracking, s.studies, { ...opts, nJobs, onProgress: (m) => said.push(m) });
      const runs = [];
      for (const t of [...r.trials].sort((a, b) => a.number - b.number)) {
        const run = await s.tracking.getRun(t.runId!);
        const history = await s.tracking.getMetricHistory(run.info.runId, 'cv_accuracy');
        runs.push({
          name: run.info.runName,
          status: run.info.status,
          parent: run.data.tags.find((g) => g.key === TAG.parentRunId)?.value === r.runId,
          tags: run.data.tags
            .filter((g) => g.key.startsWith('modelops.'))
            .map((g) => `${g.key}=${g.value}`)
            .sort(),
          params: run.data.params.map((p) => `${p.key}=${p.value}`).sort(),
          metrics: run.data.metrics.map((m) => `${m.key}=${m.value}@${m.step}`).sort(),
          history: history.map((m) => [m.step, m.value]),
        });
      }
      const stored = await s.studies.getStudy(r.study);
      const trials = stored!.trials.map((t) => [t.number, t.state, t.value, t.params, t.intermediate, t.runId === r.trials[t.number].runId]);
      await s.close();
      return { runs, trials, said };
    };
    const one = await session(1);
    const two = await session(2);
    assert.ok(
      two.said.some((m) => m.includes('2 trials at a time on worker threads')),
      two.said.join('\n'),
    );
    assert.equal(two.runs.length, 5);
    assert.deepEqual(two.runs, one.runs);
    assert.deepEqual(two.trials, one.trials);
  });

  test('--n-jobs 2: a trial whose fit fails on its worker fails alone (FAIL, run FAILED), the error names it, the others end', async () => {
    const s = await stores(tempDir());
    // 100 training rows per fold: 1000 neighbours fails in the worker's fit, 5 fits.
    const space = { 'knn.nNeighbors': [5, 1000] };
    await assert.rejects(
      tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'bad', trials: 8, sampler: 'random', nJobs: 2, ...QUICK, space }),
      /nNeighbors \(1000\) is larger than the \d+ training rows/,
    );
    const stored = (await s.studies.getStudy('bad'))!;
    // Trial 0 draws 5 and trial 1 draws 1000 (seed 42): trial 0 was in flight beside the failure.
    assert.deepEqual(
      stored.trials.slice(0, 2).map((t) => t.state),
      ['COMPLETE', 'FAIL'],
    );
    for (const t of stored.trials) {
      assert.equal(t.state, t.params['knn.nNeighbors'] === 1000 ? 'FAIL' : 'COMPLETE', `trial ${t.number}`);
      const run = await s.tracking.getRun(t.runId!);
      assert.equal(run.info.status, t.state === 'FAIL' ? 'FAILED' : 'FINISHED');
      // Why it failed is kept with the trial and on its run, as Optuna's fail_reason.
      const tag = run.data.tags.find((x) => x.key === FAIL_REASON_TAG)?.value;
      if (t.state === 'FAIL') {
        assert.match(t.failReason ?? '', /nNeighbors \(1000\) is larger than the \d+ training rows/);
        assert.equal(tag, t.failReason);
      } else assert.equal(t.failReason ?? tag, undefined);
    }
    assert.equal((await s.tracking.getRun(stored.study.runId)).info.status, 'FAILED');
    await s.close();
  });

  test('--n-jobs 2: cancelling stops the workers, leaves no trial or run RUNNING, and the study resumes', async () => {
    const s = await stores(tempDir());
    const abort = new AbortController();
    const opts = { data: example('iris.csv'), target: 'species', study: 'stop2', ...QUICK };
    await assert.rejects(
      tune(s.tracking, s.studies, { ...opts, trials: 8, nJobs: 2, signal: abort.signal, onTrial: () => abort.abort() }),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'CANCELLED',
    );
    const stored = (await s.studies.getStudy('stop2'))!;
    assert.ok(stored.trials.length >= 1 && stored.trials.length <= 3, `${stored.trials.length} trials`);
    for (const t of stored.trials) {
      assert.notEqual(t.state, 'RUNNING');
      assert.notEqual((await s.tracking.getRun(t.runId!)).info.status, 'RUNNING');
    }
    assert.equal((await s.tracking.getRun(stored.study.runId)).info.status, 'KILLED');
    const again = await tune(s.tracking, s.studies, { ...opts, trials: 2, nJobs: 2 });
    assert.equal(again.trials.length, stored.trials.length + 2);
    assert.ok(again.trials.slice(-2).every((t) => t.state === 'COMPLETE'));
    await s.close();
  });

  test('--n-jobs outside 1 to twice the cores is refused by name before anything is written', async () => {
    const s = await stores(tempDir());
    for (const nJobs of [0, 2.5, availableParallelism() * 2 + 1])
      await assert.rejects(
        tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 1, nJobs, ...QUICK }),
        (e: unknown) => e instanceof ModelOpsError && e.location === 'n-jobs' && /--n-jobs must be an integer from 1 to \d+/.test(e.message),
      );
    assert.deepEqual(await s.studies.listStudies(), []);
    await s.close();
  });

  test('running again with the same study name continues it (numbers, parent run); a changed setting is refused by name', async () => {
    const dir = tempDir();
    const s = await stores(dir);
    const first = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'iris-tune', trials: 3, ...QUICK });
    const second = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'iris-tune', trials: 2, ...QUICK });
    assert.equal(second.resumed, true);
    assert.equal(second.runId, first.runId);
    assert.deepEqual(
      second.trials.map((t) => t.number),
      [0, 1, 2, 3, 4],
    );
    await assert.rejects(
      tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'iris-tune', trials: 1, ...QUICK, cv: 5 }),
      (e: unknown) => e instanceof ModelOpsError && /cv 3, not 5/.test(e.message),
    );
    await assert.rejects(
      tune(s.tracking, s.studies, {
        data: example('iris.csv'),
        target: 'species',
        study: 'iris-tune',
        trials: 1,
        ...QUICK,
        space: { 'knn.nNeighbors': { type: 'int', low: 1, high: 5 } },
      }),
      /different search space/,
    );
    await s.close();
  });

  test('--train-best trains the best params as a full run with a model, nested under the study', async () => {
    const s = await stores(tempDir());
    const r = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 3, trainBest: true, ...QUICK });
    const run = await s.tracking.getRun(r.bestRun!.runId);
    assert.equal(run.data.tags.find((t) => t.key === TAG.parentRunId)?.value, r.runId);
    assert.ok((await s.tracking.listArtifacts(run.info.runId)).some((a) => a.path === 'model'));
    assert.equal(run.data.params.find((p) => p.key === 'knn.nNeighbors')?.value, String(r.best!.params['knn.nNeighbors']));
    await s.close();
  });

  test('cancelling between trials starts no new trial, marks the study run KILLED, and the study resumes', async () => {
    const s = await stores(tempDir());
    const abort = new AbortController();
    await assert.rejects(
      tune(s.tracking, s.studies, {
        data: example('iris.csv'),
        target: 'species',
        study: 'stop',
        trials: 5,
        ...QUICK,
        signal: abort.signal,
        onTrial: (t) => {
          if (t.number === 1) abort.abort();
        },
      }),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'CANCELLED',
    );
    const stored = await s.studies.getStudy('stop');
    assert.deepEqual(
      stored!.trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE'],
    );
    assert.equal((await s.tracking.getRun(stored!.study.runId)).info.status, 'KILLED');
    const again = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'stop', trials: 1, ...QUICK });
    assert.deepEqual(
      again.trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE', 'COMPLETE'],
    );
    assert.equal((await s.tracking.getRun(again.runId)).info.status, 'FINISHED');
    await s.close();
  });

  test('a trial a crash left RUNNING is recorded as failed, its run too, when the study resumes', async () => {
    const s = await stores(tempDir());
    const first = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'crash', trials: 1, ...QUICK });
    // What a killed process leaves behind: a RUNNING trial row and its RUNNING run.
    const run = await s.tracking.createRun({ experimentId: first.experimentId, parentRunId: first.runId });
    await s.studies.saveTrial('crash', { number: 1, state: 'RUNNING', params: first.trials[0].params, intermediate: {}, runId: run.info.runId });
    const again = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'crash', trials: 1, ...QUICK });
    assert.deepEqual(
      again.trials.map((t) => [t.number, t.state]),
      [
        [0, 'COMPLETE'],
        [1, 'FAIL'],
        [2, 'COMPLETE'],
      ],
    );
    const failed = (await s.studies.getStudy('crash'))!.trials[1];
    assert.equal(failed.state, 'FAIL');
    assert.match(failed.failReason ?? '', /^interrupted: /);
    const ended = await s.tracking.getRun(run.info.runId);
    assert.equal(ended.info.status, 'FAILED');
    assert.equal(ended.data.tags.find((x) => x.key === FAIL_REASON_TAG)?.value, failed.failReason);
    await s.close();
  });

  test('a search space naming an unknown or absent member is refused before any run is written', async () => {
    const s = await stores(tempDir());
    for (const [space, mention] of [
      [{ 'svm.C': { type: 'float', low: 0.1, high: 10 } }, 'svm.C'],
      [{ 'tree.maxDepth': [2, 4] }, 'not among --models'],
      [{ colour: ['red'] }, "unknown parameter 'colour'"],
    ] as const) {
      await assert.rejects(
        tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 1, space }),
        (e: unknown) => e instanceof ModelOpsError && e.message.includes(mention),
      );
    }
    assert.equal((await s.tracking.searchRuns({ experimentIds: ['0'] })).items.length, 0);
    assert.equal((await s.studies.listStudies()).length, 0);
    await s.close();
  });

  test("a metric the trials do not report is refused before anything is written; a member's own score can be optimised", async () => {
    const s = await stores(tempDir());
    for (const [data, target, metric] of [
      ['iris.csv', 'species', 'r2'],
      ['diabetes.csv', 'progression', 'accuracy'],
      ['iris.csv', 'species', 'knn_r2'],
    ] as const) {
      await assert.rejects(
        tune(s.tracking, s.studies, { data: example(data), target, trials: 1, metric, ...QUICK }),
        (e: unknown) => e instanceof ModelOpsError && e.message.includes(`'${metric}'`),
      );
    }
    assert.equal((await s.tracking.searchRuns({ experimentIds: ['0'] })).items.length, 0);
    assert.equal((await s.studies.listStudies()).length, 0);
    const r = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 2, metric: 'knn_accuracy', ...QUICK });
    assert.ok(r.trials.every((t) => t.state === 'COMPLETE' && typeof t.value === 'number'));
    assert.equal(r.metric, 'knn_accuracy');
    await s.close();
  });

  test('successive halving and hyperband prune between folds; the study keeps the pruner and resumes with it', async () => {
    const s = await stores(tempDir());
    for (const pruner of ['successive-halving', 'hyperband'] as const) {
      const r = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: `iris-${pruner}`, trials: 4, pruner, ...QUICK });
      assert.equal(r.pruner, pruner);
      assert.ok(r.trials.every((t) => t.state === 'COMPLETE' || t.state === 'PRUNED'));
      assert.equal((await s.studies.getStudy(`iris-${pruner}`))!.study.pruner, pruner);
      const again = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: `iris-${pruner}`, trials: 1, ...QUICK });
      assert.equal(again.pruner, pruner);
    }
    await s.close();
  });

  test('a study tuned with tpe-multivariate keeps its sampler in the store and resumes with it past the startup trials', async () => {
    const dir = tempDir();
    let s = await stores(dir);
    const first = await tune(s.tracking, s.studies, {
      data: example('iris.csv'),
      target: 'species',
      study: 'iris-mv',
      trials: 10,
      sampler: 'tpe-multivariate',
      pruner: 'none',
      ...QUICK,
    });
    assert.equal(first.sampler, 'tpe-multivariate');
    await s.close();
    s = await stores(dir);
    assert.equal((await s.studies.getStudy('iris-mv'))!.study.sampler, 'tpe-multivariate');
    const again = await tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', study: 'iris-mv', trials: 2, ...QUICK });
    assert.equal(again.sampler, 'tpe-multivariate');
    assert.equal(again.resumed, true);
    assert.deepEqual(
      again.trials.map((t) => t.number),
      Array.from({ length: 12 }, (_, i) => i),
    );
    assert.ok(again.trials.every((t) => t.state === 'COMPLETE'));
    await s.close();
  });

  test('an unknown sampler or pruner (not through the CLI) is refused before any study or run is written', async () => {
    const s = await stores(tempDir());
    await assert.rejects(
      tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 1, ...QUICK, sampler: 'anneal' as SamplerName }),
      /--sampler: sampler must be one of .*'anneal'/,
    );
    await assert.rejects(
      tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 1, ...QUICK, pruner: 'patience' as PrunerName }),
      /--pruner: pruner must be one of .*'patience'/,
    );
    assert.equal((await s.tracking.searchRuns({ experimentIds: ['0'] })).items.length, 0);
    assert.equal((await s.studies.listStudies()).length, 0);
    await s.close();
  });

  test('a search space file that is not JSON is named in the error', async () => {
    const dir = tempDir();
    const file = join(dir, 'space.json');
    writeFileSync(file, '{"knn.nNeighbors": {type: int}}');
    const s = await stores(dir);
    await assert.rejects(
      tune(s.tracking, s.studies, { data: example('iris.csv'), target: 'species', trials: 1, space: file }),
      (e: unknown) => e instanceof ModelOpsError && e.message.startsWith(file),
    );
    await s.close();
  });
});

const cli = (cwd: string, ...argv: string[]): Promise<CliResult> => runCliCaptured(cwd, argv);

describe('modelops tune / studies', () => {
  test('tune prints one line per trial and the best params; studies list and show read the study back', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ rf: { nEstimators: 10 } }));
    writeFileSync(join(dir, 'space.json'), JSON.stringify({ 'knn.nNeighbors': { type: 'int', low: 1, high: 15 } }));
    const r = await cli(
      dir,
      'tune',
      '--data',
      example('iris.csv'),
      '--target',
      'species',
      '--trials',
      '4',
      '--params',
      'params.json',
      '--space',
      'space.json',
      '--study',
      'iris',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err.split('\n').filter((l) => /^trial \d+ (complete|pruned)/.test(l)).length, 4);
    assert.match(r.out, /best: trial \d+, accuracy/);
    assert.match(r.out, /knn\.nNeighbors/);
    const list = await cli(dir, 'studies', 'list', '--json');
    const studies = (JSON.parse(list.out) as { studies: { name: string; trials: number }[] }).studies;
    assert.deepEqual(
      studies.map((s) => [s.name, s.trials]),
      [['iris', 4]],
    );
    const show = await cli(dir, 'studies', 'show', 'iris');
    assert.equal(show.code, 0);
    assert.equal(show.out.split('\n').filter((l) => /^\s+\d+\s+(COMPLETE|PRUNED)/.test(l)).length, 4);
    const missing = await cli(dir, 'studies', 'show', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no study named 'nope'/);
    const bad = await cli(dir, 'tune', '--data', example('iris.csv'), '--target', 'species', '--sampler', 'bayes');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--sampler must be one of tpe, tpe-multivariate, random, grid/);
  });

  test('--n-jobs 2 prints every trial and the best; a count that is not one, or above twice the cores, is refused naming --n-jobs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ rf: { nEstimators: 10 } }));
    writeFileSync(join(dir, 'space.json'), JSON.stringify({ 'knn.nNeighbors': { type: 'int', low: 1, high: 15 } }));
    const base = ['tune', '--data', example('iris.csv'), '--target', 'species', '--trials', '3', '--params', 'params.json', '--space', 'space.json'];
    const r = await cli(dir, ...base, '--n-jobs', '2');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /2 trials at a time on worker threads/);
    assert.deepEqual(
      r.err
        .split('\n')
        .map((l) => /^trial (\d+) (complete|pruned)/.exec(l)?.[1])
        .filter((n) => n !== undefined)
        .sort(),
      ['0', '1', '2'],
    );
    assert.match(r.out, /best: trial \d+, accuracy/);
    for (const bad of ['0', 'two', String(availableParallelism() * 2 + 1)]) {
      const refused = await cli(dir, ...base, '--study', 'refused', '--n-jobs', bad);
      assert.notEqual(refused.code, 0);
      assert.match(refused.err, /--n-jobs must be an integer/);
    }
    const list = JSON.parse((await cli(dir, 'studies', 'list', '--json')).out) as { studies: { name: string }[] };
    assert.deepEqual(
      list.studies.map((x) => x.name),
      ['iris-species'],
      'no study was started by a refused --n-jobs',
    );
  });
});
