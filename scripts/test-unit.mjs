// Runs every compiled unit test file with node's test runner (Node 20 has no --test globs), once
// on this Node and, when it lacks node:sqlite, again on the Node 24 the harness bootstraps: the
// store suites are parametrized over the engines a runtime has, so both engines are always tested.
//
// usage: node scripts/test-unit.mjs [filter]   (filter: part of a test file's path)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, ensureUnitTestPackages } from './bootstrap-vscode.mjs';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function hasNodeSqlite(node) {
  return spawnSync(node, ['-e', "require('node:sqlite')"], { stdio: 'ignore' }).status === 0;
}

/** Runs the files on `node`, echoing the spec output; resolves to the runner's own counts. */
function runOn(node, files, env) {
  return new Promise((resolve) => {
    const child = spawn(node, ['--test', '--test-reporter=spec', ...files], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (code) => {
      const count = (what) => Number([...out.matchAll(new RegExp(`ℹ ${what} (\\d+)`, 'g'))].at(-1)?.[1] ?? NaN);
      resolve({ code: code ?? 1, pass: count('pass'), fail: count('fail') });
    });
  });
}

const filter = process.argv[2];
const files = find('out/test/unit')
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('no unit test files found under out/test/unit');
  process.exit(1);
}
// The pyfunc loader's tests score with Debian's python3-numpy/-pandas/-scipy (apt-get when missing, as chromium).
ensureUnitTestPackages();
const runtimes = [
  { label: `Node ${process.versions.node}`, node: process.execPath, engines: hasNodeSqlite(process.execPath) ? 'node:sqlite and sql.js' : 'sql.js', env: {} },
];
if (!hasNodeSqlite(process.execPath)) {
  // sql.js ran above: on Node 24 the engine-parametrized suites run on node:sqlite only.
  const { node24 } = bootstrap({ codeServer: false, browser: false, vsce: false });
  runtimes.push({ label: 'Node 24', node: node24, engines: 'node:sqlite', env: { MODELOPS_TEST_ENGINES: 'sqlite' } });
}
const results = [];
for (const r of runtimes) {
  console.log(`\n--- unit tests on ${r.label} (store engines: ${r.engines}) ---`);
  results.push({ ...r, ...(await runOn(r.node, files, r.env)) });
}
console.log('\n--- unit tests ---');
for (const r of results) console.log(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.label} (${r.engines}): ${r.pass} passed, ${r.fail} failed`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
