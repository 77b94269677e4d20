import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpaceEditorState } from '../../src/shared/space-editor-protocol';
import { rowsOfSpace } from '../../src/shared/space-table';
import { parseSearchSpace } from '../../src/tuning/distributions';
import { DEFAULT_SPACE } from '../../src/pipeline/tune-space';
import { HOSTILE_NAME } from './builders';
import type { Fixture, OpenPanel } from './harness';
import { Harness } from './harness';

const DEFAULTS = parseSearchSpace({ ...DEFAULT_SPACE.rf, ...DEFAULT_SPACE.knn }, 'default');
const state = (rows = rowsOfSpace(DEFAULTS)): SpaceEditorState => ({
  rows,
  source: 'the default ranges of rf and kNN',
  fileName: 'search.modelops-space.json',
});
const fixtureFor = (s: SpaceEditorState, extra: Partial<Fixture> = {}): Fixture => ({
  initial: { kind: 'notification', method: 'space/state', params: s },
  ...extra,
});

const input = (panel: OpenPanel, testId: string) => panel.page.locator(`[data-testid="${testId}"] input`);
const problems = (panel: OpenPanel) => panel.page.locator('[data-testid="problems"] li').allTextContents();
const disabled = (panel: OpenPanel, testId: string) => panel.page.evaluate(`document.querySelector('[data-testid="${testId}"]').hasAttribute('disabled')`);
const requests = async (panel: OpenPanel) => (await panel.posted()).filter((m) => m.kind === 'request');

/** The type drop-down's value, set as its own change would (its list is a popup of the element's shadow root). */
function setType(panel: OpenPanel, row: number, type: string): Promise<void> {
  return panel.page.evaluate(
    `(() => { const s = document.querySelector('[data-testid="type-${row}"]'); s.value = ${JSON.stringify(type)}; s.dispatchEvent(new Event('change')); })()`,
  );
}

describe('search space editor in Chromium', () => {
  let harness: Harness;
  before(async () => {
    harness = await Harness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  test('shows a row per param with its fields; Use sends the same space back', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const panel = await harness.open(
        'space',
        fixtureFor(state(), { replies: { 'space/use': { outcome: 'used', message: 'Using this search space for the Tune.' } } }),
        theme,
      );
      await panel.page.waitForSelector('[data-testid="rows"] tr');
      assert.equal(await panel.page.locator('[data-testid="rows"] tr').count(), 6);
      assert.equal(await input(panel, 'name-0').inputValue(), 'rf.nEstimators');
      assert.deepEqual(await Promise.all(['low-0', 'high-0', 'step-0'].map((id) => input(panel, id).inputValue())), ['50', '300', '50']);
      assert.equal(await input(panel, 'choices-1').inputValue(), 'null, 6, 12, 24');
      assert.equal(await disabled(panel, 'low-1'), true, 'a categorical row has no range');
      assert.equal(await disabled(panel, 'choices-0'), true, 'a range row has no choices');
      assert.deepEqual(await problems(panel), []);
      await panel.screenshot(`space-editor-${theme}`);
      await panel.page.click('[data-testid="use"]');
      await panel.waitFor(`(document.querySelector('[data-testid="status"]')?.textContent ?? '').includes('Using this search space')`);
      const [use] = await requests(panel);
      assert.equal(use.method, 'space/use');
      assert.deepEqual(use.params, { space: JSON.parse(JSON.stringify(DEFAULTS)) });
      assert.deepEqual(await panel.cspViolations(), []);
      assert.deepEqual(panel.errors, []);
      await panel.close();
    }
  });

  test('rows are edited, added and removed; each problem names its row and field and keeps Use and Save disabled', async () => {
    const panel = await harness.open('space', fixtureFor(state()));
    await panel.page.waitForSelector('[data-testid="rows"] tr');
    await input(panel, 'low-0').fill('abc');
    assert.deepEqual(await problems(panel), ["row 1 (rf.nEstimators): low must be a number (got 'abc')"]);
    assert.equal(await disabled(panel, 'use'), true);
    assert.equal(await disabled(panel, 'save'), true);
    assert.equal(await panel.page.evaluate(`document.querySelector('[data-testid="low-0"]').invalid`), true);
    await input(panel, 'low-0').fill('400');
    assert.deepEqual(await problems(panel), ['row 1 (rf.nEstimators): low (400) is greater than high (300)']);
    await input(panel, 'low-0').fill('60');
    assert.deepEqual(await problems(panel), []);
    assert.equal(await disabled(panel, 'use'), false);
    // A new row: empty until named and typed; then a categorical of hostile text.
    await panel.page.click('[data-testid="add"]');
    assert.equal(await panel.page.locator('[data-testid="rows"] tr').count(), 7);
    assert.deepEqual(await problems(panel), [
      'row 7: the parameter needs a name (rf.maxDepth, knn.weights, …)',
      "row 7: low must be a number (got '')",
      "row 7: high must be a number (got '')",
    ]);
    await input(panel, 'name-6').fill('<script>');
    await setType(panel, 6, 'categorical');
    await input(panel, 'choices-6').fill(`${HOSTILE_NAME}, __proto__`);
    assert.deepEqual(await problems(panel), []);
    await panel.page.click('[data-testid="remove-2"]');
    assert.equal(await panel.page.locator('[data-testid="rows"] tr').count(), 6);
    await panel.page.click('[data-testid="use"]');
    await panel.waitFor(`window.__posted.some((m) => m.kind === 'request')`);
    const space = (await requests(panel))[0].params!.space as Record<string, unknown>;
    assert.deepEqual(Object.keys(space), ['rf.nEstimators', 'rf.maxDepth', 'rf.maxFeatures', 'knn.nNeighbors', 'knn.weights', '<script>']);
    assert.deepEqual(space['rf.nEstimators'], { type: 'int', low: 60, high: 300, log: false, step: 50 });
    assert.deepEqual(space['<script>'], { type: 'categorical', choices: [HOSTILE_NAME, '__proto__'] });
    assert.equal(await panel.page.locator('script:not([nonce])').count(), 0, 'hostile text is never markup');
    assert.equal(await panel.page.evaluate('document.querySelectorAll("img").length'), 0);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('a __proto__ row is a param; Save sends the file name, which must be a *.modelops-space.json name; a refusal is shown', async () => {
    const rows = rowsOfSpace(parseSearchSpace({ __proto__x: [1] }, 's')).map((r) => ({ ...r, name: '__proto__' }));
    const panel = await harness.open(
      'space',
      fixtureFor(state(rows), { replies: { 'space/save': { outcome: 'refused', message: 'File name: wide.modelops-space.json exists already' } } }),
    );
    await panel.page.waitForSelector('[data-testid="rows"] tr');
    assert.equal(await input(panel, 'name-0').inputValue(), '__proto__');
    await input(panel, 'file-name').fill('wide.json');
    assert.equal(await disabled(panel, 'save'), true);
    assert.equal(await disabled(panel, 'use'), false);
    await input(panel, 'file-name').fill('wide.modelops-space.json');
    assert.equal(await disabled(panel, 'save'), false);
    await panel.page.click('[data-testid="save"]');
    await panel.waitFor(`document.querySelector('[data-testid="status"]')?.dataset.kind === 'error'`);
    assert.match((await panel.page.textContent('[data-testid="status"]')) ?? '', /exists already/);
    const [save] = await requests(panel);
    assert.equal(save.method, 'space/save');
    assert.equal(save.params!.fileName, 'wide.modelops-space.json');
    // As JSON text: playwright's own transfer would set a `__proto__` key as the prototype.
    const sent = JSON.parse(await panel.page.evaluate<string>('JSON.stringify(window.__posted.find((m) => m.kind === "request").params.space)')) as object;
    assert.deepEqual(Object.keys(sent), ['__proto__']);
    await panel.page.click('[data-testid="cancel"]');
    assert.ok((await panel.posted()).some((m) => m.method === 'space/cancel'));
    await panel.close();
  });
});
