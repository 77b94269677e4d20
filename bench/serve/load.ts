// The load generator of bench/serve: closed-loop clients, each on its own keep-alive connection,
// sending the next request as soon as the last answer is read. Requests are pre-built bytes and
// answers are framed by Content-Length, as wrk and autocannon do: node's http client costs about as
// much CPU per request as the server under test, so with it the generator itself was the bottleneck
// on a 2-core machine and its own queueing showed up as server latency. A server that closes the
// connection after an answer (HTTP/1.0, `Connection: close`, as Flask's development server does) is
// reconnected, and the reconnection counts in the next request's latency.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface LoadResult {
  latencies: number[];
  errors: number;
}

interface Answer {
  status: number;
  keepAlive: boolean;
}

/** `POST /invocations` with a JSON body, as bytes. */
export function invocation(host: string, port: number, body: string): Buffer {
  const head = `POST /invocations HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')]);
}

/** Reads one HTTP/1.x answer off the socket: resolves once its whole body (by Content-Length) is in. */
class AnswerReader {
  private buf: Buffer = Buffer.alloc(0);
  private want: ((a: Answer) => void) | undefined;
  private failed: ((e: Error) => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.tryParse();
    });
    const fail = (e: Error): void => {
      const f = this.failed;
      this.want = this.failed = undefined;
      f?.(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  next(): Promise<Answer> {
    return new Promise((done, fail) => {
      this.want = done;
      this.failed = fail;
      this.tryParse();
    });
  }

  private tryParse(): void {
    if (!this.want) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buf.length < end + 4 + length) return;
    this.buf = this.buf.subarray(end + 4 + length);
    const http10 = head.startsWith('HTTP/1.0');
    const connection = /\r\nconnection:\s*([^\r]*)/i.exec(head)?.[1]?.toLowerCase();
    const keepAlive = http10 ? connection === 'keep-alive' : connection !== 'close';
    const done = this.want;
    this.want = this.failed = undefined;
    done({ status: Number(head.slice(9, 12)), keepAlive });
  }
}

function open(host: string, port: number): Promise<AnswerReader> {
  return new Promise((done, fail) => {
    const s = connect({ host, port, noDelay: true }, () => done(new AnswerReader(s)));
    s.once('error', fail);
  });
}

/** `clients` closed loops for `ms` milliseconds; latencies (ms) of the 200 answers when `record`. */
export async function closedLoop(url: string, requests: readonly Buffer[], clients: number, ms: number, record: boolean): Promise<LoadResult> {
  const { hostname: host, port } = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const until = performance.now() + ms;
  const client = async (): Promise<void> => {
    let conn: AnswerReader | undefined;
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        conn ??= await open(host, Number(port));
        const answer = conn.next();
        conn.socket.write(requests[i++ % requests.length]!);
        const a = await answer;
        if (!a.keepAlive) {
          conn.socket.destroy();
          conn = undefined;
        }
        if (!record) continue;
        if (a.status === 200) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        conn?.socket.destroy();
        conn = undefined;
        if (record) errors++;
      }
    }
    conn?.socket.destroy();
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { latencies, errors };
}
