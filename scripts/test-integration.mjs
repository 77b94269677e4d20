// Integration tier: the mocha suite in test/integration/ runs inside a real VS Code extension host
// (code-server 4.139.1 = VS Code 1.139.1), loaded through the smoke-test driver's URL payload exactly
// as @vscode/test-electron passes extensionDevelopmentPath / extensionTestsPath to VS Code desktop.
// Machines that can download VS Code can run the same suite with test/integration/run-electron.ts.
//
// usage: node scripts/test-integration.mjs [--no-build] [--grep <pattern>]
import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, CACHE, ROOT } from './bootstrap-vscode.mjs';
import { runInExtensionHost } from './vscode-host.mjs';

const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : process.env.MODELOPS_TEST_GREP;
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
if (!existsSync(testsPath)) {
  console.error(`missing ${testsPath}: did compile-tests run?`);
  process.exit(1);
}

// A fresh workspace each run: the suite copies fixture stores into it as it goes.
const runDir = join(CACHE, 'integration');
const workspace = join(runDir, 'workspace');
rmSync(workspace, { recursive: true, force: true });
mkdirSync(workspace, { recursive: true });
cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });

const hostLog = createWriteStream(join(runDir, 'host.log'));
let code;
try {
  code = await runInExtensionHost({
    root: ROOT,
    testsPath,
    workspace,
    serverDir: join(runDir, 'server'),
    env: { MODELOPS_TEST_GREP: grep ?? '', MODELOPS_TEST_WORKSPACE: workspace },
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
  console.error('integration run failed:', e);
  code = 2;
}
hostLog.end();
process.exit(code);
