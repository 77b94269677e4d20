import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import type { PromoteResult } from '../../src/pipeline/promote';
import type { RegisterResult } from '../../src/pipeline/register';
import type { TrainResult } from '../../src/pipeline/train';
import { activateExtension, firstSession } from './helpers';
import { removeStore, scriptUi, waitFor, workspaceDir } from './fixtures';
import type { ScriptedUi } from './fixtures';
import { childrenOf, experimentRows } from './trees';

suite('train, register, promote and predict from the editor', () => {
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;
  const iris = () => join(workspaceDir(), 'iris.csv');
  const runIds: string[] = [];

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
    removeStore();
    rmSync(join(workspaceDir(), 'iris.predictions.csv'), { force: true });
    await vscode.commands.executeCommand('modelops.refresh');
  });

  suiteTeardown(async () => {
    restore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  async function trainIris(): Promise<TrainResult> {
    ui.answers = ['iris.csv', 'species', 'Members', ['rf', 'knn'], 'Train'];
    const result = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    assert.ok(result, `training failed: ${JSON.stringify(ui.messages)}`);
    assert.deepEqual(ui.answers, [], 'every quick pick was asked');
    runIds.push(result.runId);
    return result;
  }

  test('Train Ensemble on iris.csv asks for the CSV and the target, then shows the training form, and the run appears in the tree', async () => {
    const result = await trainIris();
    assert.deepEqual(ui.prompts.slice(0, 5), [
      'Train an ensemble on which CSV?',
      'Target column of iris.csv',
      'Train an ensemble on iris.csv',
      'Ensemble members',
      'Train an ensemble on iris.csv',
    ]);
    assert.ok(result.metrics.accuracy! > 0.85, `accuracy ${result.metrics.accuracy}`);
    const run = await waitFor('the trained run in the Experiments view', async () => {
      const experiments = await experimentRows(api);
      if (!experiments.some((r) => r.label === 'Default')) return undefined;
      return (await childrenOf(api.experiments, ['Default'])).find((r) => r.node.kind === 'run' && r.node.run.info.runId === result.runId);
    });
    assert.match(run.description, /^accuracy 0\.9\d{3}$/);
    const done = ui.messages.find((m) => m.level === 'info' && m.text.startsWith('Trained rf + knn on iris.csv'));
    assert.deepEqual(done?.actions, ['Register Model…'], 'the result offers to register the model, as `train --register` does');
    // The toast names the run as the tree does, and the tree shows the new run selected.
    assert.ok(done?.text.includes(`(run ${run.label}).`), `${done?.text} names ${run.label}`);
    assert.match(done?.text ?? '', /beats the baseline's/, 'the result says how it compares with the majority class');
    await waitFor('the trained run selected in the Experiments view', () => {
      const node = api.experimentsSelection()[0];
      return node?.kind === 'run' && node.run.info.runId === result.runId;
    });
  });

  test('the store the editor opened runs on node:sqlite, the engine safe beside MLflow (the extension host has it)', async () => {
    const open = await firstSession(api).get();
    assert.ok(open, 'training created the store');
    assert.equal(open.stores.file?.engine.name, 'node:sqlite', open.stores.file?.engine.reason);
    assert.equal(open.stores.file?.engine.safeBesideOtherWriters, true);
  });

  test('Register Model from Run validates the new version into Staging', async () => {
    const result = await vscode.commands.executeCommand<RegisterResult | undefined>('modelops.registerModel', runIds[0], 'iris');
    assert.ok(result, JSON.stringify(ui.messages));
    assert.equal(result.version.version, '1');
    assert.equal(result.validation?.report.passed, true, JSON.stringify(result.validation?.report.gates));
    assert.equal(result.validation?.version.currentStage, 'Staging');
  });

  test('Promote to Production asks for confirmation; declining changes nothing', async () => {
    ui.answers = [false];
    const declined = await vscode.commands.executeCommand<PromoteResult | undefined>('modelops.promoteToProduction', { name: 'iris', version: '1' });
    assert.equal(declined, undefined);
    const versions = await childrenOf(api.models, ['iris']);
    assert.match(versions[0]?.description ?? '', /^Staging/);
  });

  test('Promote to Production shows the validation summary, asks a comment, and archives the previous Production version', async () => {
    ui.answers = [true, 'first model'];
    const first = await vscode.commands.executeCommand<PromoteResult | undefined>('modelops.promoteToProduction', { name: 'iris', version: '1' });
    assert.equal(first?.version.currentStage, 'Production');
    const firstDetail = ui.confirmations.at(-1)?.detail ?? '';
    assert.match(firstDetail, /Validation passed/);
    assert.match(firstDetail, /nothing is archived/);

    await trainIris();
    await vscode.commands.executeCommand('modelops.registerModel', runIds[1], 'iris');
    ui.answers = [true, 'better seed'];
    const second = await vscode.commands.executeCommand<PromoteResult | undefined>('modelops.promoteToProduction', { name: 'iris', version: '2' });
    assert.equal(second?.version.currentStage, 'Production');
    assert.deepEqual(second?.archived, ['1']);
    assert.match(ui.confirmations.at(-1)?.detail ?? '', /Version 1 of iris will be archived/);
    await waitFor('version 1 archived in the Models view', async () => {
      const versions = await childrenOf(api.models, ['iris']);
      return (
        versions.find((r) => r.label === 'Version 1')?.description.startsWith('Archived') &&
        versions.find((r) => r.label === 'Version 2')?.description.startsWith('Production')
      );
    });
    await waitFor('the status bar', () => api.statusBarText()?.includes('iris v2'));
  });

  test('Predict with Production Model writes the predictions beside the CSV and shows them at the end of each line', async () => {
    const csv = vscode.Uri.file(iris());
    const result = await vscode.commands.executeCommand<{ outPath?: string } | undefined>('modelops.predictWithProduction', csv);
    assert.ok(result?.outPath, JSON.stringify(ui.messages));
    assert.equal(result.outPath, join(workspaceDir(), 'iris.predictions.csv'));
    assert.ok(existsSync(result.outPath));
    const lines = readFileSync(result.outPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, 151);
    assert.match(lines[0] ?? '', /,prediction,probability_setosa,/);
    const decorations = api.decorations.get(csv);
    assert.equal(decorations.length, 150);
    assert.equal(decorations[0]?.range.start.line, 1, 'the first data row is line 2');
    assert.match(decorations[0]?.renderOptions?.after?.contentText ?? '', /^→ setosa \(\d\.\d\d\)$/);
    const hover = decorations[0]?.hoverMessage;
    assert.ok(hover instanceof vscode.MarkdownString);
    assert.match(hover.value, /\| setosa \| \d\.\d{3} \|/);
    assert.match(hover.value, /iris v2/);
    // The CSV is open in an editor with the decorations.
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === csv.fsPath));
  });

  test("Predict refuses a CSV that does not fit the model's signature, names the file, and writes nothing", async () => {
    const bad = join(workspaceDir(), 'bad.csv');
    writeFileSync(bad, 'sepal_length,colour\n5.1,red\n');
    const before = ui.messages.length;
    const result = await vscode.commands.executeCommand('modelops.predictWithProduction', vscode.Uri.file(bad));
    assert.equal(result, undefined);
    const error = ui.messages.slice(before).find((m) => m.level === 'error');
    assert.ok(error, 'an error message was shown');
    assert.ok(error.text.includes(bad), error.text);
    assert.deepEqual(error.actions, ['Show Output']);
    assert.equal(existsSync(join(workspaceDir(), 'bad.predictions.csv')), false);
    rmSync(bad, { force: true });
  });
});
