import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, nextSort, tableToCsv, tableToMarkdown } from '../../../src/shared/compare-table';
import { aRun, HOSTILE_NAME } from '../../webview/builders';

const runs = [
  aRun({ runId: 'a', runName: 'alpha', params: { trees: '100', seed: '1' }, metrics: { accuracy: 0.9, log_loss: 0.3 } }),
  aRun({ runId: 'b', runName: 'beta', params: { trees: '200', seed: '1' }, metrics: { accuracy: 0.95, log_loss: 0.2 } }),
  aRun({ runId: 'c', runName: 'gamma', params: { trees: '50', seed: '1' }, metrics: { accuracy: 0.85, log_loss: 0.4 } }),
];

describe('comparison table', () => {
  test('hides rows where every run agrees when only differences are shown', () => {
    const model = buildTable(runs, { onlyDifferences: true });
    assert.deepEqual(
      model.params.map((r) => r.key),
      ['trees'],
    );
    assert.equal(model.hiddenRows, 1);
  });

  test('shows every row, flagging which differ, when the filter is off', () => {
    const model = buildTable(runs, { onlyDifferences: false });
    assert.deepEqual(
      model.params.map((r) => [r.key, r.differs]),
      [
        ['seed', false],
        ['trees', true],
      ],
    );
    assert.equal(model.hiddenRows, 0);
  });

  test('marks the highest accuracy and the lowest loss as best', () => {
    const model = buildTable(runs, { onlyDifferences: true });
    const best = (key: string) =>
      model.metrics
        .find((r) => r.key === key)
        ?.cells.filter((c) => c.best)
        .map((c) => c.text);
    assert.deepEqual(best('accuracy'), ['0.95']);
    assert.deepEqual(best('log_loss'), ['0.2']);
  });

  test('a run without a value shows an empty cell and makes the row differ', () => {
    const model = buildTable([aRun({ runId: 'a', metrics: { auc: 0.8 } }), aRun({ runId: 'b', metrics: {} })], { onlyDifferences: true });
    assert.equal(model.metrics[0].key, 'auc');
    assert.deepEqual(
      model.metrics[0].cells.map((c) => c.missing),
      [false, true],
    );
  });

  test('NaN metrics (null) show as a dash and are never best', () => {
    const model = buildTable(
      [aRun({ runId: 'a', metrics: { auc: null } }), aRun({ runId: 'b', metrics: { auc: 0.7 } }), aRun({ runId: 'c', metrics: { auc: 0.6 } })],
      { onlyDifferences: false },
    );
    assert.deepEqual(
      model.metrics[0].cells.map((c) => [c.text, c.best]),
      [
        ['—', false],
        ['0.7', true],
        ['0.6', false],
      ],
    );
  });

  test('sorting by a metric orders the run columns numerically, then reversed, then back', () => {
    let sort = nextSort(null, 'metric', 'accuracy');
    assert.deepEqual(
      buildTable(runs, { onlyDifferences: true, sort }).columns.map((c) => c.runName),
      ['gamma', 'alpha', 'beta'],
    );
    sort = nextSort(sort, 'metric', 'accuracy');
    assert.deepEqual(
      buildTable(runs, { onlyDifferences: true, sort }).columns.map((c) => c.runName),
      ['beta', 'alpha', 'gamma'],
    );
    sort = nextSort(sort, 'metric', 'accuracy');
    assert.equal(sort, null);
    const model = buildTable(runs, { onlyDifferences: true, sort });
    assert.deepEqual(
      model.columns.map((c) => c.runName),
      ['alpha', 'beta', 'gamma'],
    );
  });

  test('cells follow their column when sorted and colours stay with the run', () => {
    const model = buildTable(runs, { onlyDifferences: true, sort: { kind: 'param', key: 'trees', direction: 'asc' } });
    assert.deepEqual(
      model.params[0].cells.map((c) => c.text),
      ['50', '100', '200'],
    );
    assert.deepEqual(
      model.columns.map((c) => c.colorIndex),
      [2, 0, 1],
    );
  });

  test('CSV quotes commas and quotes and neutralises spreadsheet formulas', () => {
    const model = buildTable(
      [aRun({ runId: 'a', runName: 'a,"b"', params: { cmd: '=HYPERLINK("x")' } }), aRun({ runId: 'b', runName: 'c', params: { cmd: 'x' } })],
      { onlyDifferences: true },
    );
    const csv = tableToCsv(model);
    assert.equal(csv.split('\n')[0], 'kind,key,"a,""b""",c');
    assert.match(csv, /param,cmd,"'=HYPERLINK\(""x""\)",x/);
  });

  test('Markdown escapes pipes and angle brackets and bolds the best value', () => {
    const model = buildTable(
      [aRun({ runId: 'a', runName: HOSTILE_NAME, metrics: { acc: 0.5 } }), aRun({ runId: 'b', runName: 'x|y', metrics: { acc: 0.7 } })],
      { onlyDifferences: true },
    );
    const md = tableToMarkdown(model);
    assert.ok(md.startsWith('| kind | key | &lt;img src=x onerror=alert(1)&gt; | x\\|y |'));
    assert.match(md, /\| metric \| acc \| 0\.5 \| \*\*0\.7\*\* \|/);
  });

  test('a single run shows all its rows even with the filter on', () => {
    const model = buildTable([runs[0]], { onlyDifferences: true });
    assert.equal(model.params.length, 2);
    assert.equal(
      model.metrics.every((r) => r.cells.every((c) => !c.best)),
      true,
    );
  });
});

describe('comparison table and the metric table', () => {
  const churnA = aRun({
    runId: 'a',
    runName: 'forest',
    metrics: { accuracy: 0.7554, accuracy_std: 0.0113, roc_auc: 0.687, roc_auc_std: 0.019, log_loss: 0.54, cv_accuracy: 0.76, baseline_accuracy: 0.7674 },
  });
  const churnB = aRun({
    runId: 'b',
    runName: 'knn',
    metrics: { accuracy: 0.7526, accuracy_std: 0.02, roc_auc: 0.65, roc_auc_std: 0.03, log_loss: 0.6, cv_accuracy: 0.74, baseline_accuracy: 0.7674 },
  });
  churnA.folds = [{ key: 'cv_accuracy', values: [0.74, 0.76, 0.75, 0.77, 0.76] }];

  test('a spread over the folds is never marked best, whichever run has the higher one', () => {
    const model = buildTable([churnA, churnB], { onlyDifferences: false });
    for (const key of ['accuracy_std', 'roc_auc_std']) {
      const row = model.metrics.find((r) => r.key === key)!;
      assert.equal(
        row.cells.some((c) => c.best),
        false,
        key,
      );
      assert.equal(row.goal, undefined);
      assert.equal(row.label, key === 'accuracy_std' ? 'Accuracy spread (std over folds)' : 'ROC AUC spread (std over folds)');
    }
    assert.deepEqual(
      model.metrics.find((r) => r.key === 'log_loss')!.cells.map((c) => c.best),
      [true, false],
      'the lower loss is best',
    );
  });

  test('the mean and the per-fold values are named as such; folds show every fold, never one as "the" value', () => {
    const model = buildTable([churnA, churnB], { onlyDifferences: false });
    const mean = model.metrics.find((r) => r.key === 'accuracy')!;
    assert.equal(mean.label, 'Accuracy (CV mean)');
    const folds = model.metrics.find((r) => r.key === 'cv_accuracy')!;
    assert.equal(folds.label, 'Accuracy per fold');
    assert.deepEqual(
      folds.cells.map((c) => [c.text, c.best]),
      [
        ['0.74 · 0.76 · 0.75 · 0.77 · 0.76', false],
        ['last fold 0.74', false],
      ],
    );
    assert.deepEqual(
      model.metrics.map((r) => r.key),
      ['accuracy', 'log_loss', 'roc_auc', 'baseline_accuracy', 'accuracy_std', 'roc_auc_std', 'cv_accuracy'],
    );
  });

  test('a score that does not beat its majority-class baseline is flagged in its cell', () => {
    const model = buildTable([churnA, churnB], { onlyDifferences: false });
    const row = model.metrics.find((r) => r.key === 'accuracy')!;
    assert.deepEqual(
      row.cells.map((c) => c.belowBaseline),
      [{ baseline: 0.7674 }, { baseline: 0.7674 }],
    );
    assert.deepEqual(
      row.cells.map((c) => c.best),
      [true, false],
      'still the better of the two',
    );
    assert.equal(
      model.metrics.find((r) => r.key === 'baseline_accuracy')!.cells.some((c) => c.best),
      false,
      "a baseline is not a run's own score",
    );
  });
});
