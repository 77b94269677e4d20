import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelOpsError } from '../core/errors';
import type { StoreDatabaseOptions } from './sqljs/database';
import { StoreDatabase } from './sqljs/database';
import { RestTrackingStore } from './rest/rest-tracking-store';
import { SqljsTrackingStore } from './sqljs/tracking-store';
import type { TrackingStore } from './tracking-store';

/**
 * Picks the store from the tracking URI, as MLflow's tracking registry does:
 * `sqlite:///abs/path.db`, `sqlite:///rel/path.db` (MLflow: three slashes + relative path),
 * `sqlite:////abs/path.db`, `file:` URIs and plain paths → the workspace store (sql.js);
 * `http(s)://` → an MLflow tracking server (tracking only: the registry and tuning studies need the
 * workspace store).
 */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'rest'; url: string };

export interface OpenOptions extends StoreDatabaseOptions {
  /** Folder relative paths are resolved against (default process.cwd()). */
  cwd?: string;
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

/** Opens the raw store database (registry and other `modelops_*` owners use this). */
export async function openStoreDatabase(uriOrPath: string, options: OpenOptions = {}): Promise<StoreDatabase> {
  const loc = resolveStoreLocation(uriOrPath, options.cwd);
  if (loc.kind === 'rest') throw notYet(loc.url);
  return StoreDatabase.open(loc.path, options);
}

export async function openTrackingStore(uriOrPath: string, options: OpenOptions = {}): Promise<TrackingStore> {
  const loc = resolveStoreLocation(uriOrPath, options.cwd);
  if (loc.kind === 'rest') return new RestTrackingStore(loc.url);
  return new SqljsTrackingStore(await StoreDatabase.open(loc.path, options));
}
