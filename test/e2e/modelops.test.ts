// The packaged extension driven like a user would: sidebar, palette, context menu, CSV editor.
// Runs in order in one browser session; each step leaves the screenshot the README uses.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { e2eEnv, Workbench } from './workbench';

describe('ModelOps in the workbench (installed .vsix)', { timeout: 300_000 }, () => {
  const env = e2eEnv();
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.open(env);
  });

  after(async () => {
    await wb?.close();
  });

  test('the sidebar shows experiments with their runs and models with their versions', async () => {
    await wb.openModelOpsSidebar();
    await wb.expandTreeItem('iris-demo');
    await wb.treeItem('forest-knn-2').waitFor({ timeout: 30_000 });
    await wb.treeItem('forest-knn-1').waitFor({ timeout: 30_000 });
    await wb.expandView('Models');
    await wb.expandTreeItem('iris');
    await wb.treeItem('Version 2').waitFor({ timeout: 30_000 });
    assert.match(await wb.treeItem('Version 1').innerText(), /Production/);
    assert.match(await wb.treeItem('Version 2').innerText(), /Staging/);
    await wb.statusBarItem('iris v1').waitFor({ timeout: 30_000 });
    await wb.screenshot('sidebar');
  });

  test('the palette runs Train Ensemble through the training form, with a progress notification only after Train, and the run appears', async () => {
    await wb.runCommand('ModelOps: Train Ensemble');
    await wb.pickQuickItem('iris.csv');
    await wb.pickQuickItem('species');
    await wb.quickInputTitle('Train an ensemble on iris.csv').waitFor({ timeout: 15_000 });
    for (const field of ['Members', 'CV folds', 'Seed', 'Member parameters', 'Experiment', 'Register as']) {
      await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: field }).first().waitFor({ timeout: 15_000 });
    }
    assert.equal(await wb.notification('Training ensemble').count(), 0, 'no progress while the form is open');
    await wb.screenshot('train-form');
    await wb.page.keyboard.press('Enter'); // Train is the first item; the default members (rf, knn) are set
    const progress = wb.notification('Training ensemble');
    await progress.waitFor({ timeout: 30_000 });
    // Let the palette finish fading out, but not so long that training (a second or two) is done.
    await wb.page
      .locator('.quick-input-widget')
      .first()
      .waitFor({ state: 'hidden', timeout: 1500 })
      .catch(() => undefined);
    await wb.screenshot('train-progress');
    await wb.notification('Trained rf + knn on iris.csv').waitFor({ timeout: 180_000 });
    // Three runs now under iris-demo (the CLI wrote two).
    const runs = wb.page.locator('.pane-body .monaco-list-row[aria-level="2"]');
    await wb.waitUntil('three runs are listed', async () => (await runs.count()) >= 3 + 2 /* the two versions */);
  });

  test('right-click a Staging version → Promote to Production, confirm, comment', async () => {
    await wb.dismissNotifications();
    const entry = await wb.contextMenu(wb.treeItem('Version 2'), 'Promote to Production');
    await wb.screenshot('promote-context-menu');
    await entry.click();
    const dialog = wb.page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /Version 1 of iris will be archived/);
    await wb.screenshot('promote-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Promote' }).first().click();
    await wb.quickInput().waitFor({ state: 'visible', timeout: 15_000 });
    await wb.quickInput().fill('better seed, same signature');
    await wb.page.keyboard.press('Enter');
    await wb.notification('iris version 2 is now in Production').waitFor({ timeout: 30_000 });
    await wb.waitUntil('version 1 shows Archived', async () => /Archived/.test(await wb.treeItem('Version 1').innerText()));
  });

  test('Predict with Production Model on the open CSV writes predictions and shows them inline', async () => {
    await wb.dismissNotifications();
    await wb.openFile('iris.csv');
    await wb.runCommand('ModelOps: Predict with Production Model');
    await wb.notification('Predicted 150 rows').waitFor({ timeout: 60_000 });
    const out = join(env.workspace, 'iris.predictions.csv');
    assert.ok(existsSync(out));
    assert.match(readFileSync(out, 'utf8').split('\n')[0] ?? '', /prediction/);
    await wb.focusEditorGroup(1);
    await wb.page.waitForTimeout(800); // let the decorations paint
    await wb.screenshot('inline-predictions');
  });

  test('hovering an inline prediction shows the class probabilities', async () => {
    const hover = await wb.hoverInlineDecoration('4.9,3,1.4,0.2,setosa');
    assert.match(await hover.innerText(), /setosa/);
    assert.match(await hover.innerText(), /probability/);
    await wb.screenshot('prediction-hover');
  });

  test('an experiment opens its runs table, and a click on a run its page, where the MLmodel previews with its signature', async () => {
    await wb.dismissNotifications();
    await wb.runCommand('View: Close All Editors');
    const entry = await wb.contextMenu(wb.treeItem('iris-demo'), 'Open Runs Table');
    await entry.click();
    const table = wb.webview();
    await table.locator('.grid-body .row').nth(2).waitFor({ timeout: 60_000 });
    assert.match((await table.locator('[data-testid="counts"]').innerText()) ?? '', /^3 runs/);
    assert.ok((await table.locator('.run-link').allInnerTexts()).includes('forest-knn-1'));
    // Away from the tree, whose hover would cover the table (and the next click).
    await wb.page.mouse.move(1100, 700);
    await wb.page
      .locator('.context-view .monaco-hover')
      .first()
      .waitFor({ state: 'hidden', timeout: 5000 })
      .catch(() => undefined);
    await wb.screenshot('runs-table');
    await wb.treeItem('forest-knn-1').click();
    const page = wb.webview();
    await page.locator('[data-testid="run-name"]', { hasText: 'forest-knn-1' }).waitFor({ timeout: 60_000 });
    await page.locator('vscode-tab-header[data-tab="artifacts"]').click();
    await page.locator('[data-testid="artifact:model"]').click();
    await page.locator('[data-testid="artifact:model/MLmodel"]').click();
    await page.locator('[data-testid="mlmodel"]').waitFor({ timeout: 30_000 });
    assert.match(await page.locator('[data-testid="mlmodel"]').innerText(), /sepal_length/);
    await wb.page.mouse.move(1100, 700);
    await wb.screenshot('run-page');
  });

  test('Compare Runs from the palette: no spread or fold starred, each run against its majority-class baseline', async () => {
    await wb.dismissNotifications();
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('ModelOps: Compare Runs');
    await wb.pickQuickItem('forest-knn-1');
    await wb.pickQuickItem('forest-knn-2');
    await wb.page.keyboard.press('Enter');
    const compare = wb.webview();
    await compare.locator('[data-testid="baseline-verdict"]').nth(1).waitFor({ timeout: 60_000 });
    for (const verdict of await compare.locator('[data-testid="baseline-verdict"]').allInnerTexts()) assert.match(verdict, /beats baseline \(accuracy/);
    assert.equal(await compare.locator('tr[data-key="accuracy_std"] td.best').count(), 0, 'a spread is never best');
    assert.match(await compare.locator('tr[data-key="cv_accuracy"] th').innerText(), /^Accuracy per fold/);
    await wb.page.mouse.move(1100, 700);
    await wb.screenshot('compare-markers');
  });

  test('Review for Production of a churn version whose accuracy loses to the majority class says so', async () => {
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('ModelOps: Review for Production');
    await wb.pickQuickItem('churn');
    const review = wb.webview();
    const banner = review.locator('[data-testid="baseline-banner"]');
    await banner.waitFor({ timeout: 60_000 });
    assert.match(await banner.innerText(), /beats the baseline on ROC AUC .* but Accuracy 0\.7554 is below the baseline's 0\.7674/);
    await wb.page.mouse.move(1100, 700);
    await wb.screenshot('review-below-baseline');
  });
  test("the Tune form lists its options with the pruner's parameters, and Edit in a table… opens the search space editor", async () => {
    await wb.dismissNotifications();
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('ModelOps: Tune Hyperparameters');
    await wb.pickQuickItem('iris.csv');
    await wb.pickQuickItem('species');
    await wb.quickInputTitle('Tune hyperparameters on iris.csv').waitFor({ timeout: 15_000 });
    for (const field of ['Pruner options', 'Search space', 'Study'])
      await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: field }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('tune-form');
    await wb.pickQuickItem('Pruner options');
    await wb.quickInputTitle('Pruner options (median)').waitFor({ timeout: 15_000 });
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'n_startup_trials' }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('tune-pruner-options');
    await wb.page.keyboard.press('Escape'); // back to the form
    await wb.quickInputTitle('Tune hyperparameters on iris.csv').waitFor({ timeout: 15_000 });
    await wb.pickQuickItem('Search space');
    await wb.pickQuickItem('Edit in a table…');
    const editor = wb.webview();
    await editor.locator('[data-testid="rows"] tr').nth(5).waitFor({ timeout: 60_000 });
    assert.equal(await editor.locator('[data-testid="rows"] tr').count(), 6);
    await editor.locator('[data-testid="low-0"] input').fill('x');
    await editor.locator('[data-testid="problems"] li', { hasText: "row 1 (rf.nEstimators): low must be a number (got 'x')" }).waitFor({ timeout: 15_000 });
    await editor.locator('[data-testid="low-0"] input').fill('50');
    await wb.page.mouse.move(1100, 700);
    await wb.screenshot('space-editor');
    await editor.locator('[data-testid="cancel"]').click();
    await wb.quickInputTitle('Tune hyperparameters on iris.csv').waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('Escape');
  });
});
