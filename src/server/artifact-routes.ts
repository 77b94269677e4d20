import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { isProxiedUri, localPathOf, proxiedPath, uriScheme } from '../core/artifact-uri';
import { ModelOpsError } from '../core/errors';
import type { Json } from '../core/mlflow-wire';
import { parseModelUri } from '../core/model-uri';
import type { ArtifactFiles } from './artifact-files';
import { filesJson, safeArtifactPath, sendFile } from './artifact-files';
import type { Body } from './body';
import type { Fields } from './fields';
import { field, optStr, runIdOf, str } from './fields';
import { HttpError, sendJson } from './respond';
import type { Route, RouteContext } from './route';
import { registryOf } from './route';

/**
 * Artifacts over HTTP, as MLflow 2.10.2 serves them: the artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/...`:
 * upload PUT, download GET, list, DELETE), the UI's `/get-artifact` and `/model-versions/get-artifact` downloads,
 * `artifacts/list` of a run, and the UI's `ajax-api/.../upload-artifact`. Differences from MLflow, all where MLflow
 * answers 500: a missing file is 404, a folder asked for as a file is 400, and DELETE of a file deletes it.
 */
export const PROXY_PREFIXES = ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts'];

function proxyFiles(c: RouteContext): ArtifactFiles {
  if (!c.artifacts) {
    throw new HttpError(
      503,
      'ENDPOINT_NOT_FOUND',
      'The artifact proxy is disabled: this server was started with --no-serve-artifacts (start it with --serve-artifacts)',
    );
  }
  return c.artifacts;
}

/** `/api/2.0/mlflow-artifacts/artifacts[/<path>]`; `rest` is the percent-decoded part after the prefix. */
export async function handleProxy(c: RouteContext, rest: string, fields: () => Fields, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const files = proxyFiles(c);
  if (rest === '' || rest === '/') {
    if (c.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Method ${c.method} is not allowed here (allowed: GET)`, { Allow: 'GET' });
    const path = optStr(fields(), 'path');
    const rel = path === undefined ? '' : safeArtifactPath(path);
    return sendJson(res, 200, filesJson(await files.list(rel)));
  }
  const rel = safeArtifactPath(rest.replace(/^\//, ''));
  if (c.method === 'GET') return sendFile(res, await files.locate(rel), rel);
  if (c.method === 'PUT') {
    await files.upload(rel, req);
    return sendJson(res, 200, {});
  }
  if (c.method === 'DELETE') {
    await files.delete(rel);
    return sendJson(res, 200, {});
  }
  throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Method ${c.method} is not allowed here (allowed: GET, PUT, DELETE)`, { Allow: 'GET, PUT, DELETE' });
}

/** A run's artifact folder when this machine holds it (a folder, a `file:` URI, or the proxy's). */
async function runArtifactFile(c: RouteContext, runId: string, rel: string): Promise<string> {
  const run = await c.tracking.getRun(runId);
  const uri = run.info.artifactUri;
  if (!isProxiedUri(uri) && localPathOf(uri) === undefined) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `The artifacts of run ${runId} are at ${uri}, which this server does not serve`, { location: uri });
  }
  if (isProxiedUri(uri) && c.artifacts) return c.artifacts.locate(posix.join(proxiedPath(uri), rel));
  try {
    return await c.tracking.artifactLocalPath(runId, rel);
  } catch (e) {
    if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST')
      throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `No artifact at '${rel}' in run ${runId}`, { location: rel });
    throw e;
  }
}

async function fileHeaders(file: string): Promise<Record<string, string>> {
  const st = await stat(file).catch(() => undefined);
  if (!st) return {};
  return { 'Last-Modified': st.mtime.toUTCString(), 'Cache-Control': 'no-cache', ETag: `"${st.mtimeMs}-${st.size}"` };
}

/** The UI's `/get-artifact?path=…&run_uuid=…` (or `run_id=`). */
export async function handleGetArtifact(c: RouteContext, f: Fields, res: ServerResponse): Promise<void> {
  const rel = safeArtifactPath(str(f, 'path'));
  const file = await runArtifactFile(c, runIdOf(f), rel);
  await sendFile(res, file, rel, await fileHeaders(file));
}

/** The version's source as a local folder, when this server holds it. */
async function versionSourceFile(c: RouteContext, source: string, rel: string): Promise<string> {
  if (isProxiedUri(source)) return proxyFiles(c).locate(posix.join(proxiedPath(source), rel));
  const scheme = uriScheme(source);
  if (scheme === 'runs') {
    const parsed = parseModelUri(source);
    if (parsed.kind === 'run') return runArtifactFile(c, parsed.runId, posix.join(parsed.path, rel));
  }
  const dir = localPathOf(source);
  if (dir !== undefined) return join(dir, rel);
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `The model version's source ${source} is not served by this server`, { location: source });
}

/** The UI's `/model-versions/get-artifact?name=…&version=…&path=…`. */
export async function handleModelVersionArtifact(c: RouteContext, f: Fields, res: ServerResponse): Promise<void> {
  const rel = safeArtifactPath(str(f, 'path'));
  const source = await registryOf(c).getModelVersionDownloadUri(str(f, 'name'), str(f, 'version'));
  const file = await versionSourceFile(c, source, rel);
  await sendFile(res, file, rel, await fileHeaders(file));
}

const UPLOAD_LIMIT = 10 * 1024 * 1024;

function invalid(message: string): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', message);
}

/** The UI's `POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=…&path=…` with the file as the body (10 MB at most). */
export async function handleUploadArtifact(c: RouteContext, f: Fields, readBody: () => Promise<Body>): Promise<Json> {
  const runId = optStr(f, 'run_uuid');
  if (!runId) throw invalid('Request must specify run_uuid.');
  const path = optStr(f, 'path');
  if (!path) throw invalid('Request must specify path.');
  const rel = safeArtifactPath(path);
  if (rel === '') throw invalid('Invalid path');
  const body = await readBody();
  try {
    if (body.bytes.length > UPLOAD_LIMIT) throw invalid('Artifact size is too large. Max size is 10MB.');
    if (body.bytes.length === 0) throw invalid('Request must specify data.');
    const dir = await mkdtemp(join(tmpdir(), 'modelops-upload-'));
    try {
      const file = join(dir, posix.basename(rel));
      await writeFile(file, body.bytes);
      const parent = posix.dirname(rel);
      await c.tracking.logArtifact(runId, file, parent === '.' ? undefined : parent);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return {};
  } finally {
    body.release();
  }
}

const artifactsList: Route = {
  methods: ['GET'],
  handle: async (c, f) => {
    const runId = runIdOf(f);
    const path = optStr(f, 'path');
    const rel = path === undefined ? undefined : safeArtifactPath(path);
    const run = await c.tracking.getRun(runId);
    const uri = run.info.artifactUri;
    const local = isProxiedUri(uri) || localPathOf(uri) !== undefined;
    const entries = local ? await c.tracking.listArtifacts(runId, rel) : [];
    const files = entries.map((e) => ({ path: e.path, is_dir: e.isDir, ...(e.isDir ? {} : { file_size: e.fileSize ?? 0 }) }));
    return { root_uri: uri, ...(files.length ? { files } : {}) };
  },
};

const historyBulk: Route = {
  methods: ['GET'],
  handle: async (c, f) => {
    const raw = field(f, 'run_id');
    const runIds = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
    if (runIds.length === 0) throw invalid('GetMetricHistoryBulk request must specify at least one run_id.');
    if (runIds.length > 20) throw invalid(`GetMetricHistoryBulk request cannot specify more than 20 run_ids. Received ${runIds.length} run_ids.`);
    const key = optStr(f, 'metric_key');
    if (key === undefined) throw invalid('GetMetricHistoryBulk request must specify a metric_key.');
    const maxText = optStr(f, 'max_results');
    const max = Math.min(maxText === undefined ? 25_000 : Number.parseInt(maxText, 10), 25_000);
    if (!Number.isFinite(max)) throw invalid(`Invalid value ${maxText} for parameter 'max_results'`);
    const out: Json[] = [];
    for (const runId of [...runIds].sort()) {
      const history = (await c.tracking.getMetricHistory(runId, key)).sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || a.value - b.value);
      for (const m of history) out.push({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: runId });
    }
    return { metrics: out.slice(0, Math.max(0, max)) };
  },
};

const searchDatasets: Route = {
  methods: ['POST'],
  handle: async (c, f) => {
    const ids = field(f, 'experiment_ids');
    const experimentIds = Array.isArray(ids) ? ids.map(String) : [];
    if (experimentIds.length === 0) throw invalid('SearchDatasets request must specify at least one experiment_id.');
    if (experimentIds.length > 20)
      throw invalid(`SearchDatasets request cannot specify more than 20 experiment_ids. Received ${experimentIds.length} experiment_ids.`);
    const seen = new Map<string, Json>();
    let pageToken: string | undefined;
    do {
      const page = await c.tracking.searchRuns({ experimentIds, runViewType: 'ALL', maxResults: 1000, pageToken });
      for (const run of page.items) {
        for (const d of run.inputs) {
          const context = d.tags?.find((t) => t.key === 'mlflow.data.context')?.value ?? null;
          const summary = { experiment_id: run.info.experimentId, name: d.name, digest: d.digest, context };
          const key = JSON.stringify(summary);
          if (!seen.has(key) && seen.size < 1000) seen.set(key, summary);
        }
      }
      pageToken = page.nextPageToken;
    } while (pageToken && seen.size < 1000);
    return { dataset_summaries: [...seen.values()] };
  },
};

/** `artifacts/list`, under both /api and /ajax-api. */
export const ARTIFACT_ROUTES: ReadonlyMap<string, Route> = new Map([['artifacts/list', artifactsList]]);

/** Endpoints MLflow serves only under `/ajax-api/2.0/mlflow/` (its UI's). */
export const UI_ROUTES: ReadonlyMap<string, Route> = new Map([
  ['metrics/get-history-bulk', historyBulk],
  ['experiments/search-datasets', searchDatasets],
]);
