import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ALL_COMMANDS, VIEW } from '../../src/extension/commands/ids';
import { activateExtension, extensionPackageJson } from './helpers';

suite('commands', () => {
  test('every contributed command is registered and every registered command is contributed', async () => {
    await activateExtension();
    const contributed = extensionPackageJson()
      .contributes.commands.map((c) => c.command)
      .sort();
    // VS Code itself registers `<viewId>.focus` etc. for every contributed view: not ours.
    const viewCommand = (c: string) => Object.values(VIEW).some((v) => c.startsWith(`${v}.`));
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('modelops.') && !viewCommand(c)).sort();
    assert.deepEqual(registered, contributed);
    assert.deepEqual([...ALL_COMMANDS].sort(), contributed);
  });

  test('Open Store in MLflow UI copies the mlflow ui command for the workspace store', async () => {
    await activateExtension();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the suite runs in a folder');
    await vscode.commands.executeCommand('modelops.openInMlflowUi');
    const copied = await vscode.env.clipboard.readText();
    assert.equal(copied, `mlflow ui --backend-store-uri sqlite:///${folder.uri.fsPath}/.modelops/mlflow.db`);
  });
});
