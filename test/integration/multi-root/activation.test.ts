// The first file of the multi-root run (mocha loads files in name order): nothing has activated the
// extension yet, so this sees what a user sees when opening a workspace that already holds stores.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../../src/extension/api';
import { waitFor } from '../fixtures';
import { EXTENSION_ID } from '../helpers';
import { MULTI_ROOT } from '../host-runs';
import { childrenOf } from '../trees';

suite('activation on a workspace that already holds stores', () => {
  test('the stores activate the extension by themselves; the trees are populated and the status bar names the Production version', async () => {
    const ext = vscode.extensions.getExtension<ModelOpsApi>(EXTENSION_ID);
    assert.ok(ext);
    // No activate() call: `workspaceContains:.modelops/mlflow.db` must do it.
    await waitFor('activation by workspaceContains:.modelops/mlflow.db', () => ext.isActive, 30_000);
    const api = ext.exports;
    assert.deepEqual(
      api.sessions.all().map((s) => s.folder.name),
      [MULTI_ROOT.folderA, MULTI_ROOT.folderB],
    );
    assert.deepEqual((await childrenOf(api.experiments, [MULTI_ROOT.folderA])).map((r) => r.label).sort(), ['peer-exp-2', 'peer-exp-renamed']);
    assert.deepEqual(
      (await childrenOf(api.models, [MULTI_ROOT.folderA])).map((r) => r.label),
      ['peer-model'],
    );
    assert.deepEqual(
      (await childrenOf(api.experiments, [MULTI_ROOT.folderB])).map((r) => r.label),
      [MULTI_ROOT.experimentB],
    );
    assert.ok(
      api.sessions.all().every((s) => s.state.kind === 'open'),
      "both folders' stores are open once listed",
    );
    await waitFor('the status bar', () => api.statusBarText()?.includes('peer-model v2'));
  });
});
