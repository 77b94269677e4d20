// The README's first command: build, then run the main job on the bundled example data —
// train an ensemble on the churn data, register it (validated into Staging), approve it into
// Production, score the data with models:/churn/Production, then run the retraining pipeline
// (examples/modelops.pipeline.json) on next month's customers (→ a new Staging version) and on a
// drifted batch, which it stops at data validation.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

function run(cmd, args, expected = 0) {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== expected) {
    console.error(`\ndemo: expected exit code ${expected}, got ${r.status ?? r.signal}`);
    process.exit(r.status || 1);
  }
}

function capture(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r.stdout;
}

/** Seeded uniform numbers in [0, 1) (mulberry32), so the derived batches are the same on every machine. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Next month's customers (a resample of the example), and a batch from a different population: newer, cheaper, younger. */
function deriveBatches() {
  const [header, ...rows] = readFileSync('examples/churn.csv', 'utf8').trim().split('\n');
  const col = Object.fromEntries(header.split(',').map((h, i) => [h, i]));
  const next = rng(42);
  const resampled = Array.from({ length: 2000 }, (_, i) => {
    const r = rows[Math.floor(next() * rows.length)].split(',');
    r[col.customer_id] = `N${String(i).padStart(5, '0')}`;
    return r;
  });
  const inSegment = (r) => Number(r[col.tenure_months]) < 24 && Number(r[col.monthly_charges]) < 40 && (r[col.age] === '' || Number(r[col.age]) < 45);
  const drifted = rows.map((l) => l.split(',')).filter((r) => next() < (inSegment(r) ? 0.95 : 0.15));
  const write = (file, list) => writeFileSync(file, `${[header, ...list.map((r) => r.join(','))].join('\n')}\n`);
  write('examples/out/churn-next.csv', resampled);
  write('examples/out/churn-drifted.csv', drifted);
  console.log(`\nwrote examples/out/churn-next.csv (${resampled.length} rows) and examples/out/churn-drifted.csv (${drifted.length} rows)`);
}

run('npm', ['run', '-s', 'build']);
mkdirSync('examples/out', { recursive: true });
const cli = ['dist/cli.js', '--store', 'examples/.modelops/mlflow.db'];
run('node', [...cli, 'train', '--data', 'examples/churn.csv', '--target', 'churned', '--experiment', 'churn', '--register', 'churn']);
const models = JSON.parse(capture('node', [...cli, 'models', 'show', 'churn', '--json']));
const versions = models.versions;
const newest = versions.reduce((a, v) => (Number(v.version) > Number(a.version) ? v : a), versions[0]);
/** The approval says what it relies on: churn.csv is imbalanced, so accuracy alone would mislead. */
function approvalComment(runId) {
  const run = JSON.parse(capture('node', [...cli, 'runs', 'show', runId, '--json']));
  const m = Object.fromEntries(run.data.metrics.map((x) => [x.key, x.value]));
  const f = (v) => (typeof v === 'number' ? v.toFixed(4) : 'n/a');
  const auc = `ROC AUC ${f(m.roc_auc)} against ${f(m.baseline_roc_auc)} for any constant guess`;
  const acc =
    m.accuracy > m.baseline_accuracy
      ? `accuracy ${f(m.accuracy)} beats the majority class's ${f(m.baseline_accuracy)}`
      : `accuracy ${f(m.accuracy)} does not beat always predicting the majority class (${f(m.baseline_accuracy)}) on this imbalanced target`;
  return `demo: approved on ${auc}; ${acc}`;
}

if (newest.currentStage === 'Staging') {
  const comment = approvalComment(newest.runId);
  console.log(`\n${comment}`);
  run('node', [...cli, 'promote', '--name', 'churn', '--version', String(newest.version), '--to', 'Production', '--approve', '--comment', comment]);
} else {
  console.log(`\nversion ${newest.version} stayed in ${newest.currentStage}: see its validation report above`);
}
run('node', [
  ...cli,
  'predict',
  '--model',
  'models:/churn/Production',
  '--data',
  'examples/churn.csv',
  '--out',
  'examples/out/churn-predictions.csv',
  '--proba',
]);
run('node', [...cli, 'models', 'history', 'churn']);

deriveBatches();
// The retraining pipeline (scripts/retrain_pipeline.sh runs the same command in CI): exit 0 = a new Staging version.
run('node', [...cli, 'pipeline', 'run', 'examples/modelops.pipeline.json']);
// The drifted batch stops at data validation, exit 3: nothing is trained and the registry is unchanged.
run(
  'node',
  [...cli, 'pipeline', 'run', 'examples/modelops.pipeline.json', '--data', 'examples/out/churn-drifted.csv', '--report', 'examples/out/drifted-report.html'],
  3,
);
console.log('\nThe drifted batch was stopped (exit 3); its report: examples/out/drifted-report.html');
console.log('Open the same store with MLflow: mlflow ui --backend-store-uri sqlite:///examples/.modelops/mlflow.db');
