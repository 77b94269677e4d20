import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../core/errors';
import type { ModelOpsError } from '../core/errors';
import type { Json } from '../core/mlflow-wire';

/**
 * Answers in MLflow's shapes: JSON bodies, and errors as `{error_code, message}` with MLflow's statuses (404 for a
 * missing resource, 400 for the rest of the caller's mistakes). Every answer carries `X-Content-Type-Options:
 * nosniff`, as MLflow's downloads do, so a browser never renders one as a page.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  INTERNAL_ERROR: 500,
  STORE_IO: 500,
  STORE_CORRUPT: 500,
  STORE_UNSUPPORTED_SCHEMA: 500,
  STORE_BUSY: 503,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  ENDPOINT_NOT_FOUND: 404,
};

/** Errors of the HTTP layer itself, beside the store's codes. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function statusOf(e: ModelOpsError): number {
  return STATUS[e.code] ?? 400;
}

const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

export function sendJson(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error_code: code, message }, headers);
}

/** An HTTP/1.1 answer written straight to a socket the parser gave up on (bad request line, headers too large). */
export function rawErrorResponse(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ error_code: code, message });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
