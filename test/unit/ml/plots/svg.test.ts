import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryAuc, classificationMetrics, rocCurve } from '../../../../src/ml/metrics/classification';
import { rocSvg } from '../../../../src/ml/plots/svg';

const pointsOf = (svg: string): string[] => /<polyline points="([^"]*)"/.exec(svg)![1]!.split(' ');

test('the ROC polyline keeps each distinct point at a tenth of a pixel, in order, from the first to the last', () => {
  // 200,000 rows with distinct scores: one threshold each, far more than the plot's pixels.
  const n = 200_000;
  let s = 7;
  const rand = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const positive = new Int32Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    positive[i] = rand() < 0.4 ? 1 : 0;
    score[i] = positive[i] ? 0.3 + 0.7 * rand() : 0.7 * rand();
  }
  const curve = rocCurve(positive, score);
  assert.ok(curve.fpr.length > 100_000);
  const pts = pointsOf(rocSvg([{ label: 'yes', ...curve, auc: 0.9 }]));
  assert.ok(pts.length < 10_000, `${pts.length} points`);
  assert.ok(
    pts.every((p, i) => i === 0 || p !== pts[i - 1]),
    'no point repeats the one before',
  );
  // The same picture: the curve's own first and last points, and every rounded point of it in order.
  const all = curve.fpr.map((x, j) => [x, curve.tpr[j]!] as const);
  const first = pointsOf(rocSvg([{ label: 'a', fpr: [all[0]![0]], tpr: [all[0]![1]], auc: 0.5 }]))[0];
  const last = pointsOf(rocSvg([{ label: 'a', fpr: [all.at(-1)![0]], tpr: [all.at(-1)![1]], auc: 0.5 }]))[0];
  assert.equal(pts[0], first);
  assert.equal(pts.at(-1), last);
  const xs = pts.map((p) => Number(p.split(',')[0]));
  assert.ok(
    xs.every((x, i) => i === 0 || x >= xs[i - 1]!),
    'left to right',
  );
});

test('the ROC legend\'s AUC (binaryAuc of P(k) against "is k") is the two-class metrics\' roc_auc', () => {
  let s = 3;
  const rand = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const n = 5000;
  const pos = Int32Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
  // Ties too: scores on a coarse grid.
  const score = Float64Array.from(pos, (p) => Math.round((p ? 0.2 + 0.8 * rand() : 0.8 * rand()) * 20) / 20);
  const proba = new Float64Array(2 * n);
  score.forEach((v, j) => {
    proba[2 * j] = 1 - v;
    proba[2 * j + 1] = v;
  });
  assert.equal(binaryAuc(pos, score), classificationMetrics(pos, proba, 2).roc_auc);
});
