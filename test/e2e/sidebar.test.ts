import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { e2eEnv, Workbench } from './workbench';

describe('ModelOps in the workbench (installed .vsix)', { timeout: 240_000 }, () => {
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.open(e2eEnv());
  });

  after(async () => {
    await wb?.close();
  });

  test('the activity bar opens the ModelOps sidebar with its Experiments and Models views', async () => {
    await wb.openModelOpsSidebar();
    await wb.expandView('Models');
    assert.equal(await wb.viewHeader('Experiments').isVisible(), true);
    assert.equal(await wb.viewHeader('Models').isVisible(), true);
    await wb.screenshot('sidebar');
  });

  test('ModelOps: Show Output from the palette shows the extension log', async () => {
    await wb.runCommand('ModelOps: Show Output');
    const line = wb.page.locator('.output-view, .monaco-editor', { hasText: 'activated' }).first();
    await line.waitFor({ timeout: 30_000 });
    await wb.screenshot('output');
  });
});
