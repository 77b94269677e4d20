import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { LogBatch } from '../../../src/core/tracking';
import { ByteBudget } from '../../../src/server/body';
import { LogBatchQueue } from '../../../src/server/log-batch-queue';
import { openStores } from '../../../src/store/open';
import type { TrackingStore } from '../../../src/store/tracking-store';
import { tempDir } from '../store/helpers/temp';

const tmp = tempDir('modelops-group-commit-');
after(() => tmp.cleanup());

/** The store, counting its transactions. */
function counting(store: TrackingStore): { store: TrackingStore; commits: () => number } {
  let n = 0;
  const wrapped = Object.assign(Object.create(store) as TrackingStore, {
    logBatch: (runId: string, batch: LogBatch) => {
      n++;
      return store.logBatch(runId, batch);
    },
    logBatchMany: (entries: { runId: string; batch: LogBatch }[]) => {
      n++;
      return store.logBatchMany(entries);
    },
  });
  return { store: wrapped, commits: () => n };
}

const point = (key: string, step: number): LogBatch => ({ metrics: [{ key, value: step, timestamp: 1_700_000_000_000 + step, step }] });

describe('group commit of log-batch requests', () => {
  test('concurrent requests from several clients share transactions, and each is answered once its data is stored', async () => {
    const stores = await openStores(join(tmp.dir, 'a', 'mlflow.db'));
    const runs = await Promise.all([0, 1, 2, 3].map(() => stores.tracking.createRun({ experimentId: '0' })));
    const { store, commits } = counting(stores.tracking);
    const queue = new LogBatchQueue(store);
    const clients = runs.map(() => ({}));
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        runs.map(async (r, i) => {
          await queue.submit(r.info.runId, point('loss', round), clients[i]!);
          // Answered: the point is in the store now.
          const history = await stores.tracking.getMetricHistory(r.info.runId, 'loss');
          assert.ok(history.some((m) => m.step === round));
        }),
      );
    }
    assert.ok(commits() < 20, `20 requests in ${commits()} transactions`);
    await stores.close();
  });

  test('a request that fails does not fail the others of its group', async () => {
    const stores = await openStores(join(tmp.dir, 'b', 'mlflow.db'));
    const good = await stores.tracking.createRun({ experimentId: '0' });
    const other = await stores.tracking.createRun({ experimentId: '0' });
    await stores.tracking.logBatch(other.info.runId, { params: [{ key: 'lr', value: '0.1' }] });
    const queue = new LogBatchQueue(stores.tracking);
    const [a, b, c] = await Promise.allSettled([
      queue.submit(good.info.runId, point('loss', 1), {}),
      // A param changed: MLflow refuses it, and only it.
      queue.submit(other.info.runId, { params: [{ key: 'lr', value: '0.2' }] }, {}),
      queue.submit(good.info.runId, point('loss', 2), {}),
    ]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(c.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    assert.ok((b as PromiseRejectedResult).reason instanceof ModelOpsError);
    assert.deepEqual(
      (await stores.tracking.getMetricHistory(good.info.runId, 'loss')).map((m) => m.step),
      [1, 2],
    );
    assert.deepEqual((await stores.tracking.getRun(other.info.runId)).data.params, [{ key: 'lr', value: '0.1' }]);
    await stores.close();
  });
});

describe('the budget of request bodies held in memory', () => {
  test('bytes beyond the budget wait for others to be released, and give up with a 503 when they wait too long', async () => {
    const budget = new ByteBudget(1000);
    await budget.acquire(600, 1000);
    let second = false;
    const waiting = budget.acquire(600, 10_000).then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(second, false, 'over the budget: it waits');
    budget.release(600);
    await waiting;
    assert.equal(budget.inUse, 600);
    await assert.rejects(budget.acquire(600, 1), (e: unknown) => (e as { status?: number }).status === 503);
    budget.release(600);
    assert.equal(budget.inUse, 0);
  });
});
