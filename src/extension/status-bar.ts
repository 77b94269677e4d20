import * as vscode from 'vscode';
import { Config } from './config';
import type { Log } from './log';
import type { StoreSessions } from './store-sessions';
import { VIEW } from './commands/ids';
import { formatMetric, metricValue } from './views/run-format';
import { listModels } from './views/models-tree';

/**
 * Every model's Production version (newest first; the primary metric beside it when there is one
 * model); a click opens the Models view. Hidden when nothing is in Production. In a
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
      if (!store || withProd.length === 0) {
        this.text = undefined;
        this.item.hide();
        return;
      }
      // Every model in Production is named (newest first); the primary metric beside each.
      const key = Config.primaryMetric();
      const shown = await Promise.all(
        withProd.map(async ({ m, v }) => {
          const run = v?.runId ? await store.tracking.getRun(v.runId).catch(() => undefined) : undefined;
          return { label: `${m.name} v${v!.version}`, metric: run ? formatMetric(key, metricValue(run, key)) : '' };
        }),
      );
      const only = shown.length === 1 ? shown[0] : undefined;
      this.text = only ? `$(rocket) ${only.label}${only.metric ? ` · ${only.metric}` : ''}` : `$(rocket) ${shown.map((x) => x.label).join(', ')}`;
      this.item.text = this.text;
      const lines = shown.map((x) => `${x.label}${x.metric ? ` (${x.metric})` : ''}`);
      this.item.tooltip = `ModelOps — in Production: ${lines.join('; ')}. Click to open the Models view.`;
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
