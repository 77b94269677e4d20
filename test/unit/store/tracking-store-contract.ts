import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { Run } from '../../../src/core/tracking';
import { BufferedMetricLogger, endRun, logMetric, logParam, setTag } from '../../../src/store/tracking-helpers';
import type { TrackingStore } from '../../../src/store/tracking-store';

/**
 * The behaviour every TrackingStore must have (MLflow's semantics). A second implementation (the
 * REST store) runs the same suite: `describeTrackingStoreContract('rest', factory)`.
 */
export interface StoreFactory {
  /** A store on a fresh, empty backend. */
  create(): Promise<TrackingStore>;
  /** A scratch folder for files to log as artifacts. */
  scratchDir: string;
  /**
   * False for a backend that cannot apply several runs' batches in one transaction (MLflow's REST
   * API has no such call): logBatchMany then promises in-order application that stops at the first
   * failure, and that is what is tested instead.
   */
  atomicAcrossRuns?: boolean;
}

export async function expectError(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<ModelOpsError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ModelOpsError, `expected a ModelOpsError ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

const metricOf = (run: Run, key: string): number | undefined => run.data.metrics.find((m) => m.key === key)?.value;
const tagOf = (run: Run, key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;

export function describeTrackingStoreContract(name: string, factory: StoreFactory): void {
  describe(`TrackingStore contract: ${name}`, () => {
    let store: TrackingStore;
    let exp: string;
    let n = 0;
    const uniq = (s: string): string => `${s}-${++n}`;
    before(async () => {
      store = await factory.create();
      exp = await store.createExperiment('contract');
    });
    after(async () => {
      await store.close();
    });

    describe('experiments', () => {
      test('the Default experiment 0 exists and is active', async () => {
        const e = await store.getExperiment('0');
        assert.equal(e.name, 'Default');
        assert.equal(e.lifecycleStage, 'active');
      });

      test('createExperiment returns an id whose experiment has the name, tags and an artifact location ending in the id', async () => {
        const id = await store.createExperiment(uniq('exp'), [{ key: 'team', value: 'ds' }]);
        const e = await store.getExperiment(id);
        assert.match(e.name, /^exp-/);
        assert.deepEqual(e.tags, [{ key: 'team', value: 'ds' }]);
        assert.ok(e.artifactLocation.endsWith(`/${id}`), e.artifactLocation);
        assert.ok(e.creationTime > 0 && e.lastUpdateTime >= e.creationTime);
        assert.equal((await store.getExperimentByName(e.name))?.experimentId, id);
      });

      test('createExperiment with a duplicate name fails with RESOURCE_ALREADY_EXISTS and loses nothing', async () => {
        const name = uniq('dup');
        const id = await store.createExperiment(name);
        await expectError(store.createExperiment(name), 'RESOURCE_ALREADY_EXISTS', new RegExp(`Experiment\\(name=${name}\\) already exists`));
        assert.equal((await store.getExperimentByName(name))?.experimentId, id);
      });

      test('createExperiment with an empty name fails with INVALID_PARAMETER_VALUE', async () => {
        await expectError(store.createExperiment(''), 'INVALID_PARAMETER_VALUE');
      });

      test('getExperiment of an unknown id fails with RESOURCE_DOES_NOT_EXIST, getExperimentByName returns undefined', async () => {
        await expectError(store.getExperiment('999999'), 'RESOURCE_DOES_NOT_EXIST', /No Experiment with id=999999 exists/);
        assert.equal(await store.getExperimentByName('no such experiment'), undefined);
      });

      test('renameExperiment renames; renaming onto an existing name fails', async () => {
        const a = await store.createExperiment(uniq('ren-a'));
        const bName = uniq('ren-b');
        await store.createExperiment(bName);
        const newName = uniq('ren-new');
        await store.renameExperiment(a, newName);
        assert.equal((await store.getExperiment(a)).name, newName);
        await expectError(store.renameExperiment(a, bName), 'RESOURCE_ALREADY_EXISTS');
      });

      test('deleteExperiment hides it and its runs from active searches; restoreExperiment brings both back', async () => {
        const id = await store.createExperiment(uniq('del'));
        const run = await store.createRun({ experimentId: id });
        await store.deleteExperiment(id);
        assert.equal((await store.getExperiment(id)).lifecycleStage, 'deleted');
        const active = await store.searchExperiments({ viewType: 'ACTIVE_ONLY' });
        assert.ok(!active.items.some((e) => e.experimentId === id));
        const deleted = await store.searchExperiments({ viewType: 'DELETED_ONLY' });
        assert.ok(deleted.items.some((e) => e.experimentId === id));
        assert.equal((await store.getRun(run.info.runId)).info.lifecycleStage, 'deleted');
        await expectError(store.createRun({ experimentId: id }), 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
        await store.restoreExperiment(id);
        assert.equal((await store.getExperiment(id)).lifecycleStage, 'active');
        assert.equal((await store.getRun(run.info.runId)).info.lifecycleStage, 'active');
      });

      test('setExperimentTag sets and overwrites a tag', async () => {
        const id = await store.createExperiment(uniq('tag'));
        await store.setExperimentTag(id, { key: 'owner', value: 'alice' });
        await store.setExperimentTag(id, { key: 'owner', value: 'bob' });
        assert.deepEqual((await store.getExperiment(id)).tags, [{ key: 'owner', value: 'bob' }]);
      });

      test('searchExperiments filters by name LIKE and tags, orders, and pages with tokens', async () => {
        const prefix = uniq('srch');
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push(await store.createExperiment(`${prefix}-${i}`, [{ key: 'k', value: i === 1 ? 'one' : 'other' }]));
        const byName = await store.searchExperiments({ filter: `name LIKE '${prefix}%'`, orderBy: ['name ASC'] });
        assert.deepEqual(
          byName.items.map((e) => e.experimentId),
          ids,
        );
        const byTag = await store.searchExperiments({ filter: `name LIKE '${prefix}%' and tags.k = 'one'` });
        assert.deepEqual(
          byTag.items.map((e) => e.experimentId),
          [ids[1]],
        );
        const p1 = await store.searchExperiments({ filter: `name LIKE '${prefix}%'`, orderBy: ['name ASC'], maxResults: 2 });
        assert.equal(p1.items.length, 2);
        assert.ok(p1.nextPageToken);
        const p2 = await store.searchExperiments({ filter: `name LIKE '${prefix}%'`, orderBy: ['name ASC'], maxResults: 2, pageToken: p1.nextPageToken });
        assert.deepEqual(
          p2.items.map((e) => e.experimentId),
          [ids[2]],
        );
        assert.equal(p2.nextPageToken, undefined);
      });
    });

    describe('runs', () => {
      test('createRun starts a RUNNING run with its name as the mlflow.runName tag and an artifact URI under the experiment', async () => {
        const run = await store.createRun({ experimentId: exp, runName: 'first', tags: [{ key: 'stage', value: 'dev' }], startTime: 1_700_000_000_000 });
        assert.equal(run.info.status, 'RUNNING');
        assert.equal(run.info.runName, 'first');
        assert.equal(run.info.startTime, 1_700_000_000_000);
        assert.equal(run.info.endTime, null);
        assert.equal(tagOf(run, 'mlflow.runName'), 'first');
        assert.equal(tagOf(run, 'stage'), 'dev');
        assert.match(run.info.runId, /^[0-9a-f]{32}$/);
        assert.ok(run.info.artifactUri.endsWith(`/${run.info.runId}/artifacts`));
      });

      test('createRun without a name gets a generated one', async () => {
        const run = await store.createRun({ experimentId: exp });
        assert.ok(run.info.runName.length > 0);
        assert.equal(tagOf(run, 'mlflow.runName'), run.info.runName);
      });

      test('a nested run carries mlflow.parentRunId', async () => {
        const parent = await store.createRun({ experimentId: exp, runName: 'parent' });
        const child = await store.createRun({ experimentId: exp, runName: 'trial-0', parentRunId: parent.info.runId });
        assert.equal(tagOf(child, 'mlflow.parentRunId'), parent.info.runId);
        const found = await store.searchRuns({ experimentIds: [exp], filter: `tags.mlflow.parentRunId = '${parent.info.runId}'` });
        assert.deepEqual(
          found.items.map((r) => r.info.runId),
          [child.info.runId],
        );
      });

      test('getRun of an unknown id fails with RESOURCE_DOES_NOT_EXIST', async () => {
        await expectError(
          store.getRun('doesnotexist0000000000000000000000'),
          'RESOURCE_DOES_NOT_EXIST',
          /Run with id=doesnotexist0000000000000000000000 not found/,
        );
      });

      test('updateRun sets status and end time; an unknown status is refused', async () => {
        const run = await store.createRun({ experimentId: exp });
        const info = await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: run.info.startTime + 5000 });
        assert.equal(info.status, 'FINISHED');
        assert.equal(info.endTime, run.info.startTime + 5000);
        await expectError(store.updateRun(run.info.runId, { status: 'DONE' as never }), 'INVALID_PARAMETER_VALUE', /DONE/);
      });

      test('updateRun with a new name renames the run and its mlflow.runName tag', async () => {
        const run = await store.createRun({ experimentId: exp, runName: 'old' });
        await store.updateRun(run.info.runId, { runName: 'new' });
        const got = await store.getRun(run.info.runId);
        assert.equal(got.info.runName, 'new');
        assert.equal(tagOf(got, 'mlflow.runName'), 'new');
      });

      test('deleteRun and restoreRun flip the lifecycle stage; a deleted run refuses logging', async () => {
        const run = await store.createRun({ experimentId: exp });
        await store.deleteRun(run.info.runId);
        assert.equal((await store.getRun(run.info.runId)).info.lifecycleStage, 'deleted');
        await expectError(logMetric(store, run.info.runId, 'm', 1), 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
        const deleted = await store.searchRuns({ experimentIds: [exp], runViewType: 'DELETED_ONLY' });
        assert.ok(deleted.items.some((r) => r.info.runId === run.info.runId));
        await store.restoreRun(run.info.runId);
        assert.equal((await store.getRun(run.info.runId)).info.lifecycleStage, 'active');
      });
    });

    describe('logging', () => {
      test('logBatch logs metrics, params and tags together', async () => {
        const run = await store.createRun({ experimentId: exp });
        await store.logBatch(run.info.runId, {
          metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0 }],
          params: [{ key: 'model', value: 'rf' }],
          tags: [{ key: 'note', value: 'x' }],
        });
        const got = await store.getRun(run.info.runId);
        assert.equal(metricOf(got, 'acc'), 0.9);
        assert.deepEqual(got.data.params, [{ key: 'model', value: 'rf' }]);
        assert.equal(tagOf(got, 'note'), 'x');
      });

      test('a param logged again with the same value is fine; with a different value it fails and keeps the first', async () => {
        const run = await store.createRun({ experimentId: exp });
        await logParam(store, run.info.runId, 'alpha', '0.5');
        await logParam(store, run.info.runId, 'alpha', '0.5');
        await expectError(
          logParam(store, run.info.runId, 'alpha', '0.7'),
          'INVALID_PARAMETER_VALUE',
          /Changing param values is not allowed.*'old_value': '0.5', 'new_value': '0.7'/,
        );
        assert.deepEqual((await store.getRun(run.info.runId)).data.params, [{ key: 'alpha', value: '0.5' }]);
      });

      test('a failing batch writes none of its items', async () => {
        const run = await store.createRun({ experimentId: exp });
        await logParam(store, run.info.runId, 'p', '1');
        await expectError(
          store.logBatch(run.info.runId, {
            metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
            params: [{ key: 'p', value: '2' }],
            tags: [{ key: 't', value: 'v' }],
          }),
          'INVALID_PARAMETER_VALUE',
        );
        const got = await store.getRun(run.info.runId);
        assert.deepEqual(got.data.metrics, []);
        assert.equal(tagOf(got, 't'), undefined);
      });

      test('a 10 KB param value is refused with the length limit named, and nothing is lost', async () => {
        const run = await store.createRun({ experimentId: exp });
        await logParam(store, run.info.runId, 'kept', 'yes');
        await expectError(
          logParam(store, run.info.runId, 'big', 'x'.repeat(10 * 1024)),
          'INVALID_PARAMETER_VALUE',
          /Param value .* had length 10240, which exceeded length limit of 6000/,
        );
        assert.deepEqual((await store.getRun(run.info.runId)).data.params, [{ key: 'kept', value: 'yes' }]);
      });

      test("batch limits are MLflow's: 1000 metrics, 100 params, 100 tags per request", async () => {
        const run = await store.createRun({ experimentId: exp });
        const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
        await expectError(store.logBatch(run.info.runId, { metrics }), 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
        const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' }));
        await expectError(store.logBatch(run.info.runId, { params }), 'INVALID_PARAMETER_VALUE', /at most 100 params/);
        const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: '1' }));
        await expectError(store.logBatch(run.info.runId, { tags }), 'INVALID_PARAMETER_VALUE', /at most 100 tags/);
        await store.logBatch(run.info.runId, { metrics: metrics.slice(0, 1000) });
        assert.equal((await store.getMetricHistory(run.info.runId, 'm')).length, 1000);
      });

      test('keys with bad characters or that resolve to other paths are refused', async () => {
        const run = await store.createRun({ experimentId: exp });
        await expectError(logMetric(store, run.info.runId, 'bad!name', 1), 'INVALID_PARAMETER_VALUE', /Invalid metric name/);
        await expectError(logParam(store, run.info.runId, '../escape', 1), 'INVALID_PARAMETER_VALUE', /Invalid parameter name/);
        await expectError(setTag(store, run.info.runId, 'a//b', 'v'), 'INVALID_PARAMETER_VALUE', /Invalid tag name/);
        await logMetric(store, run.info.runId, 'val/loss 2.b-c_d', 1);
      });

      test('NaN reads back as NaN and ±Infinity as ±DBL_MAX, as MLflow stores them', async () => {
        const run = await store.createRun({ experimentId: exp });
        await logMetric(store, run.info.runId, 'nan', Number.NaN, 0, 5);
        await logMetric(store, run.info.runId, 'inf', Infinity, 0, 5);
        await logMetric(store, run.info.runId, 'ninf', -Infinity, 0, 5);
        const got = await store.getRun(run.info.runId);
        assert.ok(Number.isNaN(metricOf(got, 'nan')));
        assert.equal(metricOf(got, 'inf'), 1.7976931348623157e308);
        assert.equal(metricOf(got, 'ninf'), -1.7976931348623157e308);
        assert.ok(Number.isNaN((await store.getMetricHistory(run.info.runId, 'nan'))[0]!.value));
      });

      test('the latest metric is the value at the highest step, then the latest timestamp, whatever the logging order', async () => {
        const run = await store.createRun({ experimentId: exp });
        await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.2, timestamp: 100, step: 5 }] });
        await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.9, timestamp: 200, step: 1 }] });
        assert.equal(metricOf(await store.getRun(run.info.runId), 'loss'), 0.2);
        await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.1, timestamp: 300, step: 5 }] });
        assert.equal(metricOf(await store.getRun(run.info.runId), 'loss'), 0.1);
        const history = await store.getMetricHistory(run.info.runId, 'loss');
        assert.deepEqual(
          history.map((m) => [m.step, m.value]),
          [
            [1, 0.9],
            [5, 0.2],
            [5, 0.1],
          ],
        );
      });

      if (factory.atomicAcrossRuns !== false) {
        test('logBatchMany applies every request or none', async () => {
          const a = await store.createRun({ experimentId: exp });
          const b = await store.createRun({ experimentId: exp });
          await logParam(store, b.info.runId, 'fixed', '1');
          await expectError(
            store.logBatchMany([
              { runId: a.info.runId, batch: { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] } },
              { runId: b.info.runId, batch: { params: [{ key: 'fixed', value: '2' }] } },
            ]),
            'INVALID_PARAMETER_VALUE',
          );
          assert.deepEqual((await store.getRun(a.info.runId)).data.metrics, []);
        });
      } else {
        test('logBatchMany applies requests in order and stops at the first that fails', async () => {
          const a = await store.createRun({ experimentId: exp });
          const b = await store.createRun({ experimentId: exp });
          const c = await store.createRun({ experimentId: exp });
          await logParam(store, b.info.runId, 'fixed', '1');
          await expectError(
            store.logBatchMany([
              { runId: a.info.runId, batch: { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] } },
              { runId: b.info.runId, batch: { params: [{ key: 'fixed', value: '2' }] } },
              { runId: c.info.runId, batch: { metrics: [{ key: 'm', value: 3, timestamp: 1, step: 0 }] } },
            ]),
            'INVALID_PARAMETER_VALUE',
          );
          assert.deepEqual(
            (await store.getRun(a.info.runId)).data.metrics.map((m) => m.value),
            [1],
          );
          assert.deepEqual((await store.getRun(c.info.runId)).data.metrics, []);
        });
      }

      test('logBatchMany keeps each metric with its own run when requests for several runs interleave', async () => {
        const a = await store.createRun({ experimentId: exp });
        const b = await store.createRun({ experimentId: exp });
        const points = (n: number, offset: number): { key: string; value: number; timestamp: number; step: number }[] =>
          Array.from({ length: n }, (_, i) => ({ key: 'x', value: offset + i, timestamp: 1000 + offset + i, step: offset + i }));
        await store.logBatchMany([
          { runId: a.info.runId, batch: { metrics: points(150, 0) } },
          { runId: b.info.runId, batch: { metrics: points(30, 1000) } },
          { runId: a.info.runId, batch: { metrics: points(20, 500) } },
        ]);
        const ha = await store.getMetricHistory(a.info.runId, 'x');
        const hb = await store.getMetricHistory(b.info.runId, 'x');
        assert.equal(ha.length, 170);
        assert.equal(hb.length, 30);
        assert.ok(hb.every((m) => m.value >= 1000));
        assert.equal(metricOf(await store.getRun(a.info.runId), 'x'), 519);
        assert.equal(metricOf(await store.getRun(b.info.runId), 'x'), 1029);
      });

      test('the buffered logger writes everything on flush and on endRun, and ends the run', async () => {
        const run = await store.createRun({ experimentId: exp });
        const logger = new BufferedMetricLogger(store, { intervalMs: 60_000 });
        for (let step = 0; step < 2500; step++) logger.log(run.info.runId, 'loss', 1 / (step + 1), step, 1000 + step);
        assert.equal(logger.pendingCount, 2500);
        assert.deepEqual((await store.getRun(run.info.runId)).data.metrics, []);
        await logger.flush();
        assert.equal((await store.getMetricHistory(run.info.runId, 'loss')).length, 2500);
        logger.log(run.info.runId, 'acc', 0.5, 0);
        await logger.endRun(run.info.runId);
        const got = await store.getRun(run.info.runId);
        assert.equal(got.info.status, 'FINISHED');
        assert.ok(got.info.endTime !== null);
        assert.equal(metricOf(got, 'acc'), 0.5);
        assert.equal(metricOf(got, 'loss'), 1 / 2500);
        await logger.close();
        assert.throws(() => logger.log(run.info.runId, 'x', 1), ModelOpsError);
      });

      test('the buffered logger flushes by itself after its interval', async () => {
        const run = await store.createRun({ experimentId: exp });
        const logger = new BufferedMetricLogger(store, { intervalMs: 20 });
        logger.log(run.info.runId, 'tick', 1);
        for (let i = 0; i < 200 && logger.pendingCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
        await logger.flush();
        assert.equal(metricOf(await store.getRun(run.info.runId), 'tick'), 1);
        await endRun(store, run.info.runId, 'KILLED');
        assert.equal((await store.getRun(run.info.runId)).info.status, 'KILLED');
      });
    });

    describe('datasets', () => {
      test('logInputs records the dataset (name, digest, source, schema, profile) and its tags on the run, once', async () => {
        const run = await store.createRun({ experimentId: exp });
        const ds = {
          name: 'churn.csv',
          digest: 'abc123',
          sourceType: 'local',
          source: '{"uri": "examples/churn.csv"}',
          schema: '{"mlflow_colspec": [{"name": "age", "type": "long"}]}',
          profile: '{"num_rows": 5000}',
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        };
        await store.logInputs(run.info.runId, [ds]);
        await store.logInputs(run.info.runId, [ds]);
        const got = await store.getRun(run.info.runId);
        assert.equal(got.inputs.length, 1);
        assert.deepEqual(got.inputs[0], ds);
        const other = await store.createRun({ experimentId: exp });
        await store.logInputs(other.info.runId, [ds]);
        const found = await store.searchRuns({ experimentIds: [exp], filter: "datasets.digest = 'abc123' and datasets.context = 'training'" });
        assert.deepEqual(new Set(found.items.map((r) => r.info.runId)), new Set([run.info.runId, other.info.runId]));
      });
    });

    describe('searchRuns', () => {
      let sexp: string;
      const ids: Record<string, string> = {};
      before(async () => {
        sexp = await store.createExperiment('search-runs');
        const specs = [
          { name: 'rf-1', model: 'rf', acc: 0.95, status: 'FINISHED', tag: 'prod-candidate', t: 1000 },
          { name: 'rf-2', model: 'rf', acc: 0.85, status: 'FINISHED', tag: 'baseline', t: 2000 },
          { name: 'knn-1', model: 'knn', acc: 0.91, status: 'FAILED', tag: 'Prod-Candidate', t: 3000 },
          { name: 'knn-2', model: 'knn', acc: undefined, status: 'RUNNING', tag: 'none', t: 4000 },
        ] as const;
        for (const s of specs) {
          const run = await store.createRun({ experimentId: sexp, runName: s.name, startTime: s.t });
          ids[s.name] = run.info.runId;
          await store.logBatch(run.info.runId, {
            params: [{ key: 'model', value: s.model }],
            tags: [
              { key: 'label', value: s.tag },
              { key: 'my tag', value: s.name },
            ],
            metrics:
              s.acc === undefined
                ? []
                : [
                    { key: 'acc', value: s.acc, timestamp: s.t, step: 0 },
                    { key: 'val acc', value: s.acc, timestamp: s.t, step: 0 },
                  ],
          });
          if (s.status !== 'RUNNING') await store.updateRun(run.info.runId, { status: s.status, endTime: s.t + 10 });
        }
      });
      const names = async (filter?: string, orderBy?: string[]): Promise<string[]> => {
        const page = await store.searchRuns({ experimentIds: [sexp], filter, orderBy });
        const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
        return page.items.map((r) => byId.get(r.info.runId)!);
      };

      test('without a filter returns every active run, newest start time first', async () => {
        assert.deepEqual(await names(), ['knn-2', 'knn-1', 'rf-2', 'rf-1']);
      });

      test('filters by metric, param, tag LIKE/ILIKE, attribute and IN, joined with AND', async () => {
        assert.deepEqual(await names('metrics.acc > 0.9'), ['knn-1', 'rf-1']);
        assert.deepEqual(await names("metrics.acc > 0.9 and params.model = 'rf'"), ['rf-1']);
        assert.deepEqual(await names("tags.label LIKE 'prod%'"), ['rf-1']);
        assert.deepEqual(await names("tags.label ILIKE 'prod%'"), ['knn-1', 'rf-1']);
        assert.deepEqual(await names("attributes.status = 'FINISHED'"), ['rf-2', 'rf-1']);
        assert.deepEqual(await names("attributes.run_name LIKE 'knn-%' AND attributes.status != 'RUNNING'"), ['knn-1']);
        assert.deepEqual(await names("params.model IN ('knn', 'svm')"), ['knn-2', 'knn-1']);
        assert.deepEqual(await names("params.model NOT IN ('knn')"), ['rf-2', 'rf-1']);
        assert.deepEqual(await names('attributes.start_time >= 3000'), ['knn-2', 'knn-1']);
        assert.deepEqual(await names("params.model = 'nothing'"), []);
      });

      test('keys with spaces are quoted with backticks', async () => {
        assert.deepEqual(await names('metrics.`val acc` < 0.9'), ['rf-2']);
        assert.deepEqual(await names("tags.`my tag` = 'rf-1'"), ['rf-1']);
      });

      test('orders by metric (runs without it last), by param, by attribute', async () => {
        assert.deepEqual(await names(undefined, ['metrics.acc DESC']), ['rf-1', 'knn-1', 'rf-2', 'knn-2']);
        assert.deepEqual(await names(undefined, ['metrics.acc ASC']), ['rf-2', 'knn-1', 'rf-1', 'knn-2']);
        assert.deepEqual(await names(undefined, ['params.model ASC', 'attributes.start_time ASC']), ['knn-1', 'knn-2', 'rf-1', 'rf-2']);
        assert.deepEqual(await names(undefined, ['attributes.start_time ASC']), ['rf-1', 'rf-2', 'knn-1', 'knn-2']);
      });

      test('pages with tokens until the last page, which has no token', async () => {
        const seen: string[] = [];
        let pageToken: string | undefined;
        let pages = 0;
        do {
          const page = await store.searchRuns({ experimentIds: [sexp], maxResults: 3, pageToken, orderBy: ['attributes.start_time DESC'] });
          seen.push(...page.items.map((r) => r.info.runId));
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken);
        assert.equal(pages, 2);
        assert.deepEqual(seen, [ids['knn-2'], ids['knn-1'], ids['rf-2'], ids['rf-1']]);
      });

      test('a malformed filter fails with INVALID_PARAMETER_VALUE pointing at the offending token', async () => {
        const e1 = await expectError(
          store.searchRuns({ experimentIds: [sexp], filter: 'metrics.rmse <<< 1' }),
          'INVALID_PARAMETER_VALUE',
          /Invalid comparator '<<<'/,
        );
        assert.match(e1.message, /column 14/);
        await expectError(store.searchRuns({ experimentIds: [sexp], filter: 'params.model = rf' }), 'INVALID_PARAMETER_VALUE', /column 16.*not quoted/s);
        await expectError(
          store.searchRuns({ experimentIds: [sexp], filter: "metrics.acc > 0.9 or params.model = 'rf'" }),
          'INVALID_PARAMETER_VALUE',
          /column 19.*OR/s,
        );
        await expectError(store.searchRuns({ experimentIds: [sexp], filter: "foo.bar = 'x'" }), 'INVALID_PARAMETER_VALUE', /column 1.*entity type 'foo'/s);
        await expectError(
          store.searchRuns({ experimentIds: [sexp], filter: "attributes.colour = 'x'" }),
          'INVALID_PARAMETER_VALUE',
          /Invalid attribute key 'colour'/,
        );
        await expectError(store.searchRuns({ experimentIds: [sexp], filter: "metrics.acc > 'high'" }), 'INVALID_PARAMETER_VALUE', /numeric/);
        await expectError(store.searchRuns({ experimentIds: [sexp], filter: "params.model = 'rf' and" }), 'INVALID_PARAMETER_VALUE', /after AND/);
        await expectError(store.searchRuns({ experimentIds: [sexp], filter: "tags.`unterminated = 'x'" }), 'INVALID_PARAMETER_VALUE', /unterminated/);
        await expectError(store.searchRuns({ experimentIds: [sexp], orderBy: ['metrics.acc SIDEWAYS'] }), 'INVALID_PARAMETER_VALUE', /ASC or DESC/);
      });
    });

    describe('artifacts', () => {
      test('logArtifact copies a file and a directory under the run; listArtifacts and artifactLocalPath find them', async () => {
        const run = await store.createRun({ experimentId: exp });
        const file = join(factory.scratchDir, 'report.txt');
        writeFileSync(file, 'hello');
        const dir = join(factory.scratchDir, 'model');
        mkdirSync(join(dir, 'sub'), { recursive: true });
        writeFileSync(join(dir, 'MLmodel'), 'flavors: {}');
        writeFileSync(join(dir, 'sub', 'w.bin'), 'xyz');
        await store.logArtifact(run.info.runId, file);
        await store.logArtifact(run.info.runId, dir);
        await store.logArtifact(run.info.runId, file, 'reports/daily');
        const top = await store.listArtifacts(run.info.runId);
        assert.deepEqual(top, [
          { path: 'model', isDir: true },
          { path: 'report.txt', isDir: false, fileSize: 5 },
          { path: 'reports', isDir: true },
        ]);
        assert.deepEqual(
          (await store.listArtifacts(run.info.runId, 'model/sub')).map((a) => a.path),
          ['model/sub/w.bin'],
        );
        assert.equal(readFileSync(await store.artifactLocalPath(run.info.runId, 'reports/daily/report.txt'), 'utf8'), 'hello');
      });

      test('artifact paths that climb out of the run folder are refused', async () => {
        const run = await store.createRun({ experimentId: exp });
        const file = join(factory.scratchDir, 'evil.txt');
        writeFileSync(file, 'x');
        await expectError(store.logArtifact(run.info.runId, file, '../../other-run'), 'INVALID_PARAMETER_VALUE', /leaves the run's artifact folder/);
        await expectError(store.logArtifact(run.info.runId, file, '/etc'), 'INVALID_PARAMETER_VALUE', /must be relative/);
        await expectError(store.listArtifacts(run.info.runId, 'a/../../..'), 'INVALID_PARAMETER_VALUE');
        await expectError(store.artifactLocalPath(run.info.runId, '../../../mlflow.db'), 'INVALID_PARAMETER_VALUE');
      });
    });
  });
}
