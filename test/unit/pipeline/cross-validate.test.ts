import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDataset } from '../../../src/ml/dataset/dataset';
import { fitOnRows, memberOutputsOnRows } from '../../../src/pipeline/cross-validate';
import { example } from '../ml/helpers';

describe('cross-validate', () => {
  for (const [file, target] of [
    ['iris.csv', 'species'],
    ['diabetes.csv', 'progression'],
    ['churn.csv', 'churned'],
  ] as const) {
    test(`members' outputs on ${file} transformed a chunk at a time are those of the whole matrix`, async () => {
      const ds = loadDataset(example(file), { target });
      const all = Int32Array.from({ length: ds.frame.nRows }, (_, i) => i);
      const model = await fitOnRows(ds, all, 3, {
        members: [
          { type: 'rf', params: { nEstimators: 5 } },
          { type: 'knn', params: {} },
        ],
        weights: 'equal',
      });
      // Every other row, in a shuffled order, so chunks are not aligned to the frame.
      const rows = Int32Array.from(all.filter((i) => i % 2 === 0).reverse());
      const whole = model.memberOutputs(model.transform(ds.frame, rows));
      for (const chunk of [7, 16, rows.length - 1]) {
        const parts = memberOutputsOnRows(model, ds, rows, chunk);
        assert.equal(parts.length, whole.length);
        parts.forEach((p, m) => assert.deepEqual(Array.from(p), Array.from(whole[m]!), `member ${m}, chunks of ${chunk} rows`));
      }
    });
  }
});

describe('a final fit that takes the frame', () => {
  const members = {
    'a forest alone (columns let go as they are binned)': [{ type: 'rf' as const, params: { nEstimators: 5 } }],
    'a forest and k-NN (columns let go once the matrix is built)': [
      { type: 'rf' as const, params: { nEstimators: 5 } },
      { type: 'knn' as const, params: {} },
    ],
  };
  for (const [file, target] of [
    ['churn.csv', 'churned'],
    ['diabetes.csv', 'progression'],
  ] as const) {
    for (const [what, spec] of Object.entries(members)) {
      test(`${file}, ${what}: the same model, and the frame is left empty`, async () => {
        const kept = loadDataset(example(file), { target });
        const taken = loadDataset(example(file), { target });
        const settings = { members: spec, weights: 'equal' as const };
        const a = await fitOnRows(kept, undefined, 5, settings);
        const b = await fitOnRows(taken, undefined, 5, { ...settings, releaseFrame: true });
        assert.deepEqual(Object.keys(taken.frame.columns), []);
        assert.ok(Object.keys(kept.frame.columns).length > 3, 'without releaseFrame the frame keeps its columns');
        const rows = Int32Array.from({ length: kept.frame.nRows }, (_, i) => i);
        const outA = a.memberOutputs(a.transform(kept.frame, rows));
        const outB = b.memberOutputs(b.transform(kept.frame, rows));
        outA.forEach((o, m) => assert.deepEqual(Array.from(outB[m]!), Array.from(o), `member ${m}`));
      });
    }
  }
});
