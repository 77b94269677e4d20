// The run explorer's pages in headless chromium (bench/webview/run.mjs calls these): the runs table
// at 10,000 runs × 200 columns (first paint, every row in, filter, sort) and the run page with
// 1,000 metrics of 1,000 steps. The fake host answers at once, with JSON round trips as VS Code's
// postMessage makes; the host's own share (the store) is measured by host-runs.ts.

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Resolves once `event` has fired on document and the frame after it is painted: a rAF callback runs
 * before that frame's paint, and a task it queues runs right after the paint (and before work the page
 * queued later, such as the next page of rows).
 */
const afterEvent = (event, start) =>
  `new Promise((done) => {
    let t0 = performance.now();
    ${start ? `document.addEventListener('${start}', (e) => { t0 = e.timeStamp; }, { capture: true, once: true });` : ''}
    document.addEventListener('${event}', () => { const t1 = performance.now(); requestAnimationFrame(() => setTimeout(() => done([t1 - t0, performance.now() - t0]), 0)); }, { once: true });
  })`;

async function cpuMeter(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ProcessTime')?.value ?? NaN;
}

export async function benchRunsTable(harness, { generateRunsTable, stateFor, spec, repeats }) {
  const rows = [];
  for (let round = 0; round <= repeats; round++) {
    // A fresh page each round: first paint is what a user sees on opening the table.
    const panel = await harness.open('runs', { serialize: true }, 'dark', { width: 1400, height: 900 });
    await panel.waitFor('window.__posted.some((m) => m.method === "webview/ready")');
    await panel.page.evaluate(
      ([fn, s]) => {
        window.__runsData = new Function(`return (${fn})`)()(s);
        const ids = window.__runsData.rows.filter((r) => r.mv[0] > 0.85).map((r) => r.runId);
        window.__filterIds = (f) => (f.includes('0.85') ? ids : window.__runsData.rows.filter((r) => r.pv[0] === 'rf').map((r) => r.runId));
      },
      [generateRunsTable.toString(), spec],
    );
    // Building 2 million fixture cells in the page leaves garbage a real host's messages would not:
    // let the collector run before the clock starts.
    await new Promise((r) => setTimeout(r, 3000));
    const cpu = await cpuMeter(panel.page);
    const c0 = await cpu();
    // First paint: the first rows on screen, from the state posted (the rest keep arriving after).
    const first = panel.page.evaluate(afterEvent('modelops:runs-refreshed-rows'));
    await panel.deliver({ kind: 'notification', method: 'runs/state', params: stateFor({ rows: { length: spec.runs } }) });
    const [, firstPaint] = await first;
    const t0 = await panel.page.evaluate('performance.now()');
    await panel.waitFor(`document.body.dataset.loaded === '${spec.runs}'`, 120_000);
    const allRows = (await panel.page.evaluate('performance.now()')) - t0 + firstPaint;
    const loadCpu = ((await cpu()) - c0) * 1000;
    const opCpu = [];
    // From the user's input (the click or the Enter key, as the page received it) to the frame painted
    // after the grid redrew: not the test driver's own checks before it clicks.
    const timeOp = async (act, start) => {
      const done = panel.page.evaluate(afterEvent('modelops:runs-refreshed', start));
      const c = await cpu();
      await act();
      const ms = (await done)[1];
      opCpu.push(((await cpu()) - c) * 1000);
      return ms;
    };
    const filter = [];
    const sort = [];
    for (const f of ['metrics.accuracy > 0.85', "params.model = 'rf'"]) {
      await panel.page.locator('[data-testid="filter"] input').fill(f);
      filter.push(await timeOp(() => panel.page.locator('[data-testid="filter"] input').press('Enter'), 'keydown'));
    }
    await panel.page.locator('[data-testid="filter"] input').fill('');
    await timeOp(() => panel.page.locator('[data-testid="filter"] input').press('Enter'), 'keydown');
    for (const column of ['metric:accuracy', 'metric:accuracy', 'attr:name', 'attr:start']) {
      sort.push(await timeOp(() => panel.page.locator(`.grid-header [data-column="${column}"] button`).click(), 'click'));
    }
    const cells = await panel.page.locator('.grid .cell').count();
    // The first round warms the JIT, the custom elements and the fonts: report the others.
    if (round > 0) rows.push({ firstPaint, allRows, loadCpu, filter: median(filter), sort: median(sort), opCpu: median(opCpu), cells });
    await panel.close();
  }
  return {
    firstPaint: median(rows.map((r) => r.firstPaint)),
    allRows: median(rows.map((r) => r.allRows)),
    loadCpu: median(rows.map((r) => r.loadCpu)),
    filter: median(rows.map((r) => r.filter)),
    sort: median(rows.map((r) => r.sort)),
    opCpu: median(rows.map((r) => r.opCpu)),
    cells: rows[0]?.cells,
  };
}

export async function benchRunPage(harness, { manyMetricsRun, aRunState, metrics, steps, repeats }) {
  const state = aRunState(manyMetricsRun(metrics));
  const overview = [];
  const charts = [];
  const cpus = [];
  let drawn = 0;
  for (let round = 0; round <= repeats; round++) {
    const panel = await harness.open('run', { serialize: true, historySteps: steps }, 'dark', { width: 1400, height: 900 });
    await panel.waitFor('window.__posted.some((m) => m.method === "webview/ready")');
    const cpu = await cpuMeter(panel.page);
    const c0 = await cpu();
    // Opened on the metrics, as from a metric in the tree: the table of 1,000 and the charts in view.
    await panel.deliver({ kind: 'notification', method: 'run/reveal', params: { section: 'metrics' } });
    const done = panel.page.evaluate(afterEvent('modelops:run-drawn'));
    await panel.deliver({ kind: 'notification', method: 'run/state', params: state });
    const [, ms] = await done;
    const c1 = await cpu();
    drawn = await panel.page.locator('[data-testid="metric-charts"] canvas').count();
    await panel.close();
    const plain = await harness.open('run', { serialize: true }, 'dark', { width: 1400, height: 900 });
    await plain.waitFor('window.__posted.some((m) => m.method === "webview/ready")');
    const t = await plain.page.evaluate(
      `new Promise((done) => { const t0 = performance.now(); new MutationObserver((_, o) => { if (document.querySelector('[data-testid="overview"]')) { o.disconnect(); requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0))); } }).observe(document.body, { subtree: true, childList: true }); window.__deliver(${JSON.stringify({ kind: 'notification', method: 'run/state', params: state })}); })`,
    );
    await plain.close();
    if (round > 0) {
      charts.push(ms);
      overview.push(t);
      cpus.push((c1 - c0) * 1000);
    }
  }
  return { metrics, steps, charts: median(charts), overview: median(overview), cpu: median(cpus), drawn };
}
