import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { RunningServer, ServerOptions } from '../../../src/server/http-server';
import { startTrackingServer } from '../../../src/server/http-server';
import { resolveServerSetup } from '../../../src/server/server-setup';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import { RestTrackingStore } from '../../../src/store/rest/rest-tracking-store';
import { tempDir } from '../store/helpers/temp';
import { rawRequest } from './helpers/replay';

const tmp = tempDir('modelops-server-security-');
after(() => tmp.cleanup());
let count = 0;

interface Served {
  stores: Stores;
  server: RunningServer;
  file: string;
  log: string[];
  stop(): Promise<void>;
}

async function serve(options: ServerOptions = {}): Promise<Served> {
  const file = join(tmp.dir, `s${++count}`, 'mlflow.db');
  const stores = await openStores(file);
  const log: string[] = [];
  const server = await startTrackingServer({ tracking: stores.tracking, registry: stores.registry }, { port: 0, log: (l) => log.push(l), ...options });
  return {
    stores,
    server,
    file,
    log,
    stop: async () => {
      await server.close();
      await stores.close();
    },
  };
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const json = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));

/** A registered model with version 1 in Production, made the product's way. */
async function productionModel(stores: Stores, name = 'churn'): Promise<void> {
  await stores.registry.createRegisteredModel(name);
  await stores.registry.createModelVersion({ name, source: 's3://bucket/models/a' });
  await stores.registry.transitionModelVersionStage(name, '1', 'Production', false, { actor: 'test (promote --approve)' });
}

describe('a web page cannot drive the server', () => {
  let s: Served;
  before(async () => {
    s = await serve();
    await productionModel(s.stores);
  });
  after(() => s.stop());

  test('a browser-shaped cross-origin text/plain POST is refused and the store file stays byte-identical', async () => {
    const before = sha(s.file);
    const attacks: [string, unknown][] = [
      ['/api/2.0/mlflow/registered-models/rename', { name: 'churn', new_name: 'pwned' }],
      ['/api/2.0/mlflow/model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Archived', archive_existing_versions: false }],
      ['/api/2.0/mlflow/experiments/create', { name: 'from-evil' }],
    ];
    for (const [path, body] of attacks) {
      // What a page's fetch(…, {mode: 'no-cors', method: 'POST', body}) or a <form enctype="text/plain"> sends.
      const r = await rawRequest(s.server.url, 'POST', path, json(body), {
        'Content-Type': 'text/plain;charset=UTF-8',
        Origin: 'http://evil.example',
        'Sec-Fetch-Site': 'cross-site',
        'Sec-Fetch-Mode': 'no-cors',
      });
      assert.equal(r.status, 403, path);
      assert.equal((JSON.parse(r.body.toString()) as { error_code: string }).error_code, 'PERMISSION_DENIED');
      assert.equal(r.headers['access-control-allow-origin'], undefined);
    }
    // Even with the right Content-Type, another origin is refused (CORS is off unless origins are listed).
    const typed = await rawRequest(s.server.url, 'POST', attacks[0]![0], json(attacks[0]![1]), {
      'Content-Type': 'application/json',
      Origin: 'http://localhost:8888',
    });
    assert.equal(typed.status, 403);
    assert.equal(sha(s.file), before);
    assert.equal((await s.stores.registry.getModelVersion('churn', '1')).currentStage, 'Production');
  });

  test('a page that rebinds its own name to 127.0.0.1 (DNS rebinding) is refused by the Host check', async () => {
    const before = sha(s.file);
    const r = await rawRequest(s.server.url, 'POST', '/api/2.0/mlflow/registered-models/rename', json({ name: 'churn', new_name: 'pwned' }), {
      'Content-Type': 'application/json',
      Host: 'evil.example:5000',
    });
    assert.equal(r.status, 403);
    assert.match(r.body.toString(), /DNS rebinding/);
    assert.equal(sha(s.file), before);
  });

  test('a JSON body sent as text/plain or a form (no Origin) is refused as MLflow refuses it', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      for (const [method, path] of [
        ['POST', '/api/2.0/mlflow/registered-models/rename'],
        ['PATCH', '/api/2.0/mlflow/registered-models/update'],
        ['DELETE', '/api/2.0/mlflow/registered-models/delete'],
      ] as const) {
        const r = await rawRequest(s.server.url, method, path, json({ name: 'churn', new_name: 'x', description: 'x' }), { 'Content-Type': type });
        assert.equal(r.status, 400, `${method} ${path} as ${type}`);
        assert.match(r.body.toString(), /Content-Type must be one of \['application\/json'\]/);
      }
    }
    assert.deepEqual(
      (await s.stores.registry.searchRegisteredModels()).items.map((m) => m.name),
      ['churn'],
    );
  });

  test('an origin listed with --cors-allowed-origins may call, and gets CORS headers', async () => {
    const listed = await serve({ corsAllowedOrigins: ['http://notebook.internal:8888'] });
    const r = await rawRequest(listed.server.url, 'POST', '/api/2.0/mlflow/experiments/create', json({ name: 'from-notebook' }), {
      'Content-Type': 'application/json',
      Origin: 'http://notebook.internal:8888',
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'http://notebook.internal:8888');
    const preflight = await rawRequest(listed.server.url, 'OPTIONS', '/api/2.0/mlflow/experiments/create', undefined, {
      Origin: 'http://notebook.internal:8888',
      'Access-Control-Request-Method': 'POST',
    });
    assert.equal(preflight.status, 204);
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    const other = await rawRequest(listed.server.url, 'POST', '/api/2.0/mlflow/experiments/create', json({ name: 'from-elsewhere' }), {
      'Content-Type': 'application/json',
      Origin: 'http://elsewhere.example',
    });
    assert.equal(other.status, 403);
    await listed.stop();
  });
});

describe('credentials', () => {
  test('a non-loopback bind without a token or basic auth refuses to start (and nothing listens)', async () => {
    const stores = await openStores(join(tmp.dir, 'exposed', 'mlflow.db'));
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'my-laptop.local']) {
      await assert.rejects(
        startTrackingServer(stores.tracking, { host, port: 0 }),
        (e: unknown) => e instanceof ModelOpsError && /refusing to listen on .* without credentials/.test(e.message) && /--token/.test(e.message),
      );
    }
    await stores.close();
    assert.throws(() => resolveServerSetup({ storeUri: join(tmp.dir, 'x.db'), host: '0.0.0.0', env: {}, cwd: tmp.dir }), /without credentials/);
    assert.doesNotThrow(() =>
      resolveServerSetup({ storeUri: join(tmp.dir, 'x.db'), host: '0.0.0.0', env: { MODELOPS_SERVER_TOKEN: 's3cret-token-value' }, cwd: tmp.dir }),
    );
    assert.doesNotThrow(() =>
      resolveServerSetup({
        storeUri: join(tmp.dir, 'x.db'),
        host: '0.0.0.0',
        env: { MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 'pw' },
        cwd: tmp.dir,
      }),
    );
  });

  test('modelops server --host 0.0.0.0 without credentials exits 1 with the reason', () => {
    const main = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !['MODELOPS_SERVER_TOKEN', 'MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD'].includes(k)),
    );
    const r = spawnSync(process.execPath, [main, 'server', '--host', '0.0.0.0', '--port', '0', '--store', join(tmp.dir, 'cli-exposed.db')], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without credentials/);
  });

  test('with a bearer token: no or a wrong token is a 401 that never echoes it, the right one works, /health stays open', async () => {
    const secret = 'tok-3f9c1a7e5b2d';
    const s = await serve({ auth: { token: { name: 'ci-bot', secret } } });
    const none = await rawRequest(s.server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0');
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const wrong = await rawRequest(s.server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', undefined, { Authorization: 'Bearer guess-123' });
    assert.equal(wrong.status, 401);
    assert.ok(!wrong.body.toString().includes('guess-123') && !wrong.body.toString().includes(secret));
    const right = await rawRequest(s.server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', undefined, { Authorization: `Bearer ${secret}` });
    assert.equal(right.status, 200);
    assert.equal((await rawRequest(s.server.url, 'GET', '/health')).status, 200);
    // The REST store authenticates as MLflow's clients do (MLFLOW_TRACKING_TOKEN), and the audit trail names the token.
    const client = new RestTrackingStore(s.server.url, { env: { MLFLOW_TRACKING_TOKEN: secret } });
    assert.equal((await client.getExperiment('0')).name, 'Default');
    await productionModel(s.stores);
    await s.stores.registry.createModelVersion({ name: 'churn', source: 's3://bucket/models/b' });
    const del = await rawRequest(s.server.url, 'DELETE', '/api/2.0/mlflow/model-versions/delete', json({ name: 'churn', version: '2' }), {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${secret}`,
    });
    assert.equal(del.status, 200);
    const trail = await s.stores.registry.getAuditTrail('churn', '2');
    assert.deepEqual(
      trail.map((a) => [a.action, a.actor]),
      [['delete', 'ci-bot']],
    );
    assert.ok(!s.log.some((l) => l.includes(secret) || l.includes('guess-123')), 'credentials never reach the log');
    await s.stop();
  });

  test('with basic auth (MLFLOW_TRACKING_USERNAME / PASSWORD): the user is the audited identity', async () => {
    const setup = resolveServerSetup({
      storeUri: join(tmp.dir, 'basic.db'),
      host: '127.0.0.1',
      env: { MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 'pa:ss word' },
      cwd: tmp.dir,
    });
    assert.equal(setup.summary.auth, 'basic');
    assert.ok(!JSON.stringify(setup.summary).includes('pa:ss word') && !setup.description.includes('pa:ss word'));
    const s = await serve({ auth: setup.serverOptions.auth });
    const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    assert.equal((await rawRequest(s.server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0')).status, 401);
    assert.equal(
      (await rawRequest(s.server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', undefined, { Authorization: basic('ana', 'nope') })).status,
      401,
    );
    assert.equal(
      (await rawRequest(s.server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', undefined, { Authorization: basic('bob', 'pa:ss word') }))
        .status,
      401,
    );
    await s.stores.registry.createRegisteredModel('m');
    const client = new RestTrackingStore(s.server.url, { env: { MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 'pa:ss word' } });
    assert.equal((await client.getExperiment('0')).name, 'Default');
    const renamed = await rawRequest(s.server.url, 'POST', '/api/2.0/mlflow/registered-models/rename', json({ name: 'm', new_name: 'm2' }), {
      'Content-Type': 'application/json',
      Authorization: basic('ana', 'pa:ss word'),
    });
    assert.equal(renamed.status, 200);
    assert.deepEqual(
      (await s.stores.registry.getAuditTrail('m2')).map((a) => [a.action, a.actor]),
      [['rename', 'ana']],
    );
    await s.stop();
  });
});

describe('the registry through the API', () => {
  test('a Production version cannot be deleted, nor a model that has one; deletes, renames and stage changes are audited as "api"', async () => {
    const s = await serve();
    await productionModel(s.stores);
    await s.stores.registry.createModelVersion({ name: 'churn', source: 's3://bucket/models/b' });
    const call = (method: string, path: string, body: unknown): Promise<{ status: number; body: Buffer }> =>
      rawRequest(s.server.url, method, `/api/2.0/mlflow/${path}`, json(body), { 'Content-Type': 'application/json' });
    const before = sha(s.file);
    const refusedVersion = await call('DELETE', 'model-versions/delete', { name: 'churn', version: '1' });
    assert.equal(refusedVersion.status, 400);
    assert.match(refusedVersion.body.toString(), /INVALID_STATE.*in Production and cannot be deleted/);
    const refusedModel = await call('DELETE', 'registered-models/delete', { name: 'churn' });
    assert.equal(refusedModel.status, 400);
    assert.equal(sha(s.file), before, 'a refused delete writes nothing');
    // Promotion stays the product's: the API archives and moves back to None, nothing higher.
    assert.equal(
      (await call('POST', 'model-versions/transition-stage', { name: 'churn', version: '2', stage: 'Production', archive_existing_versions: true })).status,
      400,
    );
    assert.equal(
      (await call('POST', 'model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Archived', archive_existing_versions: false })).status,
      200,
    );
    assert.equal(
      (await call('POST', 'model-versions/transition-stage', { name: 'churn', version: '1', stage: 'None', archive_existing_versions: false })).status,
      200,
    );
    assert.equal((await call('DELETE', 'model-versions/delete', { name: 'churn', version: '1' })).status, 200);
    assert.equal((await call('POST', 'registered-models/rename', { name: 'churn', new_name: 'churn-v2' })).status, 200);
    assert.equal((await call('DELETE', 'registered-models/delete', { name: 'churn-v2' })).status, 200);
    const trail = (await s.stores.registry.getAuditTrail('churn-v2')).filter((a) => a.actor === 'api');
    assert.deepEqual(
      trail.map((a) => [a.action, a.version, a.fromStage, a.toStage]),
      [
        ['archive', '1', 'Production', 'Archived'],
        ['transition', '1', 'Archived', 'None'],
        ['delete', '1', 'None', null],
        ['rename', null, null, null],
        ['delete', null, null, null],
      ],
    );
    await s.stop();
  });
});

describe('malformed HTTP gets MLflow-shaped errors', () => {
  test('headers too large are a 431 and a broken request line a 400, both with a JSON error body', async () => {
    const s = await serve();
    const big = await rawRequest(s.server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', undefined, { 'X-Big': 'x'.repeat(20_000) });
    assert.equal(big.status, 431);
    assert.equal((JSON.parse(big.body.toString()) as { error_code: string }).error_code, 'BAD_REQUEST');
    const url = new URL(s.server.url);
    const answer = await new Promise<string>((resolveAnswer) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GARBAGE /\r\n\r\n'));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolveAnswer(text));
    });
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.match(answer, /"error_code":"BAD_REQUEST"/);
    const tooLarge = await serve({ limits: { maxJsonBytes: 1024 } });
    const r = await rawRequest(tooLarge.server.url, 'POST', '/api/2.0/mlflow/experiments/create', Buffer.from(JSON.stringify({ name: 'x'.repeat(2000) })), {
      'Content-Type': 'application/json',
    });
    assert.equal(r.status, 413);
    await tooLarge.stop();
    await s.stop();
  });
});
