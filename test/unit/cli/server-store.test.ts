import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { churnCsv } from '../pipeline/workspace';
import { startProxy } from '../store/rest/proxy';
import type { Served } from '../store/rest/serve';
import { CLEAN_ENV, serveStore } from '../store/rest/serve';
import { tempDir } from '../store/helpers/temp';
import type { CliResult } from './run-cli';
import { runCliCaptured } from './run-cli';

/**
 * The CLI against a team's tracking server (`modelops server` standing in for `mlflow server`), reached as MLflow's
 * clients reach it: MLFLOW_TRACKING_URI. The registry, tuning and prediction commands work there as on the workspace
 * file; what cannot work is refused before any training.
 */
const tmp = tempDir('modelops-cli-server-');
after(() => tmp.cleanup());
let n = 0;

function workDir(): string {
  const dir = join(tmp.dir, `w${++n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.csv'), churnCsv(300, 7));
  writeFileSync(join(dir, 'score.csv'), churnCsv(20, 3));
  return dir;
}

const FAST_TRAIN = ['--models', 'rf', '--cv', '0'];

function cliOn(url: string, dir: string, ...argv: string[]): Promise<CliResult> {
  return runCliCaptured(dir, argv, { ...CLEAN_ENV, MLFLOW_TRACKING_URI: url, MODELOPS_ACTOR: 'ana', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
}

async function runCount(served: Served): Promise<number> {
  const exps = await served.backing.tracking.searchExperiments();
  const page = await served.backing.tracking.searchRuns({ experimentIds: exps.items.map((e) => e.experimentId), maxResults: 1000 });
  return page.items.length;
}

describe('CLI on a tracking server (MLFLOW_TRACKING_URI)', () => {
  let served: Served;
  let dir: string;
  before(async () => {
    served = await serveStore(join(tmp.dir, 'server'));
    dir = workDir();
  });
  after(() => served.stop());

  test('train --register, promote with approval, an alias, predict models:/ and the audit trail, all on the server', async () => {
    const trained = await cliOn(served.url, dir, 'train', '--data', 'train.csv', '--target', 'churned', '--register', 'churn', ...FAST_TRAIN);
    assert.equal(trained.code, 0, trained.err);
    assert.match(trained.out, /validation of churn version 1: PASSED — None → Staging/);
    const promoted = await cliOn(served.url, dir, 'promote', '--name', 'churn', '--version', '1', '--approve', '--comment', 'ship it');
    assert.equal(promoted.code, 0, promoted.err);
    assert.equal((await cliOn(served.url, dir, 'alias', 'set', '--name', 'churn', '--alias', 'champion', '--version', '1')).code, 0);
    const predicted = await cliOn(served.url, dir, 'predict', '--model', 'models:/churn@champion', '--data', 'score.csv', '--out', 'out.csv');
    assert.equal(predicted.code, 0, predicted.err);
    assert.match(predicted.err + predicted.out, /20 rows scored with churn version 1 \(Production\)/);
    const history = await cliOn(served.url, dir, 'models', 'history', 'churn');
    assert.match(history.out, /ana\s+approve\s+1\s+Staging → Production\s+ship it/);
    const retrained = await cliOn(served.url, dir, 'retrain', '--name', 'churn', '--data', 'train.csv', '--target', 'churned');
    assert.equal(retrained.code, 0, retrained.err + retrained.out);
    assert.equal((await served.backing.registry.getModelVersion('churn', '2')).currentStage, 'Staging');
    // What the server keeps is MLflow's own: a version in Production that a plain MLflow client sees.
    const version = await served.backing.registry.getModelVersion('churn', '1');
    assert.equal(version.currentStage, 'Production');
    assert.deepEqual(version.aliases, ['champion']);
  });

  test('doctor says where the store came from and that the server answers with the registry and reachable artifacts', async () => {
    const r = await cliOn(served.url, dir, 'doctor');
    assert.match(r.out, /store\s+http:\/\/127\.0\.0\.1:\d+ \(an MLflow tracking server, from MLFLOW_TRACKING_URI\)/);
    assert.match(r.out, /credentials\s+none/);
    assert.match(r.out, /server\s+answers, with the model registry/);
    assert.match(r.out, /artifacts\s+the Default experiment's artifacts are reachable from here/);
  });

  test('tune keeps its study on the server: a second session resumes it by name', async () => {
    const first = await cliOn(served.url, dir, 'tune', '--data', 'train.csv', '--target', 'churned', '--study', 'st', '--trials', '2', '--cv', '2');
    assert.equal(first.code, 0, first.err);
    // Trials 3 to 5 of the same study, as another machine would run them.
    const second = await cliOn(served.url, dir, 'tune', '--data', 'train.csv', '--target', 'churned', '--study', 'st', '--trials', '3', '--cv', '2');
    assert.equal(second.code, 0, second.err);
    const shown = await cliOn(served.url, dir, 'studies', 'list');
    assert.match(shown.out, /^st\s+accuracy \(max\)\s+tpe-multivariate\s+5\s/m);
  });
});

describe('CLI on a tracking server: refused before any work', () => {
  test('artifacts in object storage without the proxy: train --register is refused naming --serve-artifacts, and no run is made', async () => {
    const served = await serveStore(join(tmp.dir, `s${++n}`), { artifactRootWithoutProxy: 's3://team-bucket/mlruns' });
    const dir = workDir();
    await served.backing.tracking.createExperiment('team');
    const r = await cliOn(served.url, dir, 'train', '--data', 'train.csv', '--target', 'churned', '--experiment', 'team', '--register', 'churn', ...FAST_TRAIN);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /train --register: experiment 'team' keeps its artifacts at s3:\/\/team-bucket\/mlruns\/1, which this client cannot write .*--serve-artifacts/,
    );
    assert.equal(await runCount(served), 0);
    await served.stop();
  });

  test('a server without the model registry: train --register is refused before training; train alone still works', async () => {
    const served = await serveStore(join(tmp.dir, `s${++n}`));
    // A tracking-only server answers the registry's endpoints with a bare 404.
    const proxy = await startProxy(served.url, (r) =>
      r.path.includes('/registered-models') || r.path.includes('/model-versions') ? { status: 404, body: 'Not Found' } : 'forward',
    );
    const dir = workDir();
    const refused = await cliOn(proxy.url, dir, 'train', '--data', 'train.csv', '--target', 'churned', '--register', 'churn', ...FAST_TRAIN);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /train --register needs MLflow's model registry, which http:\/\/127\.0\.0\.1:\d+ does not serve/);
    assert.equal(await runCount(served), 0);
    const plain = await cliOn(proxy.url, dir, 'train', '--data', 'train.csv', '--target', 'churned', ...FAST_TRAIN);
    assert.equal(plain.code, 0, plain.err);
    assert.equal(await runCount(served), 1);
    await proxy.close();
    await served.stop();
  });

  test('a refused token is a clear error before training, never a retry loop', async () => {
    const served = await serveStore(join(tmp.dir, `s${++n}`));
    const proxy = await startProxy(served.url, () => ({ status: 401, body: '{"error_code":"UNAUTHENTICATED","message":"bad token"}' }));
    const dir = workDir();
    const r = await runCliCaptured(dir, ['train', '--data', 'train.csv', '--target', 'churned', ...FAST_TRAIN], {
      ...CLEAN_ENV,
      MLFLOW_TRACKING_URI: proxy.url,
      MLFLOW_TRACKING_TOKEN: 'nope',
    });
    assert.equal(r.code, 1);
    assert.match(r.err, /not authenticated \(HTTP 401\); the credentials from the environment were refused/);
    assert.equal(proxy.seen.length, 1);
    assert.equal(await runCount(served), 0);
    await proxy.close();
    await served.stop();
  });
});
