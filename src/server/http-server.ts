import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ModelOpsError } from '../core/errors';
import type { RegistryStore } from '../store/registry-store';
import type { TrackingStore } from '../store/tracking-store';
import { ArtifactFiles } from './artifact-files';
import { ByteBudget } from './body';
import { LogBatchQueue } from './log-batch-queue';
import { handleRequest } from './dispatch';
import type { ServerParts } from './dispatch';
import { rawErrorResponse } from './respond';
import type { AuthConfig } from './security';
import { defaultAllowedHosts, isLoopbackBind } from './security';

/**
 * An MLflow-compatible tracking server over the workspace store: `mlflow` clients
 * (`MLFLOW_TRACKING_URI=http://127.0.0.1:5000`) log, register and store artifacts through it. It is locked as a door
 * should be (src/server/security.ts): Host and Origin checked, JSON only as JSON, credentials required off loopback,
 * bodies bounded.
 */
export const API_PREFIX = '/api/2.0/mlflow/';
/** The MLflow version whose REST API this speaks (GET /version). */
export const MLFLOW_API_VERSION = '2.10.2';

/** What the server serves: tracking always, the model registry when given. */
export interface ServedStores {
  tracking: TrackingStore;
  registry?: RegistryStore;
}

export interface ServerLimits {
  /** One JSON body at most (MLflow's largest field, a dataset profile, is 16 MB). Default 32 MiB. */
  maxJsonBytes: number;
  /** All JSON bodies being received together at most. Default 64 MiB. */
  bodyBudgetBytes: number;
  /** How long a body waits for the budget before a 503. Default 30 s. */
  bodyWaitMs: number;
  /** One artifact upload at most (streamed to disk). Default 8 GiB. */
  maxArtifactBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxJsonBytes: 32 * 1024 * 1024,
  bodyBudgetBytes: 64 * 1024 * 1024,
  bodyWaitMs: 30_000,
  maxArtifactBytes: 8 * 1024 ** 3,
};

export interface ServerOptions {
  /** Default 127.0.0.1; any other address needs `auth`. */
  host?: string;
  /** Default 5000; 0 picks a free port. */
  port?: number;
  log?: (line: string) => void;
  /** Host header patterns (`*` wildcards); default MLflow 3.5's (localhost, private addresses). */
  allowedHosts?: readonly string[];
  /** Web origins allowed to call from a browser; none by default. */
  corsAllowedOrigins?: readonly string[];
  auth?: AuthConfig;
  /** The folder the artifact proxy serves (`--artifacts-destination`); undefined: no proxy (`--no-serve-artifacts`). */
  artifactsDestination?: string;
  limits?: Partial<ServerLimits>;
  /** Relative artifact locations resolve against it. Default process.cwd(). */
  cwd?: string;
  /**
   * `guarded` (default): Staging and Production are reached only the product's way (a passing validation, a human
   * approval: src/server/product-transition.ts). `open`: MLflow's own rule, any stage to any other — what a plain
   * `mlflow server` does; for tests that check the REST store against MLflow's semantics. Not a CLI option.
   */
  stageTransitions?: 'guarded' | 'open';
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Refuses to start where the store would be open to the network without credentials. */
export function checkExposure(host: string, auth: AuthConfig | undefined): void {
  if (isLoopbackBind(host) || auth?.token || auth?.basic) return;
  throw new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `refusing to listen on ${host} without credentials: anyone who reaches this address could change the store. Give a token (--token <secret> or MODELOPS_SERVER_TOKEN; clients set MLFLOW_TRACKING_TOKEN) or basic auth (MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD in the server's environment), or listen on 127.0.0.1`,
    { location: 'host' },
  );
}

function allowedHostsFor(host: string, given: readonly string[] | undefined): readonly string[] {
  if (given && given.length > 0) return given;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  const bound = wildcard || isLoopbackBind(host) ? [] : [host, `${host}:*`];
  return [...defaultAllowedHosts(), ...bound];
}

function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const answer = tooLarge
    ? rawErrorResponse(431, 'Request Header Fields Too Large', 'BAD_REQUEST', 'Request header fields too large')
    : timeout
      ? rawErrorResponse(408, 'Request Timeout', 'BAD_REQUEST', 'The request took too long to arrive')
      : rawErrorResponse(400, 'Bad Request', 'BAD_REQUEST', 'Malformed HTTP request');
  socket.end(answer);
}

function partsFor(stores: ServedStores, options: ServerOptions, host: string): ServerParts {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  return {
    stores,
    log: options.log ?? (() => undefined),
    security: { allowedHosts: allowedHostsFor(host, options.allowedHosts), corsAllowedOrigins: options.corsAllowedOrigins ?? [], auth: options.auth ?? {} },
    batches: new LogBatchQueue(stores.tracking),
    artifacts: options.artifactsDestination === undefined ? undefined : new ArtifactFiles(options.artifactsDestination, limits.maxArtifactBytes),
    body: { maxBytes: limits.maxJsonBytes, budget: new ByteBudget(limits.bodyBudgetBytes), waitMs: limits.bodyWaitMs },
    cwd: options.cwd ?? process.cwd(),
    openTransitions: options.stageTransitions === 'open',
  };
}

/** The request handler alone (tests drive it without listening). */
export function handler(stores: ServedStores, options: ServerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const parts = partsFor(stores, options, options.host ?? '127.0.0.1');
  return (req, res) => void handleRequest(parts, req, res);
}

/** Listens on host:port (port 0: any free port); 127.0.0.1 unless told otherwise. */
export async function startTrackingServer(stores: TrackingStore | ServedStores, options: ServerOptions = {}): Promise<RunningServer> {
  const served: ServedStores = 'tracking' in stores ? stores : { tracking: stores };
  const host = options.host ?? '127.0.0.1';
  checkExposure(host, options.auth);
  const parts = partsFor(served, options, host);
  const server = createServer({ requestTimeout: 600_000, headersTimeout: 20_000, keepAliveTimeout: 5_000 }, (req, res) => void handleRequest(parts, req, res));
  server.timeout = 120_000;
  server.maxConnections = 2_000;
  server.on('clientError', onClientError);
  return new Promise((resolveStart, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(new ModelOpsError('INVALID_PARAMETER_VALUE', `cannot listen on ${host}:${options.port ?? 5000} (${e.code ?? e.message})`, { location: 'port' }));
    });
    server.listen(options.port ?? 5000, host, () => {
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolveStart({
        server,
        url: `http://${shown}:${a.port}`,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.closeIdleConnections();
            // Requests still running get a moment, then their connections go too.
            setTimeout(() => server.closeAllConnections(), 2_000).unref();
          }),
      });
    });
  });
}
