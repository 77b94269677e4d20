import * as vscode from 'vscode';
import { ModelOpsError } from '../core/errors';
import type { ModelOpsApi } from './api';
import { COMMAND } from './commands/ids';
import { CommandRunner } from './commands/runner';
import { Config } from './config';
import { Log } from './log';
import type { Ui } from './ui';
import { vscodeUi } from './ui';

/** The composition root: owns every long-lived object and disposes them in reverse order. */
export class ModelOpsExtension implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly log: Log;
  private ui: Ui = vscodeUi;
  private readonly runner: CommandRunner;
  private readonly activationMs: number;

  constructor(private readonly context: vscode.ExtensionContext) {
    const t0 = Date.now();
    this.log = this.track(new Log());
    this.runner = new CommandRunner(this.log, () => this.ui);
    this.registerCommands();
    this.activationMs = Date.now() - t0;
    this.log.info('activated', { ms: this.activationMs, version: this.context.extension.packageJSON.version as string });
  }

  private track<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  private registerCommands(): void {
    const r = this.runner;
    this.track(r.register(COMMAND.showOutput, () => this.log.show()));
    this.track(r.register(COMMAND.refresh, () => this.log.info('refresh')));
    this.track(
      r.register(COMMAND.openInMlflowUi, async () => {
        const file = Config.storeFile();
        if (!file) throw new ModelOpsError('INVALID_STATE', 'Open a folder first: the store lives in the workspace.');
        const cmd = `mlflow ui --backend-store-uri sqlite:///${file}`;
        await vscode.env.clipboard.writeText(cmd);
        void this.ui.info(`Copied to the clipboard: ${cmd}`);
        return cmd;
      }),
    );
  }

  api(): ModelOpsApi {
    return {
      log: this.log,
      activationMs: this.activationMs,
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
