import { isAbsolute, resolve } from 'node:path';
import { PROXY_SCHEME, localPathOf, uriScheme } from '../core/artifact-uri';
import { ModelOpsError } from '../core/errors';
import { resolveStoreLocation } from '../store/open';
import { defaultArtifactRoot } from '../store/sql/store-file';
import type { ServerOptions } from './http-server';
import { checkExposure } from './http-server';
import type { AuthConfig } from './security';

/**
 * `mlflow server`'s options with MLflow's meaning, turned into what the store and the HTTP server take:
 * - `--backend-store-uri` is `--store`;
 * - the artifact proxy is on by default (`--serve-artifacts`, as MLflow ≥ 2.0): new experiments get
 *   `mlflow-artifacts:/<id>` unless `--default-artifact-root` says otherwise, and `--artifacts-destination` is the
 *   folder the proxy serves (default `<store folder>/artifacts`, the workspace's own artifact folder);
 * - credentials: `--token` / MODELOPS_SERVER_TOKEN (bearer), basic auth when MLFLOW_TRACKING_USERNAME and
 *   MLFLOW_TRACKING_PASSWORD are set; required for any address but loopback;
 * - `--allowed-hosts` / MLFLOW_SERVER_ALLOWED_HOSTS and `--cors-allowed-origins` / MLFLOW_SERVER_CORS_ALLOWED_ORIGINS.
 */
export interface ServerSetupInput {
  storeUri: string;
  storeGiven?: boolean;
  backendStoreUri?: string;
  host: string;
  defaultArtifactRoot?: string;
  artifactsDestination?: string;
  serveArtifacts?: boolean;
  noServeArtifacts?: boolean;
  token?: string;
  tokenName?: string;
  allowedHosts?: string;
  corsAllowedOrigins?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface ServerSetup {
  storeUri: string;
  storeOptions: { artifactRoot: string; artifactRootUri?: string };
  serverOptions: ServerOptions;
  /** For `--json` and the editor: never a secret. */
  summary: { artifactsDestination: string | null; defaultArtifactRoot: string; auth: 'token' | 'basic' | 'token+basic' | 'none' };
  description: string;
}

function bad(message: string, location: string): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', message, { location });
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A local folder from a path or `file:` URI; anything else is refused (the proxy serves this machine's disk). */
function localFolder(value: string, cwd: string, option: string): string {
  if (uriScheme(value) === undefined) return isAbsolute(value) ? value : resolve(cwd, value);
  const local = localPathOf(value);
  if (local === undefined) throw bad(`--${option} must be a folder on this machine (a path or file:// URI), got '${value}'`, option);
  return local;
}

function authFrom(input: ServerSetupInput): AuthConfig {
  const auth: AuthConfig = {};
  const secret = input.token ?? input.env.MODELOPS_SERVER_TOKEN;
  if (secret !== undefined) {
    if (secret.trim() === '') throw bad('--token is empty: give a secret (or unset MODELOPS_SERVER_TOKEN)', 'token');
    auth.token = { name: input.tokenName?.trim() || 'token', secret };
  }
  const user = input.env.MLFLOW_TRACKING_USERNAME;
  const password = input.env.MLFLOW_TRACKING_PASSWORD;
  if (user && password) auth.basic = { username: user, password };
  return auth;
}

function storeUriOf(input: ServerSetupInput): string {
  const backend = input.backendStoreUri;
  if (backend === undefined) return input.storeUri;
  if (input.storeGiven && input.storeUri !== backend)
    throw bad(`--store and --backend-store-uri name different stores ('${input.storeUri}', '${backend}'); give one`, 'backend-store-uri');
  return backend;
}

export function resolveServerSetup(input: ServerSetupInput): ServerSetup {
  if (input.serveArtifacts && input.noServeArtifacts) throw bad('--serve-artifacts and --no-serve-artifacts contradict each other', 'serve-artifacts');
  const storeUri = storeUriOf(input);
  const location = resolveStoreLocation(storeUri, input.cwd);
  if (location.kind !== 'sqlite') throw bad(`modelops server serves a workspace store (a path or sqlite:/// URI), not another server (${storeUri})`, 'store');
  const serve = !input.noServeArtifacts;
  const destination = input.artifactsDestination
    ? localFolder(input.artifactsDestination, input.cwd, 'artifacts-destination')
    : defaultArtifactRoot(location.path);
  let rootUri: string | undefined;
  if (input.defaultArtifactRoot !== undefined && input.defaultArtifactRoot.trim() !== '') {
    const r = input.defaultArtifactRoot.trim();
    rootUri = uriScheme(r) === undefined && !isAbsolute(r) ? resolve(input.cwd, r) : r;
    if (uriScheme(rootUri) === PROXY_SCHEME && !serve)
      throw bad('--default-artifact-root mlflow-artifacts: needs the artifact proxy (drop --no-serve-artifacts)', 'default-artifact-root');
  } else if (serve) rootUri = `${PROXY_SCHEME}:/`;
  const auth = authFrom(input);
  checkExposure(input.host, auth);
  const shownRoot = rootUri ?? destination;
  const authName = auth.token && auth.basic ? 'token+basic' : auth.token ? 'token' : auth.basic ? 'basic' : 'none';
  return {
    storeUri,
    storeOptions: { artifactRoot: destination, ...(rootUri ? { artifactRootUri: rootUri } : {}) },
    serverOptions: {
      host: input.host,
      auth,
      allowedHosts: list(input.allowedHosts) ?? list(input.env.MLFLOW_SERVER_ALLOWED_HOSTS),
      corsAllowedOrigins: list(input.corsAllowedOrigins) ?? list(input.env.MLFLOW_SERVER_CORS_ALLOWED_ORIGINS) ?? [],
      ...(serve ? { artifactsDestination: destination } : {}),
      cwd: input.cwd,
    },
    summary: { artifactsDestination: serve ? destination : null, defaultArtifactRoot: shownRoot, auth: authName },
    description: `${serve ? `artifacts proxied into ${destination}` : 'no artifact proxy'}, new experiments under ${shownRoot}, ${authName === 'none' ? 'no credentials (loopback only)' : `credentials required (${authName})`}`,
  };
}
