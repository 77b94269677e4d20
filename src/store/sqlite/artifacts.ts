import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelOpsError } from '../../core/errors';
import type { ArtifactInfo } from '../../core/tracking';

/**
 * Local artifacts in MLflow's layout: `<artifact_location>/<run_uuid>/artifacts/<path>`; the run's
 * `artifact_uri` says where. Every relative path is checked so nothing escapes the run's folder.
 */

/** A run's artifact folder from its `artifact_uri` (an absolute path or a `file:` URI). */
export function artifactDir(artifactUri: string, runId: string): string {
  if (artifactUri.startsWith('file:')) return fileURLToPath(artifactUri);
  if (isAbsolute(artifactUri)) return artifactUri;
  throw new ModelOpsError('STORE_IO', `run ${runId}: artifact location '${artifactUri}' is not a local folder; this store only handles local artifacts`, {
    location: artifactUri,
  });
}

/**
 * A local artifact location written under the store's folder as it was before the workspace moved or
 * was cloned (`/old/ws/.modelops/artifacts/1/<run>/artifacts`), as the same place under the store's
 * folder now. Locations are kept absolute, as MLflow keeps them; they are matched on the artifact
 * root's last two names (`.modelops/artifacts`). Undefined when the location is elsewhere.
 */
export function relocated(location: string, artifactRoot: string): string | undefined {
  const local = location.startsWith('file:') ? fileUriPath(location) : location;
  if (local === undefined || !isAbsolute(local)) return undefined;
  const root = resolve(artifactRoot);
  const here = relative(root, local);
  if (!here.startsWith('..') && !isAbsolute(here)) return undefined; // already under this store
  const tail = `/${basename(dirname(root))}/${basename(root)}/`;
  const slashed = local.split('\\').join('/');
  const at = slashed.lastIndexOf(tail);
  if (at < 0) return undefined;
  const rest = safeRelative(slashed.slice(at + tail.length).replace(/\/+$/, ''), 'artifact location');
  return rest === '' ? root : join(root, ...rest.split('/'));
}

function fileUriPath(uri: string): string | undefined {
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined; // a remote host or a malformed URI: not a folder of this store
  }
}

/** Normalizes a `/`-separated relative artifact path; rejects absolute paths and `..`. */
export function safeRelative(path: string | undefined, what = 'artifact path'): string {
  if (path === undefined || path === '' || path === '.') return '';
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${what} '${path}' must be relative`, { location: path });
  const norm = posix.normalize(p).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../') || norm.split('/').includes('..')) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${what} '${path}' leaves the run's artifact folder`, { location: path });
  }
  return norm === '.' ? '' : norm;
}

function inside(root: string, rel: string): string {
  const full = resolve(root, rel);
  const r = relative(root, full);
  if (r.startsWith('..') || isAbsolute(r)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `artifact path '${rel}' leaves the run's artifact folder`);
  return full;
}

/** Copies a file or a directory (recursively) to `<root>/<artifactPath>/<basename>`. */
export function copyArtifact(root: string, localPath: string, artifactPath?: string): void {
  let st;
  try {
    st = statSync(localPath);
  } catch (e) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${localPath}: no such file or directory to log as an artifact`, { location: localPath, cause: e });
  }
  const dest = inside(root, join(safeRelative(artifactPath), basename(resolve(localPath))));
  try {
    if (st.isDirectory()) {
      mkdirSync(dest, { recursive: true });
      cpSync(localPath, dest, { recursive: true });
    } else {
      mkdirSync(resolve(dest, '..'), { recursive: true });
      cpSync(localPath, dest);
    }
  } catch (e) {
    throw new ModelOpsError('STORE_IO', `${dest}: cannot write the artifact (${(e as Error).message})`, { location: dest, cause: e });
  }
}

/** One level of the artifact tree under `path`, sorted by name. */
export function listArtifactDir(root: string, path?: string): ArtifactInfo[] {
  const rel = safeRelative(path);
  const dir = inside(root, rel);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((d) => {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) return { path: p, isDir: true };
      return { path: p, isDir: false, fileSize: statSync(join(dir, d.name)).size };
    });
}

export function artifactPathIn(root: string, path: string): string {
  const full = inside(root, safeRelative(path));
  if (!existsSync(full)) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `artifact '${path}' not found under ${root}`, { location: full });
  return full;
}
