// bench/serve: requests/s and p50/p99 latency of `modelops serve` for 1-row and 100-row requests
// with 1, 8 and 32 concurrent clients on loopback, beside the same load on a Flask scoring server
// of the equivalent scikit-learn ensemble (RF 100 trees + 5-NN, soft vote), both trained on
// examples/churn.csv and both answering MLflow's protocol ({"dataframe_split": …} → {"predictions": …}).
// Targets: ≥ 5× the peer's requests/s at 8 clients; p99 ≤ 10 ms for 1-row requests.
// Run: `npm run build && node bench/run.mjs serve [seconds per cell] [flask|gunicorn]`. The load
// generator (load.ts) writes pre-built requests on raw keep-alive sockets, as wrk does.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCsv } from '../../src/ml/dataset/csv';
import { train } from '../../src/pipeline/train';
import { openStores } from '../../src/store/open';
import { example } from '../../test/repo-paths';
import { closedLoop, invocation } from './load';

const SECONDS = Number(process.argv[2] ?? 4);
const PEER_MODE = process.argv[3] ?? 'flask';
const PYTHON = '/usr/bin/python3';
const SOURCE = example('churn.csv');
const CLIENTS = [1, 8, 32];
const ROWS = [1, 100];

interface Cell {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** dataframe_split bodies of `n` churn rows, as JSON numbers and strings (what a client sends). */
function bodies(n: number): string[] {
  const t = parseCsv(readFileSync(SOURCE, 'utf8'), SOURCE);
  const columns = t.header.filter((h) => h !== 'churned' && h !== 'customer_id');
  const numeric = new Set(['tenure_months', 'monthly_charges', 'support_tickets', 'age']);
  const row = (r: string[]): (string | number | null)[] =>
    columns.map((c) => {
      const v = r[t.header.indexOf(c)]!;
      return v === '' ? null : numeric.has(c) ? Number(v) : v;
    });
  return Array.from({ length: 50 }, (_, b) => JSON.stringify({ dataframe_split: { columns, data: t.rows.slice(b * n, b * n + n).map(row) } }));
}

/** `clients` loops, each sending the next body as soon as its last answer arrived, for `seconds` (after 1 s of warm-up). */
async function load(url: string, payloads: string[], clients: number, seconds: number): Promise<Cell> {
  const { hostname, port } = new URL(url);
  const requests = payloads.map((b) => invocation(hostname, Number(port), b));
  await closedLoop(url, requests, clients, 1000, false);
  const t0 = performance.now();
  const { latencies: lat, errors } = await closedLoop(url, requests, clients, seconds * 1000, true);
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { requestsPerSecond: lat.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

function started(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) done(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => fail(new Error(`${what} exited with ${code}: ${err.slice(-2000)}`)));
  });
}

async function measure(url: string): Promise<Record<string, Cell>> {
  const out: Record<string, Cell> = {};
  for (const n of ROWS) {
    const payloads = bodies(n);
    for (const c of CLIENTS) out[`${n}x${c}`] = await load(url, payloads, c, SECONDS);
  }
  return out;
}

async function main(): Promise<void> {
  const cli = join(resolve('dist'), 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'modelops-bench-serve-'));
  const children: ChildProcess[] = [];
  try {
    const db = await openStores(join(dir, '.modelops', 'mlflow.db'));
    process.stderr.write(`training the ensemble (rf 100 trees + knn 5) on ${SOURCE}...\n`);
    const trained = await train(db.tracking, { data: SOURCE, target: 'churned', cv: 0, seed: 42, workspace: dir, threads: 1 });
    const modelDir = await db.tracking.artifactLocalPath(trained.runId, 'model');
    await db.close();

    const ours = spawn(process.execPath, [cli, 'serve', '--model', modelDir, '--port', '0', '--quiet', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(ours);
    const oursUrl = await started(ours, /"url": "([^"]+)"/, 'modelops serve');
    process.stderr.write(`modelops serve on ${oursUrl}; measuring (${SECONDS} s per cell)...\n`);
    const ourFigures = await measure(oursUrl);
    ours.kill('SIGTERM');

    const port = 20000 + Math.floor(Math.random() * 20000);
    process.stderr.write(`starting the scikit-learn peer (${PEER_MODE}, trains first)...\n`);
    const peer = spawn(PYTHON, [join('bench', 'serve', 'peer_flask.py'), SOURCE, 'churned', String(port), PEER_MODE], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(peer);
    await started(peer, /ready (\d+)/, 'peer');
    await new Promise((r) => setTimeout(r, 500)); // the server binds right after printing
    const peerFigures = await measure(`http://127.0.0.1:${port}`);
    peer.kill('SIGTERM');

    const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
    console.log(
      `\nbench/serve: churn ensemble rf(100 trees) + knn(5), POST /invocations dataframe_split, loopback, ${cpus().length} cores, ${SECONDS} s per cell`,
    );
    console.log(
      `${'rows x clients'.padEnd(16)}${'ModelOps req/s'.padStart(16)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}   ${`scikit-learn+${PEER_MODE} req/s`.padStart(26)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'ratio'.padStart(9)}`,
    );
    for (const key of Object.keys(ourFigures)) {
      const o = ourFigures[key]!;
      const p = peerFigures[key]!;
      const errs = o.errors + p.errors ? `  (errors: ours ${o.errors}, peer ${p.errors})` : '';
      console.log(
        `${key.padEnd(16)}${f(o.requestsPerSecond, 0).padStart(16)}${f(o.p50, 2).padStart(9)}${f(o.p99, 2).padStart(9)}   ${f(p.requestsPerSecond, 0).padStart(26)}${f(p.p50, 2).padStart(9)}${f(p.p99, 2).padStart(9)}${`${f(o.requestsPerSecond / p.requestsPerSecond)}x`.padStart(9)}${errs}`,
      );
    }
    const at8 = ROWS.map((n) => ourFigures[`${n}x8`]!.requestsPerSecond / peerFigures[`${n}x8`]!.requestsPerSecond);
    const p99 = Math.max(...CLIENTS.map((c) => ourFigures[`1x${c}`]!.p99));
    console.log(
      `target ≥ 5x the peer's req/s at 8 clients: ${at8.map((r) => `${f(r)}x`).join(' (1 row), ')} (100 rows) → ${at8.every((r) => r >= 5) ? 'met' : 'MISSED'}`,
    );
    console.log(`target p99 ≤ 10 ms for 1-row requests: worst ${f(p99, 2)} ms → ${p99 <= 10 ? 'met' : 'MISSED'}`);
    mkdirSync(join('bench', 'results'), { recursive: true });
    writeFileSync(
      join('bench', 'results', `serve-${Date.now()}.json`),
      `${JSON.stringify({ seconds: SECONDS, peer: PEER_MODE, ours: ourFigures, sklearn: peerFigures }, null, 2)}\n`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
