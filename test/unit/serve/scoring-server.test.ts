import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCsv } from '../../../src/ml/dataset/csv';
import { predict } from '../../../src/pipeline/predict';
import { registerModel } from '../../../src/pipeline/register';
import type { RunningScoringServer } from '../../../src/serve/scoring-server';
import { isLoopback, requiredToken, startScoringServer, VERSION_HEADER } from '../../../src/serve/scoring-server';
import { ModelFollower } from '../../../src/serve/served-model';
import type { TestWorkspace } from '../pipeline/workspace';
import { GOOD, churnCsv, openWorkspace } from '../pipeline/workspace';
import { destroyAgent, http, postJson } from './http';

const INPUTS = ['plan', 'tenure_months', 'support_tickets', 'monthly_charges'];

describe('modelops serve: the scoring protocol', () => {
  let ws: TestWorkspace;
  let server: RunningScoringServer;
  let follower: ModelFollower;
  let url: string;
  const csv = churnCsv(6, 9);
  const table = parseCsv(csv, 'rows.csv');
  const rows = table.rows.map((r) =>
    Object.fromEntries(INPUTS.map((n) => [n, n === 'plan' ? r[table.header.indexOf(n)]! : Number(r[table.header.indexOf(n)])])),
  );
  let expected: { predictions: (string | number)[]; probabilities: number[][] };

  before(async () => {
    ws = await openWorkspace();
    const runId = await ws.trainRun(GOOD);
    await registerModel(ws.stores, { runId, name: 'churn', actor: 'alice', validate: false });
    await ws.stores.registry.transitionModelVersionStage('churn', '1', 'Production', false);
    writeFileSync(join(ws.dir, 'rows.csv'), csv);
    const r = await predict(ws.stores, { model: 'models:/churn/1', data: join(ws.dir, 'rows.csv'), proba: true, cwd: ws.dir });
    expected = { predictions: r.predictions, probabilities: r.probabilities! };
    follower = await ModelFollower.open(ws.stores, 'models:/churn/Production', { cwd: ws.dir, onStoreChange: (l) => ws.db.onDidChange(l) });
    server = await startScoringServer(follower, { port: 0, maxBodyBytes: 4 * 1024 * 1024 });
    url = server.url;
  });
  after(async () => {
    await server.close();
    follower.dispose();
    destroyAgent();
    await ws.close();
  });

  test('answers every JSON input format and CSV with the predictions modelops predict makes, naming the version', async () => {
    const bodies: unknown[] = [
      { dataframe_split: { columns: INPUTS, data: rows.map((r) => INPUTS.map((n) => r[n])) } },
      { dataframe_split: { index: rows.map((_, i) => i), columns: INPUTS, data: rows.map((r) => INPUTS.map((n) => r[n])) } },
      { dataframe_records: rows },
      { instances: rows },
      { inputs: Object.fromEntries(INPUTS.map((n) => [n, rows.map((r) => r[n])])) },
    ];
    for (const body of bodies) {
      const a = await postJson(url, body);
      assert.equal(a.status, 200, a.body);
      assert.deepEqual(JSON.parse(a.body), { predictions: expected.predictions }, JSON.stringify(body).slice(0, 40));
      assert.equal(a.headers[VERSION_HEADER.toLowerCase()], 'models:/churn/1');
    }
    const none = await postJson(url, { dataframe_split: { columns: INPUTS, data: [] } });
    assert.deepEqual([none.status, JSON.parse(none.body)], [200, { predictions: [] }], 'zero rows, zero predictions');
    const c = await http(`${url}/invocations`, { body: csv, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
    assert.equal(c.status, 200, c.body);
    assert.deepEqual(JSON.parse(c.body), { predictions: expected.predictions });
  });

  test('params {"predict_proba": true} answer one probability per class', async () => {
    const a = await postJson(url, { dataframe_records: rows, params: { predict_proba: true } });
    assert.equal(a.status, 200, a.body);
    const got = (JSON.parse(a.body) as { predictions: Record<string, number>[] }).predictions;
    got.forEach((p, i) => assert.deepEqual([p.no, p.yes], expected.probabilities[i]));
    const bad = await postJson(url, { dataframe_records: rows, params: { predict_proba: 'yes' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /predict_proba/);
  });

  test('requests sent at once are scored together yet each gets exactly its own rows, probabilities and errors', async () => {
    // 3 × 9 concurrent requests: one row each, all rows at once, and a row with a bad cell; with and without probabilities.
    const one = (i: number, proba: boolean): unknown => ({ dataframe_records: [rows[i]], ...(proba ? { params: { predict_proba: true } } : {}) });
    const bodies = rows.flatMap((_, i) => [one(i, i % 2 === 0), { dataframe_records: rows }, { dataframe_records: [{ ...rows[i], tenure_months: 'many' }] }]);
    const answers = await Promise.all(bodies.map((b) => postJson(url, b)));
    rows.forEach((_, i) => {
      const [single, all, bad] = answers.slice(3 * i, 3 * i + 3);
      assert.equal(single!.status, 200, single!.body);
      const got = (JSON.parse(single!.body) as { predictions: unknown[] }).predictions;
      assert.deepEqual(got, i % 2 === 0 ? [{ no: expected.probabilities[i]![0], yes: expected.probabilities[i]![1] }] : [expected.predictions[i]], `row ${i}`);
      assert.deepEqual([all!.status, JSON.parse(all!.body)], [200, { predictions: expected.predictions }]);
      assert.equal(bad!.status, 400);
      assert.match(bad!.body, /tenure_months/);
    });
  });

  test('GET /ping, /health and /version as MLflow answers them', async () => {
    for (const p of ['/ping', '/health']) {
      const a = await http(`${url}${p}`);
      assert.equal(a.status, 200);
      assert.equal(a.body, '\n');
    }
    const v = await http(`${url}/version`);
    assert.equal(v.body, '2.10.2');
    assert.equal((await http(`${url}/nope`)).status, 404);
    assert.equal((await http(`${url}/invocations`)).status, 405);
  });

  test('bad inputs get MLflow-shaped 400s that name the column', async () => {
    const noPlan = await postJson(url, { dataframe_records: rows.map(({ plan: _p, ...r }) => ({ ...r, colour: 'red' })) });
    assert.equal(noPlan.status, 400);
    const e = JSON.parse(noPlan.body) as { error_code: string; message: string };
    assert.equal(e.error_code, 'INVALID_PARAMETER_VALUE');
    assert.match(e.message, /Model is missing inputs \['plan'\]\. Note that there were extra inputs: \['colour'\]/);
    const wrong = await postJson(url, { dataframe_records: [{ ...rows[0], tenure_months: 'twelve' }] });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /Incompatible input types for column tenure_months.*\\"twelve\\" \(row 1\)/);
    const nested = await postJson(url, { dataframe_records: [{ ...rows[0], support_tickets: [1, 2] }] });
    assert.match(nested.body, /column support_tickets.*a list/);
    const csvWrong = await http(`${url}/invocations`, {
      body: 'plan,tenure_months,support_tickets,monthly_charges\nbasic,abc,1,20\n',
      headers: { 'Content-Type': 'text/csv' },
    });
    assert.equal(csvWrong.status, 400);
    assert.match(csvWrong.body, /tenure_months.*'abc' at request body:2:2/);
    const csvMissing = await http(`${url}/invocations`, { body: 'plan,tenure_months\nbasic,3\n', headers: { 'Content-Type': 'text/csv' } });
    assert.match(csvMissing.body, /Model is missing inputs \['support_tickets', 'monthly_charges'\]/);
  });

  test('empty, malformed, oversized and mistyped bodies are refused', async () => {
    const empty = await http(`${url}/invocations`, { body: '', headers: { 'Content-Type': 'application/json' } });
    assert.equal(empty.status, 400);
    assert.match(empty.body, /empty/);
    const notJson = await http(`${url}/invocations`, { body: '{"dataframe_records": [', headers: { 'Content-Type': 'application/json' } });
    assert.equal(notJson.status, 400);
    assert.match(JSON.parse(notJson.body).message as string, /^Failed to parse input from JSON/);
    const list = await postJson(url, [rows[0]]);
    assert.match(list.body, /Received a list/);
    const two = await postJson(url, { dataframe_records: rows, instances: rows });
    assert.match(two.body, /exactly one of the input fields.*Received dictionary with input fields: \['dataframe_records', 'instances'\]/);
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    const huge = await http(`${url}/invocations`, { body: big, headers: { 'Content-Type': 'application/json' } });
    assert.equal(huge.status, 413);
    assert.match(huge.body, /larger than the server's limit/);
    const xml = await http(`${url}/invocations`, { body: '<rows/>', headers: { 'Content-Type': 'application/xml' } });
    assert.equal(xml.status, 415);
    assert.match(xml.body, /only supports the following content types/);
    // The server still answers after all that.
    assert.equal((await postJson(url, { dataframe_records: rows })).status, 200);
  });

  test('a token is required off loopback, and checked when given', async () => {
    assert.equal(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1'), true);
    assert.equal(isLoopback('0.0.0.0'), false);
    assert.equal(requiredToken('127.0.0.1', undefined), undefined);
    assert.match(requiredToken('0.0.0.0', undefined) ?? '', /^[\w-]{32}$/);
    const guarded = await startScoringServer(follower, { port: 0, token: 's3cret' });
    try {
      assert.equal((await postJson(guarded.url, { dataframe_records: rows })).status, 401);
      assert.equal((await postJson(guarded.url, { dataframe_records: rows }, { Authorization: 'Bearer wrong!' })).status, 401);
      assert.equal((await postJson(guarded.url, { dataframe_records: rows }, { Authorization: 'Bearer s3cret' })).status, 200);
      assert.equal((await http(`${guarded.url}/ping`)).status, 200, 'health checks need no token');
    } finally {
      await guarded.close();
    }
    const rebound = await http(`${url}/ping`, { headers: { Host: 'attacker.example:5001' } });
    assert.equal(rebound.status, 403, 'a loopback server answers only loopback host names');
  });

  test('closing lets a request in flight finish', async () => {
    const other = await startScoringServer(follower, { port: 0 });
    const many = churnCsv(3000, 4);
    const arrived = new Promise((r) => other.server.once('request', r));
    const pending = http(`${other.url}/invocations`, { body: many, headers: { 'Content-Type': 'text/csv', Connection: 'close' } });
    await arrived; // its body is still on the way when the server is told to stop
    await other.close();
    const a = await pending;
    assert.equal(a.status, 200);
    assert.equal((JSON.parse(a.body) as { predictions: unknown[] }).predictions.length, 3000);
  });
});
