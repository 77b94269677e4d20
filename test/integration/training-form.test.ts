import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import type { PromoteResult } from '../../src/pipeline/promote';
import type { RegisterResult } from '../../src/pipeline/register';
import type { TrainResult } from '../../src/pipeline/train';
import type { ValidateResult } from '../../src/pipeline/validate';
import { activateExtension } from './helpers';
import { removeStore, scriptUi, waitFor, withStore, workspaceDir } from './fixtures';
import type { ScriptedUi } from './fixtures';
import { childrenOf } from './trees';

/** A CSV whose `customer_id` differs on every row, and a slow one (many rows) to cancel. */
function writeCsvs(dir: string): { ids: string; big: string } {
  const ids = join(dir, 'customers.csv');
  const rows = ['customer_id,tenure,plan,churned'];
  for (let i = 0; i < 60; i++) rows.push(`C${1000 + i},${i % 24},${i % 3 === 0 ? 'basic' : 'pro'},${i % 5 === 0 ? 'yes' : 'no'}`);
  writeFileSync(ids, `${rows.join('\n')}\n`);
  const big = join(dir, 'big.csv');
  const b = ['a,b,c,d,e,f,label'];
  for (let i = 0; i < 4000; i++)
    b.push(`${i % 97},${(i * 7) % 89},${(i * 13) % 83},${(i * 17) % 79},${(i * 19) % 73},${(i * 23) % 71},${i % 3 === 0 ? 'x' : i % 3 === 1 ? 'y' : 'z'}`);
  writeFileSync(big, `${b.join('\n')}\n`);
  return { ids, big };
}

suite('decisions in the editor: training form, picks, cancellation, registration, validation and review feedback', () => {
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let files: { ids: string; big: string };

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
    removeStore();
    files = writeCsvs(workspaceDir());
    await vscode.commands.executeCommand('modelops.refresh');
  });

  suiteTeardown(async () => {
    restore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(files.ids, { force: true });
    rmSync(files.big, { force: true });
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  const params = (runId: string) => withStore(async (s) => Object.fromEntries((await s.tracking.getRun(runId)).data.params.map((p) => [p.key, p.value])));

  test('the form sets cv, seed, experiment and run name; no progress shows while it asks; the next training starts from the same settings', async () => {
    ui.answers = ['iris.csv', 'species', 'CV folds', '3', 'Seed', '7', 'Experiment', 'New experiment…', 'iris-form', 'Run name', 'form-run', 'Train'];
    const first = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    assert.ok(first, JSON.stringify(ui.messages));
    assert.deepEqual(ui.answers, []);
    assert.deepEqual(
      ui.progressAtPrompt.filter((p) => p.progress.length > 0),
      [],
      'no [Cancel] notification beside an open pick',
    );
    assert.deepEqual(await api.progressTitles(), [], 'the progress closed with the result');
    const p1 = await params(first.runId);
    assert.equal(p1.cv, '3');
    assert.equal(p1.seed, '7');
    const run1 = await withStore((s) => s.tracking.getRun(first.runId));
    assert.equal(run1.info.runName, 'form-run');
    assert.equal((await withStore((s) => s.tracking.getExperiment(run1.info.experimentId))).name, 'iris-form');

    // Remembered for the workspace: only the CSV, the target and Train this time.
    const offered = ui.offered.length;
    ui.answers = ['iris.csv', 'species', 'Train'];
    const second = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    assert.ok(second, JSON.stringify(ui.messages));
    assert.equal((await params(second.runId)).cv, '3');
    assert.equal(ui.offered[offered + 1]?.labels[0], 'species', 'the last target is offered first');
    const form = ui.offered.find((o, i) => i > offered && o.title === 'Train an ensemble on iris.csv');
    assert.ok(form?.labels.includes('CV folds') && form.labels.includes('Register as'), JSON.stringify(form));
  });

  test('an id-like target is refused before a run exists, naming the form field, not a CLI flag', async () => {
    const before = await withStore(async (s) => (await s.tracking.searchRuns({ experimentIds: ['0', '1', '2'], maxResults: 1000 })).items.length);
    const shown = ui.messages.length;
    ui.answers = ['customers.csv', 'customer_id', 'CV folds', '5', 'Train'];
    assert.equal(await vscode.commands.executeCommand('modelops.trainEnsemble'), undefined);
    const error = ui.messages.slice(shown).find((m) => m.level === 'error');
    assert.match(error?.text ?? '', /^ModelOps: Target: target 'customer_id' has 60 different values in 60 rows, like an id/);
    assert.doesNotMatch(error?.text ?? '', /--/);
    const after = await withStore(async (s) => (await s.tracking.searchRuns({ experimentIds: ['0', '1', '2'], maxResults: 1000 })).items.length);
    assert.equal(after, before, 'no FAILED run left behind');
  });

  test('dismissing a pick ends quietly; cancelling a training says so, and its KILLED run offers no Register', async () => {
    const shown = ui.messages.length;
    ui.answers = ['iris.csv', undefined];
    assert.equal(await vscode.commands.executeCommand('modelops.trainEnsemble'), undefined);
    assert.deepEqual(ui.messages.slice(shown), [], 'Escape on the target pick says nothing');

    ui.answers = ['big.csv', 'label', 'Member parameters', 'rf.nEstimators=400', 'CV folds', '5', 'Train'];
    const training = vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    await waitFor('the training progress', () => api.progressTitles().includes('ModelOps: Training ensemble'));
    api.cancelRunningCommands();
    assert.equal(await training, undefined);
    const said = ui.messages.slice(shown).find((m) => m.level === 'info');
    assert.match(said?.text ?? '', /^ModelOps: Training cancelled: run .* is marked KILLED\.$/);
    const killed = await waitFor('the KILLED run in the tree', async () => {
      const runs = await childrenOf(api.experiments, ['iris-form']);
      return runs.find((r) => r.node.kind === 'run' && r.node.run.info.status === 'KILLED');
    });
    assert.equal(killed.item.contextValue, 'run', 'Register Model is offered on run.model only');
    const finished = (await childrenOf(api.experiments, ['iris-form'])).find((r) => r.node.kind === 'run' && r.node.run.info.status === 'FINISHED');
    assert.equal(finished?.item.contextValue, 'run.model');
  });

  test('Register asks for a new model or an existing one (never pre-filling one), and refuses a run of another target until told', async () => {
    const runs = await withStore(async (s) => {
      const exp = await s.tracking.getExperimentByName('iris-form');
      return (await s.tracking.searchRuns({ experimentIds: [exp!.experimentId], maxResults: 10, filter: "attributes.status = 'FINISHED'" })).items;
    });
    ui.answers = ['New model…', 'iris-clf'];
    const first = await vscode.commands.executeCommand<RegisterResult | undefined>('modelops.registerModel', runs[0]!.info.runId);
    assert.ok(first, JSON.stringify(ui.messages));
    assert.equal(first.version.name, 'iris-clf');
    assert.equal(ui.offered.at(-1)?.labels[0], 'New model…');
    const said = ui.messages.at(-1);
    assert.match(said?.text ?? '', /^Registered iris-clf version 1 from run .*\. Validation passed: None → Staging \(\d+ of \d+ gates passed/);
    assert.deepEqual(said?.actions, ['Show Report']);

    // A regression on another target: the difference is named, and declining registers nothing.
    ui.answers = ['iris.csv', 'sepal_length', 'Experiment', 'iris-form', 'Train'];
    const other = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    assert.ok(other, JSON.stringify(ui.messages));
    ui.answers = ['iris-clf', false];
    const refused = await vscode.commands.executeCommand('modelops.registerModel', other.runId);
    assert.equal(refused, undefined);
    assert.match(ui.confirmations.at(-1)?.detail ?? '', /it predicts 'sepal_length', version 1 predicts 'species'/);
    assert.deepEqual(ui.progressAtPrompt.at(-1)?.progress, [], 'asked before any progress shows');
    const versions = await withStore(async (s) => (await s.registry.searchModelVersions({ filter: "name = 'iris-clf'" })).items.length);
    assert.equal(versions, 1);
  });

  test('Validate ends its progress with the result; Show Report opens a read-only document, not an Untitled one', async () => {
    ui.actionAnswers = ['Show Report'];
    const result = await vscode.commands.executeCommand<ValidateResult | undefined>('modelops.validateVersion', { name: 'iris-clf', version: '1' });
    assert.ok(result);
    assert.deepEqual(api.progressTitles(), [], 'the notification closed when the command ended');
    assert.match(ui.messages.at(-1)?.text ?? '', /^iris-clf version 1: Validation passed: stays in Staging \(/);
    const editor = await waitFor(
      'the report',
      () => vscode.window.activeTextEditor?.document.uri.scheme === 'modelops-report' && vscode.window.activeTextEditor,
    );
    assert.equal(editor.document.isUntitled, false);
    assert.match(editor.document.getText(), /Validation of iris-clf version 1: PASSED/);
  });

  test('Reject asks first and the version shows rejected; an empty approval comment is explained; the history lists it all', async () => {
    ui.answers = [false];
    assert.equal(await vscode.commands.executeCommand('modelops.rejectVersion', { name: 'iris-clf', version: '1' }), false);
    ui.answers = [true, 'worse than expected'];
    assert.equal(await vscode.commands.executeCommand('modelops.rejectVersion', { name: 'iris-clf', version: '1' }), true);
    await waitFor('rejected in the Models view', async () => (await childrenOf(api.models, ['iris-clf']))[0]?.description.includes('rejected'));

    ui.answers = [true, ''];
    const promoted = await vscode.commands.executeCommand<PromoteResult | undefined>('modelops.promoteToProduction', { name: 'iris-clf', version: '1' });
    assert.equal(promoted, undefined);
    assert.match(ui.messages.at(-1)?.text ?? '', /was not promoted: an approval needs a comment/);

    const history = await vscode.commands.executeCommand<string | undefined>('modelops.showModelHistory', { name: 'iris-clf' });
    assert.match(history ?? '', /reject version 1 — “worse than expected”/);
    assert.match(history ?? '', /register version 1/);
    assert.match(history ?? '', /source run [0-9a-f]{32}/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.scheme, 'modelops-report');
  });

  test('Train Again with These Params… opens the form filled from the run', async () => {
    const source = await withStore(async (s) => {
      const exp = await s.tracking.getExperimentByName('iris-form');
      return (await s.tracking.searchRuns({ experimentIds: [exp!.experimentId], maxResults: 100, filter: "attributes.run_name = 'form-run'" })).items[0];
    });
    assert.ok(source);
    ui.answers = ['Train'];
    const again = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainAgain', source.info.runId);
    assert.ok(again, JSON.stringify(ui.messages));
    const p = await params(again.runId);
    assert.deepEqual([p.target, p.cv, p.seed, p.models], ['species', '3', '7', 'rf,knn']);
    const registered = await vscode.commands.executeCommand<RegisterResult | undefined>('modelops.registerModel', again.runId, 'iris-b');
    assert.equal(registered?.validation?.version.currentStage, 'Staging');
  });

  test('the status bar names every model in Production', async () => {
    // Validating again clears iris-clf's rejection; both models then go to Production.
    await vscode.commands.executeCommand('modelops.validateVersion', { name: 'iris-clf', version: '1' });
    for (const name of ['iris-clf', 'iris-b']) {
      ui.answers = [true, 'beats the majority class'];
      const r = await vscode.commands.executeCommand<PromoteResult | undefined>('modelops.promoteToProduction', { name, version: '1' });
      assert.equal(r?.version.currentStage, 'Production', JSON.stringify(ui.messages.slice(-2)));
    }
    const text = await waitFor('both in the status bar', () => {
      const t = api.statusBarText();
      return t?.includes('iris-clf v1') && t.includes('iris-b v1') && t;
    });
    assert.match(text, /^\$\(rocket\) /);
  });

  test('Register as in the form registers the new run when training ends', async () => {
    ui.answers = ['iris.csv', 'species', 'Register as', 'iris-b', 'Train'];
    const trained = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    assert.ok(trained, JSON.stringify(ui.messages.slice(-2)));
    const versions = await withStore(async (s) => (await s.registry.searchModelVersions({ filter: "name = 'iris-b'" })).items);
    assert.deepEqual(
      versions.map((v) => [v.version, v.runId]).find(([, r]) => r === trained.runId),
      ['2', trained.runId],
    );
    assert.ok(
      ui.messages.some((m) => m.text.startsWith('Registered iris-b version 2 from run')),
      JSON.stringify(ui.messages.slice(-3)),
    );
  });

  test('a validation that fails a Staging version says it moved back to None, never that it "stays"', async () => {
    writeFileSync(
      join(workspaceDir(), '.modelops', 'gates.json'),
      JSON.stringify({ models: { 'iris-b': { metrics: { accuracy: { threshold: 0.9999, greater_is_better: true } } } } }),
    );
    try {
      const before = await withStore((s) => s.registry.getModelVersion('iris-b', '2'));
      assert.equal(before.currentStage, 'Staging');
      const result = await vscode.commands.executeCommand<ValidateResult | undefined>('modelops.validateVersion', { name: 'iris-b', version: '2' });
      assert.equal(result?.report.passed, false);
      const said = ui.messages.at(-1)?.text ?? '';
      assert.match(said, /^iris-b version 2: Validation failed: moved from Staging back to None \(\d+ of \d+ gates passed, 1 failed/);
      assert.doesNotMatch(said, /stays/);
    } finally {
      rmSync(join(workspaceDir(), '.modelops', 'gates.json'), { force: true });
    }
  });
});
