// The run explorer in the real host: the runs table and the run page open from the tree and the
// palette, their real pages (in code-server's webview) filter, sort and preview through the real
// store, and their actions run the same commands as the tree's context menu.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import type { ExperimentsNode } from '../../src/extension/views/experiments-tree';
import type { RunsPanel } from '../../src/extension/webviews/runs-panel';
import { activateExtension } from './helpers';
import type { ScriptedUi } from './fixtures';
import { finishedRun, removeStore, scriptUi, waitFor, withStore, workspaceDir } from './fixtures';
import { childrenOf, experimentRows } from './trees';

const EXPERIMENT = 'explorer';
const MLMODEL =
  'artifact_path: model\nflavors:\n  modelops_ensemble: {}\nsignature:\n  inputs: \'[{"type": "double", "name": "x", "required": true}]\'\n  outputs: \'[{"type": "string", "name": "y", "required": true}]\'\n';

interface Seeded {
  experimentId: string;
  /** Run ids by name. */
  ids: Record<string, string>;
}

/** Five runs (accuracy 0.81 … 0.95, model rf or knn), one with two trials, one with a model folder. */
async function seed(): Promise<Seeded> {
  return withStore(async ({ tracking }) => {
    const experimentId = await tracking.createExperiment(EXPERIMENT);
    const t0 = Date.UTC(2026, 0, 1);
    const ids: Record<string, string> = {};
    const accuracies = [0.81, 0.95, 0.88, 0.92, 0.85];
    for (let i = 0; i < accuracies.length; i++) {
      const run = await finishedRun(tracking, experimentId, `run-${i}`, t0 + i * 60_000, accuracies[i]!);
      await tracking.logBatch(run.info.runId, { params: [{ key: 'model', value: i % 2 ? 'knn' : 'rf' }] });
      ids[`run-${i}`] = run.info.runId;
    }
    for (let i = 0; i < 2; i++) ids[`trial-${i}`] = (await finishedRun(tracking, experimentId, `trial-${i}`, t0 + 500_000 + i, 0.7, ids['run-4'])).info.runId;
    const src = join(workspaceDir(), 'model-src', 'model');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'MLmodel'), MLMODEL);
    await tracking.logArtifact(ids['run-1']!, src);
    return { experimentId, ids };
  }).then(async (seeded) => {
    // A version registered from run-1, for the run page's links.
    await withStore(async ({ registry }) => {
      await registry.createRegisteredModel('explorer-model');
      await registry.createModelVersion({ name: 'explorer-model', source: `runs:/${seeded.ids['run-1']}/model`, runId: seeded.ids['run-1'] });
    });
    return seeded;
  });
}

function logSince(api: ModelOpsApi, from: number): () => readonly string[] {
  return () => api.log.recent().slice(from);
}

/** waitFor with the extension's latest log lines in the failure (a webview cannot be inspected from here). */
function waitLogged<T>(api: ModelOpsApi, what: string, fn: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  return waitFor(what, fn, 45_000).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- log ---\n${api.log.recent().slice(-25).join('\n')}`);
  });
}

suite('the run explorer in the real host', function () {
  // Each step waits for a real webview page in code-server, on a shared machine.
  this.timeout(120_000);
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let seeded: Seeded;
  let table: RunsPanel;

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
    removeStore();
    seeded = await seed();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  suiteTeardown(async () => {
    restore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  const experimentNode = async (): Promise<ExperimentsNode> => {
    const row = await waitFor('the experiment in the tree', async () => (await experimentRows(api)).find((r) => r.label === EXPERIMENT));
    assert.equal(row.item.contextValue, 'experiment', 'the node offers Open Runs Table (inline and in its menu)');
    return row.node;
  };

  /** The page's latest report of what it shows, once `ok` holds for it. */
  const view = (what: string, ok: (v: NonNullable<RunsPanel['lastView']>) => boolean) =>
    waitLogged(api, what, () => (table.lastView && ok(table.lastView) ? table.lastView : undefined));

  test('Open Runs Table on the experiment node opens an editor whose page pulls every run', async () => {
    const since = logSince(api, api.log.recent().length);
    const opened = await vscode.commands.executeCommand('modelops.openRunsTable', await experimentNode());
    assert.equal(opened, seeded.experimentId);
    await waitLogged(api, 'the table page to say it is ready', () => since().some((l) => l.startsWith('webview.ready panel=runs')));
    table = await waitFor('the table', () => api.runExplorer.tables().find((t) => t.experimentId === seeded.experimentId));
    const v = await view('every run in the page', (x) => x.total === 7);
    // Newest first, the trials under their parent (collapsed): five top-level rows.
    assert.deepEqual(
      v.top,
      ['run-4', 'run-3', 'run-2', 'run-1', 'run-0'].map((n) => seeded.ids[n]),
    );
    assert.ok(!since().some((l) => l.startsWith('webview.runs.protocol')), since().join('\n'));
  });

  test('a filter in MLflow grammar is run by the store and the page shows its matches', async () => {
    const filter = "metrics.accuracy > 0.86 and params.model = 'knn'";
    await vscode.commands.executeCommand('modelops.openRunsTable', { experimentId: seeded.experimentId }, { filter });
    const v = await view('the filtered view', (x) => x.view.filter === filter && x.matched === 2);
    assert.deepEqual([...v.top].sort(), [seeded.ids['run-1'], seeded.ids['run-3']].sort());
    await assert.rejects(
      table.request('runs/filter', { filter: 'metrics.accuracy >> 1' }),
      (e: unknown) => e instanceof Error && /column \d+/.test(e.message) && e.message.includes('^'),
    );
    await vscode.commands.executeCommand('modelops.openRunsTable', { experimentId: seeded.experimentId }, { filter: '' });
    await view('the filter cleared', (x) => x.view.filter === '' && x.matched === 7);
  });

  test('sorting by a metric column orders the rows the page shows', async () => {
    await vscode.commands.executeCommand(
      'modelops.openRunsTable',
      { experimentId: seeded.experimentId },
      { sort: { column: 'metric:accuracy', direction: 'desc' } },
    );
    const v = await view('sorted by accuracy, best first', (x) => x.view.sort?.column === 'metric:accuracy' && x.view.sort.direction === 'desc');
    assert.deepEqual(
      v.top,
      ['run-1', 'run-3', 'run-2', 'run-4', 'run-0'].map((n) => seeded.ids[n]),
    );
  });

  test('from the palette, Open Runs Table and Open Run ask which experiment and which run', async () => {
    ui.answers = [EXPERIMENT];
    assert.equal(await vscode.commands.executeCommand('modelops.openRunsTable'), seeded.experimentId);
    assert.equal(api.runExplorer.tables().filter((t) => t.experimentId === seeded.experimentId).length, 1, 'the open table is shown again, not a second one');
    ui.answers = ['run-2'];
    assert.equal(await vscode.commands.executeCommand('modelops.openRun'), seeded.ids['run-2']);
    assert.deepEqual(ui.answers, [], 'both picks were asked');
  });

  test('the table follows the store: a run written by another process appears', async () => {
    await withStore(async ({ tracking }) => {
      await finishedRun(tracking, seeded.experimentId, 'written-later', Date.UTC(2026, 0, 2), 0.99);
    });
    const v = await view('the new run in the page', (x) => x.total === 8);
    assert.equal(v.top.length, 6);
  });

  test('Compare from the table’s selection opens the comparison of those runs', async () => {
    const since = logSince(api, api.log.recent().length);
    await table.request('runs/compare', { runIds: [seeded.ids['run-1'], seeded.ids['run-3']] });
    await waitLogged(api, 'the comparison of the two runs', () => since().some((l) => l === 'webview.state panel=compare status=ready runs=2'));
  });

  test('a run of the tree opens its page on click; runs expand into nested runs, params, metrics and artifacts', async () => {
    const runs = await childrenOf(api.experiments, [EXPERIMENT]);
    const parent = runs.find((r) => r.label === 'run-4');
    assert.ok(parent);
    assert.equal(parent.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.deepEqual(
      (await childrenOf(api.experiments, [EXPERIMENT, 'run-4'])).map((r) => r.label),
      ['trial-1', 'trial-0', 'Parameters', 'Metrics', 'Artifacts'],
    );
    assert.deepEqual(
      (await childrenOf(api.experiments, [EXPERIMENT, 'run-4', 'Metrics'])).map((r) => [r.label, r.description]),
      [['accuracy', '0.8500']],
    );
    const command = parent.item.command;
    assert.equal(command?.command, 'modelops.openRun');
    const since = logSince(api, api.log.recent().length);
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    await waitLogged(api, 'the run page with its state', () => since().some((l) => l.startsWith('webview.state panel=run status=ready')));
    const page = api.runExplorer.runPages().find((p) => p.target.runId === seeded.ids['run-4']);
    assert.equal(page?.lastState?.run?.children.length, 2);
  });

  test('an artifact of the tree opens the run page previewing it: an MLmodel with its signature', async () => {
    const files = await childrenOf(api.experiments, [EXPERIMENT, 'run-1', 'Artifacts', 'model']);
    const mlmodel = files.find((r) => r.label === 'MLmodel');
    assert.ok(mlmodel?.item.command, files.map((f) => f.label).join(', '));
    const since = logSince(api, api.log.recent().length);
    await vscode.commands.executeCommand(mlmodel.item.command.command, ...(mlmodel.item.command.arguments ?? []));
    // The page itself asks for the preview once it shows the run.
    await waitLogged(api, 'the page to preview the MLmodel', () =>
      since().some((l) => l.startsWith('run.artifact.preview') && l.includes('path=model/MLmodel') && l.includes('kind=mlmodel')),
    );
    const page = api.runExplorer.runPages().find((p) => p.target.runId === seeded.ids['run-1']);
    assert.ok(page);
    const preview = (await page.request('run/previewArtifact', { path: 'model/MLmodel' })) as { mlmodel?: { inputs: { name: string }[] } };
    assert.deepEqual(
      preview.mlmodel?.inputs.map((c) => c.name),
      ['x'],
    );
    await assert.rejects(page.request('run/previewArtifact', { path: '../../mlflow.db' }), /leaves the run's artifact folder|must be relative/);
  });

  test('the run page lists the versions registered from the run, and a link selects one in the Models view', async () => {
    const page = api.runExplorer.runPages().find((p) => p.target.runId === seeded.ids['run-1']);
    assert.ok(page);
    await waitLogged(api, 'the run page to show its version', () => page.lastState?.run?.versions.some((v) => v.name === 'explorer-model'));
    assert.deepEqual(await page.request('run/openVersion', { name: 'explorer-model', version: '1' }), {
      message: 'explorer-model version 1 is selected in the Models view.',
    });
    assert.deepEqual(await page.request('run/openVersion', { name: 'explorer-model', version: '9' }), {
      message: 'explorer-model version 9 could not be shown.',
    });
    assert.match(ui.messages.at(-1)?.text ?? '', /explorer-model version 9 is not in the registry/);
  });

  test('the note is saved as mlflow.note.content, as MLflow’s UI does', async () => {
    const page = api.runExplorer.runPages().find((p) => p.target.runId === seeded.ids['run-1']);
    assert.ok(page);
    await page.request('run/saveNote', { text: 'keep this one' });
    const tags = await withStore(async ({ tracking }) => (await tracking.getRun(seeded.ids['run-1']!)).data.tags);
    assert.equal(tags.find((t) => t.key === 'mlflow.note.content')?.value, 'keep this one');
  });

  test('Delete from the table’s selection asks once for several runs, and they leave the table', async () => {
    ui.answers = [true];
    const doomed = [seeded.ids['run-0']!, seeded.ids['run-2']!];
    const result = (await table.request('runs/delete', { runIds: doomed })) as { deleted: string[] };
    assert.deepEqual(result.deleted, doomed);
    assert.equal(ui.confirmations.length, 1);
    await view('the deleted runs gone from the page', (x) => x.total === 6);
  });
});
