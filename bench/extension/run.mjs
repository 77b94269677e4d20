// `npm run bench -- extension`: activation time and the time to list 10,000 runs in the
// Experiments tree, measured inside a real VS Code extension host (code-server, as the
// integration tier), beside a raw SQLite read of the same page with Python's sqlite3 as the floor.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, CACHE, ROOT } from '../../scripts/bootstrap-vscode.mjs';
import { runInExtensionHost } from '../../scripts/vscode-host.mjs';

const N = Number(process.argv[2] || 10_000);
bootstrap();
for (const [cmd, args] of [
  ['npm', ['run', '-s', 'build']],
  ['npm', ['run', '-s', 'compile-tests']],
]) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.warn(`${cmd} ${args.join(' ')} reported errors; continuing with what was built`);
}
const dir = join(CACHE, 'bench-extension');
const workspace = join(dir, 'workspace');
rmSync(workspace, { recursive: true, force: true });
mkdirSync(join(workspace, '.modelops'), { recursive: true });
const store = join(workspace, '.modelops', 'mlflow.db');
const { makeStore } = await import(join(ROOT, 'out', 'bench', 'extension', 'make-store.js'));
let t = Date.now();
await makeStore(store, N);
console.log(`store with ${N} runs written in ${((Date.now() - t) / 1000).toFixed(1)}s: ${store}`);

console.log(`\nModelOps extension in code-server ${'4.139.1'} (VS Code 1.139.1), ${N} runs in one experiment:`);
const code = await runInExtensionHost({
  root: ROOT,
  testsPath: join(ROOT, 'out', 'bench', 'extension', 'host.js'),
  workspace,
  serverDir: join(dir, 'server'),
  timeoutMs: 600_000,
  onLog: (line) => {
    if (line.startsWith('[bench] ')) console.log(line.slice(8));
  },
});

// The floor: the same first page straight from SQLite (no sql.js, no tree), in Python.
const py = `
import sqlite3, time
t = time.perf_counter()
c = sqlite3.connect(${JSON.stringify(store)})
rows = c.execute("""SELECT r.run_uuid, r.name, r.status, r.start_time, m.value FROM runs r
  LEFT JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = 'accuracy'
  WHERE r.lifecycle_stage = 'active' ORDER BY r.start_time DESC LIMIT 100""").fetchall()
t1 = time.perf_counter()
allrows = c.execute("SELECT run_uuid, name FROM runs ORDER BY start_time DESC").fetchall()
t2 = time.perf_counter()
print(f"{'peer: python sqlite3, first 100 runs (open + query)':52} {(t1 - t) * 1000:9.1f} ms")
print(f"{'peer: python sqlite3, all run ids and names':52} {(t2 - t1) * 1000:9.1f} ms  {len(allrows)} rows")
`;
t = Date.now();
const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
process.stdout.write(r.status === 0 ? r.stdout : `(python3 sqlite3 peer unavailable: ${r.stderr.trim().split('\n').pop()})\n`);
process.exit(code);
