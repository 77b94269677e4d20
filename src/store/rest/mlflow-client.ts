import type { ErrorCode } from '../../core/errors';
import { ModelOpsError } from '../../core/errors';
import type { CredentialSource, Credentials } from './credentials';
import { authorizationHeader, credentialsFromEnv, credentialsHint, hasCredentials } from './credentials';
import type { RetryPolicy } from './retry-policy';
import { backoffDelay, isIdempotent, retryPolicyFrom, retryableNetworkError, retryableStatus } from './retry-policy';

/**
 * A small client for MLflow's REST API: GET fields go in the query string (lists repeated), POST fields in a JSON
 * body; `{error_code, message}` answers become ModelOpsErrors with MLflow's code. Credentials as MLflow's own
 * clients take them (credentials.ts), or given by the editor. 429 and 5xx answers, refused connections and timeouts
 * are retried with backoff (retry-policy.ts); 401, 403 and a URL that is not an MLflow server get their own codes.
 */
export interface ClientOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides the environment's (the editor's SecretStorage). */
  credentials?: Credentials;
  /** Per-attempt timeout; default MLFLOW_HTTP_REQUEST_TIMEOUT or 60 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Told of every attempt (the editor's output channel). */
  onRequest?: (info: RequestInfo) => void;
}

export interface RequestInfo {
  method: string;
  path: string;
  status: number | undefined;
  attempt: number;
  ms: number;
  error?: string;
}

const KNOWN: readonly ErrorCode[] = [
  'INVALID_PARAMETER_VALUE',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_DOES_NOT_EXIST',
  'INVALID_STATE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'ENDPOINT_NOT_FOUND',
];

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

interface Answer {
  res: Response;
  bytes: Buffer;
}

const textOf = (a: Answer): string => a.bytes.toString('utf8');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class MlflowClient {
  private readonly headers: Record<string, string>;
  private readonly policy: RetryPolicy;
  private readonly credentialSource: CredentialSource;
  /** The user the server authenticates (basic auth), when known: the audit trail's actor. */
  readonly username: string | undefined;

  readonly baseUrl: string;

  constructor(
    url: string,
    private readonly options: ClientOptions = {},
  ) {
    const env = options.env ?? process.env;
    // `http://user:password@host` is basic auth (fetch refuses URLs that carry credentials).
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (e) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `'${url}' is not a valid server URL`, { location: url, cause: e });
    }
    const inUrl: Credentials | undefined = parsed.username
      ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
      : undefined;
    parsed.username = '';
    parsed.password = '';
    this.baseUrl = parsed.toString().replace(/\/+$/, '');
    const editor = options.credentials && hasCredentials(options.credentials) ? options.credentials : undefined;
    const creds = editor ?? inUrl ?? credentialsFromEnv(env);
    this.credentialSource = editor ? 'editor' : inUrl ? 'url' : hasCredentials(creds) ? 'environment' : 'none';
    this.username = creds.token ? undefined : creds.username;
    this.headers = { 'Content-Type': 'application/json' };
    const auth = authorizationHeader(creds);
    if (auth) this.headers.Authorization = auth;
    this.policy = retryPolicyFrom(env, { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.retry ?? {}) });
  }

  async call(method: Method, endpoint: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const url = new URL(`${this.baseUrl}/api/2.0/mlflow/${endpoint}`);
    const body = method === 'GET' ? undefined : JSON.stringify(fields);
    if (method === 'GET') {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined || v === null) continue;
        for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
      }
    }
    const answer = await this.send(url, { method, headers: this.headers, ...(body !== undefined ? { body } : {}) }, isIdempotent(method, endpoint));
    return this.json(answer, `${method} ${url.pathname}`);
  }

  /** PUT of raw bytes (the artifact proxy's upload). */
  async putBytes(url: string, bytes: Buffer): Promise<void> {
    const u = new URL(url);
    const answer = await this.send(u, { method: 'PUT', headers: { ...this.headers, 'Content-Type': 'application/octet-stream' }, body: bytes }, true);
    this.json(answer, `PUT ${u.pathname}`);
  }

  /** A JSON GET of a full URL (the artifact proxy's list). */
  async getJson(url: string): Promise<Record<string, unknown>> {
    const u = new URL(url);
    return this.json(await this.send(u, { method: 'GET', headers: this.headers }, true), `GET ${u.pathname}`);
  }

  /** The bytes at `url`, or undefined when the server has none (404). */
  async getBytes(url: string): Promise<Buffer | undefined> {
    const u = new URL(url);
    const answer = await this.send(u, { method: 'GET', headers: this.headers }, true);
    if (answer.res.status === 404) return undefined;
    if (!answer.res.ok) this.json(answer, `GET ${u.pathname}`);
    return answer.bytes;
  }

  /** One request, tried again on 429/5xx, refused connections and timeouts as the policy allows. */
  private async send(url: URL, init: RequestInit, idempotent: boolean): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      const last = attempt > this.policy.retries;
      let answer: Answer;
      try {
        const res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.policy.timeoutMs) });
        answer = { res, bytes: Buffer.from(await res.arrayBuffer()) };
      } catch (e) {
        const timedOut = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
        const code = (e as { cause?: { code?: string } }).cause?.code;
        this.options.onRequest?.({
          method: String(init.method),
          path: url.pathname,
          status: undefined,
          attempt,
          ms: Date.now() - t0,
          error: timedOut ? 'timeout' : (code ?? (e as Error).message),
        });
        if (!last && retryableNetworkError(timedOut ? 'ETIMEDOUT' : code, idempotent)) {
          await sleep(backoffDelay(this.policy, attempt, null));
          continue;
        }
        throw this.networkError(e, timedOut, code, url, attempt);
      }
      this.options.onRequest?.({ method: String(init.method), path: url.pathname, status: answer.res.status, attempt, ms: Date.now() - t0 });
      if (!last && !answer.res.ok && retryableStatus(answer.res.status, idempotent, hasMlflowError(textOf(answer)))) {
        await sleep(backoffDelay(this.policy, attempt, answer.res.headers.get('retry-after')));
        continue;
      }
      return answer;
    }
  }

  private networkError(e: unknown, timedOut: boolean, code: string | undefined, url: URL, attempts: number): ModelOpsError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    if (timedOut) {
      return new ModelOpsError(
        'STORE_IO',
        `the MLflow server at ${this.baseUrl} did not answer ${url.pathname} within ${Math.round(this.policy.timeoutMs / 1000)} s${tries} (MLFLOW_HTTP_REQUEST_TIMEOUT sets the limit)`,
        {
          location: this.baseUrl,
          cause: e,
        },
      );
    }
    return new ModelOpsError('STORE_IO', `cannot reach the MLflow server at ${this.baseUrl} (${code ?? (e as Error).message})${tries}`, {
      location: this.baseUrl,
      cause: e,
    });
  }

  /** The answer's JSON, or its `{error_code, message}` as a ModelOpsError with MLflow's code. */
  private json(answer: Answer, what: string): Record<string, unknown> {
    const { res } = answer;
    const body = textOf(answer);
    let json: unknown;
    try {
      json = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      json = undefined;
    }
    if (res.ok && json && typeof json === 'object') return json as Record<string, unknown>;
    const err = (json ?? {}) as { error_code?: string; message?: string };
    if (res.status === 401) {
      throw new ModelOpsError(
        'UNAUTHENTICATED',
        `${this.baseUrl} refused the request: not authenticated (HTTP 401); ${credentialsHint(this.credentialSource)}`,
        { location: this.baseUrl },
      );
    }
    if (res.status === 403) {
      throw new ModelOpsError('PERMISSION_DENIED', `${this.baseUrl}: permission denied (HTTP 403)${err.message ? `: ${err.message}` : ''}`, {
        location: this.baseUrl,
      });
    }
    if (res.status === 404 && !err.error_code) {
      throw new ModelOpsError(
        'ENDPOINT_NOT_FOUND',
        `${this.baseUrl}: ${what}: HTTP 404${json === undefined ? " (not an MLflow server? check the URL: it is the server's root, e.g. http://host:5000)" : ''}`,
        { location: this.baseUrl },
      );
    }
    const code: ErrorCode = KNOWN.includes(err.error_code as ErrorCode) ? (err.error_code as ErrorCode) : res.status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
    // MLflow's own message as it is (it names the entity); other answers name the server and the request.
    const message = err.message ?? `${this.baseUrl}: ${what}: HTTP ${res.status} ${res.statusText}${json === undefined ? ' (not an MLflow server?)' : ''}`;
    throw new ModelOpsError(code, message, { location: this.baseUrl });
  }
}

function hasMlflowError(body: string): boolean {
  try {
    const j = JSON.parse(body) as { error_code?: unknown };
    return typeof j.error_code === 'string';
  } catch {
    return false;
  }
}
