import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { canonicalStage } from '../../../src/core/stages';

test('canonicalizes stage names whatever their case', () => {
  assert.equal(canonicalStage('staging'), 'Staging');
  assert.equal(canonicalStage('PRODUCTION'), 'Production');
  assert.equal(canonicalStage('none'), 'None');
  assert.equal(canonicalStage(' archived '), 'Archived');
});

test("refuses an unknown stage with MLflow's message", () => {
  assert.throws(() => canonicalStage('Bogus'), {
    message: 'Invalid Model Version stage: Bogus. Value must be one of None, Staging, Production, Archived.',
  });
});
