import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import type { Metric, Param, Tag } from '../../../../src/core/tracking';
import { chunkBatch, logBatchChunked } from '../../../../src/store/batch-chunks';
import { openStores } from '../../../../src/store/open';
import { RestTrackingStore } from '../../../../src/store/rest/rest-tracking-store';
import { tempDir } from '../helpers/temp';
import type { SeenRequest } from './proxy';
import { startProxy } from './proxy';
import { CLEAN_ENV, serveStore } from './serve';

/**
 * What a team's network does to the REST stores: servers that fail for a moment (429, 5xx), hang, go away or refuse
 * the caller; large listings paged; large batches split at MLflow's limits. Retries wait 1 ms here (the backoff's
 * length is not what is tested: that a request is tried again, or not, is).
 */
const tmp = tempDir('modelops-transport-');
after(() => tmp.cleanup());
let n = 0;
const FAST = { backoffMs: 1, maxBackoffMs: 1 };

const code = (c: string, message?: RegExp) => (e: unknown) => e instanceof ModelOpsError && e.code === c && (message === undefined || message.test(e.message));
const isSearch = (r: SeenRequest): boolean => r.path.startsWith('/api/2.0/mlflow/experiments/search');

describe('REST client: retries and failures', () => {
  test('a 503, a 502 and a 429 are retried with backoff until the server answers', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const failures = [{ status: 503 }, { status: 502, body: '<html>Bad Gateway</html>' }, { status: 429, headers: { 'Retry-After': '0' } }];
    const proxy = await startProxy(served.url, (r, i) => (isSearch(r) && i < failures.length ? failures[i]! : 'forward'));
    const store = new RestTrackingStore(proxy.url, { env: CLEAN_ENV, retry: FAST });
    const page = await store.searchExperiments();
    assert.deepEqual(
      page.items.map((e) => e.name),
      ['Default'],
    );
    assert.equal(proxy.seen.filter(isSearch).length, 4);
    await proxy.close();
    await served.stop();
  });

  test('after the last retry the 5xx is the error, naming the server', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const proxy = await startProxy(served.url, () => ({ status: 503, body: '{"error_code":"TEMPORARILY_UNAVAILABLE","message":"overloaded"}' }));
    const store = new RestTrackingStore(proxy.url, { env: CLEAN_ENV, retry: { ...FAST, retries: 2 } });
    await assert.rejects(store.getExperiment('0'), code('INTERNAL_ERROR', /overloaded/));
    assert.equal(proxy.seen.length, 3);
    await proxy.close();
    await served.stop();
  });

  test('a request that creates a run is not repeated after a 502 (the server may have made it): one attempt, no second run', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const proxy = await startProxy(served.url, (r) => (r.path.includes('runs/create') ? { status: 502 } : 'forward'));
    const store = new RestTrackingStore(proxy.url, { env: CLEAN_ENV, retry: FAST });
    await assert.rejects(store.createRun({ experimentId: '0' }), code('INTERNAL_ERROR'));
    assert.equal(proxy.seen.filter((r) => r.path.includes('runs/create')).length, 1);
    await proxy.close();
    await served.stop();
  });

  test('a MLflow error answer with a 500 (the server’s considered answer) is not retried', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const proxy = await startProxy(served.url, () => ({ status: 500, body: '{"error_code":"INTERNAL_ERROR","message":"no such file"}' }));
    const store = new RestTrackingStore(proxy.url, { env: CLEAN_ENV, retry: FAST });
    await assert.rejects(store.getExperiment('0'), code('INTERNAL_ERROR', /no such file/));
    assert.equal(proxy.seen.length, 1);
    await proxy.close();
    await served.stop();
  });

  test('a request the server holds past the timeout is tried again, and the answer of the retry is used', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const proxy = await startProxy(served.url, (_r, i) => (i === 0 ? { holdMs: 30_000 } : 'forward'));
    const store = new RestTrackingStore(proxy.url, { env: CLEAN_ENV, timeoutMs: 300, retry: FAST });
    assert.equal((await store.getExperiment('0')).name, 'Default');
    assert.equal(proxy.seen.length, 2);
    await proxy.close();
    await served.stop();
  });

  test('a server that never answers in time is a STORE_IO error that says so and names the setting', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const proxy = await startProxy(served.url, () => ({ holdMs: 30_000 }));
    const store = new RestTrackingStore(proxy.url, { env: CLEAN_ENV, timeoutMs: 200, retry: { ...FAST, retries: 1 } });
    await assert.rejects(store.getExperiment('0'), code('STORE_IO', /did not answer .* within 0 s after 2 attempts \(MLFLOW_HTTP_REQUEST_TIMEOUT/));
    await proxy.close();
    await served.stop();
  });

  test('an unreachable server is retried, then a STORE_IO error naming the URL and the attempts', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const url = served.url;
    await served.stop();
    const store = new RestTrackingStore(url, { env: CLEAN_ENV, retry: { ...FAST, retries: 2 } });
    await assert.rejects(
      store.getExperiment('0'),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'STORE_IO' && e.message.includes(url) && /ECONNREFUSED\) after 3 attempts/.test(e.message),
    );
  });

  test('401 and 403 are their own errors, never retried', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const answers = [
      { status: 401, body: '{"error_code":"UNAUTHENTICATED","message":"You are not authenticated"}' },
      { status: 403, body: '{"error_code":"PERMISSION_DENIED","message":"Permission denied for experiment 0"}' },
    ];
    const proxy = await startProxy(served.url, (_r, i) => answers[i] ?? 'forward');
    const store = new RestTrackingStore(proxy.url, { env: { ...CLEAN_ENV, MLFLOW_TRACKING_TOKEN: 'tok' }, retry: FAST });
    await assert.rejects(store.getExperiment('0'), code('UNAUTHENTICATED', /HTTP 401.*credentials from the environment were refused/));
    await assert.rejects(store.getExperiment('0'), code('PERMISSION_DENIED', /permission denied \(HTTP 403\): Permission denied for experiment 0/));
    assert.equal(proxy.seen.length, 2);
    await proxy.close();
    await served.stop();
  });

  test('credentials go as MLflow’s clients send them: a token as Bearer, a user in the URL as basic auth', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const proxy = await startProxy(served.url, () => 'forward');
    const token = new RestTrackingStore(proxy.url, { env: { ...CLEAN_ENV, MLFLOW_TRACKING_TOKEN: 'abc' } });
    await token.getExperiment('0');
    const inUrl = new RestTrackingStore(proxy.url.replace('http://', 'http://ana:p%40ss@'), { env: CLEAN_ENV });
    await inUrl.getExperiment('0');
    const editor = new RestTrackingStore(proxy.url, { env: { ...CLEAN_ENV, MLFLOW_TRACKING_TOKEN: 'abc' }, credentials: { username: 'bo', password: 'x' } });
    await editor.getExperiment('0');
    assert.deepEqual(
      proxy.seen.map((r) => r.authorization),
      ['Bearer abc', `Basic ${Buffer.from('ana:p@ss').toString('base64')}`, `Basic ${Buffer.from('bo:x').toString('base64')}`],
    );
    assert.equal(inUrl.url, proxy.url, 'the credentials are not kept in the URL');
    assert.equal(inUrl.client.username, 'ana');
    await proxy.close();
    await served.stop();
  });
});

describe('REST stores: paging and batches at MLflow’s limits', () => {
  test('a search over 2,500 runs comes back whole, page after page, none twice', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const exp = await served.backing.tracking.createExperiment('many');
    // One transaction (a run at a time would rewrite a sql.js file 2,500 times).
    await served.backing.file!.write((db) => {
      for (let i = 0; i < 2500; i++) {
        db.run(
          `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
           VALUES (?, ?, 'UNKNOWN', '', '', '', 'FINISHED', ?, NULL, '', 'active', ?, ?, NULL)`,
          [`run${String(i).padStart(28, '0')}`, `r${i}`, 1_700_000_000_000 + i, `mlflow-artifacts:/${exp}/r${i}/artifacts`, Number(exp)],
        );
      }
    });
    const proxy = await startProxy(served.url, () => 'forward');
    const client = await openStores(proxy.url, { env: CLEAN_ENV, pollIntervalMs: 0 });
    const ids = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.tracking.searchRuns({
        experimentIds: [exp],
        maxResults: 1000,
        orderBy: ['attributes.start_time DESC'],
        ...(token ? { pageToken: token } : {}),
      });
      for (const r of page.items) ids.add(r.info.runId);
      token = page.nextPageToken;
      pages++;
    } while (token);
    assert.equal(ids.size, 2500);
    assert.ok(pages >= 3 && pages <= 4, `${pages} pages`);
    assert.equal(proxy.seen.filter((r) => r.path.includes('runs/search')).length, pages);
    await client.close();
    await proxy.close();
    await served.stop();
  });

  test('chunkBatch keeps every request within 1,000 metrics, 100 params, 100 tags and 1,000 entities', () => {
    const metrics: Metric[] = Array.from({ length: 2500 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), step: i, timestamp: 1000 + i }));
    const params: Param[] = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags: Tag[] = Array.from({ length: 250 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    const chunks = chunkBatch({ metrics, params, tags });
    for (const c of chunks) {
      const [m, p, t] = [c.metrics?.length ?? 0, c.params?.length ?? 0, c.tags?.length ?? 0];
      assert.ok(m <= 1000 && p <= 100 && t <= 100 && m + p + t <= 1000, JSON.stringify([m, p, t]));
    }
    assert.deepEqual(
      chunks.flatMap((c) => c.metrics ?? []),
      metrics,
    );
    assert.deepEqual(
      chunks.flatMap((c) => c.params ?? []),
      params,
    );
    assert.deepEqual(
      chunks.flatMap((c) => c.tags ?? []),
      tags,
    );
    assert.equal(chunks.length, 3);
  });

  test('a batch of 2,500 metric points, 150 params and 250 tags reaches a server that enforces MLflow’s limits, whole', async () => {
    const served = await serveStore(join(tmp.dir, `t${++n}`));
    const proxy = await startProxy(served.url, () => 'forward');
    const store = new RestTrackingStore(proxy.url, { env: CLEAN_ENV });
    const run = await store.createRun({ experimentId: '0' });
    const metrics: Metric[] = Array.from({ length: 2500 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), step: i, timestamp: 1000 + i }));
    const params: Param[] = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags: Tag[] = Array.from({ length: 250 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    const requests = await logBatchChunked(store, run.info.runId, { metrics, params, tags });
    const sent = proxy.seen
      .filter((r) => r.path.endsWith('runs/log-batch'))
      .map((r) => JSON.parse(r.body) as { metrics: unknown[]; params: unknown[]; tags: unknown[] });
    assert.equal(sent.length, requests);
    for (const b of sent)
      assert.ok(b.metrics.length <= 1000 && b.params.length <= 100 && b.tags.length <= 100 && b.metrics.length + b.params.length + b.tags.length <= 1000);
    assert.equal((await store.getMetricHistory(run.info.runId, 'loss')).length, 2500);
    const got = await store.getRun(run.info.runId);
    assert.equal(got.data.params.length, 150);
    assert.equal(got.data.tags.filter((t) => /^t\d+$/.test(t.key)).length, 250);
    await proxy.close();
    await served.stop();
  });
});
