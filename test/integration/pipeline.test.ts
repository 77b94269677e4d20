import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import { promoteModelVersion } from '../../src/pipeline/promote';
import { registerModel } from '../../src/pipeline/register';
import type { PipelineResult } from '../../src/pipeline/retraining/run-pipeline';
import { train } from '../../src/pipeline/train';
import { activateExtension } from './helpers';
import { FIXTURES, removeStore, scriptUi, waitFor, withStore, workspaceDir } from './fixtures';
import type { ScriptedUi } from './fixtures';

const COMMAND = 'modelops.runRetrainingPipeline';
const pipelineFile = (name = 'modelops.pipeline.json'): string => join(workspaceDir(), name);

function writePipeline(name: string, body: Record<string, unknown>): vscode.Uri {
  writeFileSync(
    pipelineFile(name),
    JSON.stringify({ model: 'churn', training: { params: 'best_run', cv: 0 }, inference_test: { rows: 200 }, ...body }, null, 2),
  );
  return vscode.Uri.file(pipelineFile(name));
}

async function versions(): Promise<string[]> {
  return withStore(async (s) => (await s.registry.searchModelVersions({ filter: "name = 'churn'" })).items.map((v) => `${v.version}:${v.currentStage}`).sort());
}

/** Every tab's label, to see what the command opened. */
function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
}

suite('retraining pipeline from the editor', function () {
  // Real training on a shared 2-core machine: a limit for a hung host, not a timing assertion.
  this.timeout(240_000);
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
    removeStore();
    // churn.csv from the repository's examples: the first customers make the Production model.
    const churn = resolve(FIXTURES, '..', '..', 'examples', 'churn.csv');
    const lines = readFileSync(churn, 'utf8').trim().split('\n');
    writeFileSync(join(workspaceDir(), 'january.csv'), `${lines.slice(0, 2501).join('\n')}\n`);
    writeFileSync(join(workspaceDir(), 'february.csv'), `${[lines[0], ...lines.slice(2501)].join('\n')}\n`);
    const header = lines[0]!.split(',');
    const age = header.indexOf('age');
    const months = [
      lines[0],
      ...lines.slice(2501).map((l) =>
        l
          .split(',')
          .map((v, i) => (i === age && v !== '' ? String(Number(v) * 12) : v))
          .join(','),
      ),
    ];
    writeFileSync(join(workspaceDir(), 'february-months.csv'), `${months.join('\n')}\n`);
    copyFileSync(churn, join(workspaceDir(), 'churn-full.csv'));
    await withStore(async (s) => {
      const first = await train(s.tracking, {
        data: join(workspaceDir(), 'january.csv'),
        target: 'churned',
        experiment: 'churn',
        cv: 0,
        params: { rf: { nEstimators: 20 } },
      });
      await registerModel(s, { runId: first.runId, name: 'churn', actor: 'alice', validation: { workspace: workspaceDir() } });
      await promoteModelVersion(s, { name: 'churn', version: '1', approve: true, comment: 'January', actor: 'alice' });
    });
    await vscode.commands.executeCommand('modelops.refresh');
  });

  suiteTeardown(async () => {
    restore();
    for (const f of ['modelops.pipeline.json', 'months.modelops.pipeline.json', 'slow.modelops.pipeline.json']) rmSync(pipelineFile(f), { force: true });
    removeStore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('modelops.refresh');
  });

  test('Run Retraining Pipeline on a pipeline file: progress per step, the new version in Staging, the report opened, Review for Production from the message', async () => {
    const uri = writePipeline('modelops.pipeline.json', { dataset: 'february.csv' });
    ui.messages.length = 0;
    ui.actionAnswers = ['Review for Production'];
    const logged = api.log.recent().length;
    const result = await vscode.commands.executeCommand<PipelineResult | undefined>(COMMAND, uri);
    assert.ok(result, JSON.stringify(ui.messages));
    assert.equal(result.report.exitCode, 0, result.markdown);
    assert.deepEqual(await versions(), ['1:Production', '2:Staging']);
    const steps = api.log
      .recent()
      .slice(logged)
      .filter((l) => l.startsWith('pipeline.step ') && l.includes('kind=end'));
    assert.deepEqual(
      steps.map((l) => /step=(\w+)/.exec(l)?.[1]),
      ['data_validation', 'train', 'validate', 'inference_test'],
    );
    const done = await waitFor('the outcome message', () =>
      ui.messages.find((m) => m.level === 'info' && m.text.includes("Version 2 of 'churn' is in Staging")),
    );
    assert.deepEqual(done.actions, ['Review for Production', 'Open Report', 'Open HTML Report']);
    await waitFor('the report in the Markdown preview', () => tabLabels().some((l) => l.includes('pipeline_report.md')));
    await waitFor('the Review panel of the new version, from the message', () => tabLabels().includes('Review churn v2'));
  });

  test('a file whose age became months stops at data validation: an error naming the check, nothing registered', async () => {
    const uri = writePipeline('months.modelops.pipeline.json', { dataset: 'february-months.csv' });
    ui.messages.length = 0;
    const result = await vscode.commands.executeCommand<PipelineResult | undefined>(COMMAND, uri);
    assert.ok(result);
    assert.equal(result.report.exitCode, 3);
    assert.deepEqual(await versions(), ['1:Production', '2:Staging'], 'the registry is unchanged');
    const error = await waitFor('the error message', () => ui.messages.find((m) => m.level === 'error'));
    assert.match(error.text, /^ModelOps: Stopped at data validation: 1 check\(s\) failed: training range of 'age'/);
    assert.deepEqual(error.actions, ['Open Report', 'Open HTML Report']);
  });

  test('VS Code checks a pipeline file with the schema the extension contributes', async () => {
    const uri = vscode.Uri.file(pipelineFile('schema-check.modelops.pipeline.json'));
    writeFileSync(uri.fsPath, JSON.stringify({ model: 'churn', dataset: 'february.csv', trainin: {}, drift: { on_drift: 'halt' } }, null, 2));
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      // The JSON language server starts on first use: a limit for a slow host, not a timing assertion.
      const problems = await waitFor(
        'the schema problems',
        () => {
          const d = vscode.languages.getDiagnostics(uri).map((x) => x.message);
          return d.length >= 2 ? d : undefined;
        },
        120_000,
      );
      assert.ok(
        problems.some((m) => m.includes('trainin')),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((m) => /stop|warn/.test(m)),
        problems.join('\n'),
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(uri.fsPath, { force: true });
    }
  });

  test('from the palette it asks which pipeline file; dismissing runs nothing', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    ui.answers = [undefined];
    ui.prompts.length = 0;
    assert.equal(await vscode.commands.executeCommand(COMMAND), undefined);
    assert.deepEqual(ui.prompts, ['Run which retraining pipeline?']);
  });

  test('a dry run checks and writes nothing; its report opens as an untitled document', async () => {
    const before = await versions();
    const result = await vscode.commands.executeCommand<PipelineResult | undefined>(COMMAND, vscode.Uri.file(pipelineFile()), { dryRun: true });
    assert.ok(result);
    assert.equal(result.report.outcome, 'dry_run_passed');
    assert.equal(result.files, undefined);
    assert.deepEqual(await versions(), before);
    await waitFor('the untitled report', () => vscode.window.activeTextEditor?.document.getText().startsWith('# Retraining pipeline: churn — dry run'));
  });

  test('with modelops.pipeline.rerunOnDataChange on, a change of a dataset reruns its pipeline (off by default)', async () => {
    const months = pipelineFile('months.modelops.pipeline.json');
    assert.ok(!api.log.recent().some((l) => l.startsWith('pipeline.watch ')), 'off by default: no dataset is watched');
    const settings = vscode.workspace.getConfiguration('modelops');
    const logged = api.log.recent().length;
    await settings.update('pipeline.rerunOnDataChange', true, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the datasets watched', () =>
        api.log
          .recent()
          .slice(logged)
          .some((l) => l.startsWith('pipeline.watch ') && l.includes(`file=${months}`)),
      );
      const before = await versions();
      const csv = join(workspaceDir(), 'february-months.csv');
      writeFileSync(csv, readFileSync(csv, 'utf8'));
      const end = await waitFor(
        'the rerun to end',
        () =>
          api.log
            .recent()
            .slice(logged)
            .find((l) => l.startsWith('pipeline.end ') && l.includes(`file=${months}`)),
        120_000,
      );
      assert.ok(
        api.log
          .recent()
          .slice(logged)
          .some((l) => l.startsWith('pipeline.rerun ') && l.includes(`file=${months}`)),
      );
      assert.match(end, /exitCode=3/);
      assert.deepEqual(await versions(), before);
    } finally {
      await settings.update('pipeline.rerunOnDataChange', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('cancelling while it trains ends its runs KILLED and leaves the registry as it was', async () => {
    const uri = writePipeline('slow.modelops.pipeline.json', { dataset: 'churn-full.csv', training: { params: 'best_run', cv: 5 } });
    const before = await versions();
    const logged = api.log.recent().length;
    const pending = vscode.commands.executeCommand<PipelineResult | undefined>(COMMAND, uri);
    await waitFor(
      'training under way',
      () =>
        api.log
          .recent()
          .slice(logged)
          .some((l) => l.startsWith('pipeline.step step=train kind=progress') && l.includes('fold 1/5')),
      120_000,
    );
    api.cancelRunningCommands();
    assert.equal(await pending, undefined, 'a cancelled command resolves to nothing');
    assert.deepEqual(await versions(), before);
    const statuses = await withStore(async (s) => {
      const experiment = await s.tracking.getExperimentByName('churn');
      const runs = (await s.tracking.searchRuns({ experimentIds: [experiment!.experimentId], maxResults: 100, orderBy: ['attributes.start_time DESC'] })).items;
      const pipeline = runs.find((r) => r.info.runName === 'pipeline-churn');
      return runs
        .filter((r) => r.info.runId === pipeline?.info.runId || r.data.tags.some((t) => t.key === 'mlflow.parentRunId' && t.value === pipeline?.info.runId))
        .map((r) => `${r.info.runName}:${r.info.status}`)
        .sort();
    });
    assert.deepEqual(statuses, ['data_validation:FINISHED', 'pipeline-churn:KILLED', 'train:KILLED']);
  });
});
