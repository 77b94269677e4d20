/**
 * The one error type of the project. Codes are MLflow's (databricks error codes) so a REST
 * store can map them both ways, plus a few of our own for local failures.
 */
export type ErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'STORE_CORRUPT'
  | 'STORE_UNSUPPORTED_SCHEMA'
  | 'STORE_IO'
  | 'STORE_BUSY'
  | 'DATA_INVALID'
  | 'MODEL_INVALID'
  | 'CANCELLED'
  /** A tracking server refused the credentials (HTTP 401) or wants some. */
  | 'UNAUTHENTICATED'
  /** A tracking server knows the caller but refuses the request (HTTP 403). */
  | 'PERMISSION_DENIED'
  /** The URL answers, but not with this MLflow endpoint (HTTP 404 without MLflow's error body): not an MLflow server, or one without this API. */
  | 'ENDPOINT_NOT_FOUND'
  | 'INTERNAL_ERROR';

/**
 * Credentials in a URL (`http://user:secret@host`, `?token=…`) as `***`: every message and log line
 * the product makes goes through here, so a password given in a store URL is never echoed.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]*)@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:***@`)
    .replace(/([?&](?:token|access_token|api_key|apikey|password|secret)=)[^&\s]*/gi, '$1***');
}

export class ModelOpsError extends Error {
  readonly code: ErrorCode;
  /** Where the problem is, when known: a file path, `file:line:column`, a field name. */
  readonly location?: string;

  constructor(code: ErrorCode, message: string, options?: { location?: string; cause?: unknown }) {
    super(redactSecrets(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelOpsError';
    this.code = code;
    if (options?.location !== undefined) this.location = redactSecrets(options.location);
  }
}

/** User errors are the caller's to fix (exit code 1); the rest are ours (exit code 2). */
export function isUserError(e: unknown): e is ModelOpsError {
  return e instanceof ModelOpsError && e.code !== 'INTERNAL_ERROR';
}

export function errorMessage(e: unknown): string {
  return redactSecrets(e instanceof Error ? e.message : String(e));
}
