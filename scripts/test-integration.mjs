// Integration tier: the mocha suite in test/integration/ runs inside a real VS Code extension host
// (code-server 4.139.1 = VS Code 1.139.1), loaded through the smoke-test driver's URL payload exactly
// as @vscode/test-electron passes extensionDevelopmentPath / extensionTestsPath to VS Code desktop.
// Machines that can download VS Code can run the same suite with test/integration/run-electron.ts.
//
// Several host runs, one window each (test/integration/host-runs.ts): the main suite on a folder,
// a multi-root `.code-workspace`, and a folder opened in Restricted Mode.
//
// usage: node scripts/test-integration.mjs [--no-build] [--grep <pattern>] [--run <id>]
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bootstrap, CACHE, ROOT } from './bootstrap-vscode.mjs';
import { runInExtensionHost } from './vscode-host.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const grep = option('--grep') ?? process.env.MODELOPS_TEST_GREP;
const only = option('--run') ?? process.env.MODELOPS_TEST_RUN;
const REPORT_PREFIX = '[mocha] '; // as in test/integration/index.ts
const TIMEOUT_MS = Number(process.env.MODELOPS_INT_TIMEOUT_MS || 600_000);

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  return r.status === 0;
}

bootstrap();
if (!argv.includes('--no-build')) {
  // Another layer's work in progress may break the CLI bundle; the extension bundle is built in the same
  // run, and the unit tier reports a broken build.
  if (!step('npm', ['run', '-s', 'build'])) console.warn('build reported errors; testing the extension bundle that was built');
  // tsc still emits when some other layer has type errors; the type-check tier reports those.
  if (!step('npm', ['run', '-s', 'compile-tests'])) console.warn('compile-tests reported errors (see the type check tier); running what compiled');
}
const testsPath = join(ROOT, 'out', 'test', 'integration', 'index.js');
const runsModule = join(ROOT, 'out', 'test', 'integration', 'host-runs.js');
for (const f of [testsPath, runsModule]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}: did compile-tests run?`);
    process.exit(1);
  }
}

// Fresh workspaces each run, with the stores some runs open on already built (compiled TS, CommonJS).
const runDir = join(CACHE, 'integration');
mkdirSync(runDir, { recursive: true });
const { prepareHostRuns, SUITE_ENV } = createRequire(import.meta.url)(runsModule);
const runs = (await prepareHostRuns(ROOT, runDir)).filter((r) => !only || r.id === only);
if (runs.length === 0) {
  console.error(`no host run '${only}'`);
  process.exit(1);
}

const hostLog = createWriteStream(join(runDir, 'host.log'));
const results = [];
for (const run of runs) {
  console.log(`\n--- host run: ${run.id}${run.restricted ? ' (Restricted Mode)' : ''} ---`);
  hostLog.write(`\n--- host run: ${run.id} ---\n`);
  const t0 = Date.now();
  // One server folder per run, its user data fresh each time: trust decisions and editor state never
  // carry over from one run (or one invocation) to the next.
  const serverDir = join(runDir, run.id === 'folder' ? 'server' : `server-${run.id}`);
  rmSync(join(serverDir, 'user'), { recursive: true, force: true });
  let code;
  try {
    code = await runInExtensionHost({
      root: ROOT,
      testsPath,
      workspace: 'folder' in run.open ? run.open.folder : undefined,
      workspaceFile: 'workspaceFile' in run.open ? run.open.workspaceFile : undefined,
      restricted: run.restricted,
      serverDir,
      env: {
        MODELOPS_TEST_GREP: grep ?? '',
        [SUITE_ENV]: run.suite,
        MODELOPS_TEST_WORKSPACE: 'folder' in run.open ? run.open.folder : run.open.workspaceFile,
      },
      timeoutMs: TIMEOUT_MS,
      // Mocha's lines (prefixed in test/integration/index.ts) go to stdout; the workbench's own
      // chatter goes to the host log unless VERBOSE is set.
      onLog: (line) => {
        if (line.startsWith(REPORT_PREFIX)) console.log(line.slice(REPORT_PREFIX.length));
        else if (process.env.VERBOSE) console.log(line);
        else hostLog.write(`${line}\n`);
      },
    });
  } catch (e) {
    console.error(`host run ${run.id} failed:`, e);
    code = 2;
  }
  results.push({ id: run.id, code, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
}
hostLog.end();
console.log('\n--- host runs ---');
for (const r of results) console.log(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.id} (${r.seconds}s)`);
process.exit(results.every((r) => r.code === 0) ? 0 : results.find((r) => r.code !== 0).code);
