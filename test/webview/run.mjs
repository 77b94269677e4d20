// The webview tier: the built panel bundles in headless Debian chromium, driven by playwright-core.
// On a fresh machine it installs chromium with apt-get when running as root (otherwise it stops
// with the command to run), builds the bundles and compiles the tests unless --no-build is given.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CHROMIUM = process.env.MODELOPS_CHROMIUM ?? '/usr/bin/chromium';

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`webview tier: '${cmd} ${args.join(' ')}' failed`);
    process.exit(1);
  }
}

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() === 0) {
    console.log(`webview tier: ${CHROMIUM} is missing; installing Debian's chromium`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update'], env);
    run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], env);
  } else {
    console.error(`webview tier: ${CHROMIUM} is missing. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium`);
    process.exit(1);
  }
}

if (!process.argv.includes('--no-build') || !existsSync('dist/webview/compare.js') || !existsSync('out/test/webview/harness.js')) {
  run('npm', ['run', '-s', 'build']);
  run('npm', ['run', '-s', 'compile-tests']);
}

const dir = 'out/test/webview';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => join(dir, f));
if (files.length === 0) {
  console.error(`webview tier: no test files in ${dir}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
