import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareRun } from '../../src/shared/compare-protocol';
import { aRun, aState, historiesFor, HOSTILE_NAME, manyRuns, METRIC_KEYS } from './builders';
import type { Fixture } from './harness';
import { Harness } from './harness';

function fixtureFor(runs: CompareRun[], steps = 50, extra: Partial<Fixture> = {}): Fixture {
  const histories: Record<string, unknown> = {};
  for (const key of METRIC_KEYS) histories[key] = historiesFor(runs, key, steps);
  return { initial: { kind: 'notification', method: 'compare/state', params: aState(runs) }, histories, ...extra };
}

describe('run comparison panel in Chromium', () => {
  let harness: Harness;
  before(async () => {
    harness = await Harness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  test('says it is ready before anything else and shows a loading state until data arrives', async () => {
    const panel = await harness.open('compare', { initial: { kind: 'notification', method: 'compare/state', params: { status: 'loading', runs: [] } } });
    await panel.page.waitForSelector('body[data-state="loading"]');
    assert.equal(await panel.page.getByText('Loading runs…').count(), 1);
    const posted = await panel.posted();
    assert.deepEqual(posted[0], { kind: 'notification', method: 'webview/ready', params: { protocol: 1 } });
    await panel.close();
  });

  test('an empty store shows how to pick runs instead of an empty table', async () => {
    const panel = await harness.open('compare', fixtureFor([]));
    await panel.page.waitForSelector('[data-testid="empty"]');
    assert.match((await panel.page.textContent('[data-testid="empty"]')) ?? '', /No runs to compare/);
    await panel.screenshot('compare-empty-dark');
    await panel.close();
  });

  test('a run named like an HTML tag is shown as those characters and never runs', async () => {
    const runs = [
      aRun({ runId: 'aaaa1111', runName: HOSTILE_NAME, params: { note: HOSTILE_NAME }, metrics: { accuracy: 0.9 } }),
      aRun({ runId: 'bbbb2222', runName: 'plain', params: { note: 'x' }, metrics: { accuracy: 0.8 } }),
    ];
    const panel = await harness.open('compare', fixtureFor(runs));
    await panel.page.waitForSelector('body[data-charts-drawn]');
    const header = await panel.page.textContent('th[data-run-id="aaaa1111"] .run-name');
    assert.equal(header, HOSTILE_NAME);
    assert.equal(await panel.page.locator('img').count(), 0);
    assert.deepEqual(panel.dialogs, []);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('100 runs render a column each and every metric history chart, with no CSP violation', async () => {
    const runs = manyRuns(100);
    const panel = await harness.open('compare', fixtureFor(runs, 200));
    await panel.page.waitForSelector('body[data-charts-drawn="5"]', { timeout: 20_000 });
    assert.equal(await panel.page.locator('[data-testid="compare-table"] thead th[data-run-id]').count(), 100);
    assert.equal(await panel.page.locator('[data-testid="history-charts"] canvas').count(), 5);
    assert.deepEqual(await panel.cspViolations(), []);
    assert.deepEqual(panel.errors, []);
    await panel.screenshot('compare-100-runs-dark');
    await panel.close();
  });

  test('rows equal in every run are hidden until "only show differences" is unticked', async () => {
    const panel = await harness.open('compare', fixtureFor(manyRuns(3)));
    await panel.page.waitForSelector('[data-testid="compare-table"]');
    const seedRow = panel.page.locator('tr[data-kind="param"][data-key="seed"]');
    assert.equal(await seedRow.count(), 0);
    await panel.page.click('[data-testid="only-differences"]');
    await seedRow.waitFor();
    assert.equal(await seedRow.getAttribute('class'), 'same');
    await panel.close();
  });

  test('the best value of each metric is marked: highest accuracy, lowest loss', async () => {
    const runs = [
      aRun({ runId: 'r1', runName: 'one', metrics: { accuracy: 0.8, log_loss: 0.5 } }),
      aRun({ runId: 'r2', runName: 'two', metrics: { accuracy: 0.9, log_loss: 0.6 } }),
    ];
    const panel = await harness.open('compare', fixtureFor(runs));
    await panel.page.waitForSelector('[data-testid="compare-table"]');
    assert.deepEqual(await panel.page.locator('tr[data-key="accuracy"] td.best').allTextContents(), ['0.9 ★']);
    assert.deepEqual(await panel.page.locator('tr[data-key="log_loss"] td.best').allTextContents(), ['0.5 ★']);
    await panel.close();
  });

  test('runs sort by a metric from the keyboard', async () => {
    const panel = await harness.open('compare', fixtureFor(manyRuns(6)));
    await panel.page.waitForSelector('[data-testid="compare-table"]');
    await panel.page.locator('tr[data-key="accuracy"] button.sort').focus();
    await panel.page.keyboard.press('Enter');
    await panel.page.waitForSelector('tr[data-key="accuracy"] th[aria-sort="ascending"]');
    const values = (await panel.page.locator('tr[data-key="accuracy"] td').allTextContents()).map((t) => Number(t.replace('★', '')));
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
    );
    // Focus stays on the sort button so a second Enter reverses the order.
    await panel.page.keyboard.press('Enter');
    await panel.page.waitForSelector('tr[data-key="accuracy"] th[aria-sort="descending"]');
    await panel.close();
  });

  test('copy as CSV and open artifacts ask the host, and its answer shows in the status line', async () => {
    const runs = manyRuns(2);
    const panel = await harness.open(
      'compare',
      fixtureFor(runs, 10, { replies: { 'compare/openArtifacts': { error: { code: 'RESOURCE_DOES_NOT_EXIST', message: 'No artifacts for run r0000.' } } } }),
    );
    await panel.page.waitForSelector('[data-testid="compare-table"]');
    await panel.page.click('[data-testid="copy-csv"]');
    await panel.waitFor(`/Copied \\d+ rows as CSV/.test((document.querySelector('[data-testid="status"]')?.textContent ?? ''))`);
    await panel.page.locator('th[data-run-id="r0000"] button', { hasText: 'Artifacts' }).click();
    await panel.waitFor(`/No artifacts for run r0000/.test((document.querySelector('[data-testid="status"]')?.textContent ?? ''))`);
    const requests = (await panel.posted()).filter((m) => m.kind === 'request' && m.method !== 'compare/metricHistory');
    assert.deepEqual(
      requests.map((m) => m.method),
      ['clipboard/write', 'compare/openArtifacts'],
    );
    assert.match(String(requests[0].params?.text), /^kind,key,trial-0,trial-1\n/);
    assert.deepEqual(requests[1].params, { runId: 'r0000' });
    await panel.close();
  });

  test('a malformed state from the host is refused and reported, keeping the last good view', async () => {
    const panel = await harness.open('compare', fixtureFor(manyRuns(2)));
    await panel.page.waitForSelector('[data-testid="compare-table"]');
    const bad = JSON.parse(JSON.stringify(aState(manyRuns(2)))) as { runs: { metrics: { value: unknown }[] }[] };
    bad.runs[0].metrics[0].value = 'NaN';
    await panel.deliver({ kind: 'notification', method: 'compare/state', params: bad });
    await panel.waitFor(`/malformed message/.test((document.querySelector('[data-testid="status"]')?.textContent ?? ''))`);
    assert.match((await panel.page.textContent('[data-testid="status"]')) ?? '', /runs\[0\]\.metrics\[0\]\.value/);
    assert.equal(await panel.page.locator('[data-testid="compare-table"]').count(), 1);
    await panel.close();
  });

  test('confusion matrices and feature importances of the runs that have them sit side by side', async () => {
    const panel = await harness.open('compare', fixtureFor(manyRuns(6)));
    await panel.page.waitForSelector('[data-testid="confusion-matrices"]');
    assert.equal(await panel.page.locator('[data-testid="confusion-matrices"] table').count(), 4);
    assert.equal(await panel.page.locator('[data-testid="feature-importances"] figure').count(), 4);
    await panel.close();
  });

  test('SVG plots from the artifacts show as images whose scripts never run', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="alert(1)"><script>alert(2)</script><rect width="40" height="40" fill="teal"/></svg>';
    const dataUri = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    const runs = [
      aRun({ runId: 'p1', runName: 'one', plots: [{ name: 'confusion_matrix', dataUri }] }),
      aRun({ runId: 'p2', runName: 'two', plots: [{ name: 'confusion_matrix', dataUri }] }),
    ];
    const panel = await harness.open('compare', fixtureFor(runs));
    await panel.page.waitForSelector('[data-testid="plots-confusion_matrix"] img');
    assert.equal(await panel.page.locator('[data-testid="plots-confusion_matrix"] img').count(), 2);
    await panel.waitFor(`[...document.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0)`);
    assert.deepEqual(panel.dialogs, []);
    assert.deepEqual(await panel.cspViolations(), []);
    await panel.close();
  });

  test('saves the run ids for the serializer and restores its view options after a reload', async () => {
    const runs = manyRuns(3);
    const panel = await harness.open('compare', fixtureFor(runs));
    await panel.page.waitForSelector('[data-testid="compare-table"]');
    await panel.page.click('[data-testid="only-differences"]');
    await panel.page.waitForSelector('tr[data-key="seed"]');
    const saved = (await panel.page.evaluate('window.__saved')) as { runIds: string[]; onlyDifferences: boolean };
    assert.deepEqual(saved.runIds, ['r0000', 'r0001', 'r0002']);
    assert.equal(saved.onlyDifferences, false);
    await panel.close();
    // VS Code hands the saved state back to the reloaded page through getState().
    const reloaded = await harness.open('compare', fixtureFor(runs, 50, { savedState: saved }));
    await reloaded.page.waitForSelector('[data-testid="compare-table"]');
    assert.equal(await reloaded.page.locator('tr[data-key="seed"]').count(), 1);
    await reloaded.close();
  });

  test('markers follow the metric table: no spread is best, folds and means are named, a run below its baseline says so', async () => {
    const forest = aRun({
      runId: 'forest01',
      runName: 'forest-knn',
      params: { models: 'rf,knn', 'rf.nEstimators': '100', 'knn.nNeighbors': '5', seed: '42' },
      metrics: {
        accuracy: 0.7554,
        accuracy_std: 0.0113,
        roc_auc: 0.6869,
        roc_auc_std: 0.0192,
        log_loss: 0.5422,
        cv_accuracy: 0.764,
        cv_roc_auc: 0.7,
        baseline_accuracy: 0.7674,
        baseline_roc_auc: 0.5,
      },
      baseline: { metric: 'roc_auc', model: 0.6869, baseline: 0.5, beats: true, reason: "imbalanced target: 'no' holds 76.7% of the rows" },
      folds: [{ key: 'cv_accuracy', values: [0.741, 0.7652, 0.7501, 0.757, 0.764] }],
    });
    const knn = aRun({
      runId: 'knn00002',
      runName: 'knn-only',
      params: { models: 'knn', 'rf.nEstimators': '', 'knn.nNeighbors': '15', seed: '42' },
      metrics: {
        accuracy: 0.7526,
        accuracy_std: 0.0211,
        roc_auc: 0.489,
        roc_auc_std: 0.0301,
        log_loss: 0.6011,
        cv_accuracy: 0.748,
        cv_roc_auc: 0.47,
        baseline_accuracy: 0.7674,
        baseline_roc_auc: 0.5,
      },
      baseline: { metric: 'roc_auc', model: 0.489, baseline: 0.5, beats: false, reason: "imbalanced target: 'no' holds 76.7% of the rows" },
      folds: [{ key: 'cv_accuracy', values: [0.745, 0.7502, 0.7412, 0.756, 0.748] }],
    });
    const folds = (run: ReturnType<typeof aRun>, values: number[]) => ({ runId: run.runId, steps: values.map((_, i) => i), values });
    const fixture: Fixture = {
      initial: { kind: 'notification', method: 'compare/state', params: aState([forest, knn]) },
      histories: {
        cv_accuracy: [folds(forest, [0.741, 0.7652, 0.7501, 0.757, 0.764]), folds(knn, [0.745, 0.7502, 0.7412, 0.756, 0.748])],
        cv_roc_auc: [folds(forest, [0.68, 0.71, 0.69, 0.66, 0.7]), folds(knn, [0.5, 0.48, 0.47, 0.49, 0.47])],
        accuracy: [folds(forest, [0.7554]), folds(knn, [0.7526])],
      },
    };
    for (const theme of ['dark', 'light'] as const) {
      const panel = await harness.open('compare', fixture, theme);
      await panel.page.waitForSelector('body[data-charts-drawn]');
      await panel.page.click('[data-testid="only-differences"]');
      await panel.page.waitForSelector('tr[data-key="baseline_accuracy"]');
      for (const key of ['accuracy_std', 'roc_auc_std', 'cv_accuracy', 'baseline_accuracy'])
        assert.equal(await panel.page.locator(`tr[data-key="${key}"] td.best`).count(), 0, `${key} has no best`);
      assert.deepEqual(await panel.page.locator('tr[data-key="log_loss"] td.best').allTextContents(), ['0.5422 ★']);
      assert.deepEqual(await panel.page.locator('tr[data-key="roc_auc"] td.best').allTextContents(), ['0.6869 ★']);
      assert.match((await panel.page.textContent('tr[data-key="accuracy"] th')) ?? '', /^Accuracy \(CV mean\) accuracy/);
      assert.match((await panel.page.textContent('tr[data-key="cv_accuracy"] th')) ?? '', /^Accuracy per fold/);
      assert.equal(await panel.page.textContent('tr[data-key="cv_accuracy"] td:nth-of-type(1)'), '0.741 · 0.765 · 0.75 · 0.757 · 0.764');
      assert.equal(await panel.page.locator('tr[data-key="accuracy"] td.below-baseline').count(), 2, 'both accuracies are below the majority class');
      assert.deepEqual(await panel.page.locator('[data-testid="baseline-verdict"]').allTextContents(), [
        '✓ beats baseline (roc_auc 0.6869 vs 0.5)',
        '✗ below baseline (roc_auc 0.489 vs 0.5)',
      ]);
      // Per-fold histories are charted over folds; a value logged once is said to have no history, never an empty chart.
      assert.ok((await panel.page.locator('[data-testid="history-charts"] canvas').count()) >= 2);
      // log_loss was logged once and has no per-fold values: it is said to have no history.
      assert.match((await panel.page.textContent('[data-testid="single-value"][data-key="log_loss"]')) ?? '', /one value per run, so it has no history/);
      assert.equal(
        await panel.page.locator('[data-testid="single-value"][data-key="accuracy"]').count(),
        0,
        'a CV mean is not offered as a history: its folds are',
      );
      assert.equal(await panel.page.getAttribute('[data-testid="bars"]', 'data-zero-based'), 'false');
      assert.match((await panel.page.textContent('[data-testid="bars-note"]')) ?? '', /axis from 0\.\d+, not 0 · dashed: the run's baseline/);
      const labels = JSON.parse((await panel.page.getAttribute('[data-testid="parallel"] canvas', 'data-labels')) ?? '[]') as {
        x: number;
        line: number;
        width: number;
      }[];
      for (const a of labels)
        for (const b of labels)
          if (a !== b && a.line === b.line) assert.ok(Math.abs(a.x - b.x) >= (a.width + b.width) / 2, 'parallel-coordinate titles do not overlap');
      assert.deepEqual(panel.errors, []);
      await panel.screenshot(`compare-markers-${theme}`);
      await panel.close();
    }
  });

  test('screenshots in the light and high-contrast themes', async () => {
    for (const theme of ['light', 'high-contrast'] as const) {
      const panel = await harness.open('compare', fixtureFor(manyRuns(8), 100), theme);
      await panel.page.waitForSelector('body[data-charts-drawn="5"]');
      assert.deepEqual(panel.errors, []);
      await panel.screenshot(`compare-8-runs-${theme}`);
      await panel.close();
    }
  });
});
