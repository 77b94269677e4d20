import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Compiled } from '../../../../src/ml/forest/forest-predict';
import { predictRange } from '../../../../src/ml/forest/forest-predict';

/** Two stumps on feature 0 (≤ 0.5) and feature 1 (≤ -1): left leaf [1, 0], right leaf [0, 1]. */
function stumps(): Compiled {
  const nodes = new Int32Array(18);
  const thresholds = new Float32Array(nodes.buffer);
  const stump = (at: number, feature: number, threshold: number): void => {
    nodes[at] = feature;
    nodes[at + 1] = at + 6; // right child's record
    thresholds[at + 2] = threshold;
    nodes[at + 3] = -1; // left leaf
    nodes[at + 4] = 0; // its values at slot 0
    nodes[at + 6] = -1; // right leaf
    nodes[at + 7] = 2; // its values at slot 2
  };
  stump(0, 0, 0.5);
  stump(9, 1, -1);
  return { roots: Int32Array.from([0, 9]), nodes, thresholds, values: Float32Array.from([1, 0, 0, 1]) };
}

describe('forest traversal', () => {
  test('rows in groups of four and the tail go where `x <= threshold ? left : right` sends them, NaN to the right', () => {
    // Every mix of NaN, the thresholds themselves, values just above and infinities, in every
    // lane of the four-row groups, plus a tail of three rows.
    const as = [NaN, 0.5, 0.6, -Infinity];
    const bs = [NaN, -1, -0.9, Infinity];
    const rows = [...as.flatMap((a) => bs.map((b) => [a, b])), [NaN, -2], [1, NaN], [0, -5]];
    const job = { model: stumps(), rows: Float32Array.from(rows.flat()), nRows: rows.length, d: 2, V: 2, out: new Float64Array(rows.length * 2) };
    predictRange(job, 0, rows.length);
    const expected = rows.flatMap(([a, b]) => {
      const p = [0, 0];
      p[a <= 0.5 ? 0 : 1] += 1;
      p[b <= -1 ? 0 : 1] += 1;
      return p;
    });
    assert.deepEqual(Array.from(job.out), expected);
  });
});
