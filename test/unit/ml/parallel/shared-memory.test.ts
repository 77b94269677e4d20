import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inSharedMemory } from '../../../../src/ml/parallel/shared-memory';

test('inSharedMemory copies a view into a new shared buffer, with its offset and type', () => {
  // Typed as the product's arrays are (any backing buffer).
  const backing: Float64Array = new Float64Array([9, 1.5, -2, 3e300, 9]);
  const view = backing.subarray(1, 4);
  const out = inSharedMemory(view, (b) => new Float64Array(b));
  assert.ok(out.buffer instanceof SharedArrayBuffer);
  assert.deepEqual([...out], [1.5, -2, 3e300]);
  backing[2] = 7;
  assert.equal(out[1], -2, 'a copy, not the same memory');
});

test('inSharedMemory gives back an array that is already shared', () => {
  const a = new Int32Array(new SharedArrayBuffer(12));
  assert.equal(
    inSharedMemory(a, (b) => new Int32Array(b)),
    a,
  );
  const plain: Uint8Array = new Uint8Array([1, 2, 255]);
  const bytes = inSharedMemory(plain, (b) => new Uint8Array(b));
  assert.deepEqual([...bytes], [1, 2, 255]);
});
