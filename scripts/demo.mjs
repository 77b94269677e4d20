// The README's first command: build, then run the main job on the bundled example data.
import { spawnSync } from 'node:child_process';

function run(cmd, args) {
  console.log(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('npm', ['run', '-s', 'build']);
const cli = ['dist/cli.js', '--store', 'examples/.modelops/mlflow.db'];
run('node', [...cli, '--version']);
