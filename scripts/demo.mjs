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
if (newest.currentStage === 'Staging') {
  run('node', [...cli, 'promote', '--name', 'churn', '--version', String(newest.version), '--to', 'Production', '--approve', '--comment', 'demo: approved after reviewing the validation report']);
} else {
  console.log(`\nversion ${newest.version} stayed in ${newest.currentStage}: see its validation report above`);
}
run('node', [...cli, 'predict', '--model', 'models:/churn/Production', '--data', 'examples/churn.csv', '--out', 'examples/out/churn-predictions.csv', '--proba']);
run('node', [...cli, 'models', 'history', 'churn']);
console.log('\nOpen the same store with MLflow: mlflow ui --backend-store-uri sqlite:///examples/.modelops/mlflow.db');
