import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import { activateExtension } from './helpers';
import { installStore, MLFLOW_DB, removeStore, waitFor } from './fixtures';
import { childrenOf, modelRows } from './trees';

suite('Models view and status bar', () => {
  let api: ModelOpsApi;

  suiteSetup(async () => {
    api = await activateExtension();
    await vscode.workspace.getConfiguration('modelops').update('primaryMetric', 'acc', vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('modelops').update('primaryMetric', undefined, vscode.ConfigurationTarget.Workspace);
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  test('shows registered models and their versions with stage and metric, from a database written by MLflow', async () => {
    removeStore();
    installStore(MLFLOW_DB);
    await vscode.commands.executeCommand('modelops.refresh');
    const models = await waitFor('peer-model', async () => {
      const rows = await modelRows(api);
      return rows.length > 0 ? rows : undefined;
    });
    assert.deepEqual(
      models.map((r) => r.label),
      ['peer-model'],
    );
    assert.equal(models[0]?.description, 'Production v2');
    const versions = await childrenOf(api.models, ['peer-model']);
    assert.deepEqual(
      versions.map((r) => r.label),
      ['Version 2', 'Version 1'],
    );
    assert.equal(versions[0]?.description, 'Production');
    assert.equal(versions[1]?.description, 'Staging · acc 0.9100');
    assert.equal(versions[0]?.item.contextValue, 'modelVersion.Production');
  });

  test('the status bar names the Production version', async () => {
    await waitFor('the status bar', () => api.statusBarText()?.includes('peer-model v2'));
  });

  test('Set Alias shows the alias beside the version', async () => {
    await vscode.commands.executeCommand('modelops.setAlias', { name: 'peer-model', version: '1' }, 'challenger');
    await waitFor('the alias', async () => {
      const versions = await childrenOf(api.models, ['peer-model']);
      return versions.find((r) => r.label === 'Version 1')?.description.includes('@challenger');
    });
  });
});
