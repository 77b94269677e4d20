import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { loadDataset } from '../../../src/ml/dataset/dataset';
import { isCoded } from '../../../src/ml/dataset/columns';
import { resolveMembers } from '../../../src/pipeline/train-options';
import { cvFolds } from '../../../src/pipeline/cross-validate';
import type { FoldData, TrialFit } from '../../../src/pipeline/tune-folds';
import { scoreFold } from '../../../src/pipeline/tune-folds';
import { sharedFoldData, TuneWorkerPool, tuneWorkerPath } from '../../../src/pipeline/tune-pool';
import { example } from '../ml/helpers';

function foldData(file: string, target: string): FoldData {
  const ds = loadDataset(example(file), { target });
  const classes = ds.target.labels ? [...new Set(ds.target.labels)].sort() : [];
  return { ds, folds: cvFolds(ds, 3, 42), classes, seed: 42, threads: 1 };
}

const FIT: TrialFit = { members: resolveMembers(['rf', 'knn'], { rf: { nEstimators: 10 } }), weights: 'equal' };

describe('tune worker pool', () => {
  test("the workers' data lives in SharedArrayBuffers and reads the same as the dataset's", () => {
    for (const [file, target] of [
      ['iris.csv', 'species'],
      ['diabetes.csv', 'progression'],
      ['churn.csv', 'churned'],
    ] as const) {
      const data = foldData(file, target);
      const shared = sharedFoldData(data);
      for (const [name, c] of Object.entries(shared.ds.frame.columns)) {
        const typed = Array.isArray(c) ? undefined : isCoded(c) ? c.codes : c;
        if (typed) assert.ok(typed.buffer instanceof SharedArrayBuffer, `${file}: ${name}`);
        assert.deepEqual(c, data.ds.frame.columns[name], `${file}: ${name}`);
      }
      if (shared.ds.target.values) assert.ok(shared.ds.target.values.buffer instanceof SharedArrayBuffer);
      assert.deepEqual(shared.ds.target, data.ds.target);
      shared.folds.forEach((f, i) => {
        assert.ok(f.train.buffer instanceof SharedArrayBuffer && f.test.buffer instanceof SharedArrayBuffer);
        assert.deepEqual([f.train, f.test], [data.folds[i]!.train, data.folds[i]!.test]);
      });
    }
  });

  test('a fold scored on a worker gives the metrics it gives on this thread; the worker is reused by the next trial', async () => {
    const script = tuneWorkerPath();
    assert.ok(script, 'the compiled worker script sits beside tune-pool.js');
    const data = foldData('iris.csv', 'species');
    const pool = new TuneWorkerPool(script, data);
    try {
      for (let trial = 0; trial < 2; trial++) {
        const scorer = pool.scorer(FIT);
        for (let f = 0; f < 2; f++) assert.deepEqual(await scorer.fold(f), await scoreFold(data, FIT, f));
        scorer.close();
      }
    } finally {
      await pool.close();
    }
  });

  test("a fit error on the worker rejects that fold with the error's code and message", async () => {
    const data = foldData('iris.csv', 'species');
    const pool = new TuneWorkerPool(tuneWorkerPath()!, data);
    try {
      const bad: TrialFit = { members: resolveMembers(['knn'], { knn: { nNeighbors: 1000 } }), weights: 'equal' };
      await assert.rejects(pool.scorer(bad).fold(0), /nNeighbors \(1000\) is larger than the \d+ training rows/);
    } finally {
      await pool.close();
    }
  });

  test('a worker that dies fails its fold, naming its exit code, and the next trial gets a new worker', async () => {
    const pool = new TuneWorkerPool(join(__dirname, 'tune-worker-exits.js'), foldData('iris.csv', 'species'));
    try {
      for (let trial = 0; trial < 2; trial++) {
        const scorer = pool.scorer(FIT);
        await assert.rejects(scorer.fold(0), (e: unknown) => e instanceof ModelOpsError && e.message === 'a tuning worker exited with code 3');
        scorer.close();
      }
    } finally {
      await pool.close();
    }
  });

  test('cancelling terminates the workers: the fold in flight rejects as CANCELLED, and no fold starts after', async () => {
    const abort = new AbortController();
    const pool = new TuneWorkerPool(tuneWorkerPath()!, foldData('churn.csv', 'churned'), abort.signal);
    try {
      const scorer = pool.scorer(FIT);
      const pending = scorer.fold(0);
      abort.abort();
      await assert.rejects(pending, (e: unknown) => e instanceof ModelOpsError && e.code === 'CANCELLED');
      assert.throws(
        () => scorer.fold(1),
        (e: unknown) => e instanceof ModelOpsError && e.code === 'CANCELLED',
      );
    } finally {
      await pool.close();
    }
  });
});
