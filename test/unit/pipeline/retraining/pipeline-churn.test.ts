import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStores } from '../../../../src/store/open';
import { repoRoot } from '../../../repo-paths';
import type { CliResult } from '../../cli/run-cli';
import { runCliCaptured } from '../../cli/run-cli';
import type { Table } from './churn-files';
import { batches, variants, write } from './churn-files';

/**
 * The retraining pipeline as CI runs it, on examples/churn.csv and files derived from it: a clean
 * batch reaches Staging (exit 0); a renamed column, a new category, a shifted numeric distribution
 * and too many missing values stop at data validation (exit 3) with a report naming the column and
 * the test; a worse model fails its gates (exit 4) and stays in None; a process killed mid-run
 * leaves the registry as it was, and a rerun works.
 */
let ws: string;
let batch: ReturnType<typeof batches>;
const PIPELINE = {
  model: 'churn',
  dataset: 'february.csv',
  expectations: { min_rows: 300, class_balance: { min_share: 0.1 } },
  training: { params: 'best_run', cv: 0 },
  gates: { data: 'holdout.csv', metrics: { roc_auc: { threshold: 0.6, greater_is_better: true } } },
  inference_test: { rows: 500 },
};

const cli = (args: string[]): Promise<CliResult> => runCliCaptured(ws, args, { MODELOPS_ACTOR: 'ci' });

interface VersionRow {
  version: string;
  currentStage: string;
}
async function versions(): Promise<VersionRow[]> {
  const r = await cli(['models', 'show', 'churn', '--json']);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { versions: VersionRow[] }).versions
    .map((v) => ({ version: v.version, currentStage: v.currentStage }))
    .sort((a, b) => Number(a.version) - Number(b.version));
}

before(async () => {
  ws = mkdtempSync(join(tmpdir(), 'modelops-pipeline-churn-'));
  batch = batches();
  write(ws, 'january.csv', batch.january);
  write(ws, 'february.csv', batch.february);
  write(ws, 'holdout.csv', batch.holdout);
  writeFileSync(join(ws, 'params.json'), JSON.stringify({ rf: { nEstimators: 30 }, knn: { nNeighbors: 15 } }));
  writeFileSync(join(ws, 'modelops.pipeline.json'), JSON.stringify(PIPELINE, null, 2));
  const trained = await cli([
    'train',
    '--data',
    'january.csv',
    '--target',
    'churned',
    '--experiment',
    'churn',
    '--cv',
    '0',
    '--params',
    'params.json',
    '--register',
    'churn',
  ]);
  assert.equal(trained.code, 0, trained.err);
  const promoted = await cli(['promote', '--name', 'churn', '--version', '1', '--to', 'Production', '--approve', '--comment', 'January model']);
  assert.equal(promoted.code, 0, promoted.err);
});
after(() => rmSync(ws, { recursive: true, force: true }));

async function stopsAtDataValidation(file: string, t: Table, column: string, tests: string[]): Promise<CliResult> {
  write(ws, file, t);
  const registry = await versions();
  const r = await cli(['pipeline', 'run', '--data', file]);
  assert.equal(r.code, 3, `exit code\n${r.out}\n${r.err}`);
  for (const name of tests) assert.match(r.out, new RegExp(`FAIL ${name} \\(${column}\\): .*${column}`), `names ${name} of ${column}:\n${r.out}`);
  assert.match(r.out, /Stopped at data validation/);
  const md = /^report: (.+\.md)$/m.exec(r.out)?.[1];
  assert.ok(md && existsSync(md), `the report is an artifact: ${r.out}`);
  const text = readFileSync(md, 'utf8');
  for (const name of tests) assert.match(text, new RegExp(`\\| ${name} \\| \`${column}\` \\| ❌ fail`), `the report names ${name} of ${column}`);
  assert.deepEqual(await versions(), registry, 'the registry is unchanged');
  return r;
}

describe('retraining pipeline on churn.csv', () => {
  test('a clean batch reaches Staging (exit 0); every step is a nested run with its report', async () => {
    const r = await cli(['pipeline', 'run']);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /Version 2 of 'churn' is in Staging/);
    assert.deepEqual(await versions(), [
      { version: '1', currentStage: 'Production' },
      { version: '2', currentStage: 'Staging' },
    ]);
    for (const step of ['1/4 data validation', '2/4 train', '3/4 validate and promote to staging', '4/4 inference test'])
      assert.match(r.err, new RegExp(`\\[${step}\\] passed: `));
    const json = await cli(['runs', 'list', '--experiment', 'churn', '--json']);
    const runs = (
      JSON.parse(json.out) as { runs: { info: { runId: string; runName: string; status: string }; data: { tags: { key: string; value: string }[] } }[] }
    ).runs;
    const parent = runs.find((x) => x.info.runName === 'pipeline-churn');
    assert.ok(parent, 'the pipeline run');
    assert.equal(parent.info.status, 'FINISHED');
    const children = runs.filter((x) => x.data.tags.some((t) => t.key === 'mlflow.parentRunId' && t.value === parent.info.runId));
    assert.deepEqual(children.map((x) => [x.info.runName, x.info.status]).sort(), [
      ['data_validation', 'FINISHED'],
      ['inference_test', 'FINISHED'],
      ['train', 'FINISHED'],
      ['validate', 'FINISHED'],
    ]);
    const artifacts = await cli(['runs', 'show', parent.info.runId, '--json']);
    assert.equal(artifacts.code, 0);
    const html = /^\s+(.+\.html)$/m.exec(r.out)?.[1];
    assert.ok(html && readFileSync(html, 'utf8').includes('<svg class="hist"'), 'the HTML report draws a histogram pair per column');
  });

  test('a renamed column stops at data validation (exit 3), naming the column', async () => {
    const r = await stopsAtDataValidation('renamed.csv', variants.renamed(batch.february), 'support_tickets', ['columns']);
    assert.match(r.out, /the new data has 'tickets' instead \(renamed\?\)/);
  });

  test('a new category stops at data validation (exit 3)', async () => {
    const r = await stopsAtDataValidation('new-category.csv', variants.newCategory(batch.february), 'plan', ['new categories']);
    assert.match(r.out, /'enterprise' \(\d+ row\(s\), first at .*new-category\.csv:2:2\)/);
  });

  test('age silently in months stops at data validation (exit 3): out of the training range, and drifted', async () => {
    const r = await stopsAtDataValidation('age-months.csv', variants.ageInMonths(batch.february), 'age', ['training range']);
    assert.match(r.out, /WARN drift \(age\): column 'age' drifted: Wasserstein \(normed\) [\d.]+ ≥ 0\.1/);
  });

  test('a shifted population stops at data validation (exit 3): the dataset drifted, per column by Wasserstein', async () => {
    const t = variants.newSegment(batch.february);
    write(ws, 'segment.csv', t);
    const r = await cli(['pipeline', 'run', '--data', 'segment.csv']);
    assert.equal(r.code, 3, `${r.out}\n${r.err}`);
    assert.match(r.out, /FAIL dataset drift: the dataset drifted: \d of 6 columns drifted/);
    assert.match(r.out, /WARN drift \(tenure_months\): column 'tenure_months' drifted: Wasserstein \(normed\) [\d.]+ ≥ 0\.1/);
  });

  test('one shifted numeric column stops the pipeline when the file says its drift does (exit 3)', async () => {
    const file = join(ws, 'key-column.pipeline.json');
    writeFileSync(file, JSON.stringify({ ...PIPELINE, drift: { columns: { monthly_charges: { on_drift: 'stop' } } } }));
    write(ws, 'pricier.csv', variants.pricier(batch.february));
    const registry = await versions();
    const plain = await cli(['pipeline', 'run', '--dry-run', '--data', 'pricier.csv']);
    assert.equal(plain.code, 0, 'by Evidently’s rule one drifted column of six is no dataset drift');
    assert.match(plain.out, /WARN drift \(monthly_charges\): column 'monthly_charges' drifted: Wasserstein \(normed\)/);
    const r = await cli(['pipeline', 'run', file, '--data', 'pricier.csv']);
    assert.equal(r.code, 3, `${r.out}\n${r.err}`);
    assert.match(
      r.out,
      /FAIL drift \(monthly_charges\): column 'monthly_charges' drifted: Wasserstein \(normed\) [\d.]+ ≥ 0\.1; the pipeline file stops on this column/,
    );
    assert.deepEqual(await versions(), registry);
  });

  test('modelops retrain without a file: drift stops it by default, --on-drift warn goes on', async () => {
    const stopped = await cli(['retrain', '--name', 'churn', '--data', 'segment.csv', '--dry-run']);
    assert.equal(stopped.code, 3, stopped.out);
    assert.match(stopped.out, /FAIL dataset drift/);
    const warned = await cli(['retrain', '--name', 'churn', '--data', 'segment.csv', '--dry-run', '--on-drift', 'warn']);
    assert.equal(warned.code, 0, warned.out);
    assert.match(warned.out, /WARN dataset drift: the dataset drifted: .*\(on_drift: warn, so the pipeline goes on\)/);
  });

  test('too many missing values stop at data validation (exit 3)', async () => {
    await stopsAtDataValidation('missing.csv', variants.mostlyMissing(batch.february), 'age', ['missing values']);
  });

  test('a worse model fails its gates (exit 4) and stays in None with its report', async () => {
    const file = join(ws, 'worse.pipeline.json');
    writeFileSync(file, JSON.stringify({ ...PIPELINE, training: { params: { fixed: { members: [{ type: 'dummy' }] } }, cv: 0 } }));
    const before = await versions();
    const r = await cli(['pipeline', 'run', file]);
    assert.equal(r.code, 4, `${r.out}\n${r.err}`);
    assert.match(r.out, /FAIL gate roc_auc threshold/);
    const after = await versions();
    const created = after.find((v) => !before.some((b) => b.version === v.version));
    assert.deepEqual(created?.currentStage, 'None');
    assert.deepEqual(
      after.filter((v) => v !== created),
      before,
      'every other version is where it was',
    );
    const history = await cli(['models', 'history', 'churn', '--json']);
    assert.match(history.out, new RegExp(`"version": "${created!.version}"[\\s\\S]*"action": "validate"`));
  });

  test('a version that passes its gates but fails the inference test goes back to None with a report (exit 4)', async () => {
    const file = join(ws, 'strict-inference.pipeline.json');
    writeFileSync(file, JSON.stringify({ ...PIPELINE, inference_test: { rows: 200, classes: ['yes'] } }));
    const before = await versions();
    const r = await cli(['pipeline', 'run', file]);
    assert.equal(r.code, 4, `${r.out}\n${r.err}`);
    assert.match(r.out, /FAIL class set: predictions outside the class set: no/);
    assert.match(r.out, /passed its gates but failed the inference test, so it went back to None/);
    const after = await versions();
    const created = after.find((v) => !before.some((b) => b.version === v.version));
    assert.equal(created?.currentStage, 'None');
    assert.deepEqual(
      after.filter((v) => v !== created),
      before,
    );
    const db = await openStores(join(ws, '.modelops', 'mlflow.db'));
    try {
      const [latest, passedGates] = await db.registry.listValidationReports('churn', created!.version);
      assert.deepEqual([latest?.fromStage, latest?.toStage, latest?.passed], ['Staging', 'None', false]);
      assert.ok(latest?.gates.some((g) => g.name === 'pipeline inference test: class set' && g.outcome === 'fail'));
      assert.equal(passedGates?.passed, true, 'the gates report is kept too');
    } finally {
      await db.close();
    }
  });

  test('a process killed mid-run leaves the registry unchanged, and a rerun works', async () => {
    const registry = await versions();
    const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), 'pipeline', 'run'], { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let err = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (/\[2\/4 train\] .*fitting/.test(err)) resolve();
      });
      void closed.then(() => resolve());
    });
    child.kill('SIGKILL');
    await closed;
    assert.match(err, /\[2\/4 train\]/, 'killed while training');
    assert.deepEqual(await versions(), registry, 'the registry is unchanged');
    const runs = await cli(['runs', 'list', '--experiment', 'churn', '--json']);
    const statuses = (JSON.parse(runs.out) as { runs: { info: { status: string } }[] }).runs.map((x) => x.info.status);
    assert.ok(!statuses.includes('RUNNING'), `no run is left RUNNING: ${statuses.join(', ')}`);
    const again = await cli(['pipeline', 'run']);
    assert.equal(again.code, 0, `${again.out}\n${again.err}`);
  });

  test('scripts/retrain_pipeline.sh (the seed’s entry point) runs the pipeline with its exit codes', () => {
    const script = join(repoRoot(), 'scripts', 'retrain_pipeline.sh');
    const clean = spawnSync('sh', [script, '--dry-run'], { cwd: ws, encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /Dry run: the data passes every check/);
    const renamed = spawnSync('sh', [script, 'modelops.pipeline.json', '--dry-run', '--data', 'renamed.csv'], { cwd: ws, encoding: 'utf8' });
    assert.equal(renamed.status, 3, renamed.stderr);
    assert.match(renamed.stdout, /FAIL columns \(support_tickets\)/);
    const missing = spawnSync('sh', [script, 'nope.json'], { cwd: ws, encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.json: cannot read the pipeline file/);
  });

  test('--dry-run runs the checks and writes nothing', async () => {
    const store = join(ws, '.modelops', 'mlflow.db');
    const bytes = readFileSync(store);
    const ok = await cli(['pipeline', 'run', '--dry-run']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Dry run: the data passes every check; nothing was written/);
    const bad = await cli(['pipeline', 'run', '--dry-run', '--data', 'renamed.csv']);
    assert.equal(bad.code, 3);
    assert.deepEqual(readFileSync(store), bytes, 'the store is byte-identical');
  });
});
