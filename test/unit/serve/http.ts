import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request on a shared keep-alive agent, the whole answer read. */
export function http(url: string, options: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(url, { method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), headers: options.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(options.body);
  });
}

export function postJson(url: string, doc: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return http(`${url}/invocations`, { body: JSON.stringify(doc), headers: { 'Content-Type': 'application/json', ...headers } });
}

export function destroyAgent(): void {
  agent.destroy();
}
