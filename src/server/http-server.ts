import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorCode } from '../core/errors';
import { ModelOpsError } from '../core/errors';
import type { Json } from '../core/mlflow-wire';
import type { RegistryStore } from '../store/registry-store';
import type { TrackingStore } from '../store/tracking-store';
import { REGISTRY_ROUTES } from './registry-routes';
import type { Fields, Method, Route } from './tracking-routes';
import { TRACKING_ROUTES } from './tracking-routes';

/** What the server serves: tracking always, the model registry when given. */
export interface ServedStores {
  tracking: TrackingStore;
  registry?: RegistryStore;
}

interface Resolved {
  methods: readonly Method[];
  run(fields: Fields, method: Method): Promise<Json>;
}

function bind<S>(route: Route<S>, store: S): Resolved {
  return { methods: route.methods, run: (fields, method) => route.handle(store, fields, method) };
}

function resolveRoute(stores: ServedStores, endpoint: string): Resolved | undefined {
  const t = TRACKING_ROUTES[endpoint];
  if (t) return bind(t, stores.tracking);
  const r = REGISTRY_ROUTES[endpoint];
  if (r && stores.registry) return bind(r, stores.registry);
  return undefined;
}

/**
 * An MLflow-compatible tracking server over the workspace store: `mlflow` clients (Python's
 * `mlflow.set_tracking_uri("http://127.0.0.1:5000")`) log through it, which keeps this process the
 * store's single writer (DESIGN.md: outside SQLite writers are detected, not coordinated).
 */
export const API_PREFIX = '/api/2.0/mlflow/';
/** The MLflow version whose REST API this speaks (GET /version). */
export const MLFLOW_API_VERSION = '2.10.2';
const MAX_BODY = 16 * 1024 * 1024;

const STATUS: Partial<Record<ErrorCode, number>> = { RESOURCE_DOES_NOT_EXIST: 404, INTERNAL_ERROR: 500, STORE_IO: 500, STORE_CORRUPT: 500, STORE_BUSY: 503 };

function send(res: ServerResponse, status: number, body: Json | string, contentType = 'application/json'): void {
  const text = typeof body === 'string' && contentType !== 'application/json' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error_code: code, message });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ModelOpsError('BAD_REQUEST', `request body larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Query string → fields; a repeated key becomes a list (experiment_ids=1&experiment_ids=2). */
function queryFields(url: URL): Fields {
  const out: Fields = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

export function handler(stores: ServedStores, log: (line: string) => void = () => undefined): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      try {
        if (url.pathname === '/health') return send(res, 200, 'OK', 'text/plain; charset=utf-8');
        if (url.pathname === '/version') return send(res, 200, MLFLOW_API_VERSION, 'text/plain; charset=utf-8');
        const found = url.pathname.startsWith(API_PREFIX) ? resolveRoute(stores, url.pathname.slice(API_PREFIX.length)) : undefined;
        if (!found) return sendError(res, 404, 'ENDPOINT_NOT_FOUND', `No API endpoint ${method} ${url.pathname} here (this server speaks MLflow ${MLFLOW_API_VERSION}'s tracking${stores.registry ? ' and model-registry' : ''} API)`);
        if (!found.methods.includes(method as Method)) return send(res, 405, 'Method Not Allowed', 'text/plain; charset=utf-8');
        // As MLflow's server: GET reads the query string, the other verbs the JSON body only.
        let fields: Fields = method === 'GET' ? queryFields(url) : {};
        if (method !== 'GET') {
          const body = await readBody(req);
          if (body.trim() !== '') {
            let parsed: unknown;
            try {
              parsed = JSON.parse(body);
            } catch (e) {
              return sendError(res, 400, 'MALFORMED_REQUEST', `Malformed JSON body: ${(e as Error).message}`);
            }
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return sendError(res, 400, 'MALFORMED_REQUEST', 'The request body must be a JSON object');
            fields = parsed as Fields;
          }
        }
        const out = await found.run(fields, method as Method);
        log(`${method} ${url.pathname} 200`);
        send(res, 200, out);
      } catch (e) {
        if (e instanceof ModelOpsError) {
          const status = STATUS[e.code] ?? 400;
          log(`${method} ${url.pathname} ${status} ${e.code}: ${e.message}`);
          return sendError(res, status, e.code, e.message);
        }
        log(`${method} ${url.pathname} 500 ${(e as Error).stack ?? String(e)}`);
        sendError(res, 500, 'INTERNAL_ERROR', (e as Error).message);
      }
    })();
  };
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (port 0: any free port); 127.0.0.1 unless told otherwise. */
export function startTrackingServer(stores: TrackingStore | ServedStores, options: { host?: string; port?: number; log?: (line: string) => void } = {}): Promise<RunningServer> {
  const served: ServedStores = 'tracking' in stores ? stores : { tracking: stores };
  const server = createServer(handler(served, options.log));
  return new Promise((resolveStart, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(new ModelOpsError('INVALID_PARAMETER_VALUE', `cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 5000} (${e.code ?? e.message})`, { location: 'port' }));
    });
    server.listen(options.port ?? 5000, options.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolveStart({
        server,
        url: `http://${host}:${a.port}`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
