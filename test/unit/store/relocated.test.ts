import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { relocated } from '../../../src/store/sqlite/artifacts';

const root = join('/home/ann/new-place/.modelops/artifacts');

test('a location under the old workspace maps to the same place under the store folder now', () => {
  assert.equal(relocated('/home/ann/old/.modelops/artifacts/1/abc/artifacts', root), join(root, '1', 'abc', 'artifacts'));
  assert.equal(relocated(pathToFileURL('/mnt/x/.modelops/artifacts/2').href, root), join(root, '2'));
  assert.equal(relocated('/home/ann/old/.modelops/artifacts/3/', root), join(root, '3'));
});

test('locations already here, elsewhere, remote or escaping are left alone', () => {
  assert.equal(relocated(join(root, '1', 'abc'), root), undefined);
  assert.equal(relocated('/data/mlruns/1/abc/artifacts', root), undefined);
  assert.equal(relocated('s3://bucket/.modelops/artifacts/1', root), undefined);
  assert.equal(relocated('mlflow-artifacts:/1/abc/artifacts', root), undefined);
  assert.equal(relocated('file://otherhost/x/.modelops/artifacts/1', root), undefined);
  assert.throws(() => relocated('/old/.modelops/artifacts/1/../../../etc', root), /leaves the run's artifact folder/);
});
