import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { contains, gridValues, parseSearchSpace, snap } from '../../../src/tuning/distributions';

function refused(v: unknown, mention: string): void {
  assert.throws(
    () => parseSearchSpace(v, 'space.json'),
    (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_PARAMETER_VALUE' && e.message.includes('space.json') && e.message.includes(mention),
    `should be refused, naming ${mention}`,
  );
}

describe('search space', () => {
  test('parses ints, floats, log ranges, steps, categorical choices and the list shorthand', () => {
    const s = parseSearchSpace(
      {
        'rf.nEstimators': { type: 'int', low: 50, high: 300, step: 50 },
        lr: { type: 'float', low: 1e-4, high: 1, log: true },
        'knn.weights': ['uniform', 'distance'],
        'rf.maxDepth': { type: 'categorical', choices: [null, 8] },
      },
      'space.json',
    );
    assert.deepEqual(s['knn.weights'], { type: 'categorical', choices: ['uniform', 'distance'] });
    assert.equal(s.lr.type, 'float');
    assert.ok(contains(s['rf.maxDepth'], null));
    assert.ok(!contains(s['rf.nEstimators'], 55.5));
  });

  test('bad entries are refused with the file and the parameter named', () => {
    refused([], 'expected a JSON object');
    refused({}, 'empty');
    refused({ a: { type: 'int', low: 5, high: 1 } }, 'a');
    refused({ a: { type: 'int', low: 1.5, high: 3 } }, 'integer');
    refused({ a: { type: 'float', low: 0, high: 1, log: true } }, 'a.low');
    refused({ a: { type: 'float', low: 1, high: 2, log: true, step: 0.1 } }, 'cannot be combined');
    refused({ a: { type: 'uniform', low: 0, high: 1 } }, 'a.type');
    refused({ a: { type: 'categorical', choices: [] } }, 'a.choices');
    refused({ a: { type: 'categorical', choices: [1, 1] } }, 'distinct');
    refused({ a: { type: 'int', low: 1, high: 3, stpe: 1 } }, 'a.stpe');
  });

  test('snap keeps values on the step grid and inside the range; grid values enumerate it', () => {
    const d = { type: 'float' as const, low: 0, high: 1, step: 0.1 };
    assert.equal(snap(d, 0.3400001), 0.3);
    assert.equal(snap(d, 1.2), 1);
    assert.deepEqual(gridValues({ type: 'int', low: 2, high: 10, step: 4 }, 'x'), [2, 6, 10]);
    assert.equal(gridValues(d, 'x').length, 11);
    assert.throws(() => gridValues({ type: 'float', low: 0, high: 1 }, 'x'), /grid sampler needs/);
  });

  test('a param named __proto__ or constructor (an Optuna study may have one) is a param like any other', () => {
    const space = parseSearchSpace(JSON.parse('{"__proto__": {"type": "int", "low": 1, "high": 3}, "constructor": ["a", "b"]}'), 'space.json');
    assert.deepEqual(Object.keys(space).sort(), ['__proto__', 'constructor']);
    assert.deepEqual(space['__proto__'], { type: 'int', low: 1, high: 3, log: false });
  });
});
