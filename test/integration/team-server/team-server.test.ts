import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../../src/extension/api';
import type { PromoteResult } from '../../../src/pipeline/promote';
import type { RegisterResult } from '../../../src/pipeline/register';
import type { TrainResult } from '../../../src/pipeline/train';
import type { TuneResult } from '../../../src/pipeline/tune';
import type { RunningServer } from '../../../src/server/http-server';
import { startTrackingServer } from '../../../src/server/http-server';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import { scriptUi, waitFor, workspaceDir } from '../fixtures';
import type { ScriptedUi } from '../fixtures';
import { activateExtension, firstSession } from '../helpers';
import { childrenOf, experimentRows } from '../trees';

/**
 * The editor on a team's tracking server: `modelops.trackingUri` set to a `modelops server` URL (standing in for
 * `mlflow server --serve-artifacts`). Nothing is written in the folder but the predictions: runs, versions, reports
 * and the audit trail are on the server, where a second workspace would see them.
 */
suite('the editor on a tracking server (modelops.trackingUri)', () => {
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;
  let server: RunningServer;
  let backing: Stores;
  let serverDir: string;
  const setting = () => vscode.workspace.getConfiguration('modelops', vscode.workspace.workspaceFolders![0]!.uri);

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
    serverDir = mkdtempSync(join(tmpdir(), 'modelops-team-server-'));
    const destination = join(serverDir, 'artifacts');
    backing = await openStores(join(serverDir, 'mlflow.db'), { artifactRoot: destination, artifactRootUri: 'mlflow-artifacts:/' });
    server = await startTrackingServer({ tracking: backing.tracking, registry: backing.registry }, { port: 0, artifactsDestination: destination });
    await setting().update('serverPollSeconds', 1, vscode.ConfigurationTarget.WorkspaceFolder);
    await setting().update('trackingUri', server.url, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitFor('the session on the server', async () => (await firstSession(api).get())?.file === server.url);
  });

  suiteTeardown(async () => {
    restore();
    await setting().update('trackingUri', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await setting().update('serverPollSeconds', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await server.close();
    await backing.close();
    rmSync(serverDir, { recursive: true, force: true });
  });

  test('a run logged on the server by someone else appears in the Experiments view (by polling)', async () => {
    const exp = await backing.tracking.createExperiment('team-exp');
    const run = await backing.tracking.createRun({ experimentId: exp, runName: 'colleague-run' });
    await backing.tracking.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
    const rows = await waitFor("the colleague's run in the tree", async () => {
      if (!(await experimentRows(api)).some((r) => r.label === 'team-exp')) return undefined;
      const children = await childrenOf(api.experiments, ['team-exp']);
      return children.some((r) => r.label === 'colleague-run') ? children : undefined;
    });
    assert.ok(rows.length >= 1);
    assert.equal(existsSync(join(workspaceDir(), '.modelops', 'mlflow.db')), false, 'no workspace file is made');
  });

  test('train, register (validated into Staging), promote with approval and predict, all through the server', async () => {
    ui.answers = ['iris.csv', 'species', 'Members', ['rf', 'knn'], 'Train'];
    const trained = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainEnsemble');
    assert.ok(trained, `training failed: ${JSON.stringify(ui.messages)}`);
    assert.match((await backing.tracking.getRun(trained.runId)).info.artifactUri, /^mlflow-artifacts:\//);
    const registered = await vscode.commands.executeCommand<RegisterResult | undefined>('modelops.registerModel', trained.runId, 'iris');
    assert.ok(registered, JSON.stringify(ui.messages));
    assert.equal(registered.validation?.version.currentStage, 'Staging', JSON.stringify(registered.validation?.report.gates));
    ui.answers = [true, 'team approval'];
    const promoted = await vscode.commands.executeCommand<PromoteResult | undefined>('modelops.promoteToProduction', { name: 'iris', version: '1' });
    assert.equal(promoted?.version.currentStage, 'Production', JSON.stringify(ui.messages));
    // On the server, as any MLflow client sees it, with the approval in the audit trail.
    assert.equal((await backing.registry.getModelVersion('iris', '1')).currentStage, 'Production');
    const colleague = await openStores(server.url);
    try {
      const history = await colleague.registry.getAuditTrail('iris');
      assert.ok(
        history.some((h) => h.action === 'approve' && h.comment === 'team approval'),
        JSON.stringify(history),
      );
    } finally {
      await colleague.close();
    }
    await waitFor('version 1 in Production in the Models view', async () =>
      (await childrenOf(api.models, ['iris'])).find((r) => r.label === 'Version 1')?.description.startsWith('Production'),
    );
    const predicted = await vscode.commands.executeCommand<{ outPath?: string } | undefined>(
      'modelops.predictWithProduction',
      vscode.Uri.file(join(workspaceDir(), 'iris.csv')),
    );
    assert.ok(predicted?.outPath, JSON.stringify(ui.messages));
    assert.equal(readFileSync(predicted.outPath, 'utf8').trim().split('\n').length, 151);
    rmSync(predicted.outPath, { force: true });
  });

  test('Compare Runs and Review for Production read their data from the server', async () => {
    const { tracking } = await firstSession(api).getOrCreate();
    const experiments = (await tracking.searchExperiments({ viewType: 'ACTIVE_ONLY' })).items;
    const runs = (await tracking.searchRuns({ experimentIds: experiments.map((e) => e.experimentId), maxResults: 2 })).items;
    assert.equal(runs.length, 2);
    const before = api.log.recent().length;
    const since = () => api.log.recent().slice(before);
    const ids = runs.map((r) => r.info.runId);
    assert.deepEqual(await vscode.commands.executeCommand<string[] | undefined>('modelops.compareRuns', ids[0], ids), ids);
    await waitFor('the runs sent to the compare page', () => since().some((l) => l === 'webview.state panel=compare status=ready runs=2'), 60_000);
    await vscode.commands.executeCommand('modelops.reviewForProduction', { name: 'iris', version: '1' });
    await waitFor(
      'the version sent to the review page',
      () => since().some((l) => l.startsWith('webview.state panel=promotion status=ready version=iris/1')),
      60_000,
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test("Tune Hyperparameters keeps its study on the server: it resumes from there, and the registry's ledger is no experiment in the tree", async () => {
    ui.answers = ['species'];
    const first = await vscode.commands.executeCommand<TuneResult | undefined>(
      'modelops.tuneHyperparameters',
      vscode.Uri.file(join(workspaceDir(), 'iris.csv')),
      { trials: 2, trainBest: false },
    );
    assert.ok(first, JSON.stringify(ui.messages));
    ui.answers = ['species'];
    const second = await vscode.commands.executeCommand<TuneResult | undefined>(
      'modelops.tuneHyperparameters',
      vscode.Uri.file(join(workspaceDir(), 'iris.csv')),
      { trials: 1, trainBest: false },
    );
    assert.equal(second?.resumed, true, JSON.stringify(ui.messages));
    assert.deepEqual(
      second.trials.map((t) => t.number),
      [0, 1, 2],
    );
    const colleague = await openStores(server.url);
    try {
      assert.equal((await colleague.studies.getStudy(first.study))?.trials.length, 3);
    } finally {
      await colleague.close();
    }
    const names = (await experimentRows(api)).map((r) => r.label);
    assert.ok(!names.includes('modelops-registry'), names.join(', '));
  });

  test('a server that wants a token is the tree\'s "not authenticated" item until Set Tracking Server Credentials keeps one in SecretStorage', async () => {
    const url = server.url;
    const guarded = await startTrackingServer(
      { tracking: backing.tracking, registry: backing.registry },
      { port: 0, auth: { token: { name: 'ci', secret: 's3cret' } } },
    );
    try {
      await setting().update('trackingUri', guarded.url, vscode.ConfigurationTarget.WorkspaceFolder);
      const item = await waitFor('the 401 item', async () => (await experimentRows(api)).find((r) => r.label === 'The store could not be opened'));
      assert.match(
        item.node.kind === 'message' ? (item.node.detail ?? '') : '',
        /not authenticated \(HTTP 401\); no credentials were sent: .*Set Tracking Server Credentials/,
      );
      ui.answers = ['Token', 's3cret'];
      await vscode.commands.executeCommand('modelops.setServerCredentials');
      assert.deepEqual(ui.answers, []);
      await waitFor('the runs through the token', async () => (await experimentRows(api)).some((r) => r.label === 'team-exp'));
      assert.ok(!readFileSync(join(workspaceDir(), '.vscode', 'settings.json'), 'utf8').includes('s3cret'), 'the token is not in settings.json');
      ui.answers = ['Forget the kept credentials'];
      await vscode.commands.executeCommand('modelops.setServerCredentials');
    } finally {
      await setting().update('trackingUri', url, vscode.ConfigurationTarget.WorkspaceFolder);
      await guarded.close();
    }
    await waitFor('the session back on the server', async () => (await firstSession(api).get())?.file === url);
  });

  test('a server that cannot be reached is an error item in the tree naming it; set back, the folder reopens on the server', async () => {
    const url = server.url;
    await setting().update('trackingUri', 'http://127.0.0.1:9', vscode.ConfigurationTarget.WorkspaceFolder);
    const item = await waitFor('the error item', async () => (await experimentRows(api)).find((r) => r.label === 'The store could not be opened'), 40_000);
    assert.match(item.node.kind === 'message' ? (item.node.detail ?? '') : '', /cannot reach the MLflow server at http:\/\/127\.0\.0\.1:9/);
    await setting().update('trackingUri', url, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitFor('the session back on the server', async () => (await firstSession(api).get())?.file === url);
  });
});
