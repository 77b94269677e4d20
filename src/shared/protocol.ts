/**
 * The message envelope shared by every ModelOps webview, in the spirit of LSP / GitLens IPC:
 * requests carry an id and get exactly one response (a result or an error), notifications are
 * fire-and-forget. Methods are named `scope/method`. Each panel declares a `Contract` whose
 * checks validate params and results on whichever side receives them.
 */
import type { Check, Infer } from './validate';
import { arr, literal, num, obj, str, unknownValue } from './validate';

export interface RequestSpec<P, R> {
  params: Check<P>;
  result: Check<R>;
}

export interface Contract {
  /** Webview → host requests. */
  requests: Record<string, RequestSpec<unknown, unknown>>;
  /** Host → webview notifications. */
  toWebview: Record<string, Check<unknown>>;
  /** Webview → host notifications. */
  toHost: Record<string, Check<unknown>>;
}

export type RequestMethod<C extends Contract> = keyof C['requests'] & string;
export type RequestParams<C extends Contract, M extends RequestMethod<C>> = Infer<C['requests'][M]['params']>;
export type RequestResult<C extends Contract, M extends RequestMethod<C>> = Infer<C['requests'][M]['result']>;
export type WebviewNotification<C extends Contract> = keyof C['toWebview'] & string;
export type HostNotification<C extends Contract> = keyof C['toHost'] & string;
export type NotificationParams<M extends Record<string, Check<unknown>>, K extends keyof M> = Infer<M[K]>;

export interface RequestMessage {
  kind: 'request';
  id: number;
  method: string;
  params: unknown;
}

export interface ResponseError {
  code: string;
  message: string;
}

export interface ResponseMessage {
  kind: 'response';
  id: number;
  result?: unknown;
  error?: ResponseError;
}

export interface NotificationMessage {
  kind: 'notification';
  method: string;
  params: unknown;
}

export type Message = RequestMessage | ResponseMessage | NotificationMessage;

/** The webview says it is listening; the host queues everything until it arrives. */
export const READY = 'webview/ready';
export const readyParams = obj({ protocol: num });
export const PROTOCOL_VERSION = 1;

const envelope = obj(
  { kind: literal('request', 'response', 'notification') },
  { id: num, method: str, params: unknownValue, result: unknownValue, error: obj({ code: str, message: str }) },
);

/** Validates the envelope only; params are validated against the contract by the receiver. */
export function parseMessage(raw: unknown): Message {
  const m = envelope(raw, 'message');
  if (m.kind === 'response') {
    const id = num(m.id, 'message.id');
    return m.error ? { kind: 'response', id, error: m.error } : { kind: 'response', id, result: m.result };
  }
  const method = str(m.method, 'message.method');
  if (m.kind === 'request') return { kind: 'request', id: num(m.id, 'message.id'), method, params: m.params };
  return { kind: 'notification', method, params: m.params };
}

export const emptyParams = obj({});
export const okResult = obj({}, { message: str });
export const stringList = arr(str, 10_000);
