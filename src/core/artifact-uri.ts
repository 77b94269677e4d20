/**
 * Artifact locations as MLflow writes them: a folder, a `file:` URI, a cloud URI, or an
 * `mlflow-artifacts:` URI naming a path inside a tracking server's `--artifacts-destination`
 * (the artifact proxy: `mlflow-artifacts:/<exp>/<run>/artifacts`, optionally with the server's
 * address, `mlflow-artifacts://host:5000/<exp>/...`).
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROXY_SCHEME = 'mlflow-artifacts';

/** The proxy's HTTP route, below the tracking server's address. */
export const PROXY_ROUTE = '/api/2.0/mlflow-artifacts/artifacts';

/** `s3:`, `file:`, `mlflow-artifacts:`… but not a Windows drive letter. */
export function uriScheme(location: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(location);
  return m ? m[1]!.toLowerCase() : undefined;
}

export function isProxiedUri(location: string): boolean {
  return uriScheme(location) === PROXY_SCHEME;
}

/** The path an `mlflow-artifacts:` URI names inside the artifact destination, without leading slashes. */
export function proxiedPath(uri: string): string {
  const rest = uri.slice(PROXY_SCHEME.length + 1);
  // mlflow-artifacts://host:port/path names the server; mlflow-artifacts:/path the one in use.
  const path = rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** The server address an `mlflow-artifacts://host:port/...` URI names, if any. */
export function proxiedAuthority(uri: string): string | undefined {
  const rest = uri.slice(PROXY_SCHEME.length + 1);
  if (!rest.startsWith('//')) return undefined;
  const authority = /^\/\/([^/]*)/.exec(rest)?.[1];
  return authority ? authority : undefined;
}

/** MLflow's `append_to_uri_path`: joins with one `/`, keeping the scheme's own slashes. */
export function appendUriPath(uri: string, ...parts: string[]): string {
  let out = uri;
  for (const part of parts) {
    const p = part.replace(/^\/+/, '');
    if (p === '') continue;
    out = out.endsWith('/') ? `${out}${p}` : `${out}/${p}`;
  }
  return out;
}

/** The folder a location names on this machine (an absolute path or a local `file:` URI), else undefined. */
export function localPathOf(location: string): string | undefined {
  const scheme = uriScheme(location);
  if (scheme === undefined) return isAbsolute(location) ? location : undefined;
  if (scheme !== 'file') return undefined;
  try {
    return fileURLToPath(location);
  } catch {
    // file://other-host/… or a malformed URI: not a folder here.
    return undefined;
  }
}
