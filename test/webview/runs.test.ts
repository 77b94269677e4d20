import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fixture, OpenPanel } from './harness';
import { Harness } from './harness';
import type { RunsTableData, TableSpec } from './run-builders';
import { aRunsState, generateRunsTable, stateFor } from './run-builders';

function fixtureFor(data: RunsTableData, extra: Partial<Fixture> = {}, state = stateFor(data)): Fixture {
  return { initial: { kind: 'notification', method: 'runs/state', params: state }, runs: data, ...extra };
}

async function openTable(
  harness: Harness,
  spec: TableSpec,
  extra: Partial<Fixture> = {},
  theme: 'dark' | 'light' = 'dark',
): Promise<{ panel: OpenPanel; data: RunsTableData }> {
  const data = generateRunsTable(spec);
  const panel = await harness.open('runs', fixtureFor(data, extra), theme);
  await panel.waitFor(`document.querySelector('[data-testid="counts"]')?.textContent.startsWith('${data.rows.length.toLocaleString('en-US')} run')`);
  return { panel, data };
}

const requests = async (panel: OpenPanel, method: string) => (await panel.posted()).filter((m) => m.kind === 'request' && m.method === method);
const text = (panel: OpenPanel, testId: string) => panel.page.textContent(`[data-testid="${testId}"]`);
/** Types into the filter box (the text field's input lives in its shadow root, which locators pierce). */
const typeFilter = (panel: OpenPanel, value: string) => panel.page.locator('[data-testid="filter"] input').fill(value);
const rowIds = (panel: OpenPanel): Promise<string[]> => panel.page.evaluate(`[...document.querySelectorAll('.grid-body .row')].map((r) => r.dataset.runId)`);

describe('runs table in Chromium', () => {
  let harness: Harness;
  before(async () => {
    harness = await Harness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  test('says it is ready first, then pulls the rows the host announces, a page at a time', async () => {
    const { panel } = await openTable(harness, { runs: 700 }, { changesPage: 250 });
    const posted = await panel.posted();
    assert.deepEqual(posted[0], { kind: 'notification', method: 'webview/ready', params: { protocol: 1 } });
    const pulls = await requests(panel, 'runs/changes');
    assert.deepEqual(
      pulls.map((p) => p.params?.since),
      [0, 250, 500],
    );
    assert.match((await text(panel, 'counts')) ?? '', /^700 runs/);
    assert.match((await text(panel, 'title')) ?? '', /Runs of iris/);
    await panel.close();
  });

  test('an empty experiment says how runs get there instead of an empty grid', async () => {
    const data = generateRunsTable({ runs: 0 });
    const panel = await harness.open('runs', fixtureFor(data, {}, aRunsState({ experimentName: 'empty' })));
    await panel.page.waitForSelector('[data-testid="empty"]');
    assert.match((await text(panel, 'empty')) ?? '', /No runs in this experiment yet/);
    assert.equal(await panel.page.locator('[data-testid="runs-grid"]').isVisible(), false);
    await panel.screenshot('runs-empty-dark');
    await panel.close();
  });

  test('10,000 runs × 200 columns draw only the cells in view, and scroll to the last run and the last column', async () => {
    const { panel, data } = await openTable(harness, { runs: 10_000, params: 100, metrics: 90, tags: 10, nest: 10 });
    const cells = await panel.page.locator('.grid .cell').count();
    assert.ok(cells > 50 && cells < 2500, `${cells} cells in the DOM`);
    assert.equal(await panel.page.getAttribute('[data-testid="runs-grid"]', 'aria-colcount'), String(6 + 90 + 100));
    // Nested runs (every 10th run is a parent) are under their parents: 1,000 top-level rows.
    assert.equal(await panel.page.getAttribute('[data-testid="runs-grid"]', 'aria-rowcount'), String(1000 + 1));
    await panel.page.$eval('[data-testid="runs-grid"]', (g) => g.scrollTo(0, g.scrollHeight));
    await panel.waitFor(`[...document.querySelectorAll('.grid-body .row')].some((r) => r.dataset.runId === '${data.rows[9990]!.runId}')`);
    await panel.page.$eval('[data-testid="runs-grid"]', (g) => g.scrollTo(g.scrollWidth, g.scrollHeight));
    await panel.waitFor(`document.querySelector('.grid-header [data-column="param:param_099"]') !== null`);
    assert.equal(await panel.page.locator('.grid-header [data-column="metric:accuracy"]').count(), 0, 'columns scrolled past are not built');
    assert.equal(await panel.page.locator('.grid-body .row .cell.pinned').first().isVisible(), true, 'the run name stays at the left edge');
    assert.deepEqual(await panel.cspViolations(), []);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('hostile strings in every field are shown as text, never run, and are neutralised in CSV', async () => {
    const { panel } = await openTable(harness, { runs: 40, params: 6, metrics: 4, tags: 4, hostile: true }, { replies: { 'clipboard/write': {} } });
    const names = await panel.page.$$eval('.run-link', (links) => links.map((l) => l.textContent ?? ''));
    assert.ok(
      names.some((n) => n.startsWith('<img src=x onerror=alert(1)>')),
      names.slice(0, 3).join(' | '),
    );
    assert.equal(await panel.page.locator('img, script:not([src])').count(), 0);
    const headers = await panel.page.$$eval('.grid-header .cell', (cells) => cells.map((c) => c.textContent ?? ''));
    assert.ok(
      headers.some((h) => h === '=HYPERLINK("http://evil.example","click")metric_002'),
      headers.join(' | '),
    );
    await panel.page.click('[data-testid="copy-csv"]');
    await panel.waitFor(`/Copied 40 runs as CSV/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')`);
    const csv = String((await requests(panel, 'clipboard/write'))[0]?.params?.text);
    const lines = csv.split('\n');
    assert.match(lines[0]!, /^run_id,Run,Status,Started,Duration \(s\),User,Source,metrics\./);
    // A cell that starts with = + - @ tab or CR is prefixed with ' (and quoted when it holds a quote or comma).
    assert.ok(csv.includes(`"'=HYPERLINK(""http://evil.example"",""click"")`), 'the formula is neutralised');
    assert.ok(csv.includes("'@SUM(A1:A9)"));
    assert.ok(csv.includes("'\tTAB"));
    assert.ok(!/(^|,)[=+@\t]/m.test(csv.replace(/"[^"]*"/g, '')), 'no unquoted cell starts a formula');
    assert.deepEqual(panel.dialogs, []);
    assert.deepEqual(panel.errors, []);
    assert.deepEqual(await panel.cspViolations(), []);
    await panel.close();
  });

  test('a filter goes to the host in MLflow grammar; its matches are shown and plain words search run names', async () => {
    const data = generateRunsTable({ runs: 50 });
    const filter = "metrics.accuracy > 0.9 and params.model = 'rf'";
    const matches = data.rows.filter((r) => r.mv[0]! > 0.9 && r.pv[0] === 'rf').map((r) => r.runId);
    const panel = await harness.open(
      'runs',
      fixtureFor(data, { filters: { [filter]: matches, "attributes.run_name ILIKE '%run-1%'": ['run000001', 'run000010'] } }),
    );
    await panel.page.waitForSelector('.grid-body .row');
    await typeFilter(panel, filter);
    await panel.page.locator('[data-testid="filter"] input').press('Enter');
    await panel.waitFor(`document.querySelector('[data-testid="counts"]')?.textContent.includes('${matches.length} match')`);
    assert.deepEqual((await rowIds(panel)).sort(), [...matches].sort());
    assert.deepEqual(
      (await requests(panel, 'runs/filter')).map((r) => r.params?.filter),
      [filter],
    );
    await typeFilter(panel, 'run-1');
    await panel.page.locator('[data-testid="filter"] input').press('Enter');
    await panel.waitFor(`document.querySelector('[data-testid="counts"]')?.textContent.includes('2 match')`);
    assert.equal((await requests(panel, 'runs/filter')).at(-1)?.params?.filter, "attributes.run_name ILIKE '%run-1%'");
    await panel.close();
  });

  test("a filter the store refuses shows the parser's message with its caret and keeps the rows shown", async () => {
    const message = "Invalid filter at column 18: expected a comparator, got 'accuracy'\n  metrics.accuracy accuracy\n                   ^";
    const data = generateRunsTable({ runs: 20 });
    const panel = await harness.open(
      'runs',
      fixtureFor(data, { filters: { 'metrics.accuracy accuracy': { error: { code: 'INVALID_PARAMETER_VALUE', message } } } }),
    );
    await panel.page.waitForSelector('.grid-body .row');
    await typeFilter(panel, 'metrics.accuracy accuracy');
    await panel.page.click('[data-testid="apply-filter"]');
    await panel.page.waitForSelector('[data-testid="filter-error"]:not(:empty)');
    assert.equal(await text(panel, 'filter-error'), message);
    const font = await panel.page.evaluate(`getComputedStyle(document.querySelector('[data-testid="filter-error"]')).whiteSpace`);
    assert.equal(font, 'pre', 'the caret stays under the column it points at');
    assert.equal((await rowIds(panel)).length, 20);
    await panel.screenshot('runs-filter-error-dark');
    await panel.close();
  });

  test('any column sorts, ascending then descending then back, missing values last', async () => {
    const { panel, data } = await openTable(harness, { runs: 25, metrics: 3 });
    const header = panel.page.locator('.grid-header [data-column="metric:log_loss"] button');
    await header.click();
    await panel.page.waitForSelector('.grid-header [data-column="metric:log_loss"][aria-sort="ascending"]');
    const value = (id: string) => data.rows.find((r) => r.runId === id)!.mv[1] ?? null;
    const asc = (await rowIds(panel)).map(value);
    const present = asc.filter((v): v is number => v !== null);
    assert.deepEqual(
      present,
      [...present].sort((a, b) => a - b),
    );
    assert.equal(asc.indexOf(null), present.length, 'NaN (missing) sorts last');
    await header.click();
    await panel.page.waitForSelector('.grid-header [data-column="metric:log_loss"][aria-sort="descending"]');
    const desc = (await rowIds(panel)).map(value).filter((v): v is number => v !== null);
    assert.deepEqual(
      desc,
      [...desc].sort((a, b) => b - a),
    );
    await header.click();
    await panel.page.waitForSelector('.grid-header [data-column="metric:log_loss"][aria-sort="none"]');
    await panel.close();
  });

  test('nested runs sit under their parent, which expands and collapses', async () => {
    const { panel } = await openTable(harness, { runs: 20, nest: 5 });
    assert.deepEqual(await rowIds(panel), ['run000000', 'run000005', 'run000010', 'run000015']);
    assert.equal(await panel.page.textContent('.row[data-run-id="run000000"] .child-count'), '4');
    await panel.page.click('.row[data-run-id="run000000"] .twisty');
    await panel.waitFor(`document.querySelectorAll('.row[data-depth="1"]').length === 4`);
    assert.deepEqual((await rowIds(panel)).slice(0, 6), ['run000000', 'run000001', 'run000002', 'run000003', 'run000004', 'run000005']);
    await panel.page.click('[data-testid="expand-all"]');
    await panel.waitFor(`document.querySelectorAll('.row[data-depth="1"]').length === 16`);
    await panel.close();
  });

  test('the column chooser hides and shows columns, asks the host for min/max, and the view is remembered', async () => {
    const data = generateRunsTable({ runs: 10, metrics: 2, tags: 2 });
    const ranges = { key: 'accuracy', runIds: data.rows.map((r) => r.runId), min: data.rows.map(() => 0.5), max: data.rows.map(() => 0.99) };
    const panel = await harness.open('runs', fixtureFor(data, { replies: { 'runs/metricRange': ranges } }));
    await panel.page.waitForSelector('.grid-body .row');
    await panel.page.click('[data-testid="columns"]');
    await panel.page.waitForSelector('[data-testid="column-chooser"]');
    await panel.page.click('[data-testid="column-chooser"] input[data-column="param:n_estimators"]');
    await panel.page.click('[data-testid="column-chooser"] input[data-column="metric:accuracy:max"]');
    await panel.page.click('[data-testid="column-chooser"] input[data-column="tag:team"]');
    await panel.waitFor(`document.querySelector('.grid-header [data-column="param:n_estimators"]') === null`);
    await panel.waitFor(`document.querySelector('.grid-header [data-column="metric:accuracy:max"]') !== null`);
    assert.deepEqual(
      (await requests(panel, 'runs/metricRange')).map((r) => r.params),
      [{ key: 'accuracy' }],
    );
    await panel.waitFor(`[...document.querySelectorAll('.grid-body .row')][0]?.textContent.includes('0.99')`);
    await panel.screenshot('runs-column-chooser-dark');
    await panel.page.keyboard.press('Escape');
    await panel.waitFor(`window.__posted.some((m) => m.method === 'runs/view' && m.params.view.hidden.includes('param:n_estimators'))`);
    const view = (await panel.posted()).filter((m) => m.method === 'runs/view').at(-1)?.params?.view as { shown: string[]; hidden: string[] };
    assert.deepEqual(view.hidden, ['param:n_estimators']);
    assert.deepEqual([...view.shown].sort(), ['metric:accuracy:max', 'tag:team']);
    const saved = (await panel.page.evaluate('window.__saved')) as { view: { hidden: string[] } };
    assert.deepEqual(saved.view.hidden, ['param:n_estimators']);
    await panel.close();
    // Reopened with the view the host remembered for this experiment.
    const again = await harness.open(
      'runs',
      fixtureFor(
        data,
        {},
        stateFor(data, { view: { shown: [], hidden: ['param:n_estimators'], sort: { column: 'attr:name', direction: 'desc' }, filter: '' } }),
      ),
    );
    await again.page.waitForSelector('.grid-header [data-column="attr:name"][aria-sort="descending"]');
    assert.equal(await again.page.locator('.grid-header [data-column="param:n_estimators"]').count(), 0);
    await again.close();
  });

  test('a selection is compared, registered or deleted through the host; keyboard selection works too', async () => {
    const { panel } = await openTable(harness, { runs: 12 }, { replies: { 'runs/delete': { deleted: ['run000002'], message: 'Deleted 1 run.' } } });
    await panel.page.click('.row[data-run-id="run000001"] .cell:not(.pinned) >> nth=0');
    await panel.page.click('.row[data-run-id="run000003"] .cell:not(.pinned) >> nth=0', { modifiers: ['Shift'] });
    await panel.waitFor(`document.querySelectorAll('.row.selected').length === 3`);
    assert.equal(await panel.page.locator('[data-testid="register"][disabled]').count(), 1, 'Register takes one run');
    await panel.page.click('[data-testid="compare"]');
    await panel.waitFor(`window.__posted.some((m) => m.method === 'runs/compare')`);
    assert.deepEqual((await requests(panel, 'runs/compare'))[0]?.params, { runIds: ['run000001', 'run000002', 'run000003'] });
    await panel.page.locator('[data-testid="runs-grid"]').focus();
    await panel.page.keyboard.press('Home');
    await panel.page.keyboard.press('Space');
    await panel.waitFor(`document.querySelectorAll('.row.selected').length === 4`);
    await panel.page.keyboard.press('Enter');
    await panel.waitFor(`window.__posted.some((m) => m.method === 'runs/openRun')`);
    assert.deepEqual((await requests(panel, 'runs/openRun'))[0]?.params, { runId: 'run000000' });
    await panel.page.click('.row[data-run-id="run000002"] .cell:not(.pinned) >> nth=0');
    await panel.waitFor(
      `document.querySelectorAll('.row.selected').length === 1 && !document.querySelector('[data-testid="register"]').hasAttribute('disabled')`,
    );
    await panel.page.click('[data-testid="delete"]');
    await panel.waitFor(`/Deleted 1 run/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')`);
    assert.deepEqual((await requests(panel, 'runs/delete'))[0]?.params, { runIds: ['run000002'] });
    await panel.close();
  });

  test('Register and Delete stay off in a restricted (read-only) window', async () => {
    const data = generateRunsTable({ runs: 5 });
    const panel = await harness.open('runs', fixtureFor(data, {}, stateFor(data, { writable: false })));
    await panel.page.click('.row[data-run-id="run000001"] .cell:not(.pinned) >> nth=0');
    await panel.waitFor(`document.querySelectorAll('.row.selected').length === 1`);
    assert.equal(await panel.page.locator('[data-testid="register"][disabled]').count(), 1);
    assert.equal(await panel.page.locator('[data-testid="delete"][disabled]').count(), 1);
    assert.equal(await panel.page.locator('[data-testid="compare"][disabled]').count(), 0);
    await panel.close();
  });

  test('follows the store: a new run appears and a deleted one goes when the host announces a new stamp', async () => {
    const { panel, data } = await openTable(harness, { runs: 5 });
    const fresh = { ...data.rows[0]!, runId: 'fresh0001', runName: 'just-trained', startTime: data.rows[0]!.startTime + 60_000 };
    const stamp = Number(await panel.page.evaluate(`window.__runsPush(${JSON.stringify(fresh)}) && window.__runsRemove('run000004')`));
    await panel.deliver({ kind: 'notification', method: 'runs/state', params: stateFor(data, { stamp, loaded: 5 }) });
    await panel.waitFor(`document.querySelector('.row[data-run-id="fresh0001"]') !== null && document.querySelector('.row[data-run-id="run000004"]') === null`);
    assert.equal((await rowIds(panel))[0], 'fresh0001', 'the newest run comes first');
    assert.deepEqual((await requests(panel, 'runs/changes')).at(-1)?.params, { since: 5, limit: 2000 });
    await panel.close();
  });

  test('the host can apply a sort and select a run, which is scrolled to with its parent open', async () => {
    const { panel } = await openTable(harness, { runs: 400, nest: 4 });
    await panel.deliver({ kind: 'notification', method: 'runs/apply', params: { sort: { column: 'attr:start', direction: 'asc' }, select: ['run000398'] } });
    await panel.waitFor(`document.querySelector('.row[data-run-id="run000398"].selected') !== null`);
    assert.equal(await panel.page.getAttribute('.grid-header [data-column="attr:start"]', 'aria-sort'), 'ascending');
    assert.equal(await panel.page.getAttribute('.row[data-run-id="run000398"]', 'data-depth'), '1');
    await panel.close();
  });

  test('a malformed message from the host is refused and reported, keeping the rows', async () => {
    const { panel } = await openTable(harness, { runs: 3 });
    await panel.deliver({ kind: 'notification', method: 'runs/state', params: { ...aRunsState(), stamp: 'many' } });
    await panel.waitFor(`/malformed message/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')`);
    assert.match((await text(panel, 'status')) ?? '', /runs\/state\.stamp: expected a finite number/);
    assert.equal((await rowIds(panel)).length, 3);
    await panel.close();
  });

  test('screenshots in the dark and light themes', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const { panel } = await openTable(harness, { runs: 240, params: 12, metrics: 8, tags: 3, nest: 6, t0: Date.now() - 600_000 }, {}, theme);
      await panel.page.click('.row[data-run-id="run000000"] .twisty');
      await panel.page.click('.row[data-run-id="run000002"] .cell:not(.pinned) >> nth=0');
      await panel.page.click('.row[data-run-id="run000004"] .cell:not(.pinned) >> nth=0', { modifiers: ['Control'] });
      await panel.page.locator('.grid-header [data-column="metric:accuracy"] button').click();
      await panel.page.locator('.grid-header [data-column="metric:accuracy"] button').click();
      await panel.waitFor(`document.querySelectorAll('.row.selected').length === 2`);
      assert.deepEqual(panel.errors, []);
      await panel.screenshot(`runs-table-${theme}`);
      await panel.close();
    }
  });
});
