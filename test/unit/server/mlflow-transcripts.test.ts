import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer, ServerOptions } from '../../../src/server/http-server';
import { startTrackingServer } from '../../../src/server/http-server';
import type { OpenOptions, Stores } from '../../../src/store/open';
import { openStores, openTrackingStore } from '../../../src/store/open';
import { tempDir } from '../store/helpers/temp';
import { mlflowReference } from '../../repo-paths';
import type { Transcript } from './helpers/replay';
import { TIMES, loadTranscripts, mapIds, rawRequest, recordedBody, recordedResponseBody, stripVolatile } from './helpers/replay';

/**
 * Replays both sets of requests recorded against a real MLflow 2.10.2 server, each set in order against
 * `modelops server` on an empty store started as MLflow was (set 1: a plain-path artifact root; set 2:
 * `--serve-artifacts`), and compares each answer with MLflow's: status, and the JSON with ids mapped and times
 * left out (set 1: artifact paths too). Downloads are compared byte for byte with their type. Where an answer
 * differs, the reason is listed below; nothing else may differ.
 */
interface Replay {
  /** Shown in test names. */
  label: string;
  dir: string;
  pattern: RegExp;
  volatile: ReadonlySet<string>;
  /** Error answers whose wording comes from SQLAlchemy or a parser we do not share: status and code only. */
  codeOnly: ReadonlySet<string>;
  /** Where this server answers otherwise, on purpose: the status and error code it gives instead, and why. */
  differences: Readonly<Record<string, { status: number; code?: string; why: string }>>;
  storeOptions: OpenOptions;
  serverOptions(dir: string): ServerOptions;
}

/**
 * Stage changes this product makes by validation or human approval, never through the raw API: the server must
 * refuse them (400 INVALID_STATE); the test then makes the same change the product's way, so the replay carries on
 * from MLflow's state.
 */
const BY_PRODUCT_ONLY = new Set([
  '36_model_versions_transition_stage',
  '37_model_versions_transition_stage_2',
  '219_transition_v1_none_to_staging_lowercase',
  '220_transition_v1_staging_to_production',
  '221_transition_v2_none_to_staging',
  '222_transition_v2_staging_to_production_archive_true',
  '225_transition_v3_none_to_staging',
  '226_transition_v3_staging_to_production_archive_false',
  '229_transition_v1_none_to_production_archive_true',
]);

const HTML_404 = 'MLflow answers an unknown endpoint with Flask’s HTML page; this server with its JSON error shape';
const HTML_405 = 'MLflow answers a wrong method with Flask’s HTML page; this server with its JSON error shape (and an Allow header)';
const MALFORMED = 'MLflow reads a malformed body as {} and then names the first missing field; this server says the body is not JSON';
const NO_500 = 'MLflow answers 500; no input gets a 500 here';

const SET_1: Replay = {
  label: 'set 1 (plain artifact root)',
  dir: mlflowReference('transcripts'),
  pattern: /^\d\d_.*\.json$/,
  volatile: new Set([...TIMES, 'artifact_location', 'artifact_uri']),
  codeOnly: new Set(['04_experiments_create_duplicate', '30_runs_search_bad_filter', '32_registered_models_create_duplicate']),
  differences: {},
  storeOptions: {},
  serverOptions: () => ({}),
};

const SET_2: Replay = {
  label: 'set 2 (--serve-artifacts)',
  dir: mlflowReference('transcripts-2'),
  pattern: /^\d\d\d_.*\.json$/,
  volatile: new Set(TIMES),
  // 196 quotes SQLAlchemy; 151 prints a Python set, whose order changes from one server start to the next.
  codeOnly: new Set(['196_model_versions_create_client_register_1_registered_models_create', '151_runs_log_model_missing_fields']),
  differences: {
    '170_artifact_delete_file': {
      status: 200,
      why: 'MLflow 2.10.2 fails (500) to delete a file (its local store calls shutil.rmtree); the file is deleted here',
    },
    '171_artifact_list_after_delete_file': { status: 200, why: 'follows from 170: the file is gone, so the folder lists empty ({})' },
    '175_artifact_download_missing': { status: 404, code: 'RESOURCE_DOES_NOT_EXIST', why: `${NO_500}: a missing file is 404` },
    '176_artifact_download_directory': { status: 400, code: 'INVALID_PARAMETER_VALUE', why: `${NO_500}: a folder is not a file` },
    '186_get_artifact_ui_missing': { status: 404, code: 'RESOURCE_DOES_NOT_EXIST', why: `${NO_500}: a missing file is 404` },
    '207_model_versions_get_artifact_ui_v2': {
      status: 404,
      code: 'RESOURCE_DOES_NOT_EXIST',
      why: `${NO_500} (it cannot resolve runs:/ with a sqlite tracking URI); here the run is found, and it has no model folder`,
    },
    '231_transition_archive_existing_to_archived': { status: 400, code: 'INVALID_PARAMETER_VALUE', why: `${NO_500}: the same refusal as a 400` },
    '232_transition_archive_existing_to_none': { status: 400, code: 'INVALID_PARAMETER_VALUE', why: `${NO_500}: the same refusal as a 400` },
    '235_unknown_endpoint_get': { status: 404, code: 'ENDPOINT_NOT_FOUND', why: HTML_404 },
    '236_unknown_endpoint_post': { status: 404, code: 'ENDPOINT_NOT_FOUND', why: HTML_404 },
    '237_unknown_endpoint_ajax': { status: 404, code: 'ENDPOINT_NOT_FOUND', why: HTML_404 },
    '238_wrong_method_get_on_post': { status: 405, code: 'METHOD_NOT_ALLOWED', why: HTML_405 },
    '239_wrong_method_put': { status: 405, code: 'METHOD_NOT_ALLOWED', why: HTML_405 },
    '240_wrong_method_delete_on_artifacts_list': { status: 405, code: 'METHOD_NOT_ALLOWED', why: HTML_405 },
    '241_body_not_json': { status: 400, code: 'INVALID_PARAMETER_VALUE', why: MALFORMED },
    '242_body_truncated_json': { status: 400, code: 'INVALID_PARAMETER_VALUE', why: MALFORMED },
    '243_body_json_array': { status: 400, code: 'INVALID_PARAMETER_VALUE', why: `${NO_500} (HTML): the body must be a JSON object` },
    '246_log_batch_body_not_json': { status: 400, code: 'INVALID_PARAMETER_VALUE', why: `${NO_500} (HTML): the body is not JSON` },
  },
  storeOptions: { artifactRootUri: 'mlflow-artifacts:/' },
  serverOptions: (dir) => ({ artifactsDestination: join(dir, 'artifacts') }),
};

function headersFor(t: Transcript, body: Buffer | undefined): Record<string, string> {
  // Set 2 recorded the Content-Type sent (null: none); set 1 always sent JSON with one.
  if (t.request.content_type !== undefined) return t.request.content_type === null ? {} : { 'Content-Type': t.request.content_type };
  return body !== undefined ? { 'Content-Type': 'application/json' } : {};
}

function replay(set: Replay): void {
  describe(`modelops server answers MLflow 2.10.2's recorded requests, ${set.label}, as MLflow did`, () => {
    const tmp = tempDir('modelops-replay-');
    let database: Stores;
    let server: RunningServer;
    before(async () => {
      // The transcripts come from MLflow 2.10.2's server on its own schema (its limits: 5,000-character tags).
      database = await openStores(join(tmp.dir, 'mlflow.db'), { artifactRoot: join(tmp.dir, 'artifacts'), schema: '2.10.2', ...set.storeOptions });
      server = await startTrackingServer({ tracking: database.tracking, registry: database.registry }, { port: 0, ...set.serverOptions(tmp.dir) });
    });
    after(async () => {
      await server.close();
      await database.close();
      tmp.cleanup();
    });
    const theirsToOurs = new Map<string, string>();
    const oursToTheirs = new Map<string, string>();
    const learn = (a: unknown, b: unknown, any = false): void => {
      if (typeof a === 'string' && typeof b === 'string' && a !== b && (any || /^[0-9a-f]{32}$/.test(a) || /^\d+$/.test(a))) {
        theirsToOurs.set(a, b);
        oursToTheirs.set(b, a);
      }
    };
    for (const t of loadTranscripts(set.dir, set.pattern)) {
      const diff = set.differences[t.name];
      test(`${t.name}: ${t.request.method} ${t.request.path.split('?')[0]!.slice(0, 80)}${diff ? ` (differs: ${diff.why})` : ''}`, async () => {
        const body = recordedBody(t, theirsToOurs);
        const res = await rawRequest(server.url, t.request.method, mapIds(t.request.path, theirsToOurs) as string, body, headersFor(t, body));
        const text = res.body.toString('utf8');
        if (BY_PRODUCT_ONLY.has(t.name)) {
          assert.equal(res.status, 400, `${t.name} must be refused: ${text}`);
          const refused = JSON.parse(text) as { error_code: string; message: string };
          assert.equal(refused.error_code, 'INVALID_STATE');
          assert.match(refused.message, /validation|approval/);
          const req = mapIds(t.request.json, theirsToOurs) as { name: string; version: string; stage: string; archive_existing_versions: boolean };
          await database.registry.transitionModelVersionStage(req.name, req.version, req.stage, req.archive_existing_versions, {
            actor: 'test (as validate / promote --approve)',
          });
          return;
        }
        if (diff) {
          assert.equal(res.status, diff.status, `${t.name}: ${text}`);
          if (diff.code) assert.equal((JSON.parse(text) as { error_code: string }).error_code, diff.code);
          if (diff.status === 405) assert.ok(res.headers.allow, 'a 405 names the allowed methods');
          assert.match(String(res.headers['content-type']), /^application\/json/);
          return;
        }
        assert.equal(res.status, t.response.status, `status of ${t.name}: ${text}`);
        const theirType = t.response.content_type?.split(';')[0];
        if (theirType === 'text/html' && t.response.status !== 200) {
          // Flask's HTML error page (set 1's 405s): the same status, MLflow's JSON error shape instead.
          assert.match(String(res.headers['content-type']), /^application\/json/);
          assert.ok((JSON.parse(text) as { error_code?: string }).error_code);
          return;
        }
        if (t.response.json === undefined || t.response.json === null) {
          // A download, /version or /health: the same bytes (text with ids mapped), the same type and attachment name.
          const expected = recordedResponseBody(t);
          if (t.response.raw_body_encoding === 'base64') assert.deepEqual(res.body, expected, `body of ${t.name}`);
          else assert.equal(mapIds(text, oursToTheirs), expected.toString('utf8'), `body of ${t.name}`);
          if (theirType && theirType !== 'text/html') assert.equal(String(res.headers['content-type']).split(';')[0], theirType);
          const disposition = t.response.headers?.['Content-Disposition'];
          if (disposition) assert.equal(res.headers['content-disposition'], disposition);
          return;
        }
        const ours = JSON.parse(text) as Record<string, unknown>;
        const theirs = t.response.json as Record<string, unknown>;
        learn(theirs.experiment_id, ours.experiment_id);
        const info = (x: unknown): Record<string, unknown> | undefined => (x as { run?: { info?: Record<string, unknown> } }).run?.info;
        learn(info(theirs)?.run_id, info(ours)?.run_id);
        // `run_name: ""` makes both servers pick a random name.
        if ((t.request.json as { run_name?: string } | null)?.run_name === '') learn(info(theirs)?.run_name, info(ours)?.run_name, true);
        if (set.codeOnly.has(t.name)) {
          assert.equal(ours.error_code, theirs.error_code);
          return;
        }
        assert.deepEqual(stripVolatile(mapIds(ours, oursToTheirs), set.volatile), stripVolatile(theirs, set.volatile));
      });
    }
  });
}

replay(SET_1);
replay(SET_2);

describe('modelops server, beyond the transcripts', () => {
  const tmp = tempDir('modelops-server-');
  let database: Stores;
  let server: RunningServer;
  before(async () => {
    database = await openStores(join(tmp.dir, 'mlflow.db'));
    server = await startTrackingServer({ tracking: database.tracking, registry: database.registry }, { port: 0 });
  });
  after(async () => {
    await server.close();
    await database.close();
    tmp.cleanup();
  });

  const post = (endpoint: string, body: unknown): Promise<Response> =>
    fetch(`${server.url}/api/2.0/mlflow/${endpoint}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

  test('an unknown endpoint is a 404 with an MLflow-style error body; a bad JSON body is a 400', async () => {
    const missing = await fetch(`${server.url}/api/2.0/mlflow/nothing/here`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error_code: string }).error_code, 'ENDPOINT_NOT_FOUND');
    const bad = await fetch(`${server.url}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      body: '{"experiment_id": ',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /not valid JSON/);
  });

  test('__proto__, constructor and other Object.prototype names are unknown endpoints and unknown fields, never a 500', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'runs/__proto__']) {
      const r = await fetch(`${server.url}/api/2.0/mlflow/${name}`);
      assert.equal(r.status, 404, name);
    }
    const r = await post('experiments/create', { __proto__: { name: 'polluted' }, constructor: 'x' });
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { message: string }).message, /Missing value for required parameter 'name'/);
    const q = await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?__proto__=x&constructor=y&experiment_name=Default`);
    assert.equal(q.status, 200);
    assert.equal(({} as { name?: string }).name, undefined, 'Object.prototype is untouched');
  });

  test('object and list values are refused with MLflow’s message instead of being stored as text', async () => {
    const created = (await (await post('runs/create', { experiment_id: '0' })).json()) as { run: { info: { run_id: string } } };
    const id = created.run.info.run_id;
    for (const [endpoint, body, field] of [
      ['runs/set-tag', { run_id: id, key: 'k', value: { a: 1 } }, 'value'],
      ['runs/log-parameter', { run_id: id, key: 'p', value: [1, 2] }, 'value'],
      ['runs/set-tag', { run_id: id, key: 'k', value: 41 }, 'value'],
    ] as const) {
      const r = await post(endpoint, body);
      assert.equal(r.status, 400, endpoint);
      assert.match(((await r.json()) as { message: string }).message, new RegExp(`Invalid value .* for parameter '${field}' supplied`));
    }
    const run = await database.tracking.getRun(id);
    assert.ok(!run.data.tags.some((t) => t.value.includes('[object Object]')) && run.data.params.length === 0);
  });

  test('a log-batch metric without a timestamp and a log-inputs without datasets are refused, as MLflow does', async () => {
    const id = ((await (await post('runs/create', { experiment_id: '0' })).json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    const noTime = await post('runs/log-batch', { run_id: id, metrics: [{ key: 'mae', value: 2.5 }] });
    assert.equal(noTime.status, 400);
    assert.match(((await noTime.json()) as { message: string }).message, /Invalid value \[\{'key': 'mae', 'value': 2.5\}\] for parameter 'metrics' supplied/);
    const noDatasets = await post('runs/log-inputs', { run_id: id });
    assert.equal(noDatasets.status, 400);
    assert.match(((await noDatasets.json()) as { message: string }).message, /Missing value for required parameter 'datasets'/);
    assert.deepEqual((await database.tracking.getRun(id)).data.metrics, []);
  });

  test('model-version sources with ../, %2f or %00 are refused as MLflow refuses them', async () => {
    await post('registered-models/create', { name: 'm' });
    for (const source of [
      'mlflow-artifacts:/1/../../../etc',
      'mlflow-artifacts://host:5000/..%2f..%2fetc',
      's3://b/models/%2e%2e/x',
      'http://h/api/2.0/mlflow-artifacts/artifacts%00',
      'runs:/abc/model/../../x',
    ]) {
      const r = await post('model-versions/create', { name: 'm', source });
      assert.equal(r.status, 400, source);
      assert.match(((await r.json()) as { message: string }).message, /Invalid model version source/);
    }
    assert.equal((await database.registry.searchModelVersions({ filter: "name = 'm'" })).items.length, 0);
  });

  test('experiments/search gives no next-page token when a page is exactly full', async () => {
    const all = (await (await post('experiments/search', { max_results: 1000 })).json()) as { experiments: unknown[] };
    const exact = (await (await post('experiments/search', { max_results: all.experiments.length })).json()) as {
      experiments: unknown[];
      next_page_token?: string;
    };
    assert.equal(exact.experiments.length, all.experiments.length);
    assert.equal(exact.next_page_token, undefined);
  });

  test('the UI’s upload-artifact keeps binary bytes, and a run whose artifacts are on another host is a 400, never a 500', async () => {
    const id = ((await (await post('runs/create', { experiment_id: '0' })).json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const up = await rawRequest(server.url, 'POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${id}&path=plots%2Fb.bin`, bytes, {
      'Content-Type': 'application/octet-stream',
    });
    assert.equal(up.status, 200, up.body.toString());
    const down = await rawRequest(server.url, 'GET', `/get-artifact?run_id=${id}&path=plots/b.bin`);
    assert.deepEqual(down.body, bytes);
    const exp = (
      (await (await post('experiments/create', { name: 'remote-files', artifact_location: 'file://other-host/share' })).json()) as { experiment_id: string }
    ).experiment_id;
    const remote = ((await (await post('runs/create', { experiment_id: exp })).json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    for (const path of [`/get-artifact?run_id=${remote}&path=x.txt`, `/api/2.0/mlflow/artifacts/list?run_id=${remote}`]) {
      const r = await rawRequest(server.url, 'GET', path);
      assert.ok(r.status < 500, `${path}: ${r.status} ${r.body.toString()}`);
    }
  });

  test('what a client logs through the server is in the store file', async () => {
    const created = (await (await post('runs/create', { experiment_id: '0', run_name: 'from-http' })).json()) as { run: { info: { run_id: string } } };
    const id = created.run.info.run_id;
    const logged = await post('runs/log-batch', {
      run_id: id,
      metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 3 }],
      params: [{ key: 'lr', value: '0.1' }],
    });
    assert.equal(logged.status, 200);
    const reopened = await openTrackingStore(join(tmp.dir, 'mlflow.db'));
    const run = await reopened.getRun(id);
    assert.equal(run.info.runName, 'from-http');
    assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.1' }]);
    assert.equal(run.data.metrics[0]!.step, 3);
    await reopened.close();
  });
});

describe('modelops server (the command)', () => {
  const tmp = tempDir('modelops-server-cli-');
  after(() => tmp.cleanup());

  test('listens on 127.0.0.1, answers, and stops cleanly on Ctrl-C (SIGINT)', async () => {
    const { spawn } = await import('node:child_process');
    const main = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
    const child = spawn(process.execPath, [main, 'server', '--port', '0', '--json', '--quiet', '--store', join(tmp.dir, 'cli.db')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', () => {
        const m = /"url":\s*"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
        if (m) resolveUrl(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
    });
    const res = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`);
    assert.equal(res.status, 200);
    const exp = ((await res.json()) as { experiment: { experiment_id: string; artifact_location: string } }).experiment;
    assert.equal(exp.experiment_id, '0');
    assert.equal(exp.artifact_location, 'mlflow-artifacts:/0', 'a store the server creates is MLflow ≥ 2.0’s with the artifact proxy');
    const code = await new Promise<number | null>((resolveExit) => {
      child.removeAllListeners('exit');
      child.on('exit', (c) => resolveExit(c));
      child.kill('SIGINT');
    });
    assert.equal(code, 0);
  });
});
