import type { IncomingMessage } from 'node:http';
import { ModelOpsError } from '../core/errors';
import type { Fields } from './fields';
import { fromQuery } from './fields';

/**
 * How MLflow 2.10.2 reads a request's fields: a GET with a query string reads the query string (querystring_parser:
 * repeated keys and `key[]` / `key[0]` become lists); any other request reads its JSON body. A JSON body must come
 * with `Content-Type: application/json` (parameters allowed), as MLflow's `_validate_content_type` requires of POST —
 * and here of PATCH and DELETE with a body too, so no browser "simple request" (text/plain, forms) reaches a handler.
 */
export const JSON_CONTENT_TYPE = 'application/json';

/** Nesting deeper than this is refused before parsing (protobuf's own limit is 100). */
export const MAX_JSON_DEPTH = 64;

function invalid(message: string): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', message);
}

/** MLflow's Content-Type rule; `hasBody` lets a bodiless DELETE through (it reads as `{}`). */
export function checkJsonContentType(req: IncomingMessage, hasBody: boolean): void {
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
  if (method !== 'POST' && method !== 'PUT' && !hasBody) return;
  const type = req.headers['content-type'];
  if (type === undefined) throw invalid('Bad Request. Content-Type header is missing.');
  if (type.split(';')[0]!.trim().toLowerCase() !== JSON_CONTENT_TYPE) throw invalid(`Bad Request. Content-Type must be one of ['${JSON_CONTENT_TYPE}'].`);
}

/** Whether a request announces a body (a length above zero, or chunked). */
export function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** The deepest `[`/`{` nesting of a JSON text, strings skipped; stops counting past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * The fields of a JSON body. An empty body is `{}` (MLflow's reading). Where MLflow reads a malformed body as `{}` too
 * (and then reports the first missing field) this says the body is not JSON; a JSON string holding JSON is decoded a
 * second time, as MLflow does for old clients; anything but an object is refused (MLflow answers a list with a 500).
 */
export function parseJsonFields(text: string): Fields {
  if (text.trim() === '') return Object.create(null) as Fields;
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw invalid(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    if (typeof parsed === 'string' && jsonDepth(parsed) <= MAX_JSON_DEPTH) parsed = JSON.parse(parsed);
  } catch (e) {
    throw invalid(`The request body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('The request body must be a JSON object');
  return parsed as Fields;
}

/** Query string → fields: repeated keys and `key[]`/`key[n]` become lists (querystring_parser, normalized). */
export function queryFields(rawQuery: string): Fields {
  const out = fromQuery(Object.create(null) as Fields);
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw invalid(`Malformed query string: '${part.slice(0, 100)}' has no '='`);
    const decode = (s: string): string => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw invalid(`Malformed query string: bad percent-encoding in '${s.slice(0, 100)}'`);
      }
    };
    const rawKey = decode(part.slice(0, eq));
    const value = decode(part.slice(eq + 1));
    const indexed = /^(.+?)\[\d*\]$/.exec(rawKey);
    const key = indexed ? indexed[1]! : rawKey;
    const prev = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    if (prev === undefined) out[key] = indexed ? [value] : value;
    else if (Array.isArray(prev)) (prev as unknown[]).push(value);
    else out[key] = [prev, value];
  }
  return out;
}
