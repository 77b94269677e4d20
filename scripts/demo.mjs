// The README's first command: build, then run the main job on the bundled example data —
// train an ensemble on the churn data, register it (validated into Staging), approve it into
// Production, and score the data with models:/churn/Production.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

function run(cmd, args) {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function capture(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r.stdout;
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
  const acc = m.accuracy > m.baseline_accuracy ? `accuracy ${f(m.accuracy)} beats the majority class's ${f(m.baseline_accuracy)}` : `accuracy ${f(m.accuracy)} does not beat always predicting the majority class (${f(m.baseline_accuracy)}) on this imbalanced target`;
  return `demo: approved on ${auc}; ${acc}`;
}

if (newest.currentStage === 'Staging') {
  const comment = approvalComment(newest.runId);
  console.log(`\n${comment}`);
  run('node', [...cli, 'promote', '--name', 'churn', '--version', String(newest.version), '--to', 'Production', '--approve', '--comment', comment]);
} else {
  console.log(`\nversion ${newest.version} stayed in ${newest.currentStage}: see its validation report above`);
}
run('node', [...cli, 'predict', '--model', 'models:/churn/Production', '--data', 'examples/churn.csv', '--out', 'examples/out/churn-predictions.csv', '--proba']);
run('node', [...cli, 'models', 'history', 'churn']);
console.log('\nOpen the same store with MLflow: mlflow ui --backend-store-uri sqlite:///examples/.modelops/mlflow.db');
