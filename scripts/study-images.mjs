// The README's two study panel pictures (docs/images/webview-study-dark.png, webview-study-plots-dark.png):
// the built page in headless chromium (the browser tests' harness) on a made-up 120-trial study of
// five ensemble params, so the plots show something to read.
// usage: npm run -s build && npm run -s compile-tests && node scripts/study-images.mjs
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Harness } = require('../out/test/webview/harness.js');

const N = 120;
const NAMES = ['rf.nEstimators', 'rf.maxDepth', 'rf.minSamplesLeaf', 'knn.nNeighbors', 'knn.weights'];
const CATEGORIES = { 'rf.maxDepth': ['none', '6', '12', '24'], 'knn.weights': ['uniform', 'distance'] };
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

function trialsOf() {
  return Array.from({ length: N }, (_, i) => {
    const p = {
      'rf.nEstimators': 50 * (1 + Math.floor(rand() * 6)),
      'rf.maxDepth': CATEGORIES['rf.maxDepth'][Math.floor(rand() * 4)],
      'rf.minSamplesLeaf': 1 + Math.floor(rand() * 8),
      'knn.nNeighbors': Math.round(Math.exp(rand() * Math.log(30))),
      'knn.weights': rand() < 0.5 ? 'uniform' : 'distance',
    };
    // An objective two params drive: a peak at minSamplesLeaf 2 and nNeighbors 7.
    const v = 0.9 + 0.05 * Math.exp(-((p['rf.minSamplesLeaf'] - 2) ** 2) / 6) - 0.02 * Math.abs(Math.log(p['knn.nNeighbors'] / 7)) + 0.01 * rand();
    const state = i === N - 1 ? 'RUNNING' : i % 7 === 3 ? 'PRUNED' : i % 23 === 5 ? 'FAIL' : 'COMPLETE';
    const value = state === 'COMPLETE' ? { value: v } : state === 'PRUNED' ? { value: v - 0.05 } : {};
    return { number: i, state, params: NAMES.map((n) => [n, String(p[n])]), raw: p, v, ...value, durationMs: 1200 + i * 3 };
  });
}

function stateOf(trials) {
  const complete = trials.filter((t) => t.state === 'COMPLETE');
  let best = null;
  const values = trials.map((t) => (t.state === 'COMPLETE' ? t.value : null));
  const bests = values.map((v) => (best = v !== null && (best === null || v > best) ? v : best));
  const bestTrial = [...complete].sort((a, b) => b.value - a.value)[0].number;
  const axis = (n) =>
    CATEGORIES[n]
      ? {
          name: n,
          scale: 'categorical',
          min: 0,
          max: CATEGORIES[n].length - 1,
          categories: CATEGORIES[n],
          positions: complete.map((t) => CATEGORIES[n].indexOf(t.raw[n])),
        }
      : {
          name: n,
          scale: n === 'knn.nNeighbors' ? 'log' : 'numeric',
          min: n === 'rf.nEstimators' ? 50 : 1,
          max: { 'rf.nEstimators': 300, 'knn.nNeighbors': 30, 'rf.minSamplesLeaf': 8 }[n],
          categories: [],
          positions: complete.map((t) => t.raw[n]),
        };
  const reporting = trials.filter((t) => t.state === 'COMPLETE' || t.state === 'PRUNED');
  const folds = [0, 1, 2, 3, 4];
  const intermediate = {
    steps: folds,
    lines: reporting.map((t) => ({
      number: t.number,
      state: t.state,
      values: folds.map((f) => (t.state === 'PRUNED' && f > 1 ? null : t.v - 0.03 + 0.015 * Math.sin(f + t.number) - (t.state === 'PRUNED' ? 0.05 : 0))),
    })),
  };
  const summary = {
    name: 'churn-churned',
    metric: 'accuracy',
    direction: 'maximize',
    sampler: 'tpe',
    pruner: 'median',
    trials: N,
    complete: complete.length,
    runId: 'r'.repeat(32),
    best: trials[bestTrial].value,
  };
  const importance = [
    ['rf.minSamplesLeaf', 0.52, 0.48],
    ['knn.nNeighbors', 0.31, 0.35],
    ['rf.maxDepth', 0.09, 0.08],
    ['rf.nEstimators', 0.05, 0.06],
    ['knn.weights', 0.03, 0.03],
  ].map(([param, pedAnova, fanova]) => ({ param, pedAnova, fanova }));
  return {
    status: 'ready',
    studies: [summary, { ...summary, name: 'iris-species', trials: 30, complete: 27, best: 0.967 }],
    detail: {
      study: summary,
      trials: trials.map(({ raw: _raw, v: _v, ...t }) => t),
      bestTrial,
      history: { numbers: trials.map((t) => t.number), values, best: bests },
      importance,
      intermediate,
      plots: { numbers: complete.map((t) => t.number), values: complete.map((t) => t.value), params: NAMES.map(axis) },
      actions: { registerRun: { runId: 'b'.repeat(32), runName: 'churn-churned-best', trial: bestTrial } },
    },
  };
}

const harness = await Harness.start();
try {
  const panel = await harness.open('study', { initial: { kind: 'notification', method: 'study/state', params: stateOf(trialsOf()) } }, 'dark');
  await panel.page.setViewportSize({ width: 1100, height: 900 });
  await panel.page.waitForSelector('[data-testid="parallel-chart"]');
  await panel.waitFor(`document.body.dataset.chart === 'drawn'`);
  const top = async (testId) => (await panel.page.locator(`[data-testid="${testId}"]`).boundingBox()).y;
  const plots = await top('slices');
  const end = await panel.page.locator('section[aria-label="Trials"]').boundingBox();
  for (const [name, y, height] of [
    ['webview-study-dark', 0, (await top('importance')) - 16],
    ['webview-study-plots-dark', plots - 8, end.y - plots],
  ]) {
    await panel.page.screenshot({ path: `docs/images/${name}.png`, fullPage: true, clip: { x: 0, y, width: 1100, height } });
    console.log(`docs/images/${name}.png`);
  }
  if (panel.errors.length) throw new Error(panel.errors.join('\n'));
  await panel.close();
} finally {
  await harness.stop();
}
