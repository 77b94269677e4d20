import * as vscode from 'vscode';
import { ModelOpsError } from '../core/errors';
import type { ModelOpsApi } from './api';
import type { CommandId } from './commands/ids';
import { COMMAND, NEEDS_TRUST, VIEW } from './commands/ids';
import type { RegistryDeps } from './commands/train-commands';
import { copyRunId, deleteRun, restoreRun, setAlias } from './commands/run-commands';
import { predictWithProduction } from './commands/predict-commands';
import { archiveVersion, promoteToProduction, rejectVersion, showModelHistory } from './commands/registry-commands';
import { registerFromRun, validateVersion } from './commands/train-commands';
import type { TrainDeps } from './commands/train-ensemble';
import { trainAgain, trainEnsemble } from './commands/train-ensemble';
import { tuneHyperparameters } from './commands/tune-commands';
import { openSpaceEditors } from './webviews/space-editor-panel';
import { runRetrainingPipeline } from './commands/pipeline-commands';
import { PipelineWatcher } from './pipeline-watch';
import { serveModel, stopServing } from './commands/serve-commands';
import { ModelServing } from './serving';
import { PredictionDecorations } from './predictions/decorations';
import type { CommandHandler, CommandOptions } from './commands/runner';
import { CommandRunner } from './commands/runner';
import { isUrl } from './folders';
import { Log } from './log';
import { ReportDocuments } from './report-documents';
import { ServerCredentials } from './server-credentials';
import { ProductionStatusBar } from './status-bar';
import { TrackingServerController } from './tracking-server';
import type { StoreSession } from './store-session';
import { StoreSessions } from './store-sessions';
import type { Ui } from './ui';
import { vscodeUi } from './ui';
import type { ExperimentsNode } from './views/experiments-tree';
import { ExperimentsTreeProvider } from './views/experiments-tree';
import type { ModelsNode } from './views/models-tree';
import { ModelsTreeProvider } from './views/models-tree';
import { registerWebviews } from './webviews/register';
import { RunPanel } from './webviews/run-panel';
import { RunsPanel } from './webviews/runs-panel';
import { versionFromArg } from './webviews/targets';

/** The composition root: owns every long-lived object and disposes them in reverse order. */
export class ModelOpsExtension implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: Log;
  private ui: Ui = vscodeUi;
  private readonly runner: CommandRunner;
  private readonly sessions: StoreSessions;
  private readonly credentials: ServerCredentials;
  private readonly experiments: ExperimentsTreeProvider;
  private readonly experimentsView: vscode.TreeView<ExperimentsNode>;
  private readonly models: ModelsTreeProvider;
  private readonly modelsView: vscode.TreeView<ModelsNode>;
  private readonly statusBar: ProductionStatusBar;
  private readonly decorations: PredictionDecorations;
  private readonly serving: ModelServing;
  private readonly trackingServer: TrackingServerController;
  private readonly reports: ReportDocuments;
  private readonly activationMs: number;
  /** The last failure reported per folder's store, so each is said once. */
  private readonly lastError = new Map<string, string | undefined>();

  constructor(private readonly context: vscode.ExtensionContext) {
    const t0 = Date.now();
    this.log = this.track(new Log());
    this.runner = new CommandRunner(this.log, () => this.ui);
    this.credentials = new ServerCredentials(context.secrets);
    this.sessions = this.track(new StoreSessions(this.log, (url) => this.credentials.get(url)));
    this.experiments = this.track(new ExperimentsTreeProvider(this.sessions, this.log));
    this.models = this.track(new ModelsTreeProvider(this.sessions, this.log));
    this.statusBar = this.track(new ProductionStatusBar(this.sessions, this.log));
    this.decorations = this.track(new PredictionDecorations());
    this.reports = this.track(new ReportDocuments());
    this.serving = this.track(new ModelServing(this.log, COMMAND.stopServing));
    this.trackingServer = this.track(new TrackingServerController(context, this.log, () => this.ui));
    this.experimentsView = this.track(
      vscode.window.createTreeView(VIEW.experiments, { treeDataProvider: this.experiments, showCollapseAll: true, canSelectMany: true }),
    );
    this.modelsView = this.track(vscode.window.createTreeView(VIEW.models, { treeDataProvider: this.models, showCollapseAll: true }));
    this.track(this.sessions.onDidChange((session) => this.onStoreChanged(session)));
    this.track(
      this.sessions.onDidChangeFolders(() => {
        // A folder added or removed: the trees gain or lose a folder level, the status bar may move.
        this.experiments.refresh();
        this.models.refresh();
        void this.statusBar.update();
      }),
    );
    this.track(vscode.workspace.onDidGrantWorkspaceTrust(() => this.setTrustContext()));
    this.setTrustContext();
    this.registerCommands();
    this.track(new PipelineWatcher(this.log));
    this.track(
      registerWebviews(context, {
        // A panel opened on a tree node reads that node's folder's store; else the active editor's folder's.
        stores: async (folder) => (folder !== undefined ? this.sessions.byKey(folder) : this.sessions.active())?.get(),
        chooseFolder: async () => (await this.sessions.resolve(undefined, this.ui))?.key,
        ui: () => this.ui,
        onDidChangeStore: this.sessions.onDidChange,
        log: this.log,
        registerCommand: (id, handler) => this.runner.register(id as CommandId, (_run, ...args) => handler(...args)),
      }),
    );
    void this.statusBar.update();
    this.activationMs = Date.now() - t0;
    this.log.info('activated', {
      ms: this.activationMs,
      version: this.context.extension.packageJSON.version as string,
      stores: this.sessions
        .all()
        .map((s) => s.file())
        .join(', '),
      trusted: vscode.workspace.isTrusted,
    });
  }

  private track<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  private setTrustContext(): void {
    void vscode.commands.executeCommand('setContext', 'modelops.readOnly', !vscode.workspace.isTrusted);
  }

  private onStoreChanged(session: StoreSession): void {
    this.experiments.refresh();
    this.models.refresh();
    void this.statusBar.update();
    // Say once per distinct failure of each folder's store that it cannot be opened (the views say it too).
    const state = session.state;
    const error = state.kind === 'error' ? state.error : undefined;
    if (error && error.message !== this.lastError.get(session.key)) void this.runner.showFailure(error);
    this.lastError.set(session.key, error?.message);
  }

  private register(id: (typeof COMMAND)[keyof typeof COMMAND], handler: CommandHandler, options: CommandOptions = {}): void {
    const guarded: CommandHandler = NEEDS_TRUST.has(id)
      ? (run, ...args) => {
          if (!vscode.workspace.isTrusted) {
            void vscode.commands.executeCommand('workbench.trust.manage');
            throw new ModelOpsError('INVALID_STATE', 'This window is in Restricted Mode: trust the workspace to train, predict or change the store.');
          }
          return handler(run, ...args);
        }
      : handler;
    this.track(this.runner.register(id, guarded, options));
  }

  private registerCommands(): void {
    const deps: RegistryDeps = { sessions: this.sessions, ui: () => this.ui, reports: this.reports };
    this.registerViewCommands(deps);
    this.registerLifecycleCommands(deps);
    this.registerServerCommands(deps);
  }

  private registerViewCommands(deps: RegistryDeps): void {
    this.register(COMMAND.showOutput, () => this.log.show());
    this.register(COMMAND.refresh, async () => {
      // Every folder's store: the view title's button has no folder.
      const sessions = this.sessions.all();
      await Promise.all(sessions.map((s) => s.reset('refresh')));
      await Promise.all(sessions.map((s) => s.get()));
      await this.statusBar.update();
      const failed = sessions.filter((s) => s.state.kind === 'error');
      for (const s of failed) if (s.state.kind === 'error') this.lastError.set(s.key, s.state.error.message); // reported here, not again by the change event
      const first = failed[0]?.state;
      if (first?.kind === 'error') throw first.error;
    });
    this.register(COMMAND.openInMlflowUi, async (_run, arg) => {
      const session = await this.sessions.resolve(arg, this.ui);
      if (!session) return undefined;
      const file = session.file();
      if (isUrl(file)) {
        // A tracking server has MLflow's UI at its own URL.
        await vscode.env.openExternal(vscode.Uri.parse(file));
        return file;
      }
      const cmd = `mlflow ui --backend-store-uri sqlite:///${file}`;
      await vscode.env.clipboard.writeText(cmd);
      void this.ui.info(`Copied to the clipboard: ${cmd}`);
      return cmd;
    });
    this.register(COMMAND.loadMoreRuns, async (_run, node) => {
      const n = node as ExperimentsNode | undefined;
      if (n?.kind === 'loadMore') await this.experiments.loadMore(n);
    });
    this.register(COMMAND.deleteRun, (_run, arg, selected) => deleteRun(deps, arg, selected));
    this.register(COMMAND.restoreRun, (_run, arg) => restoreRun(deps, arg));
    this.register(COMMAND.copyRunId, (_run, arg) => copyRunId(deps, arg));
    this.register(COMMAND.setAlias, (_run, arg, alias) => setAlias(deps, arg, alias));
  }

  /** Train, tune, retrain, register, validate, promote: the long work, with progress. */
  private registerLifecycleCommands(deps: RegistryDeps): void {
    const trainDeps: TrainDeps = {
      ...deps,
      memory: this.context.workspaceState,
      showRun: (folder, runId) => this.showRun(folder, runId, { focus: false, expand: false }),
    };
    this.register(COMMAND.trainEnsemble, (run, arg) => trainEnsemble(trainDeps, run, arg), { progressTitle: 'ModelOps: Training ensemble' });
    this.register(COMMAND.trainAgain, (run, arg) => trainAgain(trainDeps, run, arg), { progressTitle: 'ModelOps: Training ensemble' });
    this.register(COMMAND.revealModelVersion, (_run, arg) => this.revealVersion(arg));
    this.register(
      COMMAND.tuneHyperparameters,
      (run, arg, options) =>
        tuneHyperparameters(
          {
            ...deps,
            log: this.log,
            memory: this.context.workspaceState,
            extensionUri: this.context.extensionUri,
            showRun: (folder, runId) => this.showRun(folder, runId),
          },
          run,
          arg,
          options,
        ),
      {
        progressTitle: 'ModelOps: Tuning hyperparameters',
      },
    );
    this.register(COMMAND.runRetrainingPipeline, (run, arg, options) => runRetrainingPipeline({ ...deps, log: this.log }, run, arg, options), {
      progressTitle: 'ModelOps: Retraining pipeline',
    });
    this.register(COMMAND.registerModel, (run, arg, name) => registerFromRun(deps, run, arg, name), { progressTitle: 'ModelOps: Registering model' });
    this.register(COMMAND.validateVersion, (run, arg) => validateVersion(deps, run, arg), { progressTitle: 'ModelOps: Validating' });
    this.register(COMMAND.promoteToStaging, (run, arg) => validateVersion(deps, run, arg), { progressTitle: 'ModelOps: Validating for Staging' });
    this.register(COMMAND.promoteToProduction, (_run, arg, comment) => promoteToProduction(deps, arg, comment));
    this.register(COMMAND.rejectVersion, (_run, arg, comment) => rejectVersion(deps, arg, comment));
    this.register(COMMAND.archiveVersion, (_run, arg) => archiveVersion(deps, arg));
    this.register(COMMAND.showModelHistory, (_run, arg) => showModelHistory(deps, arg));
  }

  private registerServerCommands(deps: RegistryDeps): void {
    this.register(COMMAND.startTrackingServer, async (_run, arg) => {
      const session = await this.sessions.resolve(arg, this.ui);
      return session ? this.trackingServer.start(session) : undefined;
    });
    this.register(COMMAND.setServerCredentials, async (_run, arg) => {
      const session = await this.sessions.resolve(arg, this.ui);
      if (!session) return undefined;
      const url = session.file();
      if (!isUrl(url))
        throw new ModelOpsError(
          'INVALID_STATE',
          `${session.folder.name}'s store is a file (${url}), not a tracking server: set modelops.trackingUri to the server's http(s):// URL first`,
        );
      if (await this.credentials.prompt(url, this.ui)) await session.reset('credentials changed');
      return undefined;
    });
    this.register(COMMAND.stopTrackingServer, async () => {
      if (!(await this.trackingServer.stop())) void this.ui.info('The ModelOps tracking server is not running.');
    });
    this.register(COMMAND.predictWithProduction, (run, arg, model) => predictWithProduction({ ...deps, decorations: this.decorations }, run, arg, model), {
      progressTitle: 'ModelOps: Predicting',
    });
    this.register(COMMAND.serveModel, (_run, arg, how) => serveModel({ ...deps, serving: this.serving }, arg, how));
    this.register(COMMAND.stopServing, (_run, arg) => stopServing({ ...deps, serving: this.serving }, arg));
  }

  /** Selects a version in the Models view (the run page's links to the versions registered from it). */
  private async revealVersion(arg: unknown): Promise<boolean> {
    const target = versionFromArg(arg);
    if (!target) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Which model version? Give { name, version }.');
    const session = await this.sessions.resolve(arg, this.ui);
    if (!session) return false;
    const node = await this.models.nodeForVersion(session.key, target.name, target.version);
    if (!node) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `${target.name} version ${target.version} is not in the registry.`);
    await vscode.commands.executeCommand(`${VIEW.models}.focus`);
    await this.modelsView.reveal(node, { select: true, focus: true, expand: false });
    return true;
  }

  /**
   * Selects a run in the Experiments view, expanded by default (a study's run shows its trials under
   * it); after training, without taking the keyboard or expanding it.
   */
  private async showRun(folder: string, runId: string, how: { focus?: boolean; expand?: boolean } = {}): Promise<void> {
    const node = await this.experiments.nodeForRun(folder, runId);
    if (!node) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `run ${runId} is not in the store`);
    // A view that is not on screen cannot show a selection: open it (which focuses it) first.
    if ((how.focus ?? true) || !this.experimentsView.visible) await vscode.commands.executeCommand(`${VIEW.experiments}.focus`);
    const selected = (): boolean => this.experimentsView.selection.some((n) => n.kind === 'run' && n.run.info.runId === runId);
    // reveal() resolves without selecting anything when the view had not loaded the run's parents
    // yet (it was just opened, or a store refresh reloaded it): try again once they are loaded.
    for (let attempt = 1; attempt <= 5; attempt++) {
      await this.experimentsView.reveal(node, { select: true, focus: how.focus ?? true, expand: how.expand ?? true });
      if (selected()) {
        this.log.info('tree.revealed', { run: runId, attempt });
        return;
      }
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
    this.log.warn('tree.reveal.missed', { run: runId });
  }

  api(): ModelOpsApi {
    return {
      log: this.log,
      activationMs: this.activationMs,
      experiments: this.experiments,
      models: this.models,
      sessions: this.sessions,
      statusBarText: () => this.statusBar.text,
      servingText: () => this.serving.text,
      trackingServerUrl: () => this.trackingServer.url,
      decorations: this.decorations,
      experimentsSelection: () => this.experimentsView.selection,
      progressTitles: () => [...this.runner.progressShown],
      cancelRunningCommands: () => this.runner.cancelAll(),
      setUi: (ui) => {
        const prev = this.ui;
        this.ui = ui;
        return prev;
      },
      runExplorer: { tables: () => RunsPanel.all(), runPages: () => RunPanel.all() },
      spaceEditors: () => openSpaceEditors(),
    };
  }

  dispose(): void {
    // First, while the stores are still open: a command in flight can still record that it stopped.
    this.runner.cancelAll();
    for (const d of this.disposables.reverse()) {
      try {
        d.dispose();
      } catch {
        // disposing must not throw into the host
      }
    }
    this.disposables.length = 0;
  }
}
