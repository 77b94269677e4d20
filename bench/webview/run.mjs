// `node bench/run.mjs webview`: time from the comparison state posted to the webview until every
// metric-history chart is drawn (and painted), for 10 / 100 / 500 runs × 5 metrics × 1,000 steps,
// in headless Debian chromium. It uses the browser-test harness compiled to out/ and the built
// bundles in dist/webview (both built here when missing). Not a test: it prints figures.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, cpus } from 'node:os';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
process.chdir(root);
const sizes = (process.argv.find((a) => a.startsWith('--runs=')) ?? '--runs=10,100,500').slice(7).split(',').map(Number);
const steps = Number((process.argv.find((a) => a.startsWith('--steps=')) ?? '--steps=1000').slice(8));
const repeats = Number((process.argv.find((a) => a.startsWith('--repeats=')) ?? '--repeats=5').slice(10));

for (const [file, cmd] of [['dist/webview/compare.js', 'build'], ['out/test/webview/harness.js', 'compile-tests']]) {
  if (!existsSync(file)) {
    const r = spawnSync('npm', ['run', '-s', cmd], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
  }
}

const { Harness } = require(resolve('out/test/webview/harness.js'));
const { manyRuns, METRIC_KEYS, aState } = require(resolve('out/test/webview/builders.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const harness = await Harness.start();
const rows = [];
try {
  for (const n of sizes) {
    const runs = manyRuns(n, 5);
    const panel = await harness.open('compare', {}, 'dark', { width: 1400, height: 900 });
    await panel.page.waitForFunction('window.__posted.some((m) => m.method === "webview/ready")');
    await panel.page.evaluate(([r, keys, s]) => window.__generateHistories(r, keys, s), [runs, METRIC_KEYS.slice(0, 5), steps]);
    const drawn = [];
    const painted = [];
    const cpu = [];
    // CPU time of the page's renderer process: unlike wall time, barely moved by other load.
    const cdp = await panel.page.context().newCDPSession(panel.page);
    await cdp.send('Performance.enable');
    const processTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ProcessTime')?.value ?? NaN;
    for (let i = 0; i < repeats + 1; i++) {
      const cpu0 = await processTime();
      const t = await panel.page.evaluate((state) => {
        return new Promise((done) => {
          const t0 = performance.now();
          document.addEventListener(
            'modelops:charts-drawn',
            () => {
              const t1 = performance.now();
              // Two frames later the canvases are on screen.
              requestAnimationFrame(() => requestAnimationFrame(() => done([t1 - t0, performance.now() - t0])));
            },
            { once: true },
          );
          window.__deliver({ kind: 'notification', method: 'compare/state', params: state });
        });
      }, aState(runs, { message: `round ${i}` })); // a different state each round: the panel skips unchanged ones
      // The first round warms the JIT and the toolkit's styles: report the rest.
      const cpu1 = await processTime();
      if (i > 0) {
        drawn.push(t[0]);
        painted.push(t[1]);
        cpu.push((cpu1 - cpu0) * 1000);
      }
    }
    const charts = await panel.page.locator('[data-testid="history-charts"] canvas').count();
    rows.push({ runs: n, metrics: 5, steps, points: n * 5 * steps, charts, drawnMs: median(drawn), paintedMs: median(painted), cpuMs: median(cpu) });
    await panel.close();
  }
} finally {
  await harness.stop();
}

console.log(`\nRun comparison panel: state posted → all metric-history charts drawn (median of ${repeats}, headless chromium, uPlot)`);
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (shared machines inflate these figures)`);
console.log('runs | metrics × steps | points    | charts | drawn (ms) | painted (ms) | renderer CPU (ms)');
console.log('---- | --------------- | --------- | ------ | ---------- | ------------ | -----------------');
for (const r of rows) {
  console.log(`${String(r.runs).padStart(4)} | ${`5 × ${r.steps}`.padEnd(15)} | ${String(r.points).padStart(9)} | ${String(r.charts).padStart(6)} | ${r.drawnMs.toFixed(0).padStart(10)} | ${r.paintedMs.toFixed(0).padStart(12)} | ${r.cpuMs.toFixed(0).padStart(17)}`);
}
console.log('\nPeer: none runs offline here (MLflow\'s UI needs its server and Plotly); the target is < 1,000 ms at 100 runs.');
