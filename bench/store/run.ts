/**
 * Store benchmark (issue 2). `npm run bench -- store [--quick]`
 *   1. buffered metric logging, sustained, into a 10 MB store (target ≥ 150,000 points/s)
 *   2. durable commit latency of a small transaction at 1 / 10 / 100 MB (target ≤ 100 ms at 10 MB)
 *   3. searchRuns over 10,000 runs, metric filter returning 100 runs (target ≤ 20 ms)
 *   4. open time of a 100 MB store
 * Peers from the same run: Python's sqlite3 doing MLflow-table inserts (a stand-in, labelled so);
 * MLflow 2.10.2's own figures are quoted from the issue (mlflow is not installable here).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogBatch } from '../../src/core/tracking';
import { StoreDatabase } from '../../src/store/sqljs/database';
import { loadSqlJs } from '../../src/store/sqljs/sqljs-runtime';
import { SqljsTrackingStore } from '../../src/store/sqljs/tracking-store';
import { BufferedMetricLogger, setTag } from '../../src/store/tracking-helpers';
import { mlflowReference } from '../../test/repo-paths';

const QUICK = process.argv.includes('--quick');
const SCHEMA_SQL = mlflowReference('schema', 'mlflow-2.10.2-sqlite-schema.sql');
const MB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'modelops-bench-store-'));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sizeOf = (f: string): number => statSync(f).size;
/** CPU milliseconds of this process (user + system): less sensitive than wall time to a busy machine. */
const cpuMs = (since?: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

async function openStore(name: string): Promise<SqljsTrackingStore> {
  return new SqljsTrackingStore(await StoreDatabase.open(join(root, name, 'mlflow.db')));
}

/** Grows the store to about `bytes` with metric history of one run (big transactions, untimed). */
async function fill(store: SqljsTrackingStore, runId: string, bytes: number): Promise<void> {
  let step = 0;
  while (sizeOf(store.database.path) < bytes) {
    const entries: { runId: string; batch: LogBatch }[] = [];
    // Small last steps, so the store ends near the size asked for (64 KB pages grow it in big strides).
    const rows = Math.max(2_000, Math.min(200_000, Math.ceil((bytes - sizeOf(store.database.path)) / 190)));
    for (let i = 0; i < rows; i += 1000) {
      entries.push({ runId, batch: { metrics: Array.from({ length: 1000 }, (_, j) => ({ key: `fill_${j % 20}`, value: Math.random(), timestamp: 1_600_000_000_000 + step + j, step: step + j })) } });
      step += 1000;
    }
    await store.logBatchMany(entries);
  }
}

async function bufferedLogging(): Promise<{ pointsPerSecond: number; pointsPerCpuSecond: number; points: number; seconds: number; startMB: number; endMB: number }> {
  const store = await openStore('buffered');
  const run = await store.createRun({ experimentId: '0', runName: 'bench' });
  await fill(store, run.info.runId, 10 * MB);
  const startMB = sizeOf(store.database.path) / MB;
  const logger = new BufferedMetricLogger(store, { intervalMs: 1000 });
  const seconds = QUICK ? 1.5 : 3;
  const keys = ['loss', 'acc', 'val_loss', 'val_acc', 'lr'];
  let points = 0;
  let step = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let i = 0; i < 5000; i++) {
      logger.log(run.info.runId, keys[i % 5]!, Math.random(), step, 1_700_000_000_000 + step);
      if (i % 5 === 4) step++;
    }
    points += 5000;
    await new Promise((r) => setImmediate(r)); // let the 1 s flush timer fire, as a training loop's awaits would
  }
  await logger.close();
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuMs(c0) / 1000;
  const endMB = sizeOf(store.database.path) / MB;
  await store.close();
  return { pointsPerSecond: points / elapsed, pointsPerCpuSecond: points / cpu, points, seconds: elapsed, startMB, endMB };
}

async function commitLatency(): Promise<{ sizeMB: number; medianMs: number; p95Ms: number; cpuMedianMs: number }[]> {
  const out: { sizeMB: number; medianMs: number; p95Ms: number; cpuMedianMs: number }[] = [];
  for (const target of QUICK ? [1, 10] : [1, 10, 100]) {
    const store = await openStore(`latency-${target}`);
    const run = await store.createRun({ experimentId: '0' });
    await fill(store, run.info.runId, target * MB);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < (target >= 100 ? 7 : 15); i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      await setTag(store, run.info.runId, 'bench.note', `commit ${i}`);
      times.push(performance.now() - t);
      cpu.push(cpuMs(c));
    }
    out.push({ sizeMB: sizeOf(store.database.path) / MB, medianMs: median(times), p95Ms: p95(times), cpuMedianMs: median(cpu) });
    await store.close();
  }
  return out;
}

async function search(): Promise<{ runs: number; returned: number; medianMs: number; p95Ms: number; cpuMedianMs: number }> {
  const store = await openStore('search');
  const exp = await store.createExperiment('search-bench');
  const N = 10_000;
  // Bulk setup straight into MLflow's tables (10,000 createRun calls would time the setup, not the search).
  await store.database.write((db) => {
    const now = Date.now();
    const runStmt = db.prepare(
      "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', '', 'FINISHED', ?, ?, '', 'active', '', ?)",
    );
    const metric = db.prepare('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)');
    const latest = db.prepare('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, 0, 0, ?)');
    const param = db.prepare('INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?)');
    const tag = db.prepare('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)');
    for (let i = 0; i < N; i++) {
      const id = randomUUID().replace(/-/g, '');
      runStmt.run([id, `run-${i}`, now + i, now + i + 1000, Number(exp)]);
      for (const [k, v] of [['acc', i / N], ['loss', 1 - i / N], ['f1', Math.random()]] as const) {
        metric.run([k, v, now + i, id]);
        latest.run([k, v, now + i, id]);
      }
      for (const [k, v] of [['model', i % 2 ? 'rf' : 'knn'], ['n_estimators', String(100 + (i % 7))], ['seed', String(i)]]) param.run([k, v!, id]);
      tag.run(['mlflow.runName', `run-${i}`, id]);
    }
    for (const s of [runStmt, metric, latest, param, tag]) s.free();
  });
  const times: number[] = [];
  const cpu: number[] = [];
  let returned = 0;
  for (let i = 0; i < 30; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const page = await store.searchRuns({ experimentIds: [exp], filter: 'metrics.acc >= 0.99', maxResults: 1000, orderBy: ['metrics.acc DESC'] });
    times.push(performance.now() - t);
    cpu.push(cpuMs(c));
    returned = page.items.length;
  }
  await store.close();
  return { runs: N, returned, medianMs: median(times.slice(5)), p95Ms: p95(times.slice(5)), cpuMedianMs: median(cpu.slice(5)) };
}

async function openTime(): Promise<{ sizeMB: number; medianMs: number; cpuMedianMs: number }> {
  const file = join(root, QUICK ? 'latency-10' : 'latency-100', 'mlflow.db');
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const db = await StoreDatabase.open(file);
    times.push(performance.now() - t);
    cpu.push(cpuMs(c));
    await db.close();
  }
  return { sizeMB: sizeOf(file) / MB, medianMs: median(times), cpuMedianMs: median(cpu) };
}

function pythonPeer(): { one_commit_per_call: number; batched_1000: number } | undefined {
  if (!existsSync('/usr/bin/python3') || !existsSync(SCHEMA_SQL)) return undefined;
  try {
    const out = execFileSync('/usr/bin/python3', [join(__dirname, '..', '..', 'bench', 'store', 'peer_sqlite.py'), SCHEMA_SQL, QUICK ? '1' : '2']).toString();
    return JSON.parse(out) as { one_commit_per_call: number; batched_1000: number };
  } catch (e) {
    console.error(`python peer failed: ${(e as Error).message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const t = performance.now();
  await loadSqlJs();
  const wasmMs = performance.now() - t;
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`store bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}${QUICK ? ', --quick' : ''}; sql.js wasm init ${fmt(wasmMs)} ms; load average at start ${load()}`);
  const buffered = await bufferedLogging();
  const latency = await commitLatency();
  const searched = await search();
  const opened = await openTime();
  const peer = pythonPeer();

  const rows: [string, string, string, string, string][] = [
    ['measure', 'ModelOps (sql.js)', 'target', "Python sqlite3, MLflow's tables (stand-in peer, measured here)", 'MLflow 2.10.2 (reference figure from the issue, not measured here)'],
    [
      `buffered metric logging, ${fmt(buffered.startMB, 1)}→${fmt(buffered.endMB, 1)} MB store`,
      `${fmt(buffered.pointsPerSecond)} points/s (${fmt(buffered.pointsPerCpuSecond)} per CPU-s)`,
      '≥ 150,000 points/s',
      peer ? `${fmt(peer.batched_1000)} points/s batched (1000/commit)` : 'n/a',
      '~15,000 points/s batched',
    ],
    ['one metric per call, durable', `${fmt(1000 / (latency[0]?.medianMs ?? NaN))} calls/s (1 MB)`, '', peer ? `${fmt(peer.one_commit_per_call)} calls/s` : 'n/a', '~220 calls/s'],
    ...latency.map((l): [string, string, string, string, string] => [
      `durable commit latency, ${fmt(l.sizeMB, 1)} MB store`,
      `${fmt(l.medianMs, 1)} ms median, ${fmt(l.p95Ms, 1)} ms p95 (CPU ${fmt(l.cpuMedianMs, 1)} ms)`,
      Math.round(l.sizeMB) === 10 ? '≤ 100 ms' : '',
      '',
      '',
    ]),
    [`searchRuns, ${fmt(searched.runs)} runs, metric filter → ${searched.returned} runs`, `${fmt(searched.medianMs, 1)} ms median, ${fmt(searched.p95Ms, 1)} ms p95 (CPU ${fmt(searched.cpuMedianMs, 1)} ms)`, '≤ 20 ms', '', ''],
    [`open a ${fmt(opened.sizeMB, 1)} MB store`, `${fmt(opened.medianMs)} ms median (CPU ${fmt(opened.cpuMedianMs)} ms)`, '', '', ''],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => c.padEnd(widths[j]!)).join(' | ').trimEnd());
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
  console.log(`load average at end ${load()} — on a busy machine wall times inflate; the CPU figures much less.`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  const result = { date: new Date().toISOString(), quick: QUICK, wasmMs, buffered, latency, searched, opened, peer };
  writeFileSync(join('bench', 'results', `store-${Date.now()}.json`), JSON.stringify(result, null, 2));
  rmSync(root, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  rmSync(root, { recursive: true, force: true });
  process.exit(1);
});
