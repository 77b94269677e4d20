import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../src/server/http-server';
import { startTrackingServer } from '../../../src/server/http-server';
import type { Stores } from '../../../src/store/open';
import { openStores, openTrackingStore } from '../../../src/store/open';
import type { RegistryStore } from '../../../src/store/registry-store';
import { tempDir } from '../store/helpers/temp';
import { mlflowReference } from '../../repo-paths';

/**
 * Replays the tracking requests recorded against a real MLflow 2.10.2 server, in order, against
 * `modelops server` on an empty store, and compares each answer with MLflow's: status, and the JSON
 * with ids mapped and the fields that differ by nature (times, artifact paths) left out.
 */
const TRANSCRIPTS = mlflowReference('transcripts');

interface Transcript {
  name: string;
  request: { method: string; path: string; json?: unknown };
  response: { status: number; json?: unknown; raw_body?: string };
}

/** Error answers whose wording comes from SQLAlchemy or a parser we do not share: code only. */
const CODE_ONLY = new Set(['04_experiments_create_duplicate', '30_runs_search_bad_filter', '32_registered_models_create_duplicate']);
const VOLATILE = new Set(['creation_time', 'last_update_time', 'artifact_location', 'artifact_uri', 'creation_timestamp', 'last_updated_timestamp']);

/**
 * Stage changes this product makes by validation or human approval, never through the raw API:
 * the server must refuse them (400 INVALID_STATE); the test then makes the same change the
 * product's way, so the replay carries on from MLflow's state.
 */
const BY_PRODUCT_ONLY = new Set(['36_model_versions_transition_stage', '37_model_versions_transition_stage_2']);

const tmp = tempDir();
let database: Stores;
let registry: RegistryStore;
let server: RunningServer;
before(async () => {
  database = await openStores(join(tmp.dir, 'mlflow.db'));
  registry = database.registry;
  server = await startTrackingServer({ tracking: database.tracking, registry }, { port: 0 });
});
after(async () => {
  await server.close();
  await database.close();
  tmp.cleanup();
});

function transcripts(): Transcript[] {
  return readdirSync(TRANSCRIPTS)
    .filter((f) => /^\d\d_.*\.json$/.test(f))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(TRANSCRIPTS, f), 'utf8')) as Omit<Transcript, 'name'>), name: f.replace(/\.json$/, '') }));
}

/** Replaces every string found in `map` (ids), deeply. */
function mapIds(v: unknown, map: Map<string, string>): unknown {
  if (typeof v === 'string') return map.get(v) ?? [...map].reduce((s, [a, b]) => s.split(a).join(b), v);
  if (Array.isArray(v)) return v.map((x) => mapIds(x, map));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapIds(x, map)]));
  return v;
}

/**
 * Also left out: a model version's `user_id`, which MLflow's unauthenticated server leaves unset and
 * ours fills with the audited actor (every registration through the server is in the audit trail).
 */
function stripVolatile(v: unknown, parent = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => stripVolatile(x, parent));
  if (v && typeof v === 'object') {
    const isVersion = 'current_stage' in v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE.has(k) && !(isVersion && k === 'user_id')).map(([k, x]) => [k, stripVolatile(x, k)]));
  }
  return v;
}

describe('modelops server answers the recorded MLflow 2.10.2 tracking and registry requests as MLflow did', () => {
  const theirsToOurs = new Map<string, string>();
  const oursToTheirs = new Map<string, string>();
  for (const t of transcripts()) {
    test(`${t.name}: ${t.request.method} ${t.request.path.split('?')[0]}`, async () => {
      const path = mapIds(t.request.path, theirsToOurs) as string;
      const body = t.request.json === undefined || t.request.json === null ? undefined : JSON.stringify(mapIds(t.request.json, theirsToOurs));
      const res = await fetch(`${server.url}${path}`, { method: t.request.method, ...(body !== undefined ? { body, headers: { 'Content-Type': 'application/json' } } : {}) });
      if (BY_PRODUCT_ONLY.has(t.name)) {
        assert.equal(res.status, 400, `${t.name} must be refused`);
        const refused = (await res.json()) as { error_code: string; message: string };
        assert.equal(refused.error_code, 'INVALID_STATE');
        assert.match(refused.message, /validation|approval/);
        const req = mapIds(t.request.json, theirsToOurs) as { name: string; version: string; stage: string; archive_existing_versions: boolean };
        await registry.transitionModelVersionStage(req.name, req.version, req.stage, req.archive_existing_versions, { actor: 'test (as validate / promote --approve)' });
        return;
      }
      assert.equal(res.status, t.response.status, `status of ${t.name}`);
      const text = await res.text();
      if (t.response.json === undefined || t.response.json === null) {
        if (t.response.status === 200) assert.equal(text.trim(), (t.response.raw_body ?? '').trim());
        return;
      }
      const ours = JSON.parse(text) as Record<string, unknown>;
      const theirs = t.response.json as Record<string, unknown>;
      // Learn the ids we handed out for the ones MLflow did.
      const learn = (a: unknown, b: unknown): void => {
        if (typeof a === 'string' && typeof b === 'string' && a !== b && (/^[0-9a-f]{32}$/.test(a) || /^\d+$/.test(a))) {
          theirsToOurs.set(a, b);
          oursToTheirs.set(b, a);
        }
      };
      learn(theirs.experiment_id, ours.experiment_id);
      const run = (x: unknown): Record<string, unknown> | undefined => ((x as { run?: { info?: Record<string, unknown> } }).run?.info);
      learn(run(theirs)?.run_id, run(ours)?.run_id);
      if (CODE_ONLY.has(t.name)) {
        assert.equal(ours.error_code, theirs.error_code);
        return;
      }
      assert.deepEqual(stripVolatile(mapIds(ours, oursToTheirs)), stripVolatile(theirs));
    });
  }
});

describe('modelops server, beyond the transcripts', () => {
  test('an unknown endpoint is a 404 with an MLflow-style error body; a bad JSON body is a 400', async () => {
    const missing = await fetch(`${server.url}/api/2.0/mlflow/nothing/here`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error_code: string }).error_code, 'ENDPOINT_NOT_FOUND');
    const bad = await fetch(`${server.url}/api/2.0/mlflow/runs/create`, { method: 'POST', body: '{"experiment_id": ', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /Malformed JSON/);
  });

  test('what a client logs through the server is in the store file', async () => {
    const created = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/create`, { method: 'POST', body: JSON.stringify({ experiment_id: '0', run_name: 'from-http' }) })).json()) as { run: { info: { run_id: string } } };
    const id = created.run.info.run_id;
    const logged = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, { method: 'POST', body: JSON.stringify({ run_id: id, metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 3 }], params: [{ key: 'lr', value: '0.1' }] }) });
    assert.equal(logged.status, 200);
    const reopened = await openTrackingStore(join(tmp.dir, 'mlflow.db'));
    const run = await reopened.getRun(id);
    assert.equal(run.info.runName, 'from-http');
    assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.1' }]);
    assert.equal(run.data.metrics[0].step, 3);
    await reopened.close();
  });
});

describe('modelops server (the command)', () => {
  test('listens on 127.0.0.1, answers, and stops cleanly on Ctrl-C (SIGINT)', async () => {
    const { spawn } = await import('node:child_process');
    const main = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
    const child = spawn(process.execPath, [main, 'server', '--port', '0', '--json', '--quiet', '--store', join(tmp.dir, 'cli.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', () => {
        const m = /"url":\s*"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
        if (m) resolveUrl(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
    });
    const res = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id, '0');
    const code = await new Promise<number | null>((resolveExit) => {
      child.removeAllListeners('exit');
      child.on('exit', (c) => resolveExit(c));
      child.kill('SIGINT');
    });
    assert.equal(code, 0);
  });
});
