import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { compareSignatures } from '../../../../src/registry/gates/signature-gate';

const production = {
  inputs: [
    { name: 'age', type: 'double' },
    { name: 'plan', type: 'string' },
    { name: 'legacy', type: 'double' },
  ],
  outputs: [{ name: 'churned', type: 'string' }],
};

test('a candidate that needs a subset of Production inputs with the same types is compatible', () => {
  const g = compareSignatures(
    production,
    {
      inputs: [
        { name: 'age', type: 'double' },
        { name: 'plan', type: 'string' },
      ],
      outputs: [{ name: 'churned', type: 'string' }],
    },
    '2',
  );
  assert.equal(g.outcome, 'pass');
});

test('a changed input type, a new required input and a changed output each fail the gate, named', () => {
  const g = compareSignatures(
    production,
    {
      inputs: [
        { name: 'age', type: 'string' },
        { name: 'tenure', type: 'double' },
      ],
      outputs: [{ name: 'churned', type: 'double' }],
    },
    '2',
  );
  assert.equal(g.outcome, 'fail');
  assert.match(g.message, /input 'age' is string, Production's is double/);
  assert.match(g.message, /requires input 'tenure' \(double\) that Production does not take/);
  assert.match(g.message, /output is double, Production's is string/);
});
