import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FrozenTrial } from '../../../src/core/tuning';
import { ModelOpsError } from '../../../src/core/errors';
import type { Pruner } from '../../../src/tuning/pruners/pruner';
import { crc32, HyperbandPruner } from '../../../src/tuning/pruners/hyperband';
import { promotable, SuccessiveHalvingPruner } from '../../../src/tuning/pruners/successive-halving';
import { RandomSampler } from '../../../src/tuning/samplers/random';
import { Study } from '../../../src/tuning/study';

const SPACE = { x: { type: 'float' as const, low: 0, high: 1 } };

/** Trial i's learning curve: its level v and its slope w are two fixed permutations of the trial numbers. */
const curve = (i: number, step: number): number => ((i * 37) % 40) / 40 + (((i * 13) % 40) / 4000) * step;

/** Runs `n` trials reporting `steps` steps of `value(trial, step)`; returns each pruned trial's last step. */
async function prunedAt(
  pruner: Pruner,
  n: number,
  steps: number,
  value: (t: { number: number; params: Record<string, unknown> }, step: number) => number,
  name = 'sha-test',
): Promise<{ pruned: Record<number, number>; study: Study }> {
  const study = new Study({ name, direction: 'maximize', space: SPACE, sampler: new RandomSampler(1), pruner });
  await study.optimize(
    async (t) => {
      for (let s = 0; s < steps; s++) await t.report(s, value(t, s));
      return value(t, steps - 1);
    },
    { nTrials: n },
  );
  const pruned: Record<number, number> = {};
  for (const t of study.trials) if (t.state === 'PRUNED') pruned[t.number] = Math.max(...Object.keys(t.intermediate).map(Number));
  return { pruned, study };
}

// What Optuna 3.1 (Debian's python3-optuna) prunes, and at which step, for the same 40 curves
// (8 steps, maximised): trial number → last step. Made with /usr/bin/python3 and
// optuna.pruners.SuccessiveHalvingPruner / HyperbandPruner, the objective reporting curve(number, step).
const OPTUNA = {
  sha: {
    2: 1,
    3: 1,
    4: 1,
    5: 1,
    6: 1,
    7: 1,
    8: 1,
    9: 1,
    10: 1,
    11: 1,
    12: 1,
    13: 1,
    15: 2,
    16: 2,
    17: 2,
    18: 2,
    19: 1,
    20: 1,
    21: 1,
    22: 1,
    23: 1,
    24: 1,
    25: 1,
    26: 1,
    28: 4,
    29: 2,
    30: 2,
    31: 2,
    32: 2,
    33: 1,
    34: 1,
    35: 1,
    36: 1,
    37: 1,
    38: 1,
    39: 1,
  },
  shaS1: {
    2: 3,
    3: 3,
    4: 3,
    5: 3,
    6: 3,
    7: 3,
    8: 3,
    9: 3,
    10: 3,
    11: 3,
    12: 3,
    13: 3,
    17: 3,
    18: 3,
    19: 3,
    20: 3,
    21: 3,
    22: 3,
    23: 3,
    24: 3,
    25: 3,
    26: 3,
    31: 3,
    32: 3,
    33: 3,
    34: 3,
    35: 3,
    36: 3,
    37: 3,
    38: 3,
    39: 3,
  },
  hb: {
    5: 1,
    7: 1,
    9: 2,
    10: 1,
    12: 2,
    13: 1,
    16: 4,
    17: 4,
    18: 2,
    19: 2,
    20: 4,
    21: 1,
    22: 1,
    24: 1,
    25: 4,
    31: 2,
    32: 2,
    33: 2,
    34: 2,
    35: 4,
    36: 1,
    37: 1,
    38: 1,
    39: 2,
  },
  hbAuto: {
    2: 1,
    3: 1,
    4: 1,
    5: 1,
    6: 1,
    7: 1,
    8: 1,
    9: 1,
    10: 1,
    11: 1,
    12: 1,
    15: 3,
    16: 3,
    17: 1,
    18: 1,
    20: 3,
    21: 1,
    22: 1,
    23: 3,
    24: 1,
    25: 1,
    26: 3,
    28: 3,
    29: 3,
    30: 1,
    32: 1,
    33: 3,
    34: 1,
    35: 1,
    36: 1,
    37: 1,
    38: 3,
    39: 1,
  },
};

describe('successive halving and hyperband pruners', () => {
  test('successive halving prunes the bad half at its rung (η = 2): no trial of the better half, every one of the worse half once the rung has 10', async () => {
    const { pruned, study } = await prunedAt(new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 }), 40, 2, (t) => t.params.x as number);
    const xs = study.trials.map((t) => t.params.x as number);
    const median = [...xs].sort((a, b) => a - b)[20];
    const worse = study.trials.filter((t) => (t.params.x as number) < median).map((t) => t.number);
    assert.ok(Object.keys(pruned).length >= 12, `pruned ${Object.keys(pruned).length} of 40`);
    for (const [n, step] of Object.entries(pruned)) {
      assert.ok(worse.includes(Number(n)), `trial ${n} (x ${xs[Number(n)].toFixed(2)}) is in the better half`);
      assert.equal(step, 1, 'pruned at the first rung, step r·η⁰ = 1');
    }
    // Asynchronous halving promotes while a rung has few trials: only the first ones of the worse half go on.
    assert.deepEqual(
      worse.filter((n) => !(n in pruned) && n > 10),
      [],
    );
  });

  test('the same trials are pruned at the same steps as by Optuna 3.1 (successive halving with s = 0 and 1, Hyperband with R given and auto)', async () => {
    const cases = [
      ['sha', new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 }), 'sha-test'],
      ['shaS1', new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 1 }), 'sha-test'],
      ['hb', new HyperbandPruner({ study: 'hb-test', minResource: 1, maxResource: 8, reductionFactor: 2 }), 'hb-test'],
      ['hbAuto', new HyperbandPruner({ study: 'hb-test' }), 'hb-test'],
    ] as const;
    for (const [key, pruner, name] of cases) {
      const { pruned } = await prunedAt(pruner, 40, 8, (t, s) => curve(t.number, s), name);
      assert.deepEqual(pruned, OPTUNA[key], key);
    }
  });

  test('a study continued by a new session (a new pruner, the stored trials) prunes what one session would', async () => {
    const make = (): SuccessiveHalvingPruner => new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    const one = await prunedAt(make(), 40, 8, (t, s) => curve(t.number, s));
    const first = new Study({ name: 'sha-test', direction: 'maximize', space: SPACE, sampler: new RandomSampler(1), pruner: make() });
    const objective = async (t: { number: number; report(step: number, value: number): Promise<void> }): Promise<number> => {
      for (let s = 0; s < 8; s++) await t.report(s, curve(t.number, s));
      return curve(t.number, 7);
    };
    await first.optimize(objective, { nTrials: 17 });
    const second = new Study({
      name: 'sha-test',
      direction: 'maximize',
      space: SPACE,
      sampler: new RandomSampler(1),
      pruner: make(),
      trials: JSON.parse(JSON.stringify(first.trials)) as FrozenTrial[],
    });
    await second.optimize(objective, { nTrials: 23 });
    assert.deepEqual(
      second.trials.map((t) => t.state),
      one.study.trials.map((t) => t.state),
    );
  });

  test("with min resource 'auto', nothing is pruned before a trial completes; then r = its last step ÷ 100 (at least 1)", () => {
    const p = new SuccessiveHalvingPruner({ reductionFactor: 2 });
    const running = (number: number, values: number[]): FrozenTrial => ({
      number,
      state: 'RUNNING',
      params: {},
      intermediate: Object.fromEntries(values.map((v, i) => [i, v])),
    });
    const poor = running(1, [0, 0, 0]);
    assert.equal(p.shouldPrune(poor, [running(0, [1, 1, 1]), poor], 'maximize'), false);
    const done: FrozenTrial = { ...running(0, [1, 1, 1, 1]), state: 'COMPLETE', value: 1 };
    assert.equal(p.shouldPrune(poor, [done, poor], 'maximize'), true);
    assert.equal(p.rungStep(0), 1);
  });

  test('a NaN at a rung is pruned; minimising keeps the smallest; ties go on', () => {
    const p = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    const t = (number: number, v: number): FrozenTrial => ({ number, state: 'COMPLETE', params: {}, intermediate: { 0: v, 1: v } });
    assert.equal(p.shouldPrune({ ...t(2, Number.NaN), state: 'RUNNING' }, [t(0, 1)], 'maximize'), true);
    assert.equal(promotable(1, [1, 2, 3, 4], 2, 'minimize'), true);
    assert.equal(promotable(2, [1, 2, 3, 4], 2, 'minimize'), true);
    assert.equal(promotable(3, [1, 2, 3, 4], 2, 'minimize'), false);
    assert.equal(promotable(3, [1, 2, 3, 4], 2, 'maximize'), true);
    assert.equal(promotable(2, [2, 2], 2, 'maximize'), true);
  });

  test("hyperband: ⌊log_η(R/r)⌋ + 1 brackets; a trial's bracket hashes (study, number) with CRC-32 as Optuna does", () => {
    assert.equal(crc32('hb-test_0'), 3456090539); // Python: binascii.crc32(b'hb-test_0')
    assert.equal(crc32('étude_7'), 2642388067); // UTF-8, as Python's str.encode()
    const hb = new HyperbandPruner({ study: 'hb-test', minResource: 1, maxResource: 8, reductionFactor: 2 });
    assert.equal(hb.bracketCount, 0, 'brackets are made at the first report');
    const t: FrozenTrial = { number: 0, state: 'RUNNING', params: {}, intermediate: { 0: 1 } };
    hb.shouldPrune(t, [t], 'maximize');
    assert.equal(hb.bracketCount, 4);
    const counts = [0, 0, 0, 0];
    for (let n = 0; n < 2000; n++) counts[hb.bracketOf(n)]++;
    // Budgets ⌈4·2^s/(s+1)⌉ for s = 3..0: 8, 6, 4, 4 of 22.
    counts.forEach((c, b) => assert.ok(Math.abs(c / 2000 - [8, 6, 4, 4][b] / 22) < 0.04, `bracket ${b}: ${c}`));
  });

  test('bad settings are refused by name', () => {
    const refused = (f: () => unknown, field: string): void => assert.throws(f, (e: unknown) => e instanceof ModelOpsError && e.message.includes(field));
    refused(() => new SuccessiveHalvingPruner({ reductionFactor: 1 }), 'reductionFactor must be an integer ≥ 2');
    refused(() => new SuccessiveHalvingPruner({ minResource: 0 }), 'minResource');
    refused(() => new SuccessiveHalvingPruner({ minEarlyStoppingRate: -1 }), 'minEarlyStoppingRate');
    refused(() => new SuccessiveHalvingPruner({ bootstrapCount: 2 }), "bootstrapCount must be 0 when minResource is 'auto'");
    refused(() => new HyperbandPruner({ study: 's', maxResource: 'x' as unknown as number }), 'maxResource');
    refused(() => new HyperbandPruner({ study: 's', reductionFactor: 1 }), 'reductionFactor');
  });
});
