import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a test server that can answer for it: a failing status, a hold (for timeouts), or the
 * real answer. It records every request it saw, so tests count attempts and inspect bodies.
 */
export interface SeenRequest {
  method: string;
  path: string;
  body: string;
  authorization: string | undefined;
}

export type ProxyDecision = 'forward' | { status: number; body?: string; headers?: Record<string, string> } | { holdMs: number };

export interface Proxy {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function forward(target: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
  const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(body.length > 0 ? { body } : {}) });
  const bytes = Buffer.from(await answer.arrayBuffer());
  res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/octet-stream' });
  res.end(bytes);
}

export async function startProxy(target: string, decide: (r: SeenRequest, index: number) => ProxyDecision): Promise<Proxy> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const r = { method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8'), authorization: req.headers.authorization };
      seen.push(r);
      const d = decide(r, seen.length - 1);
      if (d === 'forward') return forward(target, req, body, res);
      if ('holdMs' in d) {
        const timer = setTimeout(() => void forward(target, req, body, res).catch(() => res.destroy()), d.holdMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      res.writeHead(d.status, { 'Content-Type': 'application/json', ...(d.headers ?? {}) });
      res.end(d.body ?? '');
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
