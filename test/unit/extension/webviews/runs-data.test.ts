import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelOpsError } from '../../../../src/core/errors';
import { ExperimentRuns, FIRST_PAGE, FULL_RELOAD_EVERY_MS, FULL_RELOAD_LIMIT, PAGE } from '../../../../src/extension/webviews/runs-data';

const LIMITS = { fullReloadLimit: FULL_RELOAD_LIMIT, fullReloadEveryMs: FULL_RELOAD_EVERY_MS, firstPage: FIRST_PAGE, page: PAGE };
import { changesResultCheck } from '../../../../src/shared/runs-protocol';
import { RunsModel } from '../../../../src/shared/runs-model';
import type { Stores } from '../../../../src/store/open';
import { openStores } from '../../../../src/store/open';
import type { TrackingStore } from '../../../../src/store/tracking-store';
import { HOSTILE_NAME } from '../../../webview/builders';

let dir: string;
let db: Stores;
let store: TrackingStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelops-runs-'));
  db = await openStores(join(dir, 'mlflow.db'));
  store = db.tracking;
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 1);

async function runIn(
  experimentId: string,
  name: string,
  i: number,
  o: { parent?: string; metrics?: Record<string, number[]>; params?: Record<string, string>; status?: 'FINISHED' | 'RUNNING' } = {},
): Promise<string> {
  const run = await store.createRun({ experimentId, runName: name, startTime: T0 + i * 1000, parentRunId: o.parent, tags: [{ key: 'team', value: 'vision' }] });
  await store.logBatch(run.info.runId, {
    params: Object.entries(o.params ?? { model: i % 2 ? 'knn' : 'rf' }).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(o.metrics ?? { acc: [0.5 + i / 1000] }).flatMap(([key, values]) =>
      values.map((value, step) => ({ key, value, step, timestamp: T0 + step })),
    ),
  });
  if ((o.status ?? 'FINISHED') === 'FINISHED') await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: T0 + i * 1000 + 500 });
  return run.info.runId;
}

/** What the page would hold after pulling every change since `since`. */
function pullAll(runs: ExperimentRuns, model = new RunsModel()): RunsModel {
  for (;;) {
    const changes = runs.changesSince(model.stamp, 4);
    model.apply(changesResultCheck(JSON.parse(JSON.stringify(changes)), 'changes'));
    if (!changes.more) return model;
  }
}

describe('runs table data on the host', () => {
  test('reads an experiment a page at a time, newest first, and the page gets it all in pages of its own size', async () => {
    const exp = await store.createExperiment('paged');
    for (let i = 0; i < 12; i++) await runIn(exp, `r${i}`, i);
    const runs = new ExperimentRuns(store, exp, { ...LIMITS, firstPage: 3, page: 5 });
    const seen: number[] = [];
    await runs.load(() => seen.push(runs.size));
    assert.deepEqual(seen, [3, 8, 12]);
    assert.equal(runs.complete, true);
    const first = runs.changesSince(0, 5);
    assert.equal(first.runs.length, 5);
    assert.equal(first.more, true);
    assert.equal(first.runs[0]?.runName, 'r11', 'newest first');
    const model = pullAll(runs);
    assert.equal(model.rows.size, 12);
    assert.deepEqual(model.keys.params, ['model']);
    const row = [...model.rows.values()][0]!;
    assert.equal(row.source, '');
    assert.deepEqual(
      row.tk.map((k) => model.keys.tags[k]),
      ['team'],
      'system tags (run name, user, source) are columns of their own, not tags',
    );
  });

  test('a store change is seen: new, changed, deleted runs travel as the changes since the page’s stamp', async () => {
    const exp = await store.createExperiment('live');
    const a = await runIn(exp, 'a', 1);
    const b = await runIn(exp, 'b', 2);
    const runs = new ExperimentRuns(store, exp);
    await runs.load(() => undefined);
    const model = pullAll(runs);
    const stamp = model.stamp;
    assert.equal(await runs.refresh(), false, 'nothing changed');
    const c = await runIn(exp, 'c', 3);
    await store.logBatch(a, { metrics: [{ key: 'acc', value: 0.99, step: 5, timestamp: T0 + 5 }] });
    await store.deleteRun(b);
    assert.equal(await runs.refresh(), true);
    const changes = runs.changesSince(stamp);
    assert.deepEqual(changes.runs.map((r) => r.runName).sort(), ['a', 'c']);
    assert.deepEqual(changes.removed, [b]);
    pullAll(runs, model);
    assert.deepEqual([...model.rows.keys()].sort(), [a, c].sort());
    assert.equal(model.rows.get(a)!.mv[0], 0.99);
  });

  test('a large experiment re-reads only running and new runs, and the whole of it at most once a minute', async () => {
    const exp = await store.createExperiment('large');
    const old = await runIn(exp, 'old', 0);
    const running = await runIn(exp, 'training', 1, { status: 'RUNNING' });
    // "Large" here is anything above one run, so the partial path runs on a small store.
    const runs = new ExperimentRuns(store, exp, { ...LIMITS, fullReloadLimit: 1, fullReloadEveryMs: 60_000 });
    const t = Date.now();
    await runs.load(() => undefined);
    await store.logBatch(running, { metrics: [{ key: 'acc', value: 0.7, step: 1, timestamp: T0 + 1 }] });
    await store.updateRun(running, { status: 'FINISHED', endTime: T0 + 9000 });
    await store.deleteRun(old);
    assert.equal(await runs.refresh(t + 1000), true, 'the run that was running is re-read');
    const row = runs.changesSince(0).runs.find((r) => r.runId === running)!;
    assert.equal(row.status, 'FINISHED');
    assert.equal(runs.has(old), true, 'a deletion by another program is not seen by a partial re-read…');
    const newer = await runIn(exp, 'newer', 2);
    assert.equal(await runs.refresh(t + 2000), true);
    assert.equal(runs.has(newer), true, '…a new run is…');
    assert.equal(await runs.refresh(t + 61_000), true);
    assert.equal(runs.has(old), false, '…and the minute’s full re-read catches the deletion');
  });

  test('filters go through the store’s search; its parser’s error points at the column', async () => {
    const exp = await store.createExperiment('filtered');
    const rf = await runIn(exp, 'rf-1', 1, { params: { model: 'rf' }, metrics: { acc: [0.95] } });
    await runIn(exp, 'knn-1', 2, { params: { model: 'knn' }, metrics: { acc: [0.97] } });
    await runIn(exp, 'rf-2', 3, { params: { model: 'rf' }, metrics: { acc: [0.8] } });
    const runs = new ExperimentRuns(store, exp);
    await runs.load(() => undefined);
    assert.deepEqual(await runs.matching("metrics.acc > 0.9 and params.model = 'rf'"), [rf]);
    await assert.rejects(runs.matching('metrics.acc >> 1'), (e: unknown) => e instanceof ModelOpsError && /column \d+/.test(e.message) && /\^/.test(e.message));
  });

  test('min and max of a metric span every step; NaN is left out; a run without the metric has none', async () => {
    const exp = await store.createExperiment('ranges');
    const a = await runIn(exp, 'a', 1, { metrics: { loss: [0.9, 0.2, NaN, 0.4] } });
    const b = await runIn(exp, 'b', 2, { metrics: { loss: [NaN] } });
    await runIn(exp, 'c', 3, { metrics: { acc: [1] } });
    // Both ways give the same: each run's history (any store), one aggregate query (a workspace file).
    for (const query of [undefined, (key: string) => db.tracking.metricRanges!(exp, key)]) {
      const runs = new ExperimentRuns(store, exp, LIMITS, query);
      await runs.load(() => undefined);
      const r = await runs.metricRange('loss');
      const byRun = new Map(r.runIds.map((id, i) => [id, [r.min[i], r.max[i]]]));
      assert.deepEqual(byRun.get(a), [0.2, 0.9]);
      assert.deepEqual(byRun.get(b), [null, null]);
      assert.equal(byRun.size, 2);
    }
    const other = await store.createExperiment('ranges-elsewhere');
    await runIn(other, 'd', 4, { metrics: { loss: [-5] } });
    const only = await ((key: string) => db.tracking.metricRanges!(exp, key))('loss');
    assert.deepEqual([...only.keys()].sort(), [a].sort(), 'only this experiment’s active runs');
  });

  test('names are the tree’s, nested runs carry their parent, and hostile text arrives as it was logged', async () => {
    const exp = await store.createExperiment('names');
    const parent = await runIn(exp, HOSTILE_NAME, 1);
    const child = await runIn(exp, 'trial-0', 2, { parent });
    const unnamed = await store.createRun({ experimentId: exp, startTime: T0 + 5000 });
    const runs = new ExperimentRuns(store, exp);
    await runs.load(() => undefined);
    const model = pullAll(runs);
    assert.equal(model.rows.get(parent)!.runName, HOSTILE_NAME);
    assert.equal(model.rows.get(child)!.parentRunId, parent);
    assert.ok(model.rows.get(unnamed.info.runId)!.runName.length > 0, 'MLflow names unnamed runs, and the tree shows that name');
  });
});
