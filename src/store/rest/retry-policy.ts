/**
 * When a request to an MLflow server is tried again, and after how long. MLflow's own client retries on 429 and 5xx
 * with exponential backoff (MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR,
 * MLFLOW_HTTP_REQUEST_TIMEOUT); the same variables are read here, with shorter defaults so an editor view does not
 * hang for minutes. A request that creates something (a run, a model version) is retried only where the server
 * cannot have applied it (refused connection, 429, 503), so a retry never makes a second run.
 */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Wait before the first retry; doubled each time, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** One attempt at most this long. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, backoffMs: 500, maxBackoffMs: 8_000, timeoutMs: 60_000 };

function envNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function retryPolicyFrom(env: NodeJS.ProcessEnv, given: Partial<RetryPolicy> = {}): RetryPolicy {
  const retries = envNumber(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES');
  const factor = envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR');
  const timeout = envNumber(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT');
  return {
    ...DEFAULT_RETRY,
    ...(retries !== undefined ? { retries: Math.floor(retries) } : {}),
    ...(factor !== undefined ? { backoffMs: factor * 1000 } : {}),
    ...(timeout !== undefined && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
    ...given,
  };
}

/** Endpoints whose repetition would create a second entity. */
const CREATES = new Set(['runs/create', 'experiments/create', 'registered-models/create', 'model-versions/create']);

export function isIdempotent(method: string, endpoint: string): boolean {
  return method !== 'POST' || !CREATES.has(endpoint);
}

/** A status that says "try again later": always safe to retry (429, 503), or safe only for an idempotent request. */
export function retryableStatus(status: number, idempotent: boolean, mlflowError: boolean): boolean {
  if (status === 429 || status === 503) return true;
  if (!idempotent) return false;
  // A 500 that carries MLflow's own error body is the server's considered answer, not a hiccup.
  if (status === 500) return !mlflowError;
  return status === 502 || status === 504;
}

/** Network failures: a refused or reset connection, a timeout; a name that does not resolve is not retried. */
export function retryableNetworkError(code: string | undefined, idempotent: boolean): boolean {
  if (code === 'ENOTFOUND') return false;
  // The connection never opened: the server cannot have applied the request.
  if (code === 'ECONNREFUSED' || code === 'EAI_AGAIN') return true;
  return idempotent;
}

/** The wait before retry `attempt` (1-based): the server's Retry-After when it gives one (at most 30 s), else doubling backoff. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfter: string | null): number {
  if (retryAfter) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, 30_000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.min(Math.max(0, at - Date.now()), 30_000);
  }
  return Math.min(policy.backoffMs * 2 ** (attempt - 1), policy.maxBackoffMs);
}
