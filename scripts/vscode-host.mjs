// Starts and stops code-server (a real VS Code with a Node extension host) and headless Chromium
// for the integration and e2e tiers. Every server binds 127.0.0.1, runs in its own process group
// (detached = setsid) and is stopped by `kill -- -PID`, so no extension host outlives a run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { node24Env, paths } from './bootstrap-vscode.mjs';

const started = new Set();

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  // Give the group a moment, then make sure nothing lingers.
  spawnSync('sleep', ['0.5']);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
}

function killAll() {
  for (const pid of started) killGroup(pid);
  started.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Environment with HOME and XDG folders inside `dir`, so the user's own VS Code state never leaks in. */
export function isolatedEnv(dir, extra = {}) {
  const home = join(dir, 'home');
  for (const d of ['', '.config', '.local/share', '.cache']) mkdirSync(join(home, d), { recursive: true });
  return node24Env({
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    ...extra,
  });
}

/** User settings that keep the workbench to what the tests look at (no welcome page, chat or git prompts). */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

function codeServerArgs(dir) {
  return [
    paths.codeServer,
    '--user-data-dir',
    join(dir, 'user'),
    '--extensions-dir',
    join(dir, 'exts'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
  ];
}

/** `code-server --install-extension <vsix>` into `dir`'s extensions folder. */
export function installExtension(dir, vsix) {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(paths.node24, [...codeServerArgs(dir), '--config', '/dev/null', '--install-extension', vsix], {
    env: isolatedEnv(dir),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Starts code-server serving on a free 127.0.0.1 port; resolves when /healthz answers.
 * `dir` holds its config, user data, extensions and log.
 */
export async function startCodeServer(dir, { extraArgs = [], env = {}, workspaceTrust = false, settings = {} } = {}) {
  mkdirSync(join(dir, 'user', 'User'), { recursive: true });
  writeFileSync(join(dir, 'user', 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  const port = await freePort();
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logFile = join(dir, 'server.log');
  const out = openSync(logFile, 'w');
  const args = [...codeServerArgs(dir), '--config', config, ...(workspaceTrust ? [] : ['--disable-workspace-trust']), ...extraArgs];
  const child = spawn(paths.node24, args, {
    env: isolatedEnv(dir, env),
    detached: true, // own session and process group (setsid)
    stdio: ['ignore', out, out],
  });
  started.add(child.pid);
  const base = `http://127.0.0.1:${port}`;
  const server = {
    base,
    port,
    pid: child.pid,
    logFile,
    stop() {
      if (started.delete(child.pid)) killGroup(child.pid);
    },
  };
  let exited = false;
  child.on('exit', () => (exited = true));
  for (let i = 0; i < 480; i++) {
    if (exited) break;
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.stop();
  throw new Error(`code-server did not start; log ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
}

/** Headless Debian Chromium with a throwaway profile. */
export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'modelops-pw-')), {
    executablePath: paths.chromium,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * User settings of a Restricted Mode run: trust on, and no startup dialog (a modal would block the
 * workbench, and nobody is there to answer it), so the window opens untrusted.
 */
export const RESTRICTED_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
};

/**
 * Loads `testsPath` (a module exporting run(), as for @vscode/test-electron) into a real extension
 * host: code-server with the smoke-test driver, opened on `workspace` (a folder) or `workspaceFile`
 * (a `.code-workspace` file: multi-root) in headless Chromium, with the project as the development
 * extension. `restricted` starts code-server with workspace trust on, so the window is untrusted.
 * Resolves to the exit code run() produced (0 = ok). `onLog(line)` receives every log line of the
 * extension host.
 */
export async function runInExtensionHost({ root, testsPath, workspace, workspaceFile, restricted = false, serverDir, env = {}, timeoutMs = 600_000, onLog }) {
  const t0 = Date.now();
  const server = await startCodeServer(serverDir, {
    extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    env,
    workspaceTrust: restricted,
    settings: restricted ? RESTRICTED_SETTINGS : {},
  });
  console.log(`code-server pid ${server.pid} on ${server.base} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  let browser;
  let timer;
  try {
    browser = await launchBrowser();
    const page = browser.pages()[0] ?? (await browser.newPage());
    let exit;
    const done = new Promise((r) => (exit = r));
    // The workbench calls these when the smoke-test driver is on: the extension host's log lines
    // and the exit code once run() settles.
    await page.exposeFunction('codeAutomationExit', (c) => exit(c));
    await page.exposeFunction('codeAutomationLog', (_type, args) => onLog(format(...(Array.isArray(args) ? args : [args]))));
    if (process.env.VERBOSE) page.on('console', (m) => console.log('[page]', m.text()));
    const auth = new URL(server.base).host;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${auth}${root}`],
      ['extensionTestsPath', `vscode-remote://${auth}${testsPath}`],
    ];
    const open = workspaceFile ? `workspace=${encodeURIComponent(workspaceFile)}` : `folder=${encodeURIComponent(workspace)}`;
    await page.goto(`${server.base}/?${open}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeout = new Promise((r) => {
      timer = setTimeout(() => {
        console.error(`TIMEOUT: the extension host did not report within ${timeoutMs / 1000}s (server log: ${server.logFile})`);
        r(124);
      }, timeoutMs);
    });
    const code = await Promise.race([done, timeout]);
    console.log(`extension host exited with code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return code;
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    server.stop();
  }
}
