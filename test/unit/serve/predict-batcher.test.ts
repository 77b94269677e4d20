import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Cell, Frame } from '../../../src/ml/dataset/dataset';
import type { EnsemblePrediction } from '../../../src/ml/ensemble/ensemble';
import type { FramePredictor } from '../../../src/serve/predict-batcher';
import { MAX_BATCH_ROWS, PredictBatcher } from '../../../src/serve/predict-batcher';

/** Predicts each row's `x` doubled (its probabilities [x, 1 - x]); a row with x < 0 makes the whole call throw. */
class Doubler implements FramePredictor {
  calls: number[] = [];
  predictFrame(frame: Frame): EnsemblePrediction {
    this.calls.push(frame.nRows);
    const xs = frame.columns.x as Cell[];
    if (xs.some((x) => (x as number) < 0)) throw new Error('negative x');
    return { predictions: xs.map((x) => 2 * (x as number)), probabilities: xs.map((x) => [x as number, 1 - (x as number)]) };
  }
}

const frame = (...xs: number[]): Frame => ({ nRows: xs.length, columns: { x: xs } });

describe('the scoring server joins concurrent requests into one prediction', () => {
  test('requests made in the same turn share one call, and each gets back exactly its own rows', async () => {
    const m = new Doubler();
    const b = new PredictBatcher();
    const got = await Promise.all([b.predict(m, frame(1)), b.predict(m, frame(2, 3)), b.predict(m, frame()), b.predict(m, frame(4))]);
    assert.deepEqual(m.calls, [4]);
    assert.deepEqual(
      got.map((p) => p.predictions),
      [[2], [4, 6], [], [8]],
    );
    assert.deepEqual(got[1]!.probabilities, [
      [2, -1],
      [3, -2],
    ]);
    // The next turn is a new batch.
    assert.deepEqual((await b.predict(m, frame(5))).predictions, [10]);
    assert.deepEqual(m.calls, [4, 1]);
  });

  test('a request that makes the joined call fail fails alone; the others are answered', async () => {
    const m = new Doubler();
    const b = new PredictBatcher();
    const got = await Promise.allSettled([b.predict(m, frame(1)), b.predict(m, frame(-1)), b.predict(m, frame(3))]);
    assert.deepEqual(
      got.map((r) => (r.status === 'fulfilled' ? r.value.predictions : (r.reason as Error).message)),
      [[2], 'negative x', [6]],
    );
  });

  test('different models, different columns, typed columns and large requests are never joined', async () => {
    const m1 = new Doubler();
    const m2 = new Doubler();
    const b = new PredictBatcher();
    const typed: Frame = { nRows: 2, columns: { x: Float32Array.from([1, 2]) as unknown as Cell[] } };
    const big = frame(...Array.from({ length: MAX_BATCH_ROWS }, () => 1));
    const other: Frame = { nRows: 1, columns: { x: [7], y: [0] } };
    const got = await Promise.all([
      b.predict(m1, frame(1)),
      b.predict(m2, frame(2)),
      b.predict(m1, other),
      b.predict(m1, typed),
      b.predict(m1, big),
      b.predict(m1, frame(3)),
    ]);
    assert.deepEqual(got[2]!.predictions, [14]);
    assert.deepEqual(Array.from(got[3]!.predictions), [2, 4]);
    assert.deepEqual(got[5]!.predictions, [6]);
    // typed and big at once, then per turn: m1's two one-column requests together, m2's, m1's two-column one.
    assert.deepEqual(
      m1.calls.sort((a, c) => a - c),
      [1, 2, 2, MAX_BATCH_ROWS],
    );
    assert.deepEqual(m2.calls, [1]);
  });

  test('a turn with more rows than one call takes is split into calls of at most MAX_BATCH_ROWS', async () => {
    const m = new Doubler();
    const b = new PredictBatcher();
    const half = Math.floor(MAX_BATCH_ROWS / 2) + 1;
    const xs = Array.from({ length: half }, (_, i) => i);
    const got = await Promise.all([b.predict(m, frame(...xs)), b.predict(m, frame(...xs)), b.predict(m, frame(...xs))]);
    assert.deepEqual(m.calls, [half, half, half]);
    for (const p of got)
      assert.deepEqual(
        p.predictions,
        xs.map((x) => 2 * x),
      );
  });
});
