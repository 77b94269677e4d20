import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PromotionReview } from '../../src/shared/promotion-protocol';
import { aMetric, aReview, aSide, aVersion, HOSTILE_NAME } from './builders';
import type { Fixture } from './harness';
import { Harness } from './harness';

function fixtureFor(review: PromotionReview | null, extra: Partial<Fixture> = {}): Fixture {
  return { initial: { kind: 'notification', method: 'promotion/state', params: { status: 'ready', review } }, ...extra };
}

const statusText = (text: string) => `(document.querySelector('[data-testid="status"]')?.textContent ?? '').includes(${JSON.stringify(text)})`;

describe('promotion review panel in Chromium', () => {
  let harness: Harness;
  before(async () => {
    harness = await Harness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  test('shows candidate against Production with deltas, gates, signature diff and lineage', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const panel = await harness.open('promotion', fixtureFor(aReview()), theme);
      await panel.page.waitForSelector('[data-testid="metrics"]');
      const loss = panel.page.locator('[data-testid="metrics"] tr[data-key="log_loss"] td');
      assert.deepEqual(await loss.allTextContents(), ['0.21', '0.18', '+0.03 (worse)', '✗ missed: <= Production + 0.02+0.03 > 0.02']);
      assert.match((await panel.page.textContent('[data-testid="signature"]')) ?? '', /sepal_width.*double.*float.*type changed/);
      assert.match((await panel.page.textContent('[data-testid="lineage"]')) ?? '', /digest 3f2a9c1e · 150 rows.*digest 77b0d4aa · 120 rows/);
      assert.deepEqual(await panel.cspViolations(), []);
      assert.deepEqual(panel.errors, []);
      await panel.screenshot(`promotion-${theme}`);
      await panel.close();
    }
  });

  test('approve stays disabled until a comment is written, then runs the approve request', async () => {
    const panel = await harness.open(
      'promotion',
      fixtureFor(aReview(), { replies: { 'promotion/approve': { outcome: 'approved', message: 'iris-classifier v3 is now in Production; v2 archived.' } } }),
    );
    await panel.page.waitForSelector('[data-testid="approve"]');
    assert.equal(await panel.page.getAttribute('[data-testid="approve"]', 'disabled'), '');
    await panel.page.locator('[data-testid="comment"] textarea').fill('Better accuracy, loss regression accepted.');
    await panel.waitFor(`!document.querySelector('[data-testid="approve"]').hasAttribute('disabled')`);
    await panel.page.click('[data-testid="approve"]');
    await panel.waitFor(statusText('now in Production'));
    const request = (await panel.posted()).find((m) => m.kind === 'request');
    assert.deepEqual([request?.method, request?.params], ['promotion/approve', { comment: 'Better accuracy, loss regression accepted.' }]);
    await panel.close();
  });

  test('an unchanged state from the host keeps the comment being typed', async () => {
    const panel = await harness.open('promotion', fixtureFor(aReview()));
    await panel.page.waitForSelector('[data-testid="comment"]');
    await panel.page.locator('[data-testid="comment"] textarea').fill('half-written');
    await panel.deliver({ kind: 'notification', method: 'promotion/state', params: { status: 'ready', review: aReview() } });
    assert.equal(await panel.page.locator('[data-testid="comment"] textarea').inputValue(), 'half-written');
    await panel.close();
  });

  test("a failed rejection shows the extension's error", async () => {
    const panel = await harness.open(
      'promotion',
      fixtureFor(aReview(), { replies: { 'promotion/reject': { error: { code: 'INVALID_STATE', message: 'Version 3 is no longer in Staging.' } } } }),
    );
    await panel.page.waitForSelector('[data-testid="reject"]');
    await panel.page.locator('[data-testid="comment"] textarea').fill('Loss is worse.');
    await panel.page.keyboard.press('Tab');
    await panel.page.click('[data-testid="reject"]');
    await panel.waitFor(statusText('no longer in Staging'));
    await panel.close();
  });

  test('hostile text from the registry is shown as text', async () => {
    const review = aReview({
      candidate: aSide({ version: aVersion({ name: HOSTILE_NAME, runName: HOSTILE_NAME }) }),
      decision: { action: 'rejected', comment: HOSTILE_NAME, at: 1_764_000_000_000 },
    });
    const panel = await harness.open('promotion', fixtureFor(review));
    await panel.page.waitForSelector('[data-testid="last-decision"]');
    assert.match((await panel.page.textContent('h1')) ?? '', /<img src=x onerror=alert\(1\)>/);
    assert.match((await panel.page.textContent('[data-testid="last-decision"]')) ?? '', /<img src=x onerror=alert\(1\)>/);
    assert.equal(await panel.page.locator('img').count(), 0);
    assert.deepEqual(panel.dialogs, []);
    await panel.close();
  });

  test('saves the reviewed version for the serializer', async () => {
    const panel = await harness.open('promotion', fixtureFor(aReview()));
    await panel.page.waitForSelector('[data-testid="metrics"]');
    assert.deepEqual(await panel.page.evaluate('window.__saved'), { name: 'iris-classifier', version: '3' });
    await panel.close();
  });

  test('a first version with nothing in Production says so', async () => {
    const panel = await harness.open('promotion', fixtureFor(aReview({ production: null })));
    await panel.page.waitForSelector('[data-testid="lineage"]');
    assert.match((await panel.page.textContent('[data-testid="lineage"]')) ?? '', /No version in Production yet/);
    await panel.close();
  });

  test("a missing version shows the host's message and no buttons", async () => {
    const panel = await harness.open('promotion', {
      initial: {
        kind: 'notification',
        method: 'promotion/state',
        params: { status: 'error', review: null, message: 'Model version iris-classifier/9 does not exist.' },
      },
    });
    await panel.page.waitForSelector('[data-testid="empty"]');
    assert.match((await panel.page.textContent('[data-testid="empty"]')) ?? '', /does not exist/);
    assert.equal(await panel.page.locator('[data-testid="approve"]').count(), 0);
    await panel.close();
  });

  test('a version that loses to its baseline says so above everything, with the baseline beside each metric', async () => {
    const review = aReview({
      candidate: aSide({
        version: aVersion({ name: 'churn', version: '1', runName: 'forest-knn' }),
        datasets: [{ name: 'churn.csv', digest: '91eb642c', source: '/home/ana/churn/churn.csv', rows: 5000, context: 'training' }],
      }),
      production: null,
      metrics: [
        aMetric({ key: 'accuracy', candidate: 0.7554, production: null, noSkill: 0.7674 }),
        aMetric({ key: 'f1_macro', candidate: 0.5739, production: null, noSkill: 0.4342 }),
        aMetric({ key: 'log_loss', candidate: 0.5422, production: null, noSkill: 0.5424, goal: 'minimize' }),
        aMetric({ key: 'roc_auc', candidate: 0.6869, production: null, noSkill: 0.5 }),
      ],
      noSkill: {
        metric: 'roc_auc',
        candidate: 0.6869,
        noSkill: 0.5,
        beats: true,
        source: 'training folds',
        reason: "imbalanced target: 'no' holds 76.7% of the rows, so always predicting it scores that accuracy; ROC AUC is 0.5 for any constant guess",
        losing: [{ key: 'accuracy', candidate: 0.7554, noSkill: 0.7674 }],
      },
      validation: {
        passed: true,
        createdAt: 1_764_000_100_000,
        fromStage: 'None',
        toStage: 'Staging',
        checks: [
          {
            name: 'beats the majority-class baseline (roc_auc, run metrics)',
            passed: true,
            outcome: 'pass',
            gate: 'baseline',
            detail: 'expected > 0.5, actual 0.6869',
          },
          { name: 'signature compatible with Production', passed: false, outcome: 'skipped', gate: 'signature', detail: 'skipped: no Production version yet' },
          {
            name: 'inference smoke test on 5 input example rows',
            passed: true,
            outcome: 'pass',
            gate: 'smoke_test',
            detail: 'expected one well-formed prediction per row, actual 5 predictions',
          },
        ],
      },
    });
    for (const theme of ['dark', 'light'] as const) {
      const panel = await harness.open('promotion', fixtureFor(review), theme);
      await panel.page.waitForSelector('[data-testid="baseline-banner"]');
      assert.match(
        (await panel.page.textContent('[data-testid="baseline-banner"]')) ?? '',
        /^⚠ v1 beats the baseline on ROC AUC \(0\.6869 against 0\.5\), but Accuracy 0\.7554 is below the baseline's 0\.7674\.The comparison uses ROC AUC: imbalanced target/,
      );
      assert.deepEqual(await panel.page.locator('[data-testid="metrics"] tr[data-key="accuracy"] td').allTextContents(), [
        '0.7554',
        '0.7674 candidate not better',
        '—',
        '— (unknown)',
        '—',
      ]);
      assert.equal(await panel.page.locator('[data-testid="metrics"] tr[data-key="roc_auc"] td.below-baseline').count(), 0);
      // Nothing ran against Production: the skipped signature check is no ✓, and "unchanged" is not claimed.
      assert.deepEqual(await panel.page.locator('[data-testid="validation"] li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-outcome'))), [
        'pass',
        'skipped',
        'pass',
      ]);
      assert.match(
        (await panel.page.textContent('[data-testid="validation"] li[data-outcome="skipped"]')) ?? '',
        /^– signature compatible with Production \(not run\)/,
      );
      assert.equal((await panel.page.textContent('[data-testid="signature-badge"]'))?.trim(), 'no Production version to compare with');
      assert.equal((await panel.page.textContent('[data-testid="gate-badge"]'))?.trim(), 'no metric gates configured');
      assert.equal((await panel.page.textContent('[data-testid="validation-badge"]'))?.trim(), 'passed: None → Staging');
      assert.match((await panel.page.textContent('[data-testid="subtitle"]')) ?? '', /current Production: no version in Production yet/);
      assert.deepEqual(panel.errors, []);
      await panel.screenshot(`promotion-below-baseline-${theme}`);
      await panel.close();
    }
  });

  test('a version that does not beat the baseline on the comparison metric is said to fail it', async () => {
    const review = aReview({ noSkill: { metric: 'accuracy', candidate: 0.62, noSkill: 0.66, beats: false, source: 'held-out data' } });
    const panel = await harness.open('promotion', fixtureFor(review));
    await panel.page.waitForSelector('[data-testid="baseline-banner"]');
    assert.match(
      (await panel.page.textContent('[data-testid="baseline-banner"]')) ?? '',
      /^✗ v3 does not beat the majority-class \/ mean baseline: Accuracy 0\.62 against 0\.66 \(held-out data\)/,
    );
    await panel.close();
  });

  test('after the approval the header names the candidate as the Production version', async () => {
    const panel = await harness.open('promotion', fixtureFor(aReview()));
    await panel.page.waitForSelector('[data-testid="subtitle"]');
    assert.match((await panel.page.textContent('[data-testid="subtitle"]')) ?? '', /current Production: v2 \(Production\)/);
    const promoted = aReview({
      candidate: aSide({ version: aVersion({ stage: 'Production' }) }),
      production: null,
      decision: { action: 'approved', comment: 'ship it', at: 1_764_000_200_000, by: 'raj' },
    });
    await panel.deliver({ kind: 'notification', method: 'promotion/state', params: { status: 'ready', review: promoted } });
    await panel.waitFor(`(document.querySelector('[data-testid="subtitle"]')?.textContent ?? '').includes('is the Production version')`);
    assert.match(
      (await panel.page.textContent('[data-testid="subtitle"]')) ?? '',
      /^v3 from run cand0001 is the Production version · approved by raj on 2025-11-24 \d\d:\d\d$/,
    );
    assert.doesNotMatch((await panel.page.textContent('main')) ?? '', /current Production: none/);
    await panel.close();
  });

  test('a standing rejection is shown on the version', async () => {
    const panel = await harness.open(
      'promotion',
      fixtureFor(aReview({ rejection: { by: 'raj', at: 1_764_000_300_000, comment: 'recall on new customers too low' } })),
    );
    await panel.page.waitForSelector('[data-testid="rejected"]');
    assert.match(
      (await panel.page.textContent('[data-testid="rejected"]')) ?? '',
      /^Rejected by raj on .*: recall on new customers too low It stays in Staging, marked rejected until it is validated again\.$/,
    );
    await panel.close();
  });
});
