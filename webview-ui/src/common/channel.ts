/**
 * The webview end of the message protocol: typed requests with ids (answered by one response),
 * notifications both ways, the ready handshake, and validation of everything the host sends.
 */
import type {
  Contract,
  HostNotification,
  NotificationParams,
  RequestMethod,
  RequestParams,
  RequestResult,
  WebviewNotification,
} from '../../../src/shared/protocol';
import { parseMessage, PROTOCOL_VERSION, READY } from '../../../src/shared/protocol';
import type { Check } from '../../../src/shared/validate';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
/** acquireVsCodeApi may be called once per page; everyone shares this instance. */
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  check: Check<unknown>;
  method: string;
}

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class WebviewChannel<C extends Contract> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: unknown) => void>();

  constructor(
    private readonly contract: C,
    private readonly host: VsCodeApi,
    private readonly onProtocolError: (message: string) => void,
  ) {
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
  }

  /** Tells the host we listen; it holds its messages until then. */
  ready(): void {
    this.host.postMessage({ kind: 'notification', method: READY, params: { protocol: PROTOCOL_VERSION } });
  }

  onNotification<M extends WebviewNotification<C>>(method: M, handler: (params: NotificationParams<C['toWebview'], M>) => void): void {
    this.handlers.set(method, handler as (params: unknown) => void);
  }

  notify<M extends HostNotification<C>>(method: M, params: NotificationParams<C['toHost'], M>): void {
    this.host.postMessage({ kind: 'notification', method, params });
  }

  request<M extends RequestMethod<C>>(method: M, params: RequestParams<C, M>): Promise<RequestResult<C, M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, check: this.contract.requests[method].result, method });
      this.host.postMessage({ kind: 'request', id, method, params });
    });
  }

  private receive(raw: unknown): void {
    try {
      const message = parseMessage(raw);
      if (message.kind === 'response') {
        const p = this.pending.get(message.id);
        if (!p) throw new Error(`response to unknown request ${message.id}`);
        this.pending.delete(message.id);
        if (message.error) p.reject(new RequestError(message.error.code, message.error.message));
        else p.resolve(p.check(message.result, `${p.method} result`));
        return;
      }
      if (message.kind === 'notification') {
        const check = this.contract.toWebview[message.method];
        const handler = this.handlers.get(message.method);
        if (!check || !handler) throw new Error(`unknown notification ${message.method}`);
        handler(check(message.params, message.method));
        return;
      }
      throw new Error(`the webview serves no requests (${message.method})`);
    } catch (e) {
      this.onProtocolError(e instanceof Error ? e.message : String(e));
    }
  }
}
