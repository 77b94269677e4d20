import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { DEFAULT_STORE, chooseTrackingUri, locationOf } from '../../../src/store/tracking-uri';
import { runCliCaptured } from '../cli/run-cli';
import { tempDir } from './helpers/temp';

describe('the store location, chosen one way for every entry point', () => {
  const env = { MODELOPS_STORE: 'team.db', MLFLOW_TRACKING_URI: 'http://mlflow.internal:5000' };

  test('given (option or setting) beats MODELOPS_STORE, which beats MLFLOW_TRACKING_URI, which beats the default', () => {
    assert.deepEqual(chooseTrackingUri({ uri: 'x.db', source: 'option' }, env), { uri: 'x.db', source: 'option' });
    assert.deepEqual(chooseTrackingUri({ uri: ' https://s ', source: 'setting' }, env), { uri: 'https://s', source: 'setting' });
    assert.deepEqual(chooseTrackingUri({ uri: '  ' }, env), { uri: 'team.db', source: 'MODELOPS_STORE' });
    assert.deepEqual(chooseTrackingUri({}, { MLFLOW_TRACKING_URI: env.MLFLOW_TRACKING_URI }), {
      uri: 'http://mlflow.internal:5000',
      source: 'MLFLOW_TRACKING_URI',
    });
    assert.deepEqual(chooseTrackingUri({}, {}), { uri: DEFAULT_STORE, source: 'default' });
  });

  test('the location decides: a path or sqlite:/// URI is the workspace file, http(s):// the server', () => {
    assert.deepEqual(locationOf({ uri: 'sqlite:///rel/m.db', source: 'option' }, '/ws'), { kind: 'sqlite', path: join('/ws', 'rel/m.db') });
    assert.deepEqual(locationOf({ uri: 'm.db', source: 'MODELOPS_STORE' }, '/ws'), { kind: 'sqlite', path: join('/ws', 'm.db') });
    assert.deepEqual(locationOf({ uri: 'http://h:5000/', source: 'MLFLOW_TRACKING_URI' }, '/ws'), { kind: 'rest', url: 'http://h:5000' });
  });

  test('an unusable URI from the environment is refused naming the variable it came from', () => {
    assert.throws(
      () => locationOf({ uri: 'postgresql://db/mlflow', source: 'MLFLOW_TRACKING_URI' }, '/ws'),
      (e: unknown) =>
        e instanceof ModelOpsError &&
        e.location === 'MLFLOW_TRACKING_URI' &&
        /^MLFLOW_TRACKING_URI: 'postgresql:\/\/db\/mlflow' is a database URI: .*mlflow server --backend-store-uri/.test(e.message),
    );
  });

  test('the CLI honours MLFLOW_TRACKING_URI, and --store overrides it', async () => {
    const tmp = tempDir('modelops-uri-');
    try {
      const viaEnv = await runCliCaptured(tmp.dir, ['doctor'], { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9/', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
      assert.match(viaEnv.out, /store\s+http:\/\/127\.0\.0\.1:9 \(an MLflow tracking server, from MLFLOW_TRACKING_URI\)/);
      assert.match(viaEnv.out, /server\s+error: cannot reach the MLflow server at http:\/\/127\.0\.0\.1:9/);
      const viaOption = await runCliCaptured(tmp.dir, ['experiments', 'create', 'local', '--store', 'sqlite:///local.db'], {
        MLFLOW_TRACKING_URI: 'http://127.0.0.1:9/',
      });
      assert.equal(viaOption.code, 0, viaOption.err);
      assert.ok(existsSync(join(tmp.dir, 'local.db')));
      const bad = await runCliCaptured(tmp.dir, ['runs', 'list'], { MLFLOW_TRACKING_URI: 'mysql://db/mlflow' });
      assert.equal(bad.code, 1);
      assert.match(bad.err, /MLFLOW_TRACKING_URI: 'mysql:\/\/db\/mlflow' is a database URI/);
    } finally {
      tmp.cleanup();
    }
  });
});
