import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import { activateExtension, EXTENSION_ID, firstSession } from './helpers';
import { removeStore, scriptUi, storeFile, waitFor, writeCorruptStore } from './fixtures';
import type { ScriptedUi } from './fixtures';
import { experimentRows } from './trees';

suite('a corrupt store', () => {
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
  });

  suiteTeardown(async () => {
    restore();
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  test('gives an error message naming the file, with Show Output, and no crash', async () => {
    writeCorruptStore();
    await vscode.commands.executeCommand('modelops.refresh');
    const message = await waitFor('the error message', () => ui.messages.find((m) => m.level === 'error'));
    assert.ok(message.text.includes(storeFile()), message.text);
    assert.deepEqual(message.actions, ['Show Output']);
    const rows = await experimentRows(api);
    assert.equal(rows[0]?.label, 'The store could not be opened');
    assert.equal(firstSession(api).state.kind, 'error');
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    // The extension still works: another command runs normally.
    assert.match(String(await vscode.commands.executeCommand('modelops.openInMlflowUi')), /^mlflow ui /);
  });

  test('the file is left as it was (never overwritten)', async () => {
    const { readFileSync } = await import('node:fs');
    assert.match(readFileSync(storeFile(), 'utf8'), /^this is not an SQLite database/);
  });
});
