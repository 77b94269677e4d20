import type { ErrorCode } from '../../core/errors';
import { ModelOpsError } from '../../core/errors';

/**
 * A small client for MLflow's REST API: GET fields go in the query string (lists repeated), POST
 * fields in a JSON body; `{error_code, message}` answers become ModelOpsErrors with MLflow's code.
 * Credentials as MLflow's own clients take them: MLFLOW_TRACKING_TOKEN (bearer) or
 * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (basic).
 */
export interface ClientOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const KNOWN: readonly ErrorCode[] = ['INVALID_PARAMETER_VALUE', 'RESOURCE_ALREADY_EXISTS', 'RESOURCE_DOES_NOT_EXIST', 'INVALID_STATE', 'BAD_REQUEST'];

export class MlflowClient {
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    readonly baseUrl: string,
    options: ClientOptions = {},
  ) {
    const env = options.env ?? process.env;
    this.headers = { 'Content-Type': 'application/json' };
    if (env.MLFLOW_TRACKING_TOKEN) this.headers.Authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
    else if (env.MLFLOW_TRACKING_USERNAME) this.headers.Authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async call(method: 'GET' | 'POST', endpoint: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const url = new URL(`${this.baseUrl}/api/2.0/mlflow/${endpoint}`);
    if (method === 'GET') {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined || v === null) continue;
        for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
      }
    }
    const res = await this.send(url, { method, headers: this.headers, ...(method === 'POST' ? { body: JSON.stringify(fields) } : {}) });
    return this.json(res, `${method} ${url.pathname}`);
  }

  /** PUT of raw bytes (the artifact proxy's upload). */
  async putBytes(url: string, bytes: Buffer): Promise<void> {
    const res = await this.send(new URL(url), { method: 'PUT', headers: { ...this.headers, 'Content-Type': 'application/octet-stream' }, body: bytes });
    await this.json(res, `PUT ${new URL(url).pathname}`);
  }

  /** A JSON GET of a full URL (the artifact proxy's list). */
  async getJson(url: string): Promise<Record<string, unknown>> {
    const u = new URL(url);
    return this.json(await this.send(u, { method: 'GET', headers: this.headers }), `GET ${u.pathname}`);
  }

  /** The bytes at `url`, or undefined when the server has none (404). */
  async getBytes(url: string): Promise<Buffer | undefined> {
    const u = new URL(url);
    const res = await this.send(u, { method: 'GET', headers: this.headers });
    if (res.status === 404) return undefined;
    if (!res.ok) await this.json(res, `GET ${u.pathname}`);
    return Buffer.from(await res.arrayBuffer());
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new ModelOpsError('STORE_IO', `cannot reach the MLflow server at ${this.baseUrl} (${cause})`, { location: this.baseUrl, cause: e });
    }
  }

  /** The answer's JSON, or its `{error_code, message}` as a ModelOpsError with MLflow's code. */
  private async json(res: Response, what: string): Promise<Record<string, unknown>> {
    const body = await res.text();
    let json: unknown;
    try {
      json = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      json = undefined;
    }
    if (res.ok && json && typeof json === 'object') return json as Record<string, unknown>;
    const err = (json ?? {}) as { error_code?: string; message?: string };
    const code: ErrorCode = KNOWN.includes(err.error_code as ErrorCode) ? (err.error_code as ErrorCode) : res.status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
    const message = err.message ?? `${what}: HTTP ${res.status} ${res.statusText}${json === undefined ? ' (not an MLflow server?)' : ''}`;
    throw new ModelOpsError(code, `${this.baseUrl}: ${message}`, { location: this.baseUrl });
  }
}
