import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PromotionReview } from '../../src/shared/promotion-protocol';
import { aReview, aSide } from './builders';
import { Harness } from './harness';

/** The Review panel's drift section shows what the retraining pipeline's data validation measured (issue 18). */
function withDrift(drift: NonNullable<PromotionReview['candidate']['datasets'][number]['drift']>): PromotionReview {
  return aReview({
    candidate: aSide({
      datasets: [
        { name: 'churn-next', digest: 'a1b2c3d4', source: 'data/churn-next.csv', rows: 2000, context: 'training', drift, driftReference: 'models:/churn/3' },
      ],
    }),
  });
}

describe('promotion review panel: drift', () => {
  let harness: Harness;
  before(async () => {
    harness = await Harness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  test('drifted columns with their test, score and threshold, against the Production version measured', async () => {
    const review = withDrift([
      { column: 'tenure_months', score: 0.379, drifted: true, test: 'Wasserstein (normed)', threshold: 0.1, psi: 0.22 },
      { column: 'plan', score: 0.08, drifted: false, test: 'Jensen–Shannon', threshold: 0.1 },
    ]);
    const panel = await harness.open('promotion', { initial: { kind: 'notification', method: 'promotion/state', params: { status: 'ready', review } } });
    await panel.page.waitForSelector('[data-testid="drift"]');
    assert.equal(
      await panel.page.textContent('[data-testid="drift"]'),
      'drift against models:/churn/3 in 1 of 2 column(s): tenure_months (Wasserstein (normed) 0.379, threshold 0.1)',
    );
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('no drift says how many columns were checked', async () => {
    const review = withDrift([{ column: 'plan', score: 0.08, drifted: false, test: 'Jensen–Shannon', threshold: 0.1 }]);
    const panel = await harness.open('promotion', { initial: { kind: 'notification', method: 'promotion/state', params: { status: 'ready', review } } });
    await panel.page.waitForSelector('[data-testid="drift"]');
    assert.equal(await panel.page.textContent('[data-testid="drift"]'), 'no drift detected in 1 column(s) against models:/churn/3');
    await panel.close();
  });
});
