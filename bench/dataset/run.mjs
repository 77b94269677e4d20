// `node bench/run.mjs dataset [megabytes]` (after `npm run build`): peak memory of `modelops train`
// on a generated CSV (200 MB by default: 20 numeric columns, 2 categorical, a label) beside the
// parsed numeric matrix and beside pandas + scikit-learn fitting the same forest on the same file.
// Target (issue 19): peak at most 2× the parsed numeric matrix (rows × numeric columns × 8 bytes).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const megabytes = Number(process.argv[2] ?? 200);
const NUMERIC = 20;
const cli = resolve('dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('bench/dataset: build first (npm run build)');
  process.exit(1);
}

/** Rows of a fixed-seed synthetic classification problem until the file reaches the size asked. */
function generate(path, bytes) {
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const plans = ['basic', 'plus', 'pro', 'team'];
  const regions = ['us', 'eu', 'apac'];
  const fd = openSync(path, 'w');
  const header = [...Array.from({ length: NUMERIC }, (_, i) => `x${i}`), 'plan', 'region', 'label'].join(',') + '\n';
  writeSync(fd, header);
  let written = header.length;
  let rows = 0;
  while (written < bytes) {
    const lines = [];
    for (let k = 0; k < 2000; k++) {
      const x = Array.from({ length: NUMERIC }, gauss);
      const plan = plans[Math.floor(rand() * plans.length)];
      const score = x[0] + 0.8 * x[1] - 0.5 * x[2] + (plan === 'pro' ? 0.7 : 0) + 0.3 * gauss();
      lines.push(`${x.map((v) => v.toFixed(5)).join(',')},${plan},${regions[Math.floor(rand() * 3)]},${score > 0 ? 'yes' : 'no'}\n`);
    }
    const chunk = lines.join('');
    writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
    rows += lines.length;
  }
  closeSync(fd);
  return rows;
}

function ours(dir, data) {
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ rf: { nEstimators: 10, maxDepth: 10 } }));
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      '--require',
      resolve('bench', 'dataset', 'maxrss.cjs'),
      cli,
      'train',
      '--data',
      data,
      '--target',
      'label',
      '--models',
      'rf',
      '--params',
      join(dir, 'params.json'),
      '--cv',
      '0',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`modelops train failed:\n${r.stderr}`);
  const kb = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)?.[1]);
  return { kb, seconds: (performance.now() - t0) / 1000, accuracy: /^accuracy\s+(\S+)/m.exec(r.stdout)?.[1] };
}

function peer(data) {
  const r = spawnSync('/usr/bin/python3', [resolve('bench', 'dataset', 'peer_pandas.py'), data, 'label'], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').at(-1) };
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return { kb: j.maxrss_kb, seconds: j.seconds };
}

const dir = mkdtempSync(join(tmpdir(), 'modelops-bench-dataset-'));
try {
  const data = join(dir, 'big.csv');
  process.stderr.write(`generating ${megabytes} MB of CSV...\n`);
  const rows = generate(data, megabytes * 1024 * 1024);
  const mb = (kb) => (kb / 1024).toFixed(0);
  const matrix64 = (rows * NUMERIC * 8) / 1048576;
  const matrix32 = (rows * NUMERIC * 4) / 1048576;
  process.stderr.write(`${rows.toLocaleString('en')} rows; running modelops train (rf, 10 trees, depth 10, --cv 0)...\n`);
  const o = ours(dir, data);
  process.stderr.write('running pandas + scikit-learn...\n');
  const p = peer(data);
  console.log(`file ${(statSync(data).size / 1048576).toFixed(0)} MB, ${rows} rows × ${NUMERIC} numeric + 2 categorical columns`);
  console.log(`parsed numeric matrix: ${matrix64.toFixed(0)} MB as float64 (${matrix32.toFixed(0)} MB as the float32 columns modelops keeps)`);
  const engine = process.versions.node.split('.')[0] >= 22 ? 'node:sqlite' : 'sql.js';
  console.log(
    `modelops train   peak RSS ${mb(o.kb)} MB = ${(o.kb / 1024 / matrix64).toFixed(2)}× the float64 matrix, ${o.seconds.toFixed(1)} s, accuracy ${o.accuracy} (Node ${process.versions.node}, store engine ${engine})`,
  );
  if (p.error) console.log(`pandas + sklearn  not run: ${p.error}`);
  else console.log(`pandas + sklearn  peak RSS ${mb(p.kb)} MB = ${(p.kb / 1024 / matrix64).toFixed(2)}× the float64 matrix, ${p.seconds.toFixed(1)} s`);
  const met = o.kb / 1024 <= 2 * matrix64;
  console.log(`target: peak ≤ 2× the parsed numeric matrix (${(2 * matrix64).toFixed(0)} MB): ${met ? 'MET' : 'MISSED'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
