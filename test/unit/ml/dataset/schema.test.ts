import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { datasetFromText, loadDataset } from '../../../../src/ml/dataset/dataset';
import { example } from '../helpers';

function dataError(fn: () => unknown, location: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelOpsError);
    assert.equal(e.code, 'DATA_INVALID');
    assert.equal(e.location, location);
    assert.match(e.message, message);
    return true;
  });
}

describe('schema inference', () => {
  test('churn: the id column is excluded, text columns are categorical, missing cells are counted', () => {
    const ds = loadDataset(example('churn.csv'), { target: 'churned' });
    assert.deepEqual(
      ds.schema.excluded.map((e) => e.name),
      ['customer_id'],
    );
    const kinds = Object.fromEntries(ds.schema.features.map((f) => [f.name, f.kind]));
    assert.deepEqual(kinds, {
      plan: 'categorical',
      region: 'categorical',
      tenure_months: 'numeric',
      monthly_charges: 'numeric',
      support_tickets: 'numeric',
      age: 'numeric',
    });
    assert.equal(ds.schema.task, 'classification');
    const age = ds.profile.columns.find((c) => c.name === 'age');
    assert.ok(age && age.missing > 0 && age.missingRate < 0.5, 'age has missing values');
    const plan = ds.profile.columns.find((c) => c.name === 'plan');
    assert.ok(plan?.counts && Object.keys(plan.counts).includes('basic'));
    assert.equal(ds.profile.num_rows, 5000);
  });

  test('numbers with many values make a regression target; strings a classification target', () => {
    assert.equal(loadDataset(example('diabetes.csv'), { target: 'progression' }).schema.task, 'regression');
    assert.equal(loadDataset(example('iris.csv'), { target: 'species' }).schema.task, 'classification');
  });

  test('NA, NaN, null and empty cells are missing values, not categories', () => {
    const ds = datasetFromText('x,c,y\n1,a,p\nNA,b,q\nNaN,null,p\n,a,q\n5,,p\n6,b,q\n', 'm.csv', { target: 'y' });
    const kinds = Object.fromEntries(ds.schema.features.map((f) => [f.name, f.kind]));
    assert.deepEqual(kinds, { x: 'numeric', c: 'categorical' });
    const x = ds.profile.columns.find((c) => c.name === 'x');
    assert.equal(x?.missing, 3);
    assert.equal(ds.profile.columns.find((c) => c.name === 'c')?.missing, 2);
  });

  test('yes/no and true/false columns are boolean features', () => {
    const ds = datasetFromText('flag,x,y\nyes,1,a\nno,2,b\nYES,3,a\nno,4,b\n', 'b.csv', { target: 'y' });
    assert.equal(ds.schema.features.find((f) => f.name === 'flag')?.kind, 'boolean');
  });

  test('a non-numeric cell in a numeric column: a warning by default, an error naming line and column when strict', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'}`);
    rows[13] = 'oops,a';
    const text = `x,y\n${rows.join('\n')}\n`;
    const ds = datasetFromText(text, 'n.csv', { target: 'y' });
    assert.equal(ds.schema.features[0].kind, 'numeric');
    assert.match(ds.schema.warnings[0], /n\.csv:15:1: 'oops' is not a number/);
    dataError(() => datasetFromText(text, 'n.csv', { target: 'y', strict: true }), 'n.csv:15:1', /'oops' is not a number in numeric column 'x'/);
  });

  test('a missing target column, a target with one class and a missing target value are errors', () => {
    dataError(() => datasetFromText('a,b\n1,x\n2,y\n', 't.csv', { target: 'label' }), 't.csv:1', /no target column 'label'; the columns are a, b/);
    dataError(() => datasetFromText('a,b\n1,x\n2,x\n', 'one.csv', { target: 'b' }), 'one.csv:1:2', /single class \('x'\)/);
    dataError(() => datasetFromText('a,b\n1,x\n2,\n3,y\n', 'hole.csv', { target: 'b' }), 'hole.csv:3:2', /target 'b' is missing/);
  });

  test('the digest is a short content hash that ignores line endings and changes with the data', () => {
    const a = datasetFromText('a,b\n1,x\n2,y\n', 'a.csv', { target: 'b' });
    const b = datasetFromText('a,b\r\n1,x\r\n2,y\r\n', 'b.csv', { target: 'b' });
    const c = datasetFromText('a,b\n1,x\n3,y\n', 'c.csv', { target: 'b' });
    assert.match(a.digest, /^[0-9a-f]{8}$/);
    assert.equal(a.digest, b.digest);
    assert.notEqual(a.digest, c.digest);
  });
});
