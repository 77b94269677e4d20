import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { collectGarbage } from '../../../src/core/collect-garbage';

test('collectGarbage frees what nothing references any more, with no --expose-gc flag', async () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test runs without --expose-gc');
  // Made in a function of its own, so no variable here holds it.
  const ref = ((): WeakRef<Float64Array> => new WeakRef(new Float64Array(1 << 20)))();
  // A WeakRef's target is kept until the current job ends.
  await tick();
  collectGarbage();
  assert.equal(ref.deref(), undefined);
});
