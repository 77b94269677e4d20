import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FrozenTrial } from '../../../src/core/tuning';
import { createSampler, TPE_MULTIVARIATE } from '../../../src/tuning/catalogue';
import type { ParamValue, SearchSpace } from '../../../src/tuning/distributions';
import { contains } from '../../../src/tuning/distributions';
import { RandomSampler } from '../../../src/tuning/samplers/random';
import type { Sampler } from '../../../src/tuning/samplers/sampler';
import type { TpeOptions } from '../../../src/tuning/samplers/tpe';
import { decomposeGroups, TpeSampler } from '../../../src/tuning/samplers/tpe';
import { Study } from '../../../src/tuning/study';

/** What `--sampler tpe-multivariate` builds. */
const MV: TpeOptions = TPE_MULTIVARIATE;
const PLANE: SearchSpace = { x: { type: 'float', low: -2, high: 2 }, y: { type: 'float', low: -2, high: 2 } };

/** A narrow valley along x = y (the two params only matter together): minimum 0 at (0.6, 0.6). */
const valley = (p: Readonly<Record<string, unknown>>): number => {
  const x = p.x as number;
  const y = p.y as number;
  return 50 * (x - y) ** 2 + (x + y - 1.2) ** 2;
};

async function bestOf(sampler: Sampler, space: SearchSpace, fn: (p: Readonly<Record<string, unknown>>) => number, trials: number): Promise<number> {
  const study = new Study({ name: 's', direction: 'minimize', space, sampler });
  await study.optimize(async (t) => fn(t.params), { nTrials: trials });
  return study.bestTrial!.value!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function complete(n: number, params: (i: number) => Record<string, ParamValue>, value: (i: number) => number): FrozenTrial[] {
  return Array.from({ length: n }, (_, i) => ({ number: i, state: 'COMPLETE', params: params(i), value: value(i), intermediate: {} }));
}

describe('multivariate TPE', () => {
  test('beats random search on a correlated 2-D valley (median best of 11 seeds × 60 trials), with either bandwidth rule', async () => {
    for (const bandwidth of ['gaps', 'scott'] as const) {
      const mv: number[] = [];
      const random: number[] = [];
      for (let seed = 0; seed < 11; seed++) {
        mv.push(await bestOf(new TpeSampler(seed, { ...MV, bandwidth }), PLANE, valley, 60));
        random.push(await bestOf(new RandomSampler(seed), PLANE, valley, 60));
      }
      assert.ok(median(mv) < 0.5 * median(random), `${bandwidth}: median best multivariate ${median(mv)} vs random ${median(random)}`);
    }
  });

  test('is deterministic per seed (the same seed and history give the same params, another seed others)', () => {
    const history = complete(
      20,
      (i) => ({ x: Math.sin(i) * 2, y: Math.cos(i * 1.7) * 2 }),
      (i) => valley({ x: Math.sin(i) * 2, y: Math.cos(i * 1.7) * 2 }),
    );
    for (let number = 20; number < 30; number++) {
      const a = new TpeSampler(4, MV).sample(PLANE, history, 'minimize', number);
      assert.deepEqual(new TpeSampler(4, MV).sample(PLANE, history, 'minimize', number), a);
      assert.notDeepEqual(new TpeSampler(5, MV).sample(PLANE, history, 'minimize', number), a);
    }
  });

  test("uses Scott's rule while fewer than `scottUntil` trials have finished, neighbour gaps from then on", () => {
    const history = (n: number): FrozenTrial[] =>
      complete(
        n,
        (i) => ({ x: Math.sin(i) * 2, y: Math.cos(i * 1.7) * 2 }),
        (i) => valley({ x: Math.sin(i) * 2, y: Math.cos(i * 1.7) * 2 }),
      );
    const ask = (options: TpeOptions, n: number): Record<string, ParamValue> =>
      new TpeSampler(7, { ...MV, ...options }).sample(PLANE, history(n), 'minimize', n);
    for (const n of [12, 29]) {
      assert.deepEqual(ask({ scottUntil: 30 }, n), ask({ bandwidth: 'scott', scottUntil: 0 }, n), `${n} finished: Scott's rule`);
      assert.notDeepEqual(ask({ scottUntil: 30 }, n), ask({ scottUntil: 0 }, n), `${n} finished: not the gaps`);
    }
    for (const n of [30, 45]) {
      assert.deepEqual(ask({ scottUntil: 30 }, n), ask({ scottUntil: 0 }, n), `${n} finished: neighbour gaps`);
      assert.notDeepEqual(ask({ scottUntil: 30 }, n), ask({ bandwidth: 'scott', scottUntil: 0 }, n), `${n} finished: not Scott's rule`);
    }
  });

  test('a study resumed from its stored trials samples exactly what one uninterrupted session does', async () => {
    const run = async (splits: number[]): Promise<string[]> => {
      let trials: FrozenTrial[] = [];
      for (const n of splits) {
        const study = new Study({ name: 's', direction: 'minimize', space: PLANE, sampler: new TpeSampler(11, MV), trials: structuredClone(trials) });
        await study.optimize(async (t) => valley(t.params), { nTrials: n });
        trials = [...study.trials];
      }
      return trials.map((t) => `${t.number}:${JSON.stringify(t.params)}`);
    };
    assert.deepEqual(await run([12, 13]), await run([25]));
  });
});

describe('constant liar', () => {
  // 20 finished trials whose best lie near (0.6, 0.6); three trials are still running there.
  const finished = complete(
    20,
    (i) => ({ x: -2 + (i % 5), y: -2 + Math.floor(i / 5) }),
    (i) => valley({ x: -2 + (i % 5), y: -2 + Math.floor(i / 5) }),
  );
  finished.push(
    ...complete(
      3,
      (i) => ({ x: 0.6 + 0.05 * i, y: 0.6 - 0.05 * i }),
      (i) => 0.01 * i,
    ).map((t, i) => ({ ...t, number: 20 + i })),
  );
  const running: FrozenTrial[] = [0, 1, 2].map((i) => ({ number: 23 + i, state: 'RUNNING', params: { x: 0.6, y: 0.6 + 0.02 * i }, intermediate: {} }));
  const distance = (p: Record<string, unknown>): number => Math.hypot((p.x as number) - 0.6, (p.y as number) - 0.6);

  test('running trials change the next asks with the liar, and are ignored without it', () => {
    let differ = 0;
    for (let number = 26; number < 46; number++) {
      const liar = new TpeSampler(3, MV);
      const withRunning = liar.sample(PLANE, [...finished, ...running], 'minimize', number);
      if (JSON.stringify(withRunning) !== JSON.stringify(liar.sample(PLANE, finished, 'minimize', number))) differ++;
      const honest = new TpeSampler(3, { ...MV, constantLiar: false });
      assert.deepEqual(honest.sample(PLANE, [...finished, ...running], 'minimize', number), honest.sample(PLANE, finished, 'minimize', number));
    }
    // The candidates come from l (the best trials), which running trials never join; what changes is
    // which candidate g (now holding the running points) lets win.
    assert.ok(differ >= 5, `${differ} of 20 asks changed`);
  });

  test('parallel asks keep away from the points still being evaluated', () => {
    let near = 0;
    let nearWithLiar = 0;
    for (let number = 26; number < 86; number++) {
      const withLiar = new TpeSampler(9, MV).sample(PLANE, [...finished, ...running], 'minimize', number);
      const without = new TpeSampler(9, { ...MV, constantLiar: false }).sample(PLANE, [...finished, ...running], 'minimize', number);
      if (distance(withLiar) < 0.1) nearWithLiar++;
      if (distance(without) < 0.1) near++;
    }
    assert.ok(nearWithLiar < near, `asks within 0.1 of the running trials: ${nearWithLiar} with the liar, ${near} without`);
  });
});

describe('group decomposition', () => {
  test('params that always appear together form one group; a trial that splits a group splits it', () => {
    assert.deepEqual(decomposeGroups([['a', 'b', 'c']]), [['a', 'b', 'c']]);
    assert.deepEqual(
      decomposeGroups([
        ['a', 'b', 'c'],
        ['a', 'b'],
        ['c', 'd'],
      ]),
      [['a', 'b'], ['c'], ['d']],
    );
    assert.deepEqual(decomposeGroups([['x'], ['y', 'z'], ['x']]), [['x'], ['y', 'z']]);
  });

  test('a conditional history (trials with different params) is sampled per group, every value in its distribution', () => {
    const space: SearchSpace = {
      kind: { type: 'categorical', choices: ['svm', 'forest'] },
      c: { type: 'float', low: 1e-3, high: 10, log: true },
      depth: { type: 'int', low: 1, high: 12 },
      trees: { type: 'int', low: 10, high: 200, step: 10 },
    };
    const history = complete(
      24,
      (i): Record<string, ParamValue> => (i % 2 ? { kind: 'svm', c: 10 ** ((i % 7) - 3) } : { kind: 'forest', depth: 1 + (i % 12), trees: 10 + 10 * (i % 19) }),
      (i) => (i % 2 ? Math.abs((i % 7) - 3) : Math.abs((i % 12) - 6) / 2),
    );
    for (const group of [false, true]) {
      for (let number = 24; number < 34; number++) {
        const p = new TpeSampler(2, { ...MV, group }).sample(space, history, 'minimize', number);
        for (const [k, d] of Object.entries(space)) assert.ok(contains(d, p[k]), `group ${String(group)}: ${k} = ${String(p[k])}`);
      }
    }
  });
});

describe('catalogue', () => {
  test("'tpe-multivariate' builds the multivariate TPE with groups and the constant liar, under its own name", () => {
    assert.deepEqual([MV.multivariate, MV.group, MV.constantLiar], [true, true, true]);
    const s = createSampler('tpe-multivariate', { seed: 3, study: 'x' });
    assert.equal(s.name, 'tpe-multivariate');
    const history = complete(
      20,
      (i) => ({ x: Math.sin(i) * 2, y: Math.cos(i * 1.7) * 2 }),
      (i) => valley({ x: Math.sin(i) * 2, y: Math.cos(i * 1.7) * 2 }),
    );
    assert.deepEqual(s.sample(PLANE, history, 'minimize', 20), new TpeSampler(3, MV).sample(PLANE, history, 'minimize', 20));
    assert.notDeepEqual(s.sample(PLANE, history, 'minimize', 20), new TpeSampler(3).sample(PLANE, history, 'minimize', 20));
  });
});
