// Runs in a window where workspace trust is on and the folder is not trusted (host-runs.ts: code-server
// without --disable-workspace-trust, no startup prompt), on a folder that already holds a store.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../../src/extension/api';
import { afterStoreActivation, digest, MLFLOW_DB, storeFile, waitFor, workspaceDir } from '../fixtures';
import type { ScriptedUi } from '../fixtures';
import { EXTENSION_ID } from '../helpers';
import { childrenOf, experimentRows, modelRows } from '../trees';

/** Every file under the workspace, so "writes nothing" covers new files too. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

suite('Restricted Mode (an untrusted workspace with a store)', () => {
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

  test('the window is untrusted and the manifest declares limited support with a description', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      capabilities?: { untrustedWorkspaces?: { supported?: unknown; description?: unknown } };
    };
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.match(String(manifest.capabilities?.untrustedWorkspaces?.description), /Restricted Mode .*read-only/);
  });

  test('the store activates the extension by itself; the trees list its experiments, runs and models, and the status bar its Production version', async () => {
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(api.sessions.first()?.state.kind, 'open');
    assert.deepEqual((await experimentRows(api)).map((r) => r.label).sort(), ['peer-exp-2', 'peer-exp-renamed']);
    assert.deepEqual(
      (await childrenOf(api.experiments, ['peer-exp-renamed'])).map((r) => r.label),
      ['run-b', 'run-a'],
    );
    assert.deepEqual(
      (await modelRows(api)).map((r) => [r.label, r.description]),
      [['peer-model', 'Production v2']],
    );
    await waitFor('the status bar', () => api.statusBarText()?.includes('peer-model v2'));
  });

  test('a folder setting asking to rerun pipelines on data change is ignored: nothing is watched', async () => {
    assert.equal(
      vscode.workspace.getConfiguration('modelops', vscode.workspace.workspaceFolders?.[0]?.uri).get('pipeline.rerunOnDataChange'),
      false,
      'a restricted configuration',
    );
    await waitFor('the watcher to stand down', () => api.log.recent().some((l) => l.startsWith('pipeline.watch.off ')));
    assert.ok(!api.log.recent().some((l) => l.startsWith('pipeline.watch ')), 'no dataset is watched');
  });

  test('Train Ensemble, Tune Hyperparameters, Run Retraining Pipeline, Predict and Delete Run refuse with the trust message, ask nothing and write nothing', async () => {
    const before = { store: digest(storeFile()), files: listing(workspaceDir()) };
    assert.equal(before.store, digest(MLFLOW_DB), 'listing the store in the views wrote nothing to it');
    const iris = vscode.Uri.file(join(workspaceDir(), 'iris.csv'));
    const run = (await childrenOf(api.experiments, ['peer-exp-renamed'])).find((r) => r.label === 'run-a');
    assert.ok(run);
    const attempts: [string, unknown][] = [
      ['modelops.trainEnsemble', iris],
      ['modelops.tuneHyperparameters', iris],
      ['modelops.runRetrainingPipeline', vscode.Uri.file(join(workspaceDir(), 'modelops.pipeline.json'))],
      ['modelops.predictWithProduction', iris],
      ['modelops.deleteRun', run.node],
    ];
    for (const [command, arg] of attempts) {
      const shown = ui.messages.length;
      assert.equal(await vscode.commands.executeCommand(command, arg), undefined, command);
      const errors = ui.messages.slice(shown).filter((m) => m.level === 'error');
      assert.equal(errors.length, 1, `${command}: ${JSON.stringify(ui.messages.slice(shown))}`);
      assert.match(errors[0]?.text ?? '', /Restricted Mode: trust the workspace to train, predict or change the store/);
      assert.deepEqual(errors[0]?.actions, ['Show Output']);
    }
    assert.deepEqual(ui.prompts, [], 'no quick pick was shown');
    assert.equal(digest(storeFile()), before.store, 'the store is unchanged');
    assert.deepEqual(listing(workspaceDir()), before.files, 'no file was written');
    assert.equal(existsSync(join(workspaceDir(), 'iris.predictions.csv')), false);
  });
});
