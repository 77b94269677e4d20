/** The promotion review panel on the VS Code side: one panel per model version. */
import * as vscode from 'vscode';
import type { PromotionContract } from '../../shared/promotion-protocol';
import { promotionContract } from '../../shared/promotion-protocol';
import type { WebviewDeps } from './deps';
import { PANEL_ACTIONS } from './deps';
import type { HostChannel } from './host-channel';
import { connectPanel, Disposer, runRegisteredCommand, setPanelHtml } from './panel-shell';
import { loadPromotionState } from './promotion-data';
import type { VersionTarget } from './targets';

export const PROMOTION_VIEW_TYPE = 'modelops.reviewForProduction';

export class PromotionPanel {
  private static readonly open = new Map<string, PromotionPanel>();
  private readonly disposer = new Disposer();
  private readonly channel: HostChannel<PromotionContract>;
  private loadSeq = 0;

  /** `folder`: the workspace folder key of the version's store (multi-root); undefined = the default store. */
  static createOrShow(extensionUri: vscode.Uri, deps: WebviewDeps, target: VersionTarget, folder?: string): PromotionPanel {
    const existing = PromotionPanel.open.get(key(target, folder));
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      void existing.reload();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PROMOTION_VIEW_TYPE, title(target), vscode.ViewColumn.Active, { enableScripts: true });
    return new PromotionPanel(panel, extensionUri, deps, target, folder);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: WebviewDeps, target: VersionTarget): PromotionPanel {
    PromotionPanel.open.get(key(target, undefined))?.dispose();
    return new PromotionPanel(panel, extensionUri, deps, target);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: WebviewDeps,
    private readonly target: VersionTarget,
    private readonly folder: string | undefined = undefined,
  ) {
    PromotionPanel.open.set(key(target, folder), this);
    setPanelHtml(panel, extensionUri, 'promotion', title(target));
    panel.title = title(target);
    const decide = async (command: string, comment: string, done: 'approved' | 'rejected') => {
      // The same command as the context menu; it prompts for nothing it was given.
      const result = await runRegisteredCommand(command, { name: target.name, version: target.version, folder }, comment);
      void this.reload();
      if (result === undefined || result === false)
        return {
          outcome: 'cancelled' as const,
          message: `Nothing changed: ${done === 'approved' ? 'the promotion' : 'the rejection'} was not confirmed, or was refused (see the notification).`,
        };
      return {
        outcome: done,
        message:
          done === 'approved'
            ? `${target.name} v${target.version} is now in Production.`
            : `Rejected ${target.name} v${target.version}; it stays in Staging with your comment.`,
      };
    };
    this.channel = connectPanel(
      panel,
      'promotion',
      promotionContract,
      {
        requests: {
          'promotion/approve': ({ comment }) => decide(PANEL_ACTIONS.promoteToProduction, comment, 'approved'),
          'promotion/reject': ({ comment }) => decide(PANEL_ACTIONS.rejectVersion, comment, 'rejected'),
        },
        notifications: { 'promotion/refresh': () => void this.reload() },
      },
      { deps, disposer: this.disposer, reload: () => this.reload(), onDisposed: () => this.dispose() },
    );
  }

  private async reload(): Promise<void> {
    const seq = ++this.loadSeq;
    const state = await loadPromotionState(await this.deps.stores(this.folder).catch(() => undefined), this.target.name, this.target.version);
    if (state.status === 'error') this.deps.log.info('webview.promotion.unavailable', { message: state.message });
    if (seq !== this.loadSeq) return;
    this.channel.notify('promotion/state', state);
    this.deps.log.info('webview.state', { panel: 'promotion', status: state.status, version: `${this.target.name}/${this.target.version}` });
  }

  dispose(): void {
    if (PromotionPanel.open.get(key(this.target, this.folder)) === this) PromotionPanel.open.delete(key(this.target, this.folder));
    this.disposer.dispose();
    this.panel.dispose();
  }
}

/** One panel per version of one folder's store (folders of a multi-root workspace may share model names). */
function key(t: VersionTarget, folder: string | undefined): string {
  return `${folder ?? ''}\u0000${t.name}\u0000${t.version}`;
}

function title(t: VersionTarget): string {
  return `Review ${t.name} v${t.version}`;
}
