import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FrozenTrial } from '../../../src/core/tuning';
import type { SearchSpace } from '../../../src/tuning/distributions';
import { contains } from '../../../src/tuning/distributions';
import { MedianPruner } from '../../../src/tuning/pruners/median';
import { GridSampler } from '../../../src/tuning/samplers/grid';
import { RandomSampler } from '../../../src/tuning/samplers/random';
import type { Sampler } from '../../../src/tuning/samplers/sampler';
import { TpeSampler } from '../../../src/tuning/samplers/tpe';
import { Study } from '../../../src/tuning/study';

const SPACE: SearchSpace = {
  x: { type: 'float', low: -5, high: 5 },
  n: { type: 'int', low: 1, high: 64, log: true },
  kind: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
};

/** Minimum 0 at x = 1.5, n = 8, kind = 'c'. */
const objective = (p: Record<string, unknown>): number => ((p.x as number) - 1.5) ** 2 + Math.log2((p.n as number) / 8) ** 2 + (p.kind === 'c' ? 0 : 4);

async function bestOf(sampler: Sampler, trials: number): Promise<number> {
  const study = new Study({ name: 's', direction: 'minimize', space: SPACE, sampler });
  await study.optimize(async (t) => objective(t.params), { nTrials: trials });
  return study.bestTrial!.value!;
}

describe('samplers', () => {
  test('every sampled value lies in its distribution, and the same (seed, trial) gives the same params', () => {
    for (const make of [(s: number) => new RandomSampler(s), (s: number) => new TpeSampler(s, { nStartupTrials: 3 })]) {
      const history: FrozenTrial[] = Array.from({ length: 8 }, (_, i) => ({
        number: i,
        state: 'COMPLETE',
        params: { x: i - 4, n: 2 ** (i % 6), kind: 'abcd'[i % 4] },
        value: i,
        intermediate: {},
      }));
      for (let number = 8; number < 40; number++) {
        const p = make(3).sample(SPACE, history, 'minimize', number)!;
        for (const [k, d] of Object.entries(SPACE)) assert.ok(contains(d, p[k]), `${k} = ${String(p[k])}`);
        assert.deepEqual(make(3).sample(SPACE, history, 'minimize', number), p);
      }
    }
  });

  test('TPE finds better optima than random search on the same budget (10 seeds)', async () => {
    let tpe = 0;
    let random = 0;
    for (let seed = 0; seed < 10; seed++) {
      tpe += await bestOf(new TpeSampler(seed), 60);
      random += await bestOf(new RandomSampler(seed), 60);
    }
    assert.ok(tpe < random * 0.7, `mean best: TPE ${tpe / 10} vs random ${random / 10}`);
  });

  test('TPE favours the categorical choice that scores best', async () => {
    const study = new Study({ name: 's', direction: 'minimize', space: SPACE, sampler: new TpeSampler(5) });
    await study.optimize(async (t) => objective(t.params), { nTrials: 60 });
    const late = study.trials.slice(30).filter((t) => t.params.kind === 'c').length;
    assert.ok(late > (30 / 4) * 2, `'c' chosen in ${late} of the last 30 trials`);
  });

  test('the grid sampler tries every combination once, then reports it is done', async () => {
    const space: SearchSpace = { a: { type: 'categorical', choices: [1, 2, 3] }, b: { type: 'int', low: 0, high: 1 } };
    const study = new Study({ name: 'g', direction: 'maximize', space, sampler: new GridSampler(1) });
    await study.optimize(async (t) => (t.params.a as number) * 10 + (t.params.b as number), { nTrials: 100 });
    assert.equal(study.trials.length, 6);
    assert.equal(new Set(study.trials.map((t) => JSON.stringify(t.params))).size, 6);
    assert.equal(study.bestTrial!.value, 31);
  });
});

describe('median pruner', () => {
  const complete = (number: number, values: number[]): FrozenTrial => ({
    number,
    state: 'COMPLETE',
    params: {},
    value: values[values.length - 1],
    intermediate: Object.fromEntries(values.map((v, i) => [i, v])),
  });

  test('stops a trial worse than the median of complete trials at the same step, only after 5 complete trials', () => {
    const pruner = new MedianPruner();
    const history = [0.9, 0.8, 0.7, 0.6, 0.5].map((v, i) => complete(i, [v, v]));
    const running = (v: number): FrozenTrial => ({ number: 9, state: 'RUNNING', params: {}, intermediate: { 0: v } });
    assert.equal(pruner.shouldPrune(running(0.65), history, 'maximize'), true);
    assert.equal(pruner.shouldPrune(running(0.75), history, 'maximize'), false);
    assert.equal(pruner.shouldPrune(running(0.65), history, 'minimize'), false);
    assert.equal(pruner.shouldPrune(running(0.1), history.slice(0, 4), 'maximize'), false);
  });
});

describe('study', () => {
  test('a study resumed from its stored trials samples exactly what one uninterrupted session does', async () => {
    const run = async (splits: number[]): Promise<string[]> => {
      let trials: FrozenTrial[] = [];
      for (const n of splits) {
        const study = new Study({
          name: 's',
          direction: 'minimize',
          space: SPACE,
          sampler: new TpeSampler(11),
          pruner: new MedianPruner(),
          trials: structuredClone(trials),
        });
        await study.optimize(
          async (t) => {
            const v = objective(t.params);
            await t.report(0, v * 1.1);
            return v;
          },
          { nTrials: n },
        );
        trials = [...study.trials];
      }
      return trials.map((t) => `${t.number}:${t.state}:${JSON.stringify(t.params)}`);
    };
    assert.deepEqual(await run([12, 13]), await run([25]));
  });

  test('an interrupted (RUNNING) trial is counted as failed; an objective error fails its trial and is rethrown', async () => {
    const study = new Study({
      name: 's',
      direction: 'maximize',
      space: SPACE,
      sampler: new RandomSampler(1),
      trials: [{ number: 0, state: 'RUNNING', params: { x: 0, n: 1, kind: 'a' }, intermediate: {} }],
    });
    assert.equal(study.trials[0].state, 'FAIL');
    await assert.rejects(
      study.optimize(
        async () => {
          throw new Error('bad params');
        },
        { nTrials: 3 },
      ),
      /bad params/,
    );
    assert.deepEqual(
      study.trials.map((t) => [t.number, t.state]),
      [
        [0, 'FAIL'],
        [1, 'FAIL'],
      ],
    );
  });

  test('a NaN objective is a failed trial, not the best one', async () => {
    const study = new Study({ name: 's', direction: 'maximize', space: SPACE, sampler: new RandomSampler(2) });
    let i = 0;
    await study.optimize(async () => (i++ === 0 ? NaN : 1), { nTrials: 2 });
    assert.equal(study.trials[0].state, 'FAIL');
    assert.equal(study.bestTrial!.number, 1);
  });
});
