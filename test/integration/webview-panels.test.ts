import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import { activateExtension, firstSession } from './helpers';
import { installStore, MLFLOW_DB, removeStore, waitFor } from './fixtures';

suite('webview panels in the real host', () => {
  let api: ModelOpsApi;

  suiteSetup(async () => {
    api = await activateExtension();
    removeStore();
    installStore(MLFLOW_DB);
    await vscode.commands.executeCommand('modelops.refresh');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  test('Compare Runs opens a panel whose page completes the ready handshake and is sent the chosen runs', async () => {
    const { tracking } = await firstSession(api).getOrCreate();
    const experiments = (await tracking.searchExperiments({ viewType: 'ACTIVE_ONLY' })).items;
    const runs = (await tracking.searchRuns({ experimentIds: experiments.map((e) => e.experimentId), maxResults: 2 })).items;
    assert.equal(runs.length, 2, 'the MLflow fixture has runs to compare');
    const before = api.log.recent().length;
    const ids = runs.map((r) => r.info.runId);
    const chosen = await vscode.commands.executeCommand<string[] | undefined>('modelops.compareRuns', ids[0], ids);
    assert.deepEqual(chosen, ids);
    const since = () => api.log.recent().slice(before);
    await waitFor('the compare page to say it is ready', () => since().some((l) => l.startsWith('webview.ready panel=compare')), 60_000);
    await waitFor('the runs sent to the page', () => since().some((l) => l === 'webview.state panel=compare status=ready runs=2'), 60_000);
    assert.ok(!since().some((l) => l.startsWith('webview.compare.protocol')), `no protocol problems: ${since().join('\n')}`);
  });
});
