import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alignHistories,
  buildBars,
  buildParallel,
  buildScatter,
  defaultHistoryMetrics,
  layoutAxisLabels,
  singleValued,
  varyingParams,
} from '../../../src/shared/chart-data';
import { aRun, historiesFor, manyRuns } from '../../webview/builders';

describe('chart data', () => {
  test('histories with different steps align on the union of steps with gaps as null', () => {
    const aligned = alignHistories(
      [
        { runId: 'a', steps: [0, 2, 4], values: [1, 2, 3] },
        { runId: 'b', steps: [1, 2], values: [5, 6] },
      ],
      ['a', 'b', 'missing'],
    );
    assert.deepEqual(aligned.steps, [0, 1, 2, 4]);
    assert.deepEqual(aligned.series, [
      [1, null, 2, 3],
      [null, 5, 6, null],
      [null, null, null, null],
    ]);
  });

  test('unsorted steps are sorted before drawing', () => {
    const aligned = alignHistories([{ runId: 'a', steps: [3, 1], values: [30, 10] }], ['a']);
    assert.deepEqual(aligned, { steps: [1, 3], series: [[10, 30]] });
  });

  test('runs that share steps keep every point', () => {
    const runs = manyRuns(20, 1);
    const aligned = alignHistories(
      historiesFor(runs, 'accuracy', 1000),
      runs.map((r) => r.runId),
    );
    assert.equal(aligned.steps.length, 1000);
    assert.equal(aligned.series.length, 20);
    assert.ok(aligned.series.every((s) => s.length === 1000 && s.every((v) => typeof v === 'number')));
  });

  test('parallel coordinates put numeric params on a min–max scale and text params on categories', () => {
    const runs = [
      aRun({ runId: 'a', params: { trees: '10', kernel: 'rbf' }, metrics: { acc: 0.5 } }),
      aRun({ runId: 'b', params: { trees: '30', kernel: 'linear' }, metrics: { acc: 1 } }),
      aRun({ runId: 'c', params: { trees: '20' }, metrics: {} }),
    ];
    const model = buildParallel(runs, ['kernel', 'trees'], 'acc');
    assert.deepEqual(
      model.axes.map((a) => a.scale),
      ['categorical', 'numeric', 'numeric'],
    );
    assert.deepEqual(model.axes[0].categories, ['linear', 'rbf']);
    assert.deepEqual(
      model.lines.map((l) => l.positions),
      [
        [1, 0, 0],
        [0, 1, 1],
        [null, 0.5, null],
      ],
    );
    assert.deepEqual(
      model.lines.map((l) => l.colorValue),
      [0, 1, null],
    );
  });

  test('scatter leaves out runs without the param or metric', () => {
    const runs = [
      aRun({ runId: 'a', params: { k: '1' }, metrics: { acc: 0.2 } }),
      aRun({ runId: 'b', params: { k: '3' }, metrics: { acc: 0.4 } }),
      aRun({ runId: 'c', params: {}, metrics: { acc: 1 } }),
    ];
    const model = buildScatter(runs, 'k', 'acc');
    assert.deepEqual(model.points, [
      { runIndex: 0, x: 0, y: 0 },
      { runIndex: 1, x: 1, y: 1 },
    ]);
  });

  test('bars start at zero and keep NaN runs as empty bars', () => {
    const model = buildBars([aRun({ runId: 'a', metrics: { acc: 0.5 } }), aRun({ runId: 'b', metrics: { acc: null } })], 'acc');
    assert.equal(model.min, 0);
    assert.equal(model.max, 0.5);
    assert.deepEqual(
      model.bars.map((b) => b.value),
      [0.5, null],
    );
  });

  test('only params that vary are proposed as axes', () => {
    const runs = [
      aRun({ runId: 'a', params: { seed: '1', k: '1' } }),
      aRun({ runId: 'b', params: { seed: '1', k: '2' } }),
      aRun({ runId: 'c', params: { seed: '1', k: '2', extra: 'x' } }),
    ];
    assert.deepEqual(varyingParams(runs), ['extra', 'k']);
  });
});

describe('charts that tell close values apart', () => {
  test("bars of 0.7554 and 0.7526 get an axis that shows the difference, with each run's baseline", () => {
    const model = buildBars(
      [
        aRun({ runId: 'a', metrics: { accuracy: 0.7554, baseline_accuracy: 0.7674 } }),
        aRun({ runId: 'b', metrics: { accuracy: 0.7526, baseline_accuracy: 0.7674 } }),
      ],
      'accuracy',
    );
    assert.equal(model.zeroBased, false);
    assert.ok(model.min > 0.7 && model.min < 0.7526 && model.max > 0.7674 && model.max < 0.8, `${model.min}..${model.max}`);
    const height = (v: number) => (v - model.min) / (model.max - model.min);
    assert.ok(height(0.7554) - height(0.7526) > 0.05, 'the difference is at least 5% of the chart');
    assert.deepEqual(
      model.bars.map((b) => b.baseline),
      [0.7674, 0.7674],
    );
  });

  test('parallel-coordinate axis titles never overlap, however many axes', () => {
    const keys = ['rf.nEstimators', 'rf.minSamplesLeaf', 'knn.nNeighbors', 'knn.weights', 'rf.maxFeatures', 'roc_auc'];
    const xs = keys.map((_, i) => 40 + i * 70);
    const measure = (t: string) => t.length * 7;
    const labels = layoutAxisLabels(keys, xs, measure);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i]!;
        const b = labels[j]!;
        if (a.line !== b.line) continue;
        const overlap = Math.abs(a.x - b.x) < (measure(a.text) + measure(b.text)) / 2;
        assert.equal(overlap, false, `${a.text} and ${b.text} overlap`);
      }
    }
    assert.deepEqual(
      layoutAxisLabels(['k', 'accuracy'], [40, 400], measure).map((l) => [l.text, l.line]),
      [
        ['k', 0],
        ['accuracy', 0],
      ],
      'room enough: whole, on one line',
    );
  });

  test('the per-fold metrics are charted first; spreads and baselines never get a history chart', () => {
    assert.deepEqual(defaultHistoryMetrics(['accuracy', 'accuracy_std', 'baseline_accuracy', 'cv_accuracy', 'cv_roc_auc', 'roc_auc', 'loss']), [
      'cv_accuracy',
      'cv_roc_auc',
      'loss',
    ]);
  });

  test('histories of one point per run are recognised as single values', () => {
    assert.equal(
      singleValued(
        alignHistories(
          [
            { runId: 'a', steps: [0], values: [0.9] },
            { runId: 'b', steps: [0], values: [0.8] },
          ],
          ['a', 'b'],
        ),
      ),
      true,
    );
    assert.equal(singleValued(alignHistories([{ runId: 'a', steps: [0, 1], values: [0.9, 0.8] }], ['a'])), false);
  });
});
