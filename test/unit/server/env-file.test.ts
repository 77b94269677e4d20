import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envVarIn, withEnvVar } from '../../../src/server/env-file';

describe('the .env line a notebook kernel reads', () => {
  test('is appended to a file without it, replaced in place where it is, and nothing else changes', () => {
    assert.equal(withEnvVar('', 'MLFLOW_TRACKING_URI', 'http://127.0.0.1:5000'), 'MLFLOW_TRACKING_URI=http://127.0.0.1:5000\n');
    assert.equal(withEnvVar('# mine\nA=1', 'MLFLOW_TRACKING_URI', 'http://127.0.0.1:5000'), '# mine\nA=1\nMLFLOW_TRACKING_URI=http://127.0.0.1:5000\n');
    assert.equal(
      withEnvVar('A=1\r\nexport MLFLOW_TRACKING_URI="http://old:1"\r\nB=2\r\nMLFLOW_TRACKING_URI=dup\r\n', 'MLFLOW_TRACKING_URI', 'http://127.0.0.1:5001'),
      'A=1\r\nexport MLFLOW_TRACKING_URI=http://127.0.0.1:5001\r\nB=2\r\n',
    );
    assert.equal(withEnvVar('MLFLOW_TRACKING_URI_EXTRA=x\n', 'MLFLOW_TRACKING_URI', 'u'), 'MLFLOW_TRACKING_URI_EXTRA=x\nMLFLOW_TRACKING_URI=u\n');
  });

  test('reads the value back, quotes removed', () => {
    assert.equal(envVarIn('A=1\nexport MLFLOW_TRACKING_URI="http://127.0.0.1:5000"\n', 'MLFLOW_TRACKING_URI'), 'http://127.0.0.1:5000');
    assert.equal(envVarIn('A=1\n', 'MLFLOW_TRACKING_URI'), undefined);
  });
});
