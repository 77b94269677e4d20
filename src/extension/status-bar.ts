import * as vscode from 'vscode';
import { Config } from './config';
import type { Log } from './log';
import type { StoreSessions } from './store-sessions';
import { VIEW } from './commands/ids';
import { formatMetric, metricValue } from './views/run-format';
import { listModels } from './views/models-tree';

/**
 * The Production version of the current model (the most recently updated model that has one) and
 * its primary metric; a click opens the Models view. Hidden when nothing is in Production. In a
 * multi-root workspace the store is the active editor's folder's (else the first folder's).
 */
export class ProductionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelops.production', vscode.StatusBarAlignment.Left, 50);
  private readonly editorListener: vscode.Disposable;
  private shownFolder: string | undefined;

  constructor(
    private readonly sessions: StoreSessions,
    private readonly log: Log,
  ) {
    this.item.name = 'ModelOps Production Model';
    this.item.command = `${VIEW.models}.focus`;
    // Switching editors within one folder changes nothing: only another folder's store is read again.
    this.editorListener = vscode.window.onDidChangeActiveTextEditor(() => {
      if (this.sessions.active()?.key !== this.shownFolder) void this.update();
    });
  }

  /** The text shown, for tests; undefined when hidden. */
  text: string | undefined;

  async update(): Promise<void> {
    try {
      const session = this.sessions.active();
      this.shownFolder = session?.key;
      const store = await session?.get();
      const models = store ? await listModels(store) : [];
      const withProd = models
        .map((m) => ({ m, v: m.latestVersions.find((x) => x.currentStage === 'Production') }))
        .filter((x) => x.v !== undefined)
        .sort((a, b) => b.m.lastUpdatedTimestamp - a.m.lastUpdatedTimestamp);
      const top = withProd[0];
      if (!store || !top?.v) {
        this.text = undefined;
        this.item.hide();
        return;
      }
      let metric = '';
      if (top.v.runId) {
        const run = await store.tracking.getRun(top.v.runId).catch(() => undefined);
        if (run) metric = formatMetric(Config.primaryMetric(), metricValue(run, Config.primaryMetric()));
      }
      this.text = `$(rocket) ${top.m.name} v${top.v.version}${metric ? ` · ${metric}` : ''}`;
      this.item.text = this.text;
      this.item.tooltip = `ModelOps: ${top.m.name} version ${top.v.version} is in Production. Click to open the Models view.`;
      this.item.show();
    } catch (e) {
      this.log.error('statusbar.failed', e);
      this.item.hide();
    }
  }

  dispose(): void {
    this.editorListener.dispose();
    this.item.dispose();
  }
}
