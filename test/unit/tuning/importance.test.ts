import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FrozenTrial } from '../../../src/core/tuning';
import { Rng } from '../../../src/ml/random';
import type { SearchSpace } from '../../../src/tuning/distributions';
import { encodeTrials } from '../../../src/tuning/importance/encode';
import { fanovaImportance } from '../../../src/tuning/importance/fanova';
import { paramImportances } from '../../../src/tuning/importance/param-importances';
import { pedAnovaImportance } from '../../../src/tuning/importance/ped-anova';
import { RandomSampler } from '../../../src/tuning/samplers/random';

const SPACE: SearchSpace = {
  lr: { type: 'float', low: 1e-4, high: 1, log: true },
  depth: { type: 'int', low: 1, high: 16 },
  kind: { type: 'categorical', choices: ['a', 'b', 'c'] },
};

/** `lr` drives the value; `depth` and `kind` only add noise. Random trials, seeded. */
function trials(seed: number, n: number, drive: 'lr' | 'kind' = 'lr'): FrozenTrial[] {
  const sampler = new RandomSampler(seed);
  const noise = new Rng(seed + 1000);
  return Array.from({ length: n }, (_, number) => {
    const params = sampler.sample(SPACE, [], 'minimize', number)!;
    const signal = drive === 'lr' ? (Math.log10(params.lr as number) + 2) ** 2 : params.kind === 'b' ? 0 : 3;
    return { number, state: 'COMPLETE', params, value: signal + 0.05 * noise.normal(), intermediate: {} };
  });
}

describe('parameter importance', () => {
  test('PED-ANOVA and fANOVA rank the driving param above two that do not (5 seeds)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const data = encodeTrials(SPACE, trials(seed, 80), 'minimize');
      for (const [name, imp] of [
        ['ped-anova', pedAnovaImportance(data)],
        ['fanova', fanovaImportance(data, { seed, nTrees: 16 })],
      ] as const) {
        assert.ok(imp.lr > imp.depth && imp.lr > imp.kind, `${name} seed ${seed}: ${JSON.stringify(imp)}`);
        assert.ok(Math.abs(Object.values(imp).reduce((a, b) => a + b, 0) - 1) < 1e-9, `${name} is normalised`);
      }
    }
  });

  test('a categorical driver is found too, and direction matters (maximise the same values)', () => {
    const t = trials(7, 90, 'kind');
    const min = paramImportances(SPACE, t, 'minimize');
    assert.equal(min[0].param, 'kind');
    assert.ok(min[0].fanova > 0.5, JSON.stringify(min));
    // Maximising: the top trials are the `kind != b` ones, spread over two choices; still kind first.
    assert.equal(paramImportances(SPACE, t, 'maximize')[0].param, 'kind');
  });

  test('the same trials and seed give the same figures; PRUNED and FAIL trials are left out', () => {
    const t = trials(3, 40);
    assert.deepEqual(paramImportances(SPACE, t, 'minimize', 5), paramImportances(SPACE, t, 'minimize', 5));
    const withOthers: FrozenTrial[] = [
      ...t,
      { number: 40, state: 'PRUNED', params: t[0].params, value: -100, intermediate: {} },
      { number: 41, state: 'FAIL', params: {}, intermediate: {} },
    ];
    assert.deepEqual(paramImportances(SPACE, withOthers, 'minimize', 5), paramImportances(SPACE, t, 'minimize', 5));
  });

  test('too few complete trials is a clear error', () => {
    assert.throws(() => paramImportances(SPACE, trials(1, 2), 'minimize'), /at least 3 complete trials \(the study has 2\)/);
  });
});
