import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { awaitBlocks, claimBlocks, newControl } from '../../../../src/ml/parallel/blocks';

describe('shared work blocks', () => {
  test('claimBlocks runs every block exactly once, and awaitBlocks then returns without redoing any', () => {
    const control = newControl(7);
    const ran: number[] = [];
    claimBlocks(control, (b) => ran.push(b));
    assert.deepEqual(ran, [0, 1, 2, 3, 4, 5, 6]);
    claimBlocks(control, (b) => ran.push(b)); // a late worker finds nothing left
    assert.equal(ran.length, 7);
    const redone: number[] = [];
    awaitBlocks(control, performance.now(), (b) => redone.push(b));
    assert.deepEqual(redone, []);
  });

  test('a block a stalled worker claimed but never finished is redone here', () => {
    const control = newControl(3);
    // A "worker" claims block 0 and stalls: mark it claimed by hand, then run the rest.
    Atomics.add(control, 0, 1);
    Atomics.store(control, 1, 1);
    const ran: number[] = [];
    claimBlocks(control, (b) => ran.push(b));
    assert.deepEqual(ran, [1, 2]);
    const redone: number[] = [];
    awaitBlocks(control, performance.now(), (b) => redone.push(b), 20);
    assert.deepEqual(redone, [0]);
  });
});
