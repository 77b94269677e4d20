import * as vscode from 'vscode';
import { ModelOpsError } from '../core/errors';
import type { ModelOpsApi } from './api';
import type { CommandId } from './commands/ids';
import { COMMAND, VIEW } from './commands/ids';
import type { CommandDeps } from './commands/run-commands';
import { copyRunId, deleteRun, restoreRun, setAlias } from './commands/run-commands';
import { predictWithProduction } from './commands/predict-commands';
import { archiveVersion, promoteToProduction, rejectVersion } from './commands/registry-commands';
import { registerFromRun, trainEnsemble, validateVersion } from './commands/train-commands';
import { PredictionDecorations } from './predictions/decorations';
import type { CommandHandler, CommandOptions } from './commands/runner';
import { CommandRunner } from './commands/runner';
import { Config } from './config';
import { Log } from './log';
import { ProductionStatusBar } from './status-bar';
import { StoreSession } from './store-session';
import type { Ui } from './ui';
import { vscodeUi } from './ui';
import type { ExperimentsNode } from './views/experiments-tree';
import { ExperimentsTreeProvider } from './views/experiments-tree';
import { ModelsTreeProvider } from './views/models-tree';
import { registerWebviews } from './webviews/register';

/** Commands that write the store or run code on workspace data: refused in a restricted (untrusted) window. */
const NEEDS_TRUST = new Set<string>([
  COMMAND.deleteRun,
  COMMAND.restoreRun,
  COMMAND.setAlias,
  COMMAND.trainEnsemble,
  COMMAND.registerModel,
  COMMAND.validateVersion,
  COMMAND.promoteToStaging,
  COMMAND.promoteToProduction,
  COMMAND.rejectVersion,
  COMMAND.archiveVersion,
  COMMAND.predictWithProduction,
]);

/** The composition root: owns every long-lived object and disposes them in reverse order. */
export class ModelOpsExtension implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: Log;
  private ui: Ui = vscodeUi;
  private readonly runner: CommandRunner;
  private readonly session: StoreSession;
  private readonly experiments: ExperimentsTreeProvider;
  private readonly models: ModelsTreeProvider;
  private readonly statusBar: ProductionStatusBar;
  private readonly decorations: PredictionDecorations;
  private readonly activationMs: number;
  private lastError: string | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    const t0 = Date.now();
    this.log = this.track(new Log());
    this.runner = new CommandRunner(this.log, () => this.ui);
    this.session = this.track(new StoreSession(this.log));
    this.experiments = this.track(new ExperimentsTreeProvider(this.session, this.log));
    this.models = this.track(new ModelsTreeProvider(this.session, this.log));
    this.statusBar = this.track(new ProductionStatusBar(this.session, this.log));
    this.decorations = this.track(new PredictionDecorations());
    this.track(vscode.window.createTreeView(VIEW.experiments, { treeDataProvider: this.experiments, showCollapseAll: true, canSelectMany: true }));
    this.track(vscode.window.createTreeView(VIEW.models, { treeDataProvider: this.models, showCollapseAll: true }));
    this.track(this.session.onDidChange((state) => this.onStoreChanged(state.kind === 'error' ? state.error : undefined)));
    this.track(vscode.workspace.onDidGrantWorkspaceTrust(() => this.setTrustContext()));
    this.setTrustContext();
    this.registerCommands();
    this.track(
      registerWebviews(context, {
        stores: () => this.session.get(),
        onDidChangeStore: this.session.onDidChange,
        log: this.log,
        registerCommand: (id, handler) => this.runner.register(id as CommandId, (_run, ...args) => handler(...args)),
      }),
    );
    void this.statusBar.update();
    this.activationMs = Date.now() - t0;
    this.log.info('activated', {
      ms: this.activationMs,
      version: this.context.extension.packageJSON.version as string,
      store: Config.storeFile(),
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

  private onStoreChanged(error: ModelOpsError | undefined): void {
    this.experiments.refresh();
    this.models.refresh();
    void this.statusBar.update();
    // Say once per distinct failure that the store cannot be opened (the views say it too).
    if (error && error.message !== this.lastError) void this.runner.showFailure(error);
    this.lastError = error?.message;
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
    const deps: CommandDeps = { session: this.session, ui: () => this.ui };
    this.register(COMMAND.showOutput, () => this.log.show());
    this.register(COMMAND.refresh, async () => {
      await this.session.reset('refresh');
      await this.session.get();
      await this.statusBar.update();
      const state = this.session.state;
      if (state.kind === 'error') {
        this.lastError = state.error.message; // reported here, not again by the change event
        throw state.error;
      }
    });
    this.register(COMMAND.openInMlflowUi, async () => {
      const file = Config.storeFile();
      if (!file) throw new ModelOpsError('INVALID_STATE', 'Open a folder first: the store lives in the workspace.');
      const cmd = `mlflow ui --backend-store-uri sqlite:///${file}`;
      await vscode.env.clipboard.writeText(cmd);
      void this.ui.info(`Copied to the clipboard: ${cmd}`);
      return cmd;
    });
    this.register(COMMAND.loadMoreRuns, async (_run, node) => {
      const n = node as ExperimentsNode | undefined;
      if (n?.kind === 'loadMore') await this.experiments.loadMore(n.experimentId);
    });
    this.register(COMMAND.deleteRun, (_run, arg) => deleteRun(deps, arg));
    this.register(COMMAND.restoreRun, (_run, arg) => restoreRun(deps, arg));
    this.register(COMMAND.copyRunId, (_run, arg) => copyRunId(deps, arg));
    this.register(COMMAND.setAlias, (_run, arg, alias) => setAlias(deps, arg, alias));
    this.register(COMMAND.trainEnsemble, (run, arg) => trainEnsemble(deps, run, arg), { progressTitle: 'ModelOps: Training ensemble' });
    this.register(COMMAND.registerModel, (run, arg, name) => registerFromRun(deps, run, arg, name), { progressTitle: 'ModelOps: Registering model' });
    this.register(COMMAND.validateVersion, (run, arg) => validateVersion(deps, run, arg), { progressTitle: 'ModelOps: Validating' });
    this.register(COMMAND.promoteToStaging, (run, arg) => validateVersion(deps, run, arg), { progressTitle: 'ModelOps: Validating for Staging' });
    this.register(COMMAND.promoteToProduction, (_run, arg, comment) => promoteToProduction(deps, arg, comment));
    this.register(COMMAND.rejectVersion, (_run, arg, comment) => rejectVersion(deps, arg, comment));
    this.register(COMMAND.archiveVersion, (_run, arg) => archiveVersion(deps, arg));
    this.register(COMMAND.predictWithProduction, (run, arg, model) => predictWithProduction({ ...deps, decorations: this.decorations }, run, arg, model), {
      progressTitle: 'ModelOps: Predicting',
    });
  }

  api(): ModelOpsApi {
    return {
      log: this.log,
      activationMs: this.activationMs,
      experiments: this.experiments,
      models: this.models,
      session: this.session,
      statusBarText: () => this.statusBar.text,
      decorations: this.decorations,
      setUi: (ui) => {
        const prev = this.ui;
        this.ui = ui;
        return prev;
      },
    };
  }

  dispose(): void {
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
