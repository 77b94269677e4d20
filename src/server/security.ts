import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './respond';

/**
 * The server's locks (DESIGN.md: "the tracking server is a door, so it is locked"):
 * - Host header validation as MLflow 3.5+ (`--allowed-hosts`; default localhost and private addresses), so a web
 *   page that rebinds its own name to 127.0.0.1 is refused;
 * - no cross-origin browser request unless its origin is listed (`--cors-allowed-origins`; none by default, which is
 *   stricter than MLflow 3.5's any-localhost default);
 * - credentials (a bearer token, or basic auth) checked in constant time and never written anywhere.
 */
export interface AuthConfig {
  /** `Authorization: Bearer <secret>` (MLflow clients send MLFLOW_TRACKING_TOKEN so); `name` goes to the audit trail. */
  token?: { name: string; secret: string };
  /** `Authorization: Basic` (MLflow clients send MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD so). */
  basic?: { username: string; password: string };
}

export interface SecurityConfig {
  allowedHosts: readonly string[];
  corsAllowedOrigins: readonly string[];
  auth: AuthConfig;
}

/** Who made a request, for the audit trail: the basic-auth user, the token's name, or `api` without authentication. */
export const ANONYMOUS_ACTOR = 'api';

/** MLflow 3.5's default `--allowed-hosts`: loopback names with any port, and private IPv4/IPv6 ranges. */
export function defaultAllowedHosts(): string[] {
  const loopback = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'];
  const privateRanges = ['192.168.*', '10.*', ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`), '[fc*', '[fd*'];
  return [...loopback, ...loopback.map((h) => `${h}:*`), ...privateRanges];
}

/** `--host` values that keep the server on this machine. */
export function isLoopbackBind(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(text);
}

export function hostAllowed(host: string | undefined, patterns: readonly string[]): boolean {
  if (!host) return false;
  if (patterns.includes('*')) return true;
  return patterns.some((p) => (p.includes('*') ? globMatch(p, host) : p.toLowerCase() === host.toLowerCase()));
}

/** Refuses a request whose Host is not allowed or that comes from another web origin. */
export function checkBrowserSafety(req: IncomingMessage, config: SecurityConfig): void {
  const host = req.headers.host;
  if (!hostAllowed(host, config.allowedHosts)) {
    throw new HttpError(
      403,
      'PERMISSION_DENIED',
      'Invalid Host header - possible DNS rebinding attack detected (start the server with --allowed-hosts to admit this name)',
    );
  }
  const origin = req.headers.origin;
  if (origin === undefined) {
    // Browsers send Origin on every POST; a cross-site fetch without one still says where it comes from.
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') throw new HttpError(403, 'PERMISSION_DENIED', 'Cross-origin request blocked');
    return;
  }
  if (!originAllowed(origin, host, config.corsAllowedOrigins)) throw new HttpError(403, 'PERMISSION_DENIED', 'Cross-origin request blocked');
}

/** The server's own origin, or one listed; `null` (sandboxed frames, files) never. */
export function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (host !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`) return true;
  if (origin === 'null') return false;
  return allowed.includes('*') || allowed.some((a) => (a.includes('*') ? globMatch(a, origin) : a.toLowerCase() === origin.toLowerCase()));
}

/** CORS answer headers for an allowed cross-origin request (none for same-origin or non-browser clients). */
export function corsHeaders(req: IncomingMessage, config: SecurityConfig): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || origin === `http://${req.headers.host ?? ''}` || !originAllowed(origin, req.headers.host, config.corsAllowedOrigins)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, Authorization',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The caller's identity, or a 401 when the server requires credentials and these are missing or wrong. */
export function authenticate(req: IncomingMessage, auth: AuthConfig): string {
  if (!auth.token && !auth.basic) return ANONYMOUS_ACTOR;
  const header = req.headers.authorization ?? '';
  const space = header.indexOf(' ');
  const scheme = space > 0 ? header.slice(0, space).toLowerCase() : '';
  const value = space > 0 ? header.slice(space + 1).trim() : '';
  if (scheme === 'bearer' && auth.token && sameSecret(value, auth.token.secret)) return auth.token.name;
  if (scheme === 'basic' && auth.basic) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    // Both compared, always, so the time taken says nothing about which one was wrong.
    const userOk = sameSecret(user, auth.basic.username);
    const passwordOk = sameSecret(password, auth.basic.password);
    if (userOk && passwordOk) return auth.basic.username;
  }
  const challenge = auth.basic ? 'Basic realm="modelops server", charset="UTF-8"' : 'Bearer realm="modelops server"';
  const how = [auth.token ? 'MLFLOW_TRACKING_TOKEN (bearer)' : '', auth.basic ? 'MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (basic)' : '']
    .filter(Boolean)
    .join(' or ');
  throw new HttpError(401, 'UNAUTHENTICATED', `You are not authenticated: this server needs credentials; set ${how} for the client.`, {
    'WWW-Authenticate': challenge,
  });
}
