/**
 * The host end of the webview protocol (src/shared/protocol.ts). It queues what it sends until
 * the webview says it is ready (a hidden or reloading webview drops messages otherwise), keeps
 * only the latest of each state notification in that queue, validates every request's params
 * before a handler sees them, and answers each request exactly once, with a result or an error.
 * No vscode import: the panels hand it their webview, the unit tests a fake.
 */
import { ModelOpsError, errorMessage } from '../../core/errors';
import type { Contract, NotificationParams, RequestMethod, RequestParams, RequestResult, WebviewNotification } from '../../shared/protocol';
import { parseMessage, PROTOCOL_VERSION, READY } from '../../shared/protocol';

export interface WebviewPort {
  postMessage(message: unknown): PromiseLike<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => void): { dispose(): void };
}

export type RequestHandlers<C extends Contract> = {
  [M in RequestMethod<C>]: (params: RequestParams<C, M>) => Promise<RequestResult<C, M>>;
};

export type HostNotificationHandlers<C extends Contract> = {
  [M in Exclude<keyof C['toHost'] & string, typeof READY>]?: (params: NotificationParams<C['toHost'], M>) => void;
};

export interface HostChannelOptions<C extends Contract> {
  requests: RequestHandlers<C>;
  notifications?: HostNotificationHandlers<C>;
  /** Called on every ready handshake: the first load and each reload of the webview's page. */
  onReady?: () => void;
  /** Protocol problems (malformed or unknown messages): logged, never thrown at the webview. */
  onProblem?: (message: string) => void;
  /** After each request is answered: for the output channel. */
  onRequestDone?: (method: string, ms: number, error?: unknown) => void;
}

interface Outgoing {
  message: unknown;
  /** Notifications that replace each other (state snapshots) keep only the newest in the queue. */
  replaceKey?: string;
}

export class HostChannel<C extends Contract> {
  private ready = false;
  private queue: Outgoing[] = [];
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly port: WebviewPort,
    private readonly contract: C,
    private readonly options: HostChannelOptions<C>,
  ) {
    this.subscription = port.onDidReceiveMessage((m) => void this.receive(m));
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** The webview's page is going away (panel hidden without retained context): hold messages again. */
  markNotReady(): void {
    this.ready = false;
  }

  notify<M extends WebviewNotification<C>>(method: M, params: NotificationParams<C['toWebview'], M>): void {
    this.send({ message: { kind: 'notification', method, params }, replaceKey: method });
  }

  private send(out: Outgoing): void {
    if (!this.ready) {
      if (out.replaceKey) this.queue = this.queue.filter((q) => q.replaceKey !== out.replaceKey);
      this.queue.push(out);
      return;
    }
    void Promise.resolve(this.port.postMessage(out.message)).then(
      (delivered) => {
        // false: the webview was not there to take it (hidden, reloading); resend once it is ready.
        if (!delivered && out.replaceKey) {
          this.ready = false;
          this.send(out);
        }
      },
      (e: unknown) => this.options.onProblem?.(`postMessage failed: ${errorMessage(e)}`),
    );
  }

  private flush(): void {
    const pending = this.queue;
    this.queue = [];
    for (const out of pending) this.send(out);
  }

  private async receive(raw: unknown): Promise<void> {
    let message;
    try {
      message = parseMessage(raw);
    } catch (e) {
      this.options.onProblem?.(`malformed message from the webview: ${errorMessage(e)}`);
      return;
    }
    if (message.kind === 'notification') {
      if (message.method === READY) {
        const p = raw as { params?: { protocol?: unknown } };
        if (p.params?.protocol !== PROTOCOL_VERSION)
          this.options.onProblem?.(`webview speaks protocol ${String(p.params?.protocol)}, host ${PROTOCOL_VERSION}`);
        this.ready = true;
        this.flush();
        this.options.onReady?.();
        return;
      }
      const check = this.contract.toHost[message.method];
      const handler = (this.options.notifications as Record<string, ((p: unknown) => void) | undefined> | undefined)?.[message.method];
      if (!check || !handler) {
        this.options.onProblem?.(`unknown notification ${message.method}`);
        return;
      }
      try {
        handler(check(message.params, message.method));
      } catch (e) {
        this.options.onProblem?.(`notification ${message.method}: ${errorMessage(e)}`);
      }
      return;
    }
    if (message.kind === 'response') {
      this.options.onProblem?.('the host sends no requests, yet got a response');
      return;
    }
    const { id, method } = message;
    const t0 = Date.now();
    try {
      const result = await this.handle(method, message.params);
      this.reply(id, result);
      this.options.onRequestDone?.(method, Date.now() - t0);
    } catch (e) {
      this.reply(id, undefined, e);
      this.options.onRequestDone?.(method, Date.now() - t0, e);
    }
  }

  /**
   * One request as if the page had sent it: params validated, the handler run, its result checked.
   * The page's requests go through here; so do the integration tests', which cannot click in a webview.
   */
  async handle(method: string, rawParams: unknown): Promise<unknown> {
    const spec = (this.contract.requests as Record<string, C['requests'][string] | undefined>)[method];
    const handler = (this.options.requests as Record<string, ((p: unknown) => Promise<unknown>) | undefined>)[method];
    if (!spec || !handler) throw new ModelOpsError('BAD_REQUEST', `unknown request ${method}`);
    const params = spec.params(rawParams, `${method} params`);
    return spec.result(await handler(params), `${method} result`);
  }

  private reply(id: number, result: unknown, error?: unknown): void {
    const message =
      error === undefined
        ? { kind: 'response', id, result }
        : { kind: 'response', id, error: { code: error instanceof ModelOpsError ? error.code : 'INTERNAL_ERROR', message: errorMessage(error) } };
    // Responses are never dropped from the queue: each request gets exactly one answer.
    this.send({ message });
  }

  dispose(): void {
    this.subscription.dispose();
    this.queue = [];
  }
}
