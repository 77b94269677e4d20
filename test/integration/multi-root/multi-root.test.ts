// Runs in a window opened on a two-folder `.code-workspace` (host-runs.ts builds it): folder A holds
// the database MLflow wrote, folder B its own store at the path its folder settings give.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../../src/extension/api';
import { openStores } from '../../../src/store/open';
import { afterStoreActivation, digest, waitFor } from '../fixtures';
import type { ScriptedUi } from '../fixtures';
import { MULTI_ROOT } from '../host-runs';
import { childrenOf, experimentRows, modelRows } from '../trees';

function folderPath(name: string): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === name);
  assert.ok(folder, `folder ${name} is open`);
  return folder.uri.fsPath;
}

const storeA = () => join(folderPath(MULTI_ROOT.folderA), '.modelops', 'mlflow.db');
const storeB = () => join(folderPath(MULTI_ROOT.folderB), MULTI_ROOT.storePathB);

suite('a multi-root workspace: one store per folder', () => {
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;

  suiteSetup(async () => {
    ({ api, ui, restore } = await afterStoreActivation());
  });

  suiteTeardown(async () => {
    restore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('both trees show one node per folder, named for it, with its store path beside it', async () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 2);
    const experiments = await experimentRows(api);
    assert.deepEqual(
      experiments.map((r) => [r.label, r.description]),
      [
        [MULTI_ROOT.folderA, '.modelops/mlflow.db'],
        [MULTI_ROOT.folderB, MULTI_ROOT.storePathB],
      ],
    );
    assert.deepEqual(
      (await modelRows(api)).map((r) => r.label),
      [MULTI_ROOT.folderA, MULTI_ROOT.folderB],
    );
  });

  test('each folder lists its own experiments, runs and models', async () => {
    assert.deepEqual((await childrenOf(api.experiments, [MULTI_ROOT.folderA])).map((r) => r.label).sort(), ['peer-exp-2', 'peer-exp-renamed']);
    assert.deepEqual(
      (await childrenOf(api.experiments, [MULTI_ROOT.folderA, 'peer-exp-renamed'])).map((r) => r.label),
      ['run-b', 'run-a'],
    );
    assert.deepEqual(
      (await childrenOf(api.experiments, [MULTI_ROOT.folderB])).map((r) => r.label),
      [MULTI_ROOT.experimentB],
    );
    assert.deepEqual(
      (await childrenOf(api.experiments, [MULTI_ROOT.folderB, MULTI_ROOT.experimentB])).map((r) => r.label),
      [...MULTI_ROOT.runsB],
    );
    assert.deepEqual(
      (await childrenOf(api.models, [MULTI_ROOT.folderA])).map((r) => [r.label, r.description]),
      [['peer-model', 'Production v2']],
    );
    assert.deepEqual(await childrenOf(api.models, [MULTI_ROOT.folderB]), [], 'folder B has no registered models');
  });

  test("Compare Runs on folder B's run nodes reads B's store (the first folder's has no such runs)", async () => {
    const runs = (await childrenOf(api.experiments, [MULTI_ROOT.folderB, MULTI_ROOT.experimentB])).map((r) => r.node);
    assert.equal(runs.length, 2);
    const before = api.log.recent().length;
    const chosen = await vscode.commands.executeCommand<string[] | undefined>('modelops.compareRuns', runs[0], runs);
    assert.equal(chosen?.length, 2, JSON.stringify(ui.messages));
    const since = () => api.log.recent().slice(before);
    await waitFor("B's runs sent to the page", () => since().some((l) => l === 'webview.state panel=compare status=ready runs=2'), 60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the status bar shows the Production version of the first folder when no editor is active', async () => {
    await waitFor('the status bar', () => api.statusBarText()?.includes('peer-model v2'));
  });

  test("a command on a node of folder B writes to B's store and not to A's", async () => {
    const beforeA = digest(storeA());
    const run = (await childrenOf(api.experiments, [MULTI_ROOT.folderB, MULTI_ROOT.experimentB])).find((r) => r.label === MULTI_ROOT.runsB[1]);
    assert.ok(run);
    const deleted = await vscode.commands.executeCommand<string | undefined>('modelops.deleteRun', run.node);
    assert.ok(deleted, JSON.stringify(ui.messages));
    assert.deepEqual(ui.prompts, [], 'the node says which folder: nothing is asked');
    const db = await openStores(storeB());
    try {
      assert.equal((await db.tracking.getRun(deleted)).info.lifecycleStage, 'deleted');
    } finally {
      await db.close();
    }
    assert.equal(digest(storeA()), beforeA, "folder A's store is untouched");
    await waitFor('"Deleted runs" under folder B', async () =>
      (await childrenOf(api.experiments, [MULTI_ROOT.folderB, MULTI_ROOT.experimentB])).some((r) => r.label === 'Deleted runs'),
    );
    assert.ok(!(await childrenOf(api.experiments, [MULTI_ROOT.folderA, 'peer-exp-renamed'])).some((r) => r.label === 'Deleted runs'));
  });

  test('from the palette a command asks which folder, unless the active editor is in one', async () => {
    ui.answers = [MULTI_ROOT.folderB];
    const asked = await vscode.commands.executeCommand<string>('modelops.openInMlflowUi');
    assert.deepEqual(ui.prompts, ["Which workspace folder's store?"]);
    assert.equal(asked, `mlflow ui --backend-store-uri sqlite:///${storeB()}`);

    await vscode.window.showTextDocument(vscode.Uri.file(join(folderPath(MULTI_ROOT.folderA), 'README.md')));
    const fromEditor = await vscode.commands.executeCommand<string>('modelops.openInMlflowUi');
    assert.equal(ui.prompts.length, 1, "the active editor's folder is used without asking");
    assert.equal(fromEditor, `mlflow ui --backend-store-uri sqlite:///${storeA()}`);
  });

  test("the status bar follows the active editor's folder", async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(join(folderPath(MULTI_ROOT.folderB), 'README.md')));
    await waitFor('the status bar hidden: folder B has no Production version', () => api.statusBarText() === undefined);
    await vscode.window.showTextDocument(vscode.Uri.file(join(folderPath(MULTI_ROOT.folderA), 'README.md')));
    await waitFor("folder A's Production version", () => api.statusBarText()?.includes('peer-model v2'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a folder removed at runtime closes its session; added back, it opens again', async () => {
    const changed = () =>
      new Promise<void>((resolve) => {
        const d = vscode.workspace.onDidChangeWorkspaceFolders(() => {
          d.dispose();
          resolve();
        });
      });
    const uriB = vscode.Uri.file(folderPath(MULTI_ROOT.folderB));
    let done = changed();
    assert.ok(vscode.workspace.updateWorkspaceFolders(1, 1));
    await done;
    await waitFor('one session left', () => api.sessions.all().length === 1);
    // One folder left: the trees look as in a single-folder window again (no folder level).
    assert.deepEqual((await experimentRows(api)).map((r) => r.label).sort(), ['peer-exp-2', 'peer-exp-renamed']);
    done = changed();
    assert.ok(vscode.workspace.updateWorkspaceFolders(1, 0, { uri: uriB, name: MULTI_ROOT.folderB }));
    await done;
    await waitFor('two sessions', () => api.sessions.all().length === 2);
    assert.deepEqual(
      (await experimentRows(api)).map((r) => r.label),
      [MULTI_ROOT.folderA, MULTI_ROOT.folderB],
    );
    assert.deepEqual(
      (await childrenOf(api.experiments, [MULTI_ROOT.folderB, MULTI_ROOT.experimentB])).map((r) => r.label).filter((l) => l !== 'Deleted runs'),
      [MULTI_ROOT.runsB[0]],
    );
  });
});
