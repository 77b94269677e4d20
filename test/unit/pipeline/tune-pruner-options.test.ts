import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { PrunerName, TuneOptions } from '../../../src/pipeline/tune';
import { tune } from '../../../src/pipeline/tune';
import { openStores } from '../../../src/store/open';
import { runCliCaptured } from '../cli/run-cli';
import { example } from '../ml/helpers';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'modelops-tune-pruner-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const QUICK: Partial<TuneOptions> = { cv: 3, params: { rf: { nEstimators: 5 } }, space: { 'knn.nNeighbors': { type: 'int', low: 1, high: 15 } } };
const IRIS = { data: example('iris.csv'), target: 'species' };

describe('tune: pruner options', () => {
  test('a study stores its resolved pruner options and logs them; resuming keeps them and refuses different ones by name', async () => {
    const dir = tempDir();
    const s = await openStores(join(dir, 'mlflow.db'));
    const first = {
      ...IRIS,
      ...QUICK,
      study: 'sh',
      trials: 2,
      pruner: 'successive-halving' as const,
      prunerOptions: { reduction_factor: '3', min_resource: '1' },
    };
    const r = await tune(s.tracking, s.studies, first);
    assert.deepEqual(r.prunerOptions, { min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 0, bootstrap_count: 0 });
    const stored = (await s.studies.getStudy('sh'))!.study;
    assert.deepEqual((JSON.parse(stored.settings) as { prunerOptions: unknown }).prunerOptions, {
      min_resource: 1,
      reduction_factor: 3,
      min_early_stopping_rate: 0,
      bootstrap_count: 0,
    });
    const run = await s.tracking.getRun(r.runId);
    assert.equal(run.data.params.find((p) => p.key === 'pruner.reduction_factor')?.value, '3');
    // No options given: the study's own (not the defaults, which differ: η 4, r auto).
    const again = await tune(s.tracking, s.studies, { ...IRIS, ...QUICK, study: 'sh', trials: 1 });
    assert.equal(again.trials.length, 3);
    assert.equal(again.prunerOptions.reduction_factor, 3);
    // The same ones again (as numbers) are fine; another value is refused naming the option.
    await tune(s.tracking, s.studies, { ...first, trials: 1, prunerOptions: { reduction_factor: 3, min_resource: 1 } });
    await assert.rejects(
      tune(s.tracking, s.studies, { ...first, trials: 1, prunerOptions: { reduction_factor: '2', min_resource: '1' } }),
      /study 'sh' was run with successive-halving pruner option reduction_factor=3, not reduction_factor=2; use another --study name/,
    );
    assert.equal((await s.studies.getStudy('sh'))!.trials.length, 4);
    await s.close();
  });

  test('a study stored before pruner options resumes with the defaults; other values are refused', async () => {
    const dir = tempDir();
    const s = await openStores(join(dir, 'mlflow.db'));
    await tune(s.tracking, s.studies, { ...IRIS, ...QUICK, study: 'new', trials: 1 });
    const made = (await s.studies.getStudy('new'))!.study;
    const settings = JSON.parse(made.settings) as Record<string, unknown>;
    delete settings.prunerOptions;
    await s.studies.createStudy({ ...made, name: 'old', settings: JSON.stringify(settings) });
    const resumed = await tune(s.tracking, s.studies, { ...IRIS, ...QUICK, study: 'old', trials: 1, prunerOptions: { n_startup_trials: '5' } });
    assert.equal(resumed.trials.length, 1);
    await assert.rejects(
      tune(s.tracking, s.studies, { ...IRIS, ...QUICK, study: 'old', trials: 1, prunerOptions: { n_warmup_steps: '1' } }),
      /was run with median pruner option n_warmup_steps=0, not n_warmup_steps=1/,
    );
    await s.close();
  });

  test('a bad option is refused before any study is written, naming it and its range', async () => {
    const dir = tempDir();
    const s = await openStores(join(dir, 'mlflow.db'));
    await assert.rejects(
      tune(s.tracking, s.studies, { ...IRIS, ...QUICK, study: 'x', pruner: 'hyperband', prunerOptions: { reduction_factor: '1' } }),
      /--pruner-option: reduction_factor must be an integer ≥ 2 \(got "1"\)/,
    );
    // An unknown pruner is refused by its name, not by the options it was given.
    await assert.rejects(
      tune(s.tracking, s.studies, { ...IRIS, ...QUICK, study: 'x', pruner: 'patience' as PrunerName, prunerOptions: { patience: '3' } }),
      /--pruner: pruner must be one of .*'patience'/,
    );
    assert.equal(await s.studies.getStudy('x'), undefined);
    await s.close();
  });

  test('modelops tune --pruner-option (repeated) stores them and studies show prints them', async () => {
    const dir = tempDir();
    const argv = [
      'tune',
      '--data',
      IRIS.data,
      '--target',
      'species',
      '--trials',
      '2',
      '--study',
      'hb',
      '--pruner',
      'hyperband',
      '--space',
      join(dir, 's.json'),
    ];
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 's.json'), JSON.stringify({ 'knn.nNeighbors': { type: 'int', low: 1, high: 15 } }));
    const r = await runCliCaptured(dir, [...argv, '--models', 'knn', '--pruner-option', 'max_resource=3', '--pruner-option', 'reduction_factor=2']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /hyperband pruner \(min_resource 1, max_resource 3, reduction_factor 2, bootstrap_count 0\)/);
    const show = await runCliCaptured(dir, ['studies', 'show', 'hb']);
    assert.match(show.out, /^pruner options: min_resource 1, max_resource 3, reduction_factor 2, bootstrap_count 0$/m);
    const bad = await runCliCaptured(dir, [...argv, '--models', 'knn', '--pruner-option', 'max_resource=0']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--pruner-option: max_resource must be an integer ≥ 1 or auto \(got "0"\)/);
    const help = await runCliCaptured(dir, ['tune', '--help']);
    assert.match(help.out, /--pruner-option <key=value>/);
    assert.match(help.out, /hyperband: min_resource \(1\), max_resource \(auto\)/);
  });
});
