import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../src/server/http-server';
import { startTrackingServer } from '../../../src/server/http-server';
import { REGISTRY_ROUTES } from '../../../src/server/registry-routes';
import { TRACKING_ROUTES } from '../../../src/server/tracking-routes';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import { tempDir } from '../store/helpers/temp';
import type { RawAnswer } from './helpers/replay';
import { rawRequest } from './helpers/replay';

/**
 * Hostile requests: malformed, huge, deeply nested, path traversal, prototype-polluting names, wrong types, odd
 * methods and encodings, while 200 idle connections are held open. The server must keep answering /health, answer
 * every request without a 500, and keep its memory bounded (bodies are capped one by one and all together).
 */
const tmp = tempDir('modelops-hostile-');
let stores: Stores;
let server: RunningServer;
const log: string[] = [];
const idle: Socket[] = [];
let runId = '';

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(13);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const ENDPOINTS = [...TRACKING_ROUTES.keys(), ...REGISTRY_ROUTES.keys(), 'artifacts/list'];
const FIELDS = [
  'name',
  'experiment_id',
  'run_id',
  'run_uuid',
  'key',
  'value',
  'metrics',
  'params',
  'tags',
  'datasets',
  'filter',
  'max_results',
  'order_by',
  'page_token',
  'stage',
  'version',
  'source',
  'description',
  'new_name',
  'model_json',
  'alias',
  'archive_existing_versions',
  'view_type',
  'run_view_type',
  'experiment_ids',
  'timestamp',
  'step',
  'status',
];
const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];
const TRAVERSAL = [
  '../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e/%2e%2e/etc',
  '%252e%252e%252fetc',
  'a/%00/b',
  'a\\..\\..\\b',
  '/etc/passwd',
  'file:///etc/passwd',
  'C:\\Windows',
  '0/../../..',
  'x#y',
  '%',
  '%zz',
  '....//....//etc',
];

function hostileValue(depth = 0): unknown {
  const r = rand();
  if (depth > 2 || r < 0.15)
    return pick([null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 63, '', 'NaN', 'Infinity', '\u0000', '💥'.repeat(50), 'x'.repeat(6000)]);
  if (r < 0.3) return pick(PROTO);
  if (r < 0.45) return pick(TRAVERSAL);
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => hostileValue(depth + 1));
  if (r < 0.75)
    return Object.fromEntries([
      [pick(PROTO), hostileValue(depth + 1)],
      [pick(FIELDS), hostileValue(depth + 1)],
    ]);
  return runId;
}

function hostileBody(): Buffer {
  const r = rand();
  if (r < 0.1) return Buffer.from(Array.from({ length: 200 }, () => Math.floor(rand() * 256)));
  if (r < 0.2) return Buffer.from('{"name": "x", "tags": [{"key": "a"'); // truncated
  if (r < 0.25) return Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  if (r < 0.3) return Buffer.from(`{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}`);
  if (r < 0.35) return Buffer.from(JSON.stringify(JSON.stringify({ name: pick(PROTO) })));
  const body: Record<string, unknown> = {};
  for (let i = 0; i < 1 + Math.floor(rand() * 5); i++) body[pick(rand() < 0.2 ? PROTO : FIELDS)] = hostileValue();
  return Buffer.from(JSON.stringify(body));
}

interface Shot {
  method: string;
  path: string;
  body?: Buffer;
  headers?: Record<string, string>;
}

function hostileRequest(i: number): Shot {
  const json = { 'Content-Type': 'application/json' };
  switch (i % 10) {
    case 0:
      return { method: 'POST', path: `/api/2.0/mlflow/${pick(ENDPOINTS)}`, body: hostileBody(), headers: json };
    case 1:
      return {
        method: pick(['GET', 'DELETE', 'PATCH', 'PUT', 'HEAD', 'TRACE', 'PROPFIND', 'OPTIONS']),
        path: `/api/2.0/mlflow/${pick([...ENDPOINTS, ...PROTO, `runs/${pick(PROTO)}`])}`,
        body: hostileBody(),
        headers: json,
      };
    case 2:
      return {
        method: 'GET',
        path: `/api/2.0/mlflow/${pick(ENDPOINTS)}?${pick(FIELDS)}=${encodeURIComponent(JSON.stringify(hostileValue()) ?? '')}&${pick(PROTO)}=1&${pick(FIELDS)}[]=x&bad`,
        headers: {},
      };
    case 3:
      return { method: pick(['GET', 'PUT', 'DELETE']), path: `/api/2.0/mlflow-artifacts/artifacts/${pick(TRAVERSAL)}`, body: Buffer.from('evil'), headers: {} };
    case 4:
      return {
        method: 'GET',
        path: `/${pick(['get-artifact', 'model-versions/get-artifact', 'api/2.0/mlflow/artifacts/list', 'ajax-api/2.0/mlflow/artifacts/list', 'api/2.0/mlflow-artifacts/artifacts'])}?path=${encodeURIComponent(pick(TRAVERSAL))}&run_id=${runId}&name=m&version=1`,
        headers: {},
      };
    case 5:
      // Larger than the server's JSON limit (256 KB here): refused before it is read.
      return { method: 'POST', path: '/api/2.0/mlflow/runs/log-batch', body: Buffer.alloc(300_000, 0x20), headers: json };
    case 6:
      return {
        method: 'POST',
        path: `/api/2.0/mlflow/${pick(ENDPOINTS)}`,
        body: hostileBody(),
        headers: { 'Content-Type': pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '']) },
      };
    case 7:
      return {
        method: 'POST',
        path: `/ajax-api/2.0/mlflow/${pick(['upload-artifact', 'metrics/get-history-bulk', 'experiments/search-datasets', 'runs/create-promptlab-run', 'gateway-proxy'])}?run_uuid=${runId}&path=${encodeURIComponent(pick(TRAVERSAL))}`,
        body: hostileBody(),
        headers: json,
      };
    case 8:
      return {
        method: 'GET',
        path: pick([
          '/api/2.0/mlflow/%zz',
          '/%',
          '/api/2.0/mlflow/runs/get?run_id=%',
          '/api/2.0/mlflow//experiments//get',
          '/..%2f..%2fetc',
          '/api/2.0/mlflow/experiments/get?experiment_id=' + 'A'.repeat(10_000),
        ]),
        headers: {},
      };
    default:
      return {
        method: 'POST',
        path: '/api/2.0/mlflow/runs/log-batch',
        body: Buffer.from(
          JSON.stringify({
            run_id: runId,
            metrics: [{ key: pick([...PROTO, '../x', 'ok']), value: hostileValue(), timestamp: hostileValue(), step: hostileValue() }],
            params: [{ key: pick(PROTO), value: hostileValue() }],
          }),
        ),
        headers: json,
      };
  }
}

before(async () => {
  stores = await openStores(join(tmp.dir, 'mlflow.db'), { artifactRoot: join(tmp.dir, 'artifacts'), artifactRootUri: 'mlflow-artifacts:/' });
  server = await startTrackingServer(
    { tracking: stores.tracking, registry: stores.registry },
    {
      port: 0,
      artifactsDestination: join(tmp.dir, 'artifacts'),
      log: (l) => log.push(l),
      limits: { maxJsonBytes: 256 * 1024, bodyBudgetBytes: 1024 * 1024, bodyWaitMs: 2_000 },
    },
  );
  runId = (await stores.tracking.createRun({ experimentId: '0' })).info.runId;
  await stores.registry.createRegisteredModel('m');
  const url = new URL(server.url);
  for (let i = 0; i < 200; i++) {
    idle.push(
      await new Promise<Socket>((resolveSocket, reject) => {
        const s = connect(Number(url.port), url.hostname, () => resolveSocket(s));
        s.on('error', reject);
        // Half of them start a request and never finish it.
        if (i % 2 === 0) s.once('connect', () => s.write('POST /api/2.0/mlflow/runs/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n'));
      }),
    );
  }
});

after(async () => {
  for (const s of idle) s.destroy();
  await server.close();
  await stores.close();
  tmp.cleanup();
});

describe('modelops server under hostile requests', () => {
  test('1,200 hostile requests beside 200 idle connections: /health keeps answering, no 500, memory bounded', async () => {
    const rssBefore = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    const fivehundreds: string[] = [];
    const TOTAL = 1_200;
    for (let start = 0; start < TOTAL; start += 50) {
      const shots = Array.from({ length: 50 }, (_, k) => hostileRequest(start + k));
      const answers = await Promise.all(
        shots.map((s) =>
          rawRequest(server.url, s.method, s.path, s.body, s.headers).catch((e: unknown): RawAnswer => {
            // A connection the server closes after refusing an unread body is an answer too (413 then close).
            return { status: -1, headers: {}, body: Buffer.from(String((e as Error).message)) };
          }),
        ),
      );
      answers.forEach((a, k) => {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status >= 500 && a.status !== 503)
          fivehundreds.push(`${shots[k]!.method} ${shots[k]!.path.slice(0, 120)} → ${a.status} ${a.body.toString().slice(0, 200)}`);
      });
      const health = await rawRequest(server.url, 'GET', '/health');
      assert.equal(health.status, 200, `after ${start + 50} requests`);
      assert.equal(health.body.toString(), 'OK');
    }
    assert.deepEqual(fivehundreds, [], 'no request gets a 500');
    assert.deepEqual(
      log.filter((l) => / 500 /.test(l)),
      [],
      'nothing unexpected in the server log',
    );
    assert.ok([...statuses.values()].reduce((a, b) => a + b, 0) >= 1_000);
    assert.ok((statuses.get(400) ?? 0) > 300 && (statuses.get(404) ?? 0) > 20 && (statuses.get(413) ?? 0) > 50, JSON.stringify([...statuses]));
    // Nothing leaked onto Object.prototype, and the store still works.
    assert.equal((Object.prototype as { polluted?: unknown }).polluted, undefined);
    assert.equal((await stores.tracking.getExperiment('0')).name, 'Default');
    const grown = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    assert.ok(grown < 200, `RSS grew by ${grown.toFixed(0)} MB`);
  });
});
