import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decisionProblem, gateSummary, metricRows, signatureDiff } from '../../../src/shared/promotion-view';
import { aMetric, aReview, aSide, aVersion } from '../../webview/builders';

describe('promotion review view model', () => {
  test('a higher accuracy is better and a higher loss is worse', () => {
    const rows = metricRows(aReview());
    assert.deepEqual(
      rows.map((r) => [r.key, r.trend]),
      [
        ['accuracy', 'better'],
        ['f1_macro', 'better'],
        ['log_loss', 'worse'],
      ],
    );
    assert.ok(Math.abs((rows[0].delta ?? 0) - 0.02) < 1e-12);
  });

  test('without a Production version deltas are unknown', () => {
    const rows = metricRows(aReview({ production: null, metrics: [aMetric({ key: 'acc', production: null })] }));
    assert.deepEqual(
      rows.map((r) => [r.delta, r.trend]),
      [[null, 'unknown']],
    );
  });

  test('signature diff lists type changes, added and removed columns', () => {
    const review = aReview();
    const diff = signatureDiff(review.candidate.signature, review.production?.signature ?? null);
    const changed = diff.filter((d) => d.change !== 'same').map((d) => [d.section, d.name, d.change]);
    assert.deepEqual(changed, [
      ['inputs', 'sepal_width', 'type changed'],
      ['inputs', 'region', 'removed'],
    ]);
  });

  test('a column only the candidate has is added', () => {
    const cand = aSide().signature;
    const prod = { inputs: [], outputs: cand?.outputs ?? [] };
    const diff = signatureDiff(cand, prod);
    assert.equal(diff.filter((d) => d.change === 'added').length, 4);
  });

  test('gate summary counts passed and failed gates', () => {
    assert.deepEqual(gateSummary(aReview()), { passed: 2, failed: 1, total: 3 });
  });

  test('a decision needs a comment and a Staging candidate', () => {
    assert.match(decisionProblem(aReview(), '  ') ?? '', /comment is required/);
    assert.equal(decisionProblem(aReview(), 'looks good'), null);
    const archived = aReview({ candidate: aSide({ version: aVersion({ stage: 'Archived' }) }) });
    assert.match(decisionProblem(archived, 'looks good') ?? '', /only a Staging version/);
  });
});
