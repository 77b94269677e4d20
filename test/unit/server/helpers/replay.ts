import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

/** One recorded exchange with a real MLflow 2.10.2 server (both sets share the format; set 2 adds keys). */
export interface Transcript {
  name: string;
  request: { method: string; path: string; json?: unknown; raw_body?: string; raw_body_encoding?: string; content_type?: string | null };
  response: { status: number; content_type?: string; json?: unknown; raw_body?: string; raw_body_encoding?: string; headers?: Record<string, string> };
}

export function loadTranscripts(dir: string, pattern: RegExp): Transcript[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Transcript, 'name'>), name: f.replace(/\.json$/, '') }));
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Sends exactly this method, path (no dot-segment normalisation, unlike fetch) and body, with the given headers
 * only (plus Host and Content-Length).
 */
export function rawRequest(base: string, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Replaces every string found in `map` (ids), deeply; inside longer strings too. */
export function mapIds(v: unknown, map: Map<string, string>): unknown {
  if (typeof v === 'string') return map.get(v) ?? [...map].reduce((s, [a, b]) => s.split(a).join(b), v);
  if (Array.isArray(v)) return v.map((x) => mapIds(x, map));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapIds(x, map)]));
  return v;
}

/**
 * Leaves out what differs by nature: times, and (set 1 only, recorded with a plain-path artifact root) artifact
 * paths; also a model version's `user_id`, which MLflow's unauthenticated server leaves unset and ours fills with the
 * audited caller (every registration through the server is in the audit trail).
 */
export function stripVolatile(v: unknown, volatile: ReadonlySet<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => stripVolatile(x, volatile));
  if (v && typeof v === 'object') {
    const isVersion = 'current_stage' in v;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !volatile.has(k) && !(isVersion && k === 'user_id'))
        .map(([k, x]) => [k, stripVolatile(x, volatile)]),
    );
  }
  return v;
}

export const TIMES = ['creation_time', 'last_update_time', 'creation_timestamp', 'last_updated_timestamp'];

/** The request body as recorded: its exact bytes when set 2 kept them, else the JSON. */
export function recordedBody(t: Transcript, ids: Map<string, string>): Buffer | undefined {
  const r = t.request;
  if (r.raw_body !== undefined && r.raw_body !== null && r.raw_body !== '') {
    if (r.raw_body_encoding === 'base64') return Buffer.from(r.raw_body, 'base64');
    return Buffer.from(mapIds(r.raw_body, ids) as string, 'utf8');
  }
  if (r.json === undefined || r.json === null) return r.raw_body === '' && r.method !== 'GET' ? Buffer.alloc(0) : undefined;
  return Buffer.from(JSON.stringify(mapIds(r.json, ids)), 'utf8');
}

export function recordedResponseBody(t: Transcript): Buffer {
  const r = t.response;
  if (r.raw_body === undefined || r.raw_body === null) return Buffer.alloc(0);
  return r.raw_body_encoding === 'base64' ? Buffer.from(r.raw_body, 'base64') : Buffer.from(r.raw_body, 'utf8');
}
