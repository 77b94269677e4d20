import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ModelOpsError, errorMessage, redactSecrets } from '../../../src/core/errors';
import { runCliCaptured } from '../cli/run-cli';

test('credentials in URLs are redacted in every message: user:password@ and token query parameters', () => {
  assert.equal(redactSecrets('cannot reach http://alice:s3cret@mlflow.example:5000/api'), 'cannot reach http://alice:***@mlflow.example:5000/api');
  assert.equal(redactSecrets('https://:tok@h/x?token=abc&x=1'), 'https://:***@h/x?token=***&x=1');
  assert.equal(redactSecrets('plain http://host:5000 and a:b'), 'plain http://host:5000 and a:b');
  const e = new ModelOpsError('STORE_IO', 'http://u:pw@h failed', { location: 'http://u:pw@h' });
  assert.equal(e.message, 'http://u:***@h failed');
  assert.equal(e.location, 'http://u:***@h');
  assert.equal(errorMessage(new Error('sqlite:///x and http://u:pw@h')), 'sqlite:///x and http://u:***@h');
});

test('a store URL with a password never shows it in the CLI error', async () => {
  const r = await runCliCaptured('/tmp', ['runs', 'list', '-e', '0', '--store', 'http://alice:s3cret@127.0.0.1:9/']);
  assert.equal(r.code === 1 || r.code === 2, true);
  assert.doesNotMatch(r.err, /s3cret/);
  // The credentials travel as an Authorization header (store/tracking-uri.ts); the message names the server without them.
  assert.match(r.err, /http:\/\/(alice:\*\*\*@)?127\.0\.0\.1:9/);
});
