import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { formatModelUri, modelUriFromOptions, parseModelUri } from '../../../src/core/model-uri';

describe('parseModelUri', () => {
  test('reads a version number', () => {
    assert.deepEqual(parseModelUri('models:/churn/3'), { kind: 'version', name: 'churn', version: '3' });
  });

  test('reads a stage case-insensitively and canonicalizes it', () => {
    assert.deepEqual(parseModelUri('models:/churn/production'), { kind: 'stage', name: 'churn', stage: 'Production' });
    assert.deepEqual(parseModelUri('models:/churn/Staging'), { kind: 'stage', name: 'churn', stage: 'Staging' });
  });

  test('reads an alias and latest', () => {
    assert.deepEqual(parseModelUri('models:/churn@champion'), { kind: 'alias', name: 'churn', alias: 'champion' });
    assert.deepEqual(parseModelUri('models:/churn/latest'), { kind: 'latest', name: 'churn' });
  });

  test('reads a run artifact URI', () => {
    assert.deepEqual(parseModelUri('runs:/0123abcd/model'), { kind: 'run', runId: '0123abcd', path: 'model' });
  });

  test('takes anything without a scheme as a directory', () => {
    assert.deepEqual(parseModelUri('./out/model'), { kind: 'path', path: './out/model' });
    assert.deepEqual(parseModelUri('file:///tmp/m'), { kind: 'path', path: '/tmp/m' });
  });

  test('refuses malformed URIs with a message naming the problem', () => {
    for (const [uri, why] of [
      ['models:/churn', /models:\/<name>\/<version\|stage\|latest>/],
      ['models:/churn/Bogus', /'Bogus' is neither a version number/],
      ['models:/@x', /model name is missing/],
      ['runs:/abc', /artifact path is missing/],
      ['runs:/abc/../x', /'\.\.'/],
      ['s3://bucket/model', /scheme 's3' is not supported/],
      ['', /empty/],
    ] as const) {
      assert.throws(
        () => parseModelUri(uri),
        (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_PARAMETER_VALUE' && why.test(e.message),
        uri,
      );
    }
  });

  test('formats back to the same URI', () => {
    for (const uri of ['models:/churn/3', 'models:/churn/Production', 'models:/churn@champion', 'runs:/abc/model', 'models:/churn/latest']) {
      assert.equal(formatModelUri(parseModelUri(uri)), uri);
    }
  });
});

describe('modelUriFromOptions', () => {
  test('accepts the seed shorthand --name churn --stage Production', () => {
    assert.deepEqual(modelUriFromOptions({ name: 'churn', stage: 'production' }), { kind: 'stage', name: 'churn', stage: 'Production' });
  });

  test('needs --name with --stage', () => {
    assert.throws(() => modelUriFromOptions({ stage: 'Production' }), /--stage needs --name/);
  });

  test('refuses two ways of naming the model at once', () => {
    assert.throws(() => modelUriFromOptions({ model: 'models:/a/1', stage: 'Production', name: 'a' }), /only one of/);
  });

  test('says what to give when nothing is given', () => {
    assert.throws(() => modelUriFromOptions({}), /no model given/);
  });
});
