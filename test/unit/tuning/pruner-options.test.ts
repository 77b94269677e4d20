import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { FrozenTrial } from '../../../src/core/tuning';
import { createPruner, PRUNER_NAMES } from '../../../src/tuning/catalogue';
import type { SuccessiveHalvingPruner } from '../../../src/tuning/pruners/successive-halving';
import { PRUNER_PARAMS, prunerOptionPairs, resolvePrunerOptions, STORED_PRUNER_OPTIONS } from '../../../src/tuning/pruner-options';

function refused(f: () => unknown, message: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_PARAMETER_VALUE' && message.test(e.message));
}

describe('pruner options', () => {
  test('every pruner of the catalogue has a parameter table (none for none)', () => {
    for (const name of PRUNER_NAMES) assert.ok(Object.hasOwn(PRUNER_PARAMS, name) || name === 'none', name);
    assert.deepEqual(resolvePrunerOptions('none', {}, 'x'), {});
  });

  test('key=value texts become a map; a missing = or a key given twice is refused naming it', () => {
    assert.deepEqual(prunerOptionPairs(['reduction_factor=3', ' min_resource =auto']), { reduction_factor: '3', min_resource: 'auto' });
    refused(() => prunerOptionPairs(['reduction_factor']), /--pruner-option: expected key=value, got 'reduction_factor'/);
    refused(() => prunerOptionPairs(['=3']), /expected key=value/);
    refused(() => prunerOptionPairs(['n_warmup_steps=1', 'n_warmup_steps=2']), /n_warmup_steps is given twice/);
    // A hostile key stays a key (and is refused when resolved), not the prototype.
    const pairs = prunerOptionPairs(['__proto__=1']);
    assert.deepEqual(Object.keys(pairs), ['__proto__']);
    refused(() => resolvePrunerOptions('median', pairs, '--pruner-option'), /the median pruner has no parameter '__proto__'/);
  });

  test("the defaults are Optuna's; given values are checked against each parameter's range", () => {
    assert.deepEqual(resolvePrunerOptions('median', {}, 's'), { n_startup_trials: 5, n_warmup_steps: 0 });
    assert.deepEqual(resolvePrunerOptions('successive-halving', {}, 's'), {
      min_resource: 'auto',
      reduction_factor: 4,
      min_early_stopping_rate: 0,
      bootstrap_count: 0,
    });
    assert.deepEqual(resolvePrunerOptions('hyperband', { reduction_factor: '2', max_resource: '9' }, 's'), {
      min_resource: 1,
      max_resource: 9,
      reduction_factor: 2,
      bootstrap_count: 0,
    });
    refused(
      () => resolvePrunerOptions('successive-halving', { reduction_factor: '1' }, '--pruner-option'),
      /--pruner-option: reduction_factor must be an integer ≥ 2 \(got "1"\)/,
    );
    refused(() => resolvePrunerOptions('median', { n_startup_trials: '2.5' }, 'x'), /n_startup_trials must be an integer ≥ 0/);
    refused(() => resolvePrunerOptions('median', { n_startup_trials: '' }, 'x'), /n_startup_trials must be an integer ≥ 0 \(got ""\)/);
    refused(() => resolvePrunerOptions('hyperband', { min_resource: 'auto' }, 'x'), /min_resource must be an integer ≥ 1 \(got "auto"\)/);
    refused(
      () => resolvePrunerOptions('median', { reduction_factor: '3' }, 'x'),
      /no parameter 'reduction_factor' \(it takes n_startup_trials, n_warmup_steps\)/,
    );
    refused(() => resolvePrunerOptions('none', { n_warmup_steps: '1' }, 'x'), /it takes none/);
  });

  test('the rules between parameters are refused by their names', () => {
    refused(() => resolvePrunerOptions('successive-halving', { bootstrap_count: '2' }, 'x'), /bootstrap_count must be 0 when min_resource is auto/);
    refused(() => resolvePrunerOptions('hyperband', { bootstrap_count: '1' }, 'x'), /bootstrap_count must be 0 when max_resource is auto/);
    refused(() => resolvePrunerOptions('hyperband', { min_resource: '4', max_resource: '2' }, 'x'), /max_resource must be ≥ min_resource \(4\)/);
    assert.equal(resolvePrunerOptions('hyperband', { bootstrap_count: '1', max_resource: '5' }, 'x').bootstrap_count, 1);
  });

  test('the catalogue builds each pruner with its resolved parameters', () => {
    const options = resolvePrunerOptions('successive-halving', { min_resource: '2', reduction_factor: '3', min_early_stopping_rate: '1' }, 'x');
    const sh = createPruner('successive-halving', { seed: 1, study: 's', prunerOptions: options }) as SuccessiveHalvingPruner;
    assert.deepEqual([sh.rungStep(0), sh.rungStep(1)], [6, 18]);
    const plain = createPruner('successive-halving', { seed: 1, study: 's' }) as SuccessiveHalvingPruner;
    assert.equal(plain.rungStep(1), 4);
    const median = createPruner('median', { seed: 1, study: 's', prunerOptions: { n_startup_trials: 0, n_warmup_steps: 2 } });
    const done = (n: number): FrozenTrial => ({ number: n, state: 'COMPLETE', params: {}, intermediate: { 1: 0.9, 2: 0.9 } });
    const poor = (step: number): FrozenTrial => ({ number: 2, state: 'RUNNING', params: {}, intermediate: { [step]: 0.1 } });
    // No startup trials but two warmup steps: a poor trial is kept at step 1 and pruned at step 2.
    assert.equal(median.shouldPrune(poor(1), [done(0), done(1)], 'maximize'), false);
    assert.equal(median.shouldPrune(poor(2), [done(0), done(1)], 'maximize'), true);
  });

  test('stored options are integers or auto by name', () => {
    assert.deepEqual(STORED_PRUNER_OPTIONS({ min_resource: 'auto', reduction_factor: 3 }, 'settings.prunerOptions'), {
      min_resource: 'auto',
      reduction_factor: 3,
    });
    assert.throws(
      () => STORED_PRUNER_OPTIONS({ reduction_factor: '3' }, 'settings.prunerOptions'),
      /settings\.prunerOptions\.reduction_factor: expected an integer or "auto"/,
    );
  });
});
