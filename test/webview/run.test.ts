import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunPage } from '../../src/shared/run-protocol';
import type { Fixture, OpenPanel } from './harness';
import { Harness } from './harness';
import { aRunPage, aRunState, anImagePreview, HOSTILE_STRINGS, manyMetricsRun } from './run-builders';

function fixtureFor(run: RunPage = aRunPage(), extra: Partial<Fixture> = {}, writable = true): Fixture {
  return { initial: { kind: 'notification', method: 'run/state', params: aRunState(run, { writable }) }, ...extra };
}

const ARTIFACTS = {
  '': [
    { path: 'model', isDir: true, size: null },
    { path: 'plots', isDir: true, size: null },
    { path: 'confusion_matrix.json', isDir: false, size: 120 },
    { path: 'predictions.csv', isDir: false, size: 2048 },
    { path: 'weights.bin', isDir: false, size: 9_000_000 },
  ],
  model: [
    { path: 'model/MLmodel', isDir: false, size: 900 },
    { path: 'model/model.json', isDir: false, size: 50_000 },
  ],
  plots: [{ path: 'plots/roc.svg', isDir: false, size: 300 }],
};

const PREVIEWS = {
  'confusion_matrix.json': { path: 'confusion_matrix.json', kind: 'json', size: 120, text: '{\n  "labels": [\n    "setosa"\n  ]\n}' },
  'predictions.csv': {
    path: 'predictions.csv',
    kind: 'csv',
    size: 2048,
    text: '',
    csv: {
      header: ['id', 'prediction'],
      rows: [
        ['1', '<b>setosa</b>'],
        ['2', '=1+1'],
      ],
    },
  },
  'weights.bin': { path: 'weights.bin', kind: 'external', size: 9_000_000, message: 'This file has no preview here; open it in the editor.' },
  'model/MLmodel': {
    path: 'model/MLmodel',
    kind: 'mlmodel',
    size: 900,
    text: 'flavors:\n  modelops_ensemble: {}\n',
    mlmodel: {
      flavors: ['modelops_ensemble', 'python_function'],
      inputs: [
        { name: 'sepal_length', type: 'double', required: true },
        { name: 'species_hint', type: 'string', required: false },
      ],
      outputs: [{ name: 'species', type: 'string', required: true }],
      runId: 'a1b2',
      created: '2026-01-02 09:31:00',
    },
  },
  'plots/roc.svg': anImagePreview('plots/roc.svg'),
};

async function openRun(harness: Harness, fixture: Fixture, theme: 'dark' | 'light' = 'dark'): Promise<OpenPanel> {
  const panel = await harness.open('run', fixture, theme);
  await panel.page.waitForSelector('body[data-state="ready"] [data-testid="run-name"]');
  return panel;
}

async function showTab(panel: OpenPanel, id: string): Promise<void> {
  await panel.page.click(`vscode-tab-header[data-tab="${id}"]`);
  await panel.page.waitForSelector(`vscode-tab-panel[data-panel="${id}"] > *`);
}

const requests = async (panel: OpenPanel, method: string) => (await panel.posted()).filter((m) => m.kind === 'request' && m.method === method);

describe('run page in Chromium', () => {
  let harness: Harness;
  before(async () => {
    harness = await Harness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  test('says it is ready first, then shows the overview: status, times, duration, user, source, parent, tags', async () => {
    const panel = await openRun(harness, fixtureFor());
    assert.deepEqual((await panel.posted())[0], { kind: 'notification', method: 'webview/ready', params: { protocol: 1 } });
    const overview = (await panel.page.textContent('[data-testid="overview"]')) ?? '';
    for (const part of ['FINISHED', '1 min 12 s', 'alice', 'modelops train (LOCAL)', 'iris-species-study', 'iris', 'a1b2c3d4e5f60718293a4b5c6d7e8f90'])
      assert.ok(overview.includes(part), `overview shows ${part}: ${overview}`);
    assert.match((await panel.page.textContent('[data-testid="tags"]')) ?? '', /modelops\.task\s*classification/);
    await panel.page.click('[data-testid="overview"] button.link >> text=iris-species-study');
    await panel.waitFor(`window.__posted.some((m) => m.method === 'run/openRun')`);
    assert.deepEqual((await requests(panel, 'run/openRun'))[0]?.params, { runId: 'p0000000000000000000000000000001' });
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('hostile strings in every field are shown as text and never run', async () => {
    const h = (i: number) => HOSTILE_STRINGS[i % HOSTILE_STRINGS.length]!;
    const run = aRunPage({
      runName: h(0),
      experimentName: h(1),
      userId: h(2),
      source: h(3),
      note: h(4),
      parent: { runId: 'p1', runName: h(5) },
      tags: HOSTILE_STRINGS.map((s, i) => ({ key: s, value: h(i + 1) })),
      params: HOSTILE_STRINGS.map((s, i) => ({ key: s, value: h(i + 2) })),
      metrics: HOSTILE_STRINGS.map((s, i) => ({ key: s, value: i, step: i, timestamp: 0 })),
      datasets: [{ name: h(0), digest: h(1), sourceType: h(2), source: h(3), context: h(4), profileText: h(5) }],
      versions: [{ name: h(0), version: '1', stage: 'None', aliases: [h(1)] }],
    });
    const panel = await openRun(harness, fixtureFor(run));
    assert.equal(await panel.page.textContent('[data-testid="run-name"]'), HOSTILE_STRINGS[0]);
    for (const tab of ['params', 'metrics', 'datasets', 'versions']) await showTab(panel, tab);
    assert.equal(await panel.page.locator('img, iframe, object, embed').count(), 0);
    assert.ok(((await panel.page.textContent('[data-testid="params"]')) ?? '').includes('"><script>alert(2)</script>'));
    assert.deepEqual(panel.dialogs, []);
    assert.deepEqual(panel.errors, []);
    assert.deepEqual(await panel.cspViolations(), []);
    await panel.close();
  });

  test('the note is edited and saved as the mlflow.note.content tag; read-only when changes are not allowed', async () => {
    const panel = await openRun(harness, fixtureFor(aRunPage(), { replies: { 'run/saveNote': { message: 'Saved the note.' } } }));
    await panel.page.locator('[data-testid="note"] textarea').fill('Best so far; try more trees.');
    await panel.page.click('[data-testid="save-note"]');
    await panel.waitFor(`window.__posted.some((m) => m.method === 'run/saveNote')`);
    assert.deepEqual((await requests(panel, 'run/saveNote'))[0]?.params, { text: 'Best so far; try more trees.' });
    await panel.close();
    const readOnly = await openRun(harness, fixtureFor(aRunPage(), {}, false));
    assert.equal(await readOnly.page.locator('[data-testid="save-note"]').count(), 0);
    assert.equal(await readOnly.page.locator('[data-testid="note"][readonly]').count(), 1);
    await readOnly.close();
  });

  test('1,000 metrics of 1,000 steps: charts are drawn only near the window, their histories fetched for those alone', async () => {
    const panel = await openRun(harness, fixtureFor(manyMetricsRun(1000), { historySteps: 1000 }));
    await showTab(panel, 'metrics');
    await panel.page.waitForSelector('body[data-charts-drawn]');
    assert.equal(await panel.page.locator('[data-testid="metrics-table"] tbody tr').count(), 1000);
    assert.equal(await panel.page.locator('[data-testid="metric-charts"] figure').count(), 1000);
    const drawn = await panel.page.locator('[data-testid="metric-charts"] canvas').count();
    assert.ok(drawn > 0 && drawn < 60, `${drawn} charts drawn`);
    const asked = (await requests(panel, 'run/metricHistories')).flatMap((r) => (r.params?.keys as string[]) ?? []);
    assert.ok(asked.length < 100, `${asked.length} histories fetched`);
    assert.ok(asked.includes('metric_0000'));
    // The last metric's chart is drawn once scrolled to (from the table).
    await panel.page.click('[data-testid="metrics-table"] tr[data-key="metric_0999"] button');
    await panel.waitFor(`document.querySelector('figure[data-key="metric_0999"] canvas') !== null`);
    assert.equal(await panel.page.locator('figure[data-key="metric_0000"] canvas').count(), 0, 'charts far out of view are released');
    assert.deepEqual(await panel.cspViolations(), []);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('charts switch between step, relative time and wall time', async () => {
    const panel = await openRun(harness, fixtureFor());
    await showTab(panel, 'metrics');
    await panel.page.waitForSelector('figure[data-key="accuracy"] canvas');
    await panel.page.click('.segmented button[data-axis="relative"]');
    await panel.page.waitForSelector('.segmented button[data-axis="relative"][aria-checked="true"]');
    await panel.page.waitForSelector('figure[data-key="accuracy"] canvas');
    assert.equal((await panel.page.evaluate('window.__saved')) !== undefined, true);
    assert.equal(((await panel.page.evaluate('window.__saved')) as { xAxis: string }).xAxis, 'relative');
    await panel.close();
  });

  test('the artifact browser lists folders when opened and previews JSON, CSV, MLmodel and images; other files open in the editor', async () => {
    const panel = await openRun(harness, fixtureFor(aRunPage(), { artifacts: ARTIFACTS, previews: PREVIEWS }));
    await showTab(panel, 'artifacts');
    await panel.page.waitForSelector('[data-testid="artifact-tree"][data-loaded]');
    await panel.page.click('[data-testid="artifact:confusion_matrix.json"]');
    await panel.page.waitForSelector('[data-testid="artifact-preview"][data-kind="json"]');
    assert.match((await panel.page.textContent('[data-testid="text-preview"]')) ?? '', /"labels"/);
    await panel.page.click('[data-testid="artifact:predictions.csv"]');
    await panel.page.waitForSelector('[data-testid="csv-preview"]');
    assert.deepEqual(await panel.page.locator('[data-testid="csv-preview"] td').allTextContents(), ['1', '<b>setosa</b>', '2', '=1+1']);
    await panel.page.click('[data-testid="artifact:model"]');
    await panel.page.waitForSelector('[data-testid="artifact:model/MLmodel"]');
    await panel.page.click('[data-testid="artifact:model/MLmodel"]');
    await panel.page.waitForSelector('[data-testid="mlmodel"]');
    const mlmodel = (await panel.page.textContent('[data-testid="mlmodel"]')) ?? '';
    assert.match(mlmodel, /modelops_ensemble, python_function/);
    assert.match(mlmodel, /sepal_length\s*double\s*yes/);
    assert.match(mlmodel, /species_hint\s*string\s*no/);
    await panel.page.click('[data-testid="artifact:plots"]');
    await panel.page.click('[data-testid="artifact:plots/roc.svg"]');
    await panel.page.waitForSelector('img.artifact-image');
    await panel.waitFor(`document.querySelector('img.artifact-image').complete && document.querySelector('img.artifact-image').naturalWidth > 0`);
    assert.deepEqual(panel.dialogs, [], 'the SVG’s script does not run');
    await panel.page.click('[data-testid="artifact:weights.bin"]');
    await panel.waitFor(`window.__posted.some((m) => m.method === 'run/openArtifact')`);
    assert.deepEqual((await requests(panel, 'run/openArtifact'))[0]?.params, { path: 'weights.bin' });
    assert.deepEqual(await panel.cspViolations(), []);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('the host can open the page at an artifact, which is previewed at once', async () => {
    const panel = await openRun(harness, fixtureFor(aRunPage(), { artifacts: ARTIFACTS, previews: PREVIEWS }));
    await panel.deliver({ kind: 'notification', method: 'run/reveal', params: { artifact: 'model/MLmodel' } });
    await panel.page.waitForSelector('[data-testid="mlmodel"]');
    assert.equal(await panel.page.getAttribute('vscode-tabs', 'selected-index'), '4');
    await panel.close();
  });

  test('datasets show digest, schema and profile; model versions link to the Models view', async () => {
    const panel = await openRun(harness, fixtureFor());
    await showTab(panel, 'datasets');
    const dataset = (await panel.page.textContent('[data-testid="dataset"]')) ?? '';
    assert.match(dataset, /91eb642c/);
    assert.match(dataset, /training/);
    assert.match((await panel.page.textContent('[data-testid="profile"]')) ?? '', /sepal_length\s*numeric\s*0\s*4\.3\s*7\.9/);
    await showTab(panel, 'versions');
    await panel.page.click('[data-testid="versions"] button.link');
    await panel.waitFor(`window.__posted.some((m) => m.method === 'run/openVersion')`);
    assert.deepEqual((await requests(panel, 'run/openVersion'))[0]?.params, { name: 'iris', version: '2' });
    await panel.close();
  });

  test('a run that is gone says so, with a retry', async () => {
    const panel = await harness.open('run', {
      initial: { kind: 'notification', method: 'run/state', params: { status: 'error', writable: false, message: 'Run abc is not in the store (any more).' } },
    });
    await panel.page.waitForSelector('[data-testid="error"]');
    assert.match((await panel.page.textContent('[data-testid="error"]')) ?? '', /not in the store/);
    await panel.close();
  });

  test('screenshots in the dark and light themes', async () => {
    const run = aRunPage({
      metrics: [...aRunPage().metrics, { key: 'roc_auc', value: 0.9956, step: 4, timestamp: 0 }, { key: 'rf_accuracy', value: 0.96, step: 4, timestamp: 0 }],
    });
    for (const theme of ['dark', 'light'] as const) {
      const panel = await openRun(harness, fixtureFor(run, { artifacts: ARTIFACTS, previews: PREVIEWS, historySteps: 60 }), theme);
      await panel.screenshot(`run-overview-${theme}`);
      await showTab(panel, 'metrics');
      await panel.page.waitForSelector('body[data-charts-drawn="5"]');
      await panel.screenshot(`run-metrics-${theme}`);
      await showTab(panel, 'artifacts');
      await panel.page.click('[data-testid="artifact:model"]');
      await panel.page.click('[data-testid="artifact:model/MLmodel"]');
      await panel.page.waitForSelector('[data-testid="mlmodel"]');
      await panel.screenshot(`run-artifacts-${theme}`);
      assert.deepEqual(panel.errors, []);
      await panel.close();
    }
  });
});
