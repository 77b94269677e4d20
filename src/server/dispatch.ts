import type { IncomingMessage, ServerResponse } from 'node:http';
import { ModelOpsError } from '../core/errors';
import type { ArtifactFiles } from './artifact-files';
import {
  ARTIFACT_ROUTES,
  PROXY_PREFIXES,
  UI_ROUTES,
  handleGetArtifact,
  handleModelVersionArtifact,
  handleProxy,
  handleUploadArtifact,
} from './artifact-routes';
import type { Body, BodyLimits } from './body';
import { readBody } from './body';
import type { Fields } from './fields';
import { withRawText } from './fields';
import type { ServedStores } from './http-server';
import type { LogBatchQueue } from './log-batch-queue';
import { REGISTRY_ROUTES } from './registry-routes';
import { announcesBody, checkJsonContentType, parseJsonFields, queryFields } from './request-fields';
import { HttpError, sendError, sendJson, sendText, statusOf } from './respond';
import type { Method, Route, RouteContext } from './route';
import type { SecurityConfig } from './security';
import { authenticate, checkBrowserSafety, corsHeaders } from './security';
import { TRACKING_ROUTES } from './tracking-routes';

/** Everything a request is handled with, built once per server. */
export interface ServerParts {
  stores: ServedStores;
  log: (line: string) => void;
  security: SecurityConfig;
  batches: LogBatchQueue;
  artifacts: ArtifactFiles | undefined;
  body: BodyLimits;
  cwd: string;
  /** See RouteContext.openTransitions. */
  openTransitions: boolean;
}

const MLFLOW_VERSION = '2.10.2';
const REST = '/api/2.0/mlflow/';
const AJAX = '/ajax-api/2.0/mlflow/';
const METHODS: readonly string[] = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];

function jsonRoute(stores: ServedStores, endpoint: string, ajax: boolean): Route | undefined {
  const found = TRACKING_ROUTES.get(endpoint) ?? ARTIFACT_ROUTES.get(endpoint) ?? (stores.registry ? REGISTRY_ROUTES.get(endpoint) : undefined);
  return found ?? (ajax ? UI_ROUTES.get(endpoint) : undefined);
}

interface Target {
  rawPath: string;
  rawQuery: string;
  path: string;
}

function target(req: IncomingMessage): Target {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  // Repeated slashes merge, as Werkzeug's router merges them (`//model-versions/get-artifact`).
  const rawPath = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/');
  const rawQuery = q < 0 ? '' : raw.slice(q + 1);
  // No dot-segment normalisation: `/artifacts/../../etc` must reach the path check, not become `/etc`.
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Invalid path');
  }
  return { rawPath, rawQuery, path };
}

/** The request's fields: the query string of a GET that has one, else the JSON body. */
async function requestFields(parts: ServerParts, req: IncomingMessage, t: Target): Promise<Fields> {
  if (req.method === 'GET' && t.rawQuery !== '') return queryFields(t.rawQuery);
  const hasBody = announcesBody(req);
  checkJsonContentType(req, hasBody);
  if (!hasBody && req.method !== 'POST') return Object.create(null) as Fields;
  const body = await readBody(req, parts.body);
  try {
    return withRawText(parseJsonFields(body.text), body.text);
  } finally {
    body.release();
  }
}

function notFound(method: string, path: string): HttpError {
  return new HttpError(
    404,
    'ENDPOINT_NOT_FOUND',
    `No API endpoint ${method} ${path.slice(0, 200)} here (this server speaks MLflow ${MLFLOW_VERSION}'s tracking, model-registry and artifact APIs)`,
  );
}

function methodNotAllowed(method: string, allowed: readonly string[]): HttpError {
  return new HttpError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed on this endpoint (allowed: ${allowed.join(', ')})`, {
    Allow: allowed.join(', '),
  });
}

async function route(parts: ServerParts, c: RouteContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  const proxy = PROXY_PREFIXES.find((p) => t.path === p || t.path.startsWith(`${p}/`));
  if (proxy !== undefined) {
    // The part after the prefix as sent (handleProxy decodes and checks it), unless the prefix itself was encoded.
    const rest = t.rawPath.startsWith(proxy) ? t.rawPath.slice(proxy.length) : t.path.slice(proxy.length);
    return handleProxy(c, rest, () => queryFields(t.rawQuery), req, res);
  }
  if (t.path === '/get-artifact' || t.path === '/model-versions/get-artifact') {
    if (c.method !== 'GET') throw methodNotAllowed(c.method, ['GET']);
    const f = queryFields(t.rawQuery);
    return t.path === '/get-artifact' ? handleGetArtifact(c, f, res) : handleModelVersionArtifact(c, f, res);
  }
  const ajax = t.path.startsWith(AJAX);
  if (!ajax && !t.path.startsWith(REST)) throw notFound(c.method, t.path);
  const endpoint = t.path.slice(ajax ? AJAX.length : REST.length);
  if (ajax && endpoint === 'upload-artifact') {
    if (c.method !== 'POST') throw methodNotAllowed(c.method, ['POST']);
    const readUpload = (): Promise<Body> => readBody(req, parts.body);
    return sendJson(res, 200, await handleUploadArtifact(c, queryFields(t.rawQuery), readUpload));
  }
  const found = jsonRoute(parts.stores, endpoint, ajax);
  if (!found) throw notFound(c.method, t.path);
  if (!found.methods.includes(c.method)) throw methodNotAllowed(c.method, found.methods);
  const fields = await requestFields(parts, req, t);
  sendJson(res, 200, await found.handle(c, fields), corsHeaders(req, parts.security));
}

/** Errors as MLflow's JSON; anything unexpected is logged with its stack and answered without it. */
function fail(parts: ServerParts, req: IncomingMessage, res: ServerResponse, where: string, e: unknown): void {
  if (res.headersSent) {
    // A download the client stopped reading, or a disconnect mid-answer: nothing left to say.
    res.destroy();
    return;
  }
  let status: number;
  let code: string;
  let message: string;
  let headers: Record<string, string> = {};
  if (e instanceof HttpError) ({ status, code, message, headers } = e);
  else if (e instanceof ModelOpsError) [status, code, message] = [statusOf(e), e.code, e.message];
  else {
    [status, code, message] = [500, 'INTERNAL_ERROR', 'Internal error in modelops server (see its log)'];
    parts.log(`${where} 500 ${(e as Error)?.stack ?? String(e)}`);
  }
  if (status !== 500) parts.log(`${where} ${status} ${code}: ${message.slice(0, 300)}`);
  // A refused body still on its way is not read: close the connection after the answer.
  if (!req.complete) headers = { ...headers, Connection: 'close' };
  sendError(res, status, code, message, { ...corsHeaders(req, parts.security), ...headers });
  if (!req.complete) res.on('finish', () => req.socket.destroySoon());
}

export async function handleRequest(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  let where = `${method} ?`;
  try {
    const t = target(req);
    where = `${method} ${t.path.slice(0, 200)}`;
    // Health and version answer everyone, as MLflow's do (load balancers, `mlflow server --version` checks).
    if (t.path === '/health') return sendText(res, 200, 'OK');
    if (t.path === '/version') return sendText(res, 200, MLFLOW_VERSION);
    checkBrowserSafety(req, parts.security);
    if (method === 'OPTIONS') {
      res.writeHead(204, { Allow: 'GET, POST, PUT, PATCH, DELETE, OPTIONS', ...corsHeaders(req, parts.security) });
      res.end();
      return;
    }
    const actor = authenticate(req, parts.security.auth);
    if (!METHODS.includes(method)) throw methodNotAllowed(method, METHODS);
    const c: RouteContext = {
      tracking: parts.stores.tracking,
      registry: parts.stores.registry,
      actor,
      authenticated: Boolean(parts.security.auth.token || parts.security.auth.basic),
      openTransitions: parts.openTransitions,
      method: method as Method,
      client: req.socket,
      batches: parts.batches,
      artifacts: parts.artifacts,
      cwd: parts.cwd,
    };
    await route(parts, c, req, res, t);
    parts.log(`${where} ${res.statusCode}`);
  } catch (e) {
    fail(parts, req, res, where, e);
  }
}
