import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { FrozenTrial } from '../../../src/core/tuning';
import type { SearchSpace } from '../../../src/tuning/distributions';
import { MedianPruner } from '../../../src/tuning/pruners/median';
import { RandomSampler } from '../../../src/tuning/samplers/random';
import type { Sampler } from '../../../src/tuning/samplers/sampler';
import { INTERRUPTED, Study } from '../../../src/tuning/study';

const SPACE: SearchSpace = { x: { type: 'float', low: 0, high: 1 } };

/** Lets the other trial in flight go on: a turn of the event loop. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A random sampler that notes, for each trial it samples, the states of the trials before it. */
function watchingSampler(): { sampler: Sampler; seen: Map<number, string[]> } {
  const inner = new RandomSampler(3);
  const seen = new Map<number, string[]>();
  return {
    seen,
    sampler: {
      name: 'watching',
      sample: (space, history, direction, number) => {
        seen.set(
          number,
          history.map((t) => `${t.number}:${t.state}`),
        );
        return inner.sample(space, history, direction, number);
      },
    },
  };
}

const newStudy = (sampler: Sampler = new RandomSampler(1), pruner?: MedianPruner): Study =>
  new Study({ name: 's', direction: 'maximize', space: SPACE, sampler, ...(pruner ? { pruner } : {}) });

describe('Study.optimize with nJobs', () => {
  test('keeps two trials in flight, no more; numbers are unique and every trial ends COMPLETE', async () => {
    const study = newStudy();
    let inFlight = 0;
    let most = 0;
    const finished: number[] = [];
    await study.optimize(
      async (t) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Trials of different lengths, so they end out of order.
        for (let i = 0; i < 1 + (t.number % 3); i++) await turn();
        inFlight--;
        return t.params.x as number;
      },
      { nTrials: 9, nJobs: 2, listener: { trialFinished: (t) => void finished.push(t.number) } },
    );
    assert.equal(most, 2);
    assert.deepEqual(
      study.trials.map((t) => t.number),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.ok(study.trials.every((t) => t.state === 'COMPLETE' && t.value === t.params.x));
    assert.deepEqual(
      [...finished].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.notDeepEqual(finished, [0, 1, 2, 3, 4, 5, 6, 7, 8], 'the trials should have overlapped and ended out of order');
  });

  test('each ask sees the trial still in flight as RUNNING (what the constant liar reads); with nJobs 1 it never does', async () => {
    for (const nJobs of [1, 2]) {
      const { sampler, seen } = watchingSampler();
      await newStudy(sampler).optimize(
        async () => {
          await turn();
          return 0.5;
        },
        { nTrials: 4, nJobs },
      );
      const running = [...seen.values()].filter((h) => h.some((s) => s.endsWith(':RUNNING'))).length;
      if (nJobs === 1) assert.equal(running, 0);
      else assert.deepEqual(seen.get(1), ['0:RUNNING']);
    }
  });

  test('the pruner decides per trial on its own intermediate values', async () => {
    const study = newStudy(new RandomSampler(2), new MedianPruner({ nStartupTrials: 2 }));
    await study.optimize(
      async (t) => {
        const good = t.number < 4;
        for (let step = 0; step < 3; step++) {
          await turn();
          await t.report(step, good ? 1 : 0);
        }
        return good ? 1 : 0;
      },
      { nTrials: 10, nJobs: 2 },
    );
    assert.deepEqual(
      study.trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'PRUNED', 'PRUNED', 'PRUNED', 'PRUNED', 'PRUNED', 'PRUNED'],
    );
    for (const t of study.trials.slice(4)) assert.deepEqual(t.intermediate, { 0: 0 });
    for (const t of study.trials.slice(0, 4)) assert.deepEqual(t.intermediate, { 0: 1, 1: 1, 2: 1 });
  });

  test('cancelling starts no new trial; the trials in flight end and none is left RUNNING', async () => {
    const controller = new AbortController();
    const study = newStudy();
    const error = await study
      .optimize(
        async (t) => {
          if (t.number === 3) controller.abort();
          for (let i = 0; i < 3; i++) {
            await turn();
            if (controller.signal.aborted) throw new ModelOpsError('CANCELLED', 'tuning was cancelled');
          }
          return 0.5;
        },
        { nTrials: 20, nJobs: 2, signal: controller.signal },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof ModelOpsError && error.code === 'CANCELLED', String(error));
    assert.equal(study.trials.length, 4);
    assert.ok(study.trials.every((t) => t.state !== 'RUNNING'));
    assert.deepEqual(
      study.trials.slice(2).map((t) => t.state),
      ['FAIL', 'FAIL'],
    );
  });

  test('a failing trial fails alone: the one beside it completes, no new trial starts, the error is rethrown', async () => {
    const study = newStudy();
    const finished: FrozenTrial[] = [];
    await assert.rejects(
      study.optimize(
        async (t) => {
          await turn();
          if (t.number === 1) throw new Error('bad params');
          await turn();
          await turn();
          return 0.5;
        },
        { nTrials: 10, nJobs: 2, listener: { trialFinished: (t) => void finished.push({ ...t }) } },
      ),
      /bad params/,
    );
    assert.deepEqual(
      study.trials.map((t) => [t.number, t.state]),
      [
        [0, 'COMPLETE'],
        [1, 'FAIL'],
      ],
    );
    assert.deepEqual(
      finished.map((t) => t.number),
      [1, 0],
    );
  });

  test('a timeout stops new trials, the ones in flight finish; nJobs must be a positive integer', async () => {
    const study = newStudy();
    await study.optimize(
      async () => {
        await new Promise((r) => setTimeout(r, 5));
        return 0.5;
      },
      { nTrials: 1000, nJobs: 2, timeoutMs: 0 },
    );
    assert.equal(study.trials.length, 0);
    for (const nJobs of [0, 1.5, -1])
      await assert.rejects(
        newStudy().optimize(async () => 1, { nTrials: 1, nJobs }),
        /nJobs must be an integer/,
      );
  });
});

describe("a failed trial's reason (Optuna's fail_reason)", () => {
  test("the objective's error, a value that is not a finite number, and a trial a crash left RUNNING", async () => {
    const study = newStudy();
    await assert.rejects(
      study.optimize(
        async () => {
          throw new Error('fit failed: <b>x</b>');
        },
        { nTrials: 1 },
      ),
      /fit failed/,
    );
    await study.optimize(async () => NaN, { nTrials: 1 });
    assert.deepEqual(
      study.trials.map((t) => [t.state, t.failReason]),
      [
        ['FAIL', 'fit failed: <b>x</b>'],
        ['FAIL', 'the objective returned NaN, not a finite number'],
      ],
    );
    await study.optimize(async () => 0.5, { nTrials: 1 });
    assert.equal(study.trials[2]!.failReason, undefined, 'a COMPLETE trial has none');
    const resumed = new Study({
      name: 's',
      direction: 'maximize',
      space: SPACE,
      sampler: new RandomSampler(1),
      trials: [{ number: 0, state: 'RUNNING', params: { x: 0.5 }, intermediate: {} }],
    });
    assert.deepEqual(
      resumed.trials.map((t) => [t.state, t.failReason]),
      [['FAIL', INTERRUPTED]],
    );
  });
});
