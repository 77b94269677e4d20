import * as assert from 'node:assert/strict';
import { request } from 'node:http';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import type { Serving } from '../../src/extension/serving';
import type { RegisterResult } from '../../src/pipeline/register';
import type { TrainResult } from '../../src/pipeline/train';
import { VERSION_HEADER } from '../../src/serve/scoring-server';
import { activateExtension } from './helpers';
import { removeStore, scriptUi, waitFor } from './fixtures';
import type { ScriptedUi } from './fixtures';

function score(url: string): Promise<{ status: number; version: string; body: string }> {
  const body = JSON.stringify({ dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], data: [[5.1, 3.5, 1.4, 0.2]] } });
  return new Promise((done, fail) => {
    const req = request(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, version: String(res.headers[VERSION_HEADER.toLowerCase()]), body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

suite('Serve Model from the Models view', () => {
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('modelops.stopServing');
    restore();
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  async function registeredVersion(): Promise<string> {
    ui.answers = ['iris.csv', 'species', 'Members', ['rf', 'knn'], 'Train'];
    const trained = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    assert.ok(trained, JSON.stringify(ui.messages));
    const registered = await vscode.commands.executeCommand<RegisterResult | undefined>('modelops.registerModel', trained.runId, 'iris');
    assert.ok(registered, JSON.stringify(ui.messages));
    return registered.version.version;
  }

  test('serves @champion on loopback, shows the URL in the status bar, follows the alias, and stops', async () => {
    const v1 = await registeredVersion();
    await vscode.commands.executeCommand('modelops.setAlias', { name: 'iris', version: v1 }, 'champion');
    const serving = await vscode.commands.executeCommand<Serving | undefined>('modelops.serveModel', { name: 'iris', version: v1 }, '@champion');
    assert.ok(serving, JSON.stringify(ui.messages));
    assert.match(serving.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(api.servingText(), `$(radio-tower) models:/iris/${v1} · ${serving.url}`);
    const first = await score(serving.url);
    assert.equal(first.status, 200, first.body);
    assert.deepEqual(JSON.parse(first.body), { predictions: ['setosa'] });
    assert.equal(first.version, `models:/iris/${v1}`);

    const v2 = await registeredVersion();
    await vscode.commands.executeCommand('modelops.setAlias', { name: 'iris', version: v2 }, 'champion');
    await waitFor('the server to follow @champion to the new version', async () => (await score(serving.url)).version === `models:/iris/${v2}`);
    await waitFor('the status bar to name the new version', () => api.servingText()?.includes(`models:/iris/${v2}`));

    assert.equal(await vscode.commands.executeCommand('modelops.stopServing'), true);
    assert.equal(api.servingText(), undefined);
    await assert.rejects(score(serving.url), /ECONNREFUSED/);
  });
});
