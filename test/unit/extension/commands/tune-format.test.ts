import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FrozenTrial } from '../../../../src/core/tuning';
import { formatValue, trialLogFields, trialProgress } from '../../../../src/extension/commands/tune-format';

function aTrial(o: Partial<FrozenTrial> = {}): FrozenTrial {
  return { number: 6, state: 'COMPLETE', params: { 'rf.maxDepth': null, 'knn.weights': 'distance' }, value: 0.79, intermediate: {}, runId: 'r6', ...o };
}

describe('tuning trials in the progress notification and the output channel', () => {
  test("a complete trial: this session's count, its value and the best so far", () => {
    const best = aTrial({ number: 3, value: 0.81 });
    assert.equal(trialProgress(7, 20, aTrial(), best, 'accuracy'), 'trial 7/20: accuracy 0.79, best 0.81');
  });

  test('a pruned trial says where it was stopped; a failed one says so; no best yet says nothing of it', () => {
    assert.equal(trialProgress(2, 10, aTrial({ state: 'PRUNED', value: 0.7412345 }), undefined, 'accuracy'), 'trial 2/10: pruned at accuracy 0.7412');
    assert.equal(trialProgress(3, 10, aTrial({ state: 'FAIL', value: undefined }), aTrial({ value: 0.9 }), 'r2'), 'trial 3/10: fail, best 0.9');
  });

  test('values keep up to 4 decimals, tiny and huge ones in exponent form', () => {
    assert.equal(formatValue(0.953333333), '0.9533');
    assert.equal(formatValue(1), '1');
    assert.equal(formatValue(0.00001234), '1.234e-5');
    assert.equal(formatValue(2_500_000), '2.500e+6');
    assert.equal(formatValue(Number.NaN), 'NaN');
  });

  test('the log line names the study, trial, state, metric, params and run, and marks the best', () => {
    const t = aTrial();
    assert.deepEqual(trialLogFields('iris-species', t, t, 'accuracy'), {
      study: 'iris-species',
      trial: 6,
      state: 'complete',
      accuracy: 0.79,
      best: true,
      params: 'rf.maxDepth=none knn.weights=distance',
      run: 'r6',
    });
    assert.equal(trialLogFields('s', t, aTrial({ number: 1 }), 'accuracy').best, undefined);
  });
});
