import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PromotionReview } from '../../src/shared/promotion-protocol';
import { aReview, aSide, aVersion, HOSTILE_NAME } from './builders';
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
    const panel = await harness.open('promotion', fixtureFor(aReview(), { replies: { 'promotion/approve': { outcome: 'approved', message: 'iris-classifier v3 is now in Production; v2 archived.' } } }));
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

  test('a failed rejection shows the extension\'s error', async () => {
    const panel = await harness.open('promotion', fixtureFor(aReview(), { replies: { 'promotion/reject': { error: { code: 'INVALID_STATE', message: 'Version 3 is no longer in Staging.' } } } }));
    await panel.page.waitForSelector('[data-testid="reject"]');
    await panel.page.locator('[data-testid="comment"] textarea').fill('Loss is worse.');
    await panel.page.keyboard.press('Tab');
    await panel.page.click('[data-testid="reject"]');
    await panel.waitFor(statusText('no longer in Staging'));
    await panel.close();
  });

  test('hostile text from the registry is shown as text', async () => {
    const review = aReview({ candidate: aSide({ version: aVersion({ name: HOSTILE_NAME, runName: HOSTILE_NAME }) }), decision: { action: 'rejected', comment: HOSTILE_NAME, at: 1_764_000_000_000 } });
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

  test('a missing version shows the host\'s message and no buttons', async () => {
    const panel = await harness.open('promotion', { initial: { kind: 'notification', method: 'promotion/state', params: { status: 'error', review: null, message: 'Model version iris-classifier/9 does not exist.' } } });
    await panel.page.waitForSelector('[data-testid="empty"]');
    assert.match((await panel.page.textContent('[data-testid="empty"]')) ?? '', /does not exist/);
    assert.equal(await panel.page.locator('[data-testid="approve"]').count(), 0);
    await panel.close();
  });
});
