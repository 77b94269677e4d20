import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import { activateExtension } from './helpers';
import { finishedRun, installStore, MLFLOW_DB, removeStore, waitFor, withStore } from './fixtures';
import { childrenOf, experimentRows } from './trees';

suite('Experiments view', () => {
  let api: ModelOpsApi;

  suiteSetup(async () => {
    api = await activateExtension();
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('modelops').update('primaryMetric', undefined, vscode.ConfigurationTarget.Workspace);
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  test('shows the experiments and runs of a database written by MLflow 2.10.2, newest run first', async () => {
    await vscode.workspace.getConfiguration('modelops').update('primaryMetric', 'acc', vscode.ConfigurationTarget.Workspace);
    installStore(MLFLOW_DB);
    const experiments = await waitFor('the MLflow experiments', async () => {
      const rows = await experimentRows(api);
      return rows.some((r) => r.label === 'peer-exp-renamed') ? rows : undefined;
    });
    // MLflow's empty "Default" experiment is not listed.
    assert.deepEqual(experiments.map((r) => r.label).sort(), ['peer-exp-2', 'peer-exp-renamed']);
    const runs = await childrenOf(api.experiments, ['peer-exp-renamed']);
    assert.deepEqual(
      runs.map((r) => r.label),
      ['run-b', 'run-a'],
    );
    const runA = runs.find((r) => r.label === 'run-a');
    assert.equal(runA?.description, 'acc 0.9100');
    assert.equal(runs.find((r) => r.label === 'run-b')?.description, 'running');
    const tooltip = runA?.item.tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.match(tooltip.value, /rmse/);
    assert.match(tooltip.value, /4cd29275abf34644bfd642fa5b7f30c9/);
  });

  test('lists 100 runs, then "Load more" pages on, with trials nested under their parent', async () => {
    removeStore();
    const t0 = Date.UTC(2026, 0, 1);
    await withStore(async ({ tracking }) => {
      const exp = await tracking.createExperiment('paging');
      for (let i = 0; i < 230; i++) await finishedRun(tracking, exp, `run-${String(i).padStart(3, '0')}`, t0 + i * 1000, 0.5 + i / 1000);
      const parent = await finishedRun(tracking, exp, 'study', t0 + 500_000, 0.97);
      for (let i = 0; i < 3; i++) await finishedRun(tracking, exp, `trial-${i}`, t0 + 501_000 + i, 0.9 + i / 100, parent.info.runId);
    });
    await vscode.commands.executeCommand('modelops.refresh');
    const first = await childrenOf(api.experiments, ['paging']);
    assert.equal(first[0]?.label, 'study', 'the newest top-level run comes first');
    assert.equal(first.filter((r) => r.node.kind === 'run').length, 100);
    const more = first[first.length - 1];
    assert.equal(more?.node.kind, 'loadMore');
    assert.ok(more?.item.command);
    await vscode.commands.executeCommand(more.item.command.command, ...(more.item.command.arguments ?? []));
    const second = await childrenOf(api.experiments, ['paging']);
    assert.equal(second.filter((r) => r.node.kind === 'run').length, 200);
    assert.equal(second.filter((r) => r.label.startsWith('trial-')).length, 0, 'trials are not top-level');
    const under = await childrenOf(api.experiments, ['paging', 'study']);
    // The trials first, then what every run expands into.
    assert.deepEqual(
      under.map((r) => r.label),
      ['trial-2', 'trial-1', 'trial-0', 'Parameters', 'Metrics', 'Artifacts'],
    );
  });

  test("a study's pruned trials look pruned, not complete, and its best trial is starred", async () => {
    removeStore();
    const t0 = Date.UTC(2026, 0, 1);
    await withStore(async ({ tracking }) => {
      const exp = await tracking.createExperiment('tuned');
      const parent = await finishedRun(tracking, exp, 'study', t0, 0.9);
      await tracking.logBatch(parent.info.runId, { tags: [{ key: 'modelops.best_trial', value: '1' }] });
      const states = ['COMPLETE', 'COMPLETE', 'PRUNED'];
      for (let i = 0; i < 3; i++) {
        const trial = await finishedRun(tracking, exp, `trial-${i}`, t0 + 1000 + i, 0.8 + i / 100, parent.info.runId);
        await tracking.logBatch(trial.info.runId, {
          tags: [
            { key: 'modelops.study', value: 'study' },
            { key: 'modelops.trial', value: String(i) },
            { key: 'modelops.trial_state', value: states[i] },
          ],
        });
      }
    });
    await vscode.commands.executeCommand('modelops.refresh');
    const under = await childrenOf(api.experiments, ['tuned', 'study']);
    const icon = (name: string): string | undefined => {
      const i = under.find((r) => r.label === name)?.item.iconPath;
      return i instanceof vscode.ThemeIcon ? i.id : undefined;
    };
    assert.deepEqual(['trial-0', 'trial-1', 'trial-2'].map(icon), ['pass', 'star-full', 'filter']);
    assert.match(under.find((r) => r.label === 'trial-2')?.description ?? '', /(^|· )pruned$/, 'the mark, after the metric when there is one');
    assert.match(under.find((r) => r.label === 'trial-1')?.description ?? '', /(^|· )best trial$/);
  });

  test('refreshes by itself when another process writes the store', async () => {
    removeStore();
    await withStore(async ({ tracking }) => {
      await tracking.createExperiment('watched');
    });
    await waitFor('the new experiment', async () => (await experimentRows(api)).some((r) => r.label === 'watched'));
    await withStore(async ({ tracking }) => {
      const exp = await tracking.getExperimentByName('watched');
      assert.ok(exp);
      await finishedRun(tracking, exp.experimentId, 'written-by-cli', Date.now(), 0.8);
    });
    // No refresh command: the file watcher must notice the write.
    await waitFor('the run written by the other process', async () => {
      const runs = await childrenOf(api.experiments, ['watched']);
      return runs.some((r) => r.label === 'written-by-cli');
    });
  });

  test('Delete Run moves a run under "Deleted runs" and Restore Run brings it back', async () => {
    removeStore();
    const runId = await withStore(async ({ tracking }) => {
      const exp = await tracking.createExperiment('trash');
      return (await finishedRun(tracking, exp, 'doomed', Date.now(), 0.7)).info.runId;
    });
    await vscode.commands.executeCommand('modelops.refresh');
    await vscode.commands.executeCommand('modelops.deleteRun', runId);
    await waitFor('the deleted run', async () => {
      const rows = await childrenOf(api.experiments, ['trash']);
      return !rows.some((r) => r.label === 'doomed') && rows.some((r) => r.label === 'Deleted runs');
    });
    const deleted = await childrenOf(api.experiments, ['trash', 'Deleted runs']);
    assert.deepEqual(
      deleted.map((r) => r.label),
      ['doomed'],
    );
    assert.equal(deleted[0]?.item.contextValue, 'run.deleted');
    await vscode.commands.executeCommand('modelops.restoreRun', deleted[0]?.node);
    await waitFor('the restored run', async () => (await childrenOf(api.experiments, ['trash'])).some((r) => r.label === 'doomed'));
  });
});
