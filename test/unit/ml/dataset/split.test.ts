import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kFold, trainValidationTestSplit } from '../../../../src/ml/dataset/split';

const labels = Array.from({ length: 100 }, (_, i) => (i < 70 ? 'a' : i < 90 ? 'b' : 'c'));

describe('splits', () => {
  test('stratified k-fold covers every row once and keeps class proportions', () => {
    const folds = kFold(100, 5, 7, labels);
    const seen = new Array<number>(100).fill(0);
    for (const f of folds) {
      assert.equal(f.test.length, 20);
      assert.equal(f.train.length + f.test.length, 100);
      for (const i of f.test) seen[i]++;
      const count = (c: string): number => Array.from(f.test).filter((i) => labels[i] === c).length;
      assert.deepEqual([count('a'), count('b'), count('c')], [14, 4, 2]);
    }
    assert.ok(seen.every((s) => s === 1));
  });

  test('the same seed gives the same folds; another seed gives others', () => {
    assert.deepEqual(kFold(100, 5, 7, labels), kFold(100, 5, 7, labels));
    assert.notDeepEqual(kFold(100, 5, 7, labels)[0].test, kFold(100, 5, 8, labels)[0].test);
  });

  test('train/validation/test split is stratified, disjoint and complete', () => {
    const s = trainValidationTestSplit(100, { validation: 0.2, test: 0.1 }, 3, labels);
    assert.equal(s.train.length + s.validation.length + s.test.length, 100);
    assert.equal(new Set([...s.train, ...s.validation, ...s.test]).size, 100);
    assert.equal(Array.from(s.validation).filter((i) => labels[i] === 'a').length, 14);
    assert.equal(Array.from(s.test).filter((i) => labels[i] === 'c').length, 1);
  });

  test('bad fold counts are refused', () => {
    assert.throws(() => kFold(10, 1, 0), /integer ≥ 2/);
    assert.throws(() => kFold(3, 5, 0), /at least 5 rows/);
  });
});
