import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelOpsError } from '../core/errors';
import type { StudyStore } from '../core/tuning';
import type { EngineOptions } from './engine';
import { openStoreFile } from './engine';
import type { RegistryStore } from './registry-store';
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
}

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
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `unsupported store URI scheme in '${s}' (use a path, sqlite:///path or http(s)://server)`, { location: s });
  }
  return { kind: 'sqlite', path: isAbsolute(s) ? s : resolve(cwd, s) };
}

function notYet(url: string): ModelOpsError {
  return new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `${url} is an MLflow tracking server: experiments and runs work there, but the model registry and tuning studies need a workspace store (a path or sqlite:///path) for now`,
    { location: url },
  );
}

export async function openStores(uriOrPath: string, options: OpenOptions = {}): Promise<Stores> {
  const location = resolveStoreLocation(uriOrPath, options.cwd);
  if (location.kind === 'rest') {
    const tracking = new RestTrackingStore(location.url);
    return {
      location,
      tracking,
      get registry(): RegistryStore {
        throw notYet(location.url);
      },
      get studies(): StudyStore {
        throw notYet(location.url);
      },
      file: undefined,
      onDidChange: () => () => undefined,
      close: () => tracking.close(),
    };
  }
  const file = await openStoreFile(location.path, options);
  if (options.reapOrphans !== false) {
    // Best effort: a store that is busy or read-only for this user still opens.
    await reapOrphans(file).catch(() => undefined);
  }
  return {
    location,
    file,
    tracking: new SqliteTrackingStore(file),
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
