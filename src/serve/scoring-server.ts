import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelOpsError, errorMessage } from '../core/errors';
import type { Frame } from '../ml/dataset/dataset';
import { MLFLOW_VERSION } from '../ml/ensemble/pyfunc-flavor';
import { checkCsvInput, checkJsonInput } from './input-check';
import { PredictBatcher } from './predict-batcher';
import { parseJsonRequest } from './request-body';
import type { Served } from './served-model';
import { ServeError, badRequest } from './serve-error';

/** The header naming the version that answered (a stage or alias URI may switch versions between requests). */
export const VERSION_HEADER = 'X-ModelOps-Model-Version';
export const DEFAULT_PORT = 5001;
/** Request bodies above this are refused with 413 (MLflow's own server has no limit; a scorer should). */
export const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
const CONTENT_TYPES = ['text/csv', 'application/json'];
/** Bytes read and thrown away past the limit before the connection is cut (so the client can read the 413). */
const DRAIN_CAP = 256 * 1024 * 1024;

export interface ScoringServerOptions {
  host?: string;
  port?: number;
  /** Bearer token for /invocations and /version; generated when the host is not loopback and none is given. */
  token?: string;
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface RunningScoringServer {
  server: Server;
  url: string;
  /** The token clients must send (`Authorization: Bearer …`), when one is required. */
  token: string | undefined;
  /** Stops taking connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The token a server bound to `host` requires: the one given, else a fresh one off loopback, else none. */
export function requiredToken(host: string, given: string | undefined): string | undefined {
  return given ?? (isLoopback(host) ? undefined : randomBytes(24).toString('base64url'));
}

function send(res: ServerResponse, status: number, body: string, contentType: string, served?: Served): void {
  const headers: Record<string, string | number> = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) };
  if (served) headers[VERSION_HEADER] = served.servedBy;
  res.writeHead(status, headers);
  res.end(body);
}

function sendError(res: ServerResponse, e: ServeError, served?: Served): void {
  if (e.plainText) send(res, e.status, e.message, 'text/plain; charset=utf-8', served);
  else send(res, e.status, JSON.stringify({ error_code: e.errorCode, message: e.message }), 'application/json', served);
}

/** The body, or 'too-large' once it passes `limit` (the rest is read and dropped so the 413 reaches the client). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > limit + DRAIN_CAP) req.destroy();
    });
    req.on('end', () => done(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/** MLflow's content-type rules: JSON or CSV, UTF-8 only, no other parameters (415, plain text). */
function mimeType(header: string | undefined): 'json' | 'csv' {
  const parts = (header ?? '').split(';').map((p) => p.trim());
  const params = Object.fromEntries(
    parts
      .slice(1)
      .filter((p) => p)
      .map((p) => [p.split('=')[0]!.toLowerCase(), (p.split('=')[1] ?? '').toLowerCase()]),
  );
  if ((params.charset ?? 'utf-8') !== 'utf-8') throw new ServeError(415, 'BAD_REQUEST', 'The scoring server only supports UTF-8', true);
  const unexpected = Object.keys(params).filter((k) => k !== 'charset');
  if (unexpected.length) throw new ServeError(415, 'BAD_REQUEST', `Unrecognized content type parameters: ${unexpected.join(', ')}.`, true);
  const mime = parts[0]!.toLowerCase();
  if (mime === 'application/json') return 'json';
  if (mime === 'text/csv') return 'csv';
  throw new ServeError(
    415,
    'BAD_REQUEST',
    `This predictor only supports the following content types: Types: ['${CONTENT_TYPES.join("', '")}']. Got '${header ?? ''}'.`,
    true,
  );
}

function predictProba(params: Record<string, unknown>, served: Served): boolean {
  const v = params.predict_proba;
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    throw badRequest(`Failed to validate type and shape for 'predict_proba', error: expected a boolean (true or false), got ${JSON.stringify(v)}`);
  if (v && served.scoring.model.task !== 'classification') {
    throw badRequest(`predict_proba is for classification models; this model predicts '${served.scoring.model.target}' (regression)`);
  }
  return v;
}

/** `{"predictions": [...]}`: labels or values, or one {class: probability} record per row. */
async function predictions(served: Served, frame: Frame, proba: boolean, batcher: PredictBatcher): Promise<string> {
  const out = await batcher.predict(served.scoring.model, frame);
  if (!proba) return JSON.stringify({ predictions: out.predictions });
  const classes = served.scoring.model.classes;
  return JSON.stringify({ predictions: out.probabilities!.map((p) => Object.fromEntries(classes.map((c, k) => [c, p[k]]))) });
}

async function invocations(req: IncomingMessage, res: ServerResponse, served: Served, o: RouteOptions): Promise<number> {
  const maxBody = o.maxBodyBytes;
  const kind = mimeType(req.headers['content-type']);
  const body = await readBody(req, maxBody);
  if (body === 'too-large')
    throw new ServeError(
      413,
      'BAD_REQUEST',
      `The request body is larger than the server's limit of ${maxBody} bytes (--max-body-mb); send fewer rows per request`,
    );
  const text = body.toString('utf8');
  if (text.trim() === '')
    throw badRequest(
      `The request body is empty: send ${kind === 'csv' ? 'a CSV header and rows' : 'a JSON object such as {"dataframe_split": {"columns": [...], "data": [[...]]}}'}`,
    );
  let frame: Frame;
  let proba = false;
  if (kind === 'csv') frame = checkCsvInput(text, served.scoring.inputs);
  else {
    const request = parseJsonRequest(text);
    proba = predictProba(request.params, served);
    frame = checkJsonInput(request.input, served.scoring.inputs);
  }
  send(res, 200, await predictions(served, frame, proba, o.batcher), 'application/json', served);
  return 200;
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const got = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
  const a = Buffer.from(got);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** On loopback, only loopback names in Host: a web page cannot rebind its own name to this server. */
function hostAllowed(req: IncomingMessage, loopback: boolean): boolean {
  if (!loopback || !req.headers.host) return true;
  const name = req.headers.host.replace(/:\d+$/, '').toLowerCase();
  return isLoopback(name);
}

interface RouteOptions {
  maxBodyBytes: number;
  token?: string;
  loopback: boolean;
  batcher: PredictBatcher;
}

async function route(req: IncomingMessage, res: ServerResponse, current: () => Served, o: RouteOptions): Promise<number> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const method = req.method ?? 'GET';
  if (!hostAllowed(req, o.loopback))
    throw new ServeError(403, 'PERMISSION_DENIED', `Host '${req.headers.host}' is not allowed: this server listens on loopback only`);
  if (path === '/ping' || path === '/health') {
    if (method !== 'GET') throw new ServeError(405, 'BAD_REQUEST', 'Method Not Allowed', true);
    send(res, 200, '\n', 'application/json', current());
    return 200;
  }
  if (path !== '/invocations' && path !== '/version')
    throw new ServeError(
      404,
      'ENDPOINT_NOT_FOUND',
      `No endpoint ${method} ${path}: this is an MLflow ${MLFLOW_VERSION} scoring server (POST /invocations, GET /ping, /health, /version)`,
    );
  if (!authorized(req, o.token))
    throw new ServeError(401, 'UNAUTHENTICATED', 'Missing or wrong token: send the header "Authorization: Bearer <token>" printed when the server started');
  if (path === '/version') {
    send(res, 200, MLFLOW_VERSION, 'application/json');
    return 200;
  }
  if (method !== 'POST') throw new ServeError(405, 'BAD_REQUEST', 'Method Not Allowed', true);
  return invocations(req, res, current(), o);
}

/**
 * MLflow 2.10.2's scoring protocol (`mlflow models serve`) over a ModelOps model: POST /invocations
 * with JSON (dataframe_split, dataframe_records, instances, inputs; optional params) or CSV, answered
 * `{"predictions": [...]}`; GET /ping, /health, /version. Every answer names the version that served
 * it (VERSION_HEADER). Loopback unless told otherwise, and then only with a token.
 */
export function startScoringServer(model: { current(): Served }, options: ScoringServerOptions = {}): Promise<RunningScoringServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  const token = requiredToken(host, options.token);
  const o: RouteOptions = { maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY, loopback, batcher: new PredictBatcher(), ...(token ? { token } : {}) };
  const log = options.log;
  let inFlight = 0;
  let closing = false;
  let idle: (() => void) | undefined;
  const server = createServer((req, res) => {
    inFlight++;
    const t0 = performance.now();
    if (closing) res.setHeader('Connection', 'close');
    route(req, res, () => model.current(), o)
      .catch((e: unknown) => {
        const err =
          e instanceof ServeError
            ? e
            : e instanceof ModelOpsError && e.code !== 'INTERNAL_ERROR'
              ? badRequest(e.message)
              : new ServeError(500, 'INTERNAL_ERROR', errorMessage(e));
        if (!res.headersSent) sendError(res, err, model.current());
        return err.status;
      })
      .then((status) => log?.(`${req.method} ${req.url} ${status} ${(performance.now() - t0).toFixed(1)}ms`))
      .finally(() => {
        if (--inFlight === 0) idle?.();
      });
  });
  return new Promise((started, failed) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      failed(
        new ModelOpsError('INVALID_PARAMETER_VALUE', `cannot listen on ${host}:${options.port ?? DEFAULT_PORT} (${e.code ?? e.message})`, { location: 'port' }),
      ),
    );
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      const a = server.address() as AddressInfo;
      const close = async (): Promise<void> => {
        closing = true;
        const stopped = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        if (inFlight > 0) await new Promise<void>((r) => (idle = r));
        server.closeIdleConnections();
        await stopped;
      };
      started({ server, url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`, token, close });
    });
  });
}
