import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { fromOptunaDistribution, optunaParamValue } from '../../../src/tuning/optuna-distribution';

const json = (name: string, attributes: Record<string, unknown>): string => JSON.stringify({ name, attributes });
const W = 'f.db: study s, trial 0';

describe('Optuna distributions as ours', () => {
  test('each of Optuna 3 and Optuna 2 distribution classes maps to the same range, scale and step', () => {
    const cases: [string, Record<string, unknown>, unknown][] = [
      ['FloatDistribution', { low: 0, high: 1, log: false, step: null }, { type: 'float', low: 0, high: 1, log: false }],
      ['FloatDistribution', { low: 1e-5, high: 1, log: true, step: null }, { type: 'float', low: 1e-5, high: 1, log: true }],
      ['FloatDistribution', { low: 0, high: 1, log: false, step: 0.1 }, { type: 'float', low: 0, high: 1, log: false, step: 0.1 }],
      ['IntDistribution', { low: 1, high: 9, log: false, step: 1 }, { type: 'int', low: 1, high: 9, log: false }],
      ['IntDistribution', { low: 2, high: 64, log: true, step: 1 }, { type: 'int', low: 2, high: 64, log: true }],
      ['IntDistribution', { low: 0, high: 10, log: false, step: 5 }, { type: 'int', low: 0, high: 10, log: false, step: 5 }],
      ['CategoricalDistribution', { choices: ['a', 1, null, false] }, { type: 'categorical', choices: ['a', 1, null, false] }],
      ['UniformDistribution', { low: -1, high: 1 }, { type: 'float', low: -1, high: 1, log: false }],
      ['LogUniformDistribution', { low: 0.1, high: 10 }, { type: 'float', low: 0.1, high: 10, log: true }],
      ['DiscreteUniformDistribution', { low: 0, high: 2, q: 0.5 }, { type: 'float', low: 0, high: 2, log: false, step: 0.5 }],
      ['IntUniformDistribution', { low: 1, high: 7, step: 3 }, { type: 'int', low: 1, high: 7, log: false, step: 3 }],
      ['IntLogUniformDistribution', { low: 1, high: 100, step: 1 }, { type: 'int', low: 1, high: 100, log: true }],
    ];
    for (const [name, attrs, want] of cases) assert.deepEqual(fromOptunaDistribution(json(name, attrs), 'p', W), want, name);
    // The abbreviated form Optuna also reads.
    assert.deepEqual(fromOptunaDistribution('{"type": "int", "low": 1, "high": 3}', 'p', W), { type: 'int', low: 1, high: 3, log: false });
  });

  test('refuses what it cannot map, naming the file, study, trial and param', () => {
    const refuses = (text: string, message: RegExp): void =>
      assert.throws(
        () => fromOptunaDistribution(text, 'lr', W),
        (e: unknown) => e instanceof ModelOpsError && message.test(e.message),
      );
    refuses(json('GammaDistribution', {}), /^f\.db: study s, trial 0: lr: unknown Optuna distribution 'GammaDistribution'/);
    refuses('{not json', /^f\.db: study s, trial 0: lr: distribution_json is not JSON/);
    refuses(json('FloatDistribution', { low: 2, high: 1, log: false, step: null }), /^f\.db: study s, trial 0: lr: low \(2\) is greater than high \(1\)/);
    refuses(json('FloatDistribution', { low: 0, high: 1, log: true, step: null }), /lr\.low: a log-scaled range needs low > 0/);
  });

  test("a param's stored number is its choice (by index), its integer or its float", () => {
    const cat = fromOptunaDistribution(json('CategoricalDistribution', { choices: ['x', null, 3] }), 'c', W);
    assert.equal(optunaParamValue(cat, 1, W), null);
    assert.equal(optunaParamValue(cat, 2, W), 3);
    assert.throws(() => optunaParamValue(cat, 3, `${W}: c`), /f\.db: study s, trial 0: c: choice index 3 is outside the 3 choices/);
    const int = fromOptunaDistribution(json('IntDistribution', { low: 1, high: 9, log: false, step: 1 }), 'n', W);
    assert.equal(optunaParamValue(int, 4.0000000001, W), 4);
    const float = fromOptunaDistribution(json('FloatDistribution', { low: 0, high: 1, log: false, step: null }), 'x', W);
    assert.equal(optunaParamValue(float, 0.125, W), 0.125);
    assert.throws(() => optunaParamValue(float, NaN, W), /not a finite number/);
  });
});
