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
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: this.headers,
        ...(method === 'POST' ? { body: JSON.stringify(fields) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new ModelOpsError('STORE_IO', `cannot reach the MLflow server at ${this.baseUrl} (${cause})`, { location: this.baseUrl, cause: e });
    }
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
    const message = err.message ?? `${method} ${url.pathname}: HTTP ${res.status} ${res.statusText}${json === undefined ? ' (not an MLflow server?)' : ''}`;
    throw new ModelOpsError(code, `${this.baseUrl}: ${message}`, { location: this.baseUrl });
  }
}
