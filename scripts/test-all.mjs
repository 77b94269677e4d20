// `npm test`: every tier in order; fails when any tier fails. Tiers that need code-server or
// Chromium bootstrap them on first run (see scripts/bootstrap-vscode.mjs).
import { spawnSync } from 'node:child_process';

const tiers = [
  ['type check', 'npm', ['run', '-s', 'check-types']],
  ['lint', 'npm', ['run', '-s', 'lint']],
  // Fetches Node 24, code-server, vsce and Debian's packages on the first run (cached after).
  ['bootstrap (Node 24, VS Code host, browser)', 'node', ['scripts/bootstrap-vscode.mjs']],
  // On this Node (sql.js) and on Node 24 (node:sqlite and sql.js).
  ['unit (both store engines)', 'npm', ['run', '-s', 'test:unit']],
  ['webview (panels in headless chromium)', 'node', ['test/webview/run.mjs', '--no-build']],
  ['integration (VS Code extension host)', 'node', ['scripts/test-integration.mjs', '--no-build']],
  ['e2e (.vsix in code-server)', 'node', ['scripts/test-e2e.mjs', '--no-compile']],
];

const results = [];
for (const [name, cmd, args] of tiers) {
  console.log(`\n=== ${name} ===`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  results.push({ name, ok: r.status === 0, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
}
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds}s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`tiers: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
