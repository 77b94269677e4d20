import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelOpsError } from '../core/errors';
import type { StudyStore } from '../core/tuning';
import type { EngineOptions } from './engine';
import { openStoreFile } from './engine';
import type { RegistryStore } from './registry-store';
import { ChangePoller, serverFingerprint } from './rest/change-poller';
import type { Credentials } from './rest/credentials';
import type { ClientOptions } from './rest/mlflow-client';
import { MlflowClient } from './rest/mlflow-client';
import { RestRegistryStore } from './rest/rest-registry-store';
import { RestStudyStore } from './rest/rest-study-store';
import { RestTrackingStore } from './rest/rest-tracking-store';
import type { StoreFile, StoreFileOptions } from './sql/store-file';
import { reapOrphans } from './sqlite/orphans';
import { SqliteRegistryStore } from './sqlite/registry-store';
import { SqliteStudyStore } from './sqlite/study-store';
import { SqliteTrackingStore } from './sqlite/tracking-store';
import type { TrackingStore } from './tracking-store';

/**
 * Where a store is, as MLflow's tracking URIs say it: `sqlite:///abs/path.db`, `sqlite:///rel/path.db`
 * (three slashes + relative path), `sqlite:////abs/path.db`, `file:` URIs and plain paths → the
 * workspace file; `http(s)://` → an MLflow tracking server.
 */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'rest'; url: string };

export interface OpenOptions extends StoreFileOptions, EngineOptions {
  /** Folder relative paths are resolved against (default process.cwd()). */
  cwd?: string;
  /** End runs and validations whose process is gone (default true; see sqlite/orphans.ts). */
  reapOrphans?: boolean;
  /** A server's credentials and HTTP settings come from here (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** A server's credentials given by the editor (SecretStorage); they override the environment's. */
  credentials?: Credentials;
  /** How often a server is polled for changes while someone listens (default 10 s; 0: never). */
  pollIntervalMs?: number;
  /** A server's timeouts, retries and request log. */
  http?: Pick<ClientOptions, 'timeoutMs' | 'retry' | 'onRequest'>;
}

export const DEFAULT_POLL_INTERVAL_MS = 10_000;

/** Every store of one location, opened together: the one place that names the implementations. */
export interface Stores {
  readonly location: StoreLocation;
  readonly tracking: TrackingStore;
  /** The model registry (with the audit trail and validation reports). */
  readonly registry: RegistryStore;
  readonly studies: StudyStore;
  /** The workspace file (its engine and schema); undefined for a server. */
  readonly file: StoreFile | undefined;
  /** Calls `listener` after every change of the store, by anyone; returns a disposer. */
  onDidChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export function resolveStoreLocation(uriOrPath: string, cwd: string = process.cwd()): StoreLocation {
  const s = uriOrPath.trim();
  if (s === '') throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'empty store location');
  if (/^https?:\/\//i.test(s)) return { kind: 'rest', url: s.replace(/\/+$/, '') };
  if (/^sqlite:/i.test(s)) {
    // SQLAlchemy: sqlite:///relative.db, sqlite:////absolute.db
    const m = /^sqlite:\/\/\/(.*)$/i.exec(s);
    if (!m || m[1] === '') throw new ModelOpsError('INVALID_PARAMETER_VALUE', `bad sqlite URI '${s}': expected sqlite:///<path>`, { location: s });
    return { kind: 'sqlite', path: resolve(cwd, m[1]!) };
  }
  if (/^file:/i.test(s)) return { kind: 'sqlite', path: fileURLToPath(s) };
  if (/^(postgresql|postgres|mysql|mssql|oracle)(\+\w+)?:\/\//i.test(s)) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `'${s}' is a database URI: ModelOps reaches a team's MLflow database through its tracking server — run mlflow server --backend-store-uri <this URI> --serve-artifacts and give the server's http(s):// URL (see docs/team-scale.md)`,
      { location: s },
    );
  }
  if (/^databricks(:|$)/i.test(s)) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `'${s}': Databricks workspaces are not supported; use a path, sqlite:///path or an MLflow tracking server's http(s):// URL`,
      { location: s },
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `unsupported store URI scheme in '${s}' (use a path, sqlite:///path or http(s)://server)`, {
      location: s,
    });
  }
  return { kind: 'sqlite', path: isAbsolute(s) ? s : resolve(cwd, s) };
}

/** A tracking server's stores: MLflow's REST API for everything, one client (and one set of credentials) shared. */
function openServer(location: { kind: 'rest'; url: string }, options: OpenOptions): Stores {
  const client = new MlflowClient(location.url, {
    env: options.env ?? process.env,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.http ?? {}),
  });
  const tracking = new RestTrackingStore(client);
  const poller = new ChangePoller(() => serverFingerprint(tracking, client), options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  return {
    location,
    tracking,
    registry: new RestRegistryStore(client, tracking),
    studies: new RestStudyStore(tracking),
    file: undefined,
    onDidChange: (listener) => poller.subscribe(listener),
    close: async () => {
      poller.stop();
      await tracking.close();
    },
  };
}

export async function openStores(uriOrPath: string, options: OpenOptions = {}): Promise<Stores> {
  const location = resolveStoreLocation(uriOrPath, options.cwd);
  if (location.kind === 'rest') return openServer(location, options);
  const file = await openStoreFile(location.path, options);
  if (options.reapOrphans !== false) {
    // Best effort: a store that is busy or read-only for this user still opens.
    await reapOrphans(file).catch(() => undefined);
  }
  return {
    location,
    file,
    tracking: new SqliteTrackingStore(file, { artifactRootUri: options.artifactRootUri }),
    registry: new SqliteRegistryStore(file),
    studies: new SqliteStudyStore(file),
    onDidChange: (listener) => file.onDidChange(listener),
    close: () => file.close(),
  };
}

/** Just the tracking store of a location (closing it closes the store). */
export async function openTrackingStore(uriOrPath: string, options: OpenOptions = {}): Promise<TrackingStore> {
  return (await openStores(uriOrPath, options)).tracking;
}
