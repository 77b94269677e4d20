/** The run comparison panel on the VS Code side (one at a time, like the samples' createOrShow). */
import * as vscode from 'vscode';
import { ModelOpsError } from '../../core/errors';
import type { CompareContract, CompareState } from '../../shared/compare-protocol';
import { compareContract } from '../../shared/compare-protocol';
import { loadCompareState, loadMetricHistories } from './compare-data';
import type { WebviewDeps } from './deps';
import { PANEL_ACTIONS } from './deps';
import type { HostChannel } from './host-channel';
import { connectPanel, Disposer, runRegisteredCommand, setPanelHtml } from './panel-shell';

export const COMPARE_VIEW_TYPE = 'modelops.compareRuns';
const MAX_CLIPBOARD = 5_000_000;

export class ComparePanel {
  private static current: ComparePanel | undefined;
  private readonly disposer = new Disposer();
  private readonly channel: HostChannel<CompareContract>;
  private loadSeq = 0;

  /** `folder`: the workspace folder key of the runs' store (multi-root); undefined = the default store. */
  static createOrShow(extensionUri: vscode.Uri, deps: WebviewDeps, runIds: string[], folder?: string): ComparePanel {
    if (ComparePanel.current) {
      ComparePanel.current.panel.reveal(ComparePanel.current.panel.viewColumn);
      ComparePanel.current.setRuns(runIds, folder);
      return ComparePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, 'Compare Runs', vscode.ViewColumn.Active, { enableScripts: true });
    ComparePanel.current = new ComparePanel(panel, extensionUri, deps, runIds, folder);
    return ComparePanel.current;
  }

  /** After a window reload: the serializer hands back the panel and the run ids it showed. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: WebviewDeps, runIds: string[]): ComparePanel {
    ComparePanel.current?.dispose();
    ComparePanel.current = new ComparePanel(panel, extensionUri, deps, runIds);
    return ComparePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: WebviewDeps,
    private runIds: string[],
    private folder: string | undefined = undefined,
  ) {
    setPanelHtml(panel, extensionUri, 'compare', 'Compare Runs');
    this.updateTitle();
    this.channel = connectPanel(
      panel,
      'compare',
      compareContract,
      {
        requests: {
          'compare/metricHistory': async ({ key, runIds }) => {
            const stores = await this.stores();
            // The webview may only read the runs this panel shows.
            const allowed = runIds.filter((id) => this.runIds.includes(id));
            return { key, histories: await loadMetricHistories(stores.tracking, key, allowed) };
          },
          'compare/openArtifacts': async ({ runId }) => {
            this.checkRun(runId);
            if ((await vscode.commands.getCommands(true)).includes(PANEL_ACTIONS.openRunArtifacts)) {
              await runRegisteredCommand(PANEL_ACTIONS.openRunArtifacts, runId);
              return {};
            }
            // No artifacts command in this build: show the run's artifact folder in the Explorer.
            const folder = await (await this.stores()).tracking.artifactLocalPath(runId, '');
            await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(folder));
            return { message: `Artifacts of ${runId.slice(0, 8)}: ${folder}` };
          },
          'compare/registerModel': async ({ runId }) => {
            this.checkRun(runId);
            const result = await runRegisteredCommand(PANEL_ACTIONS.registerModel, this.folder === undefined ? runId : { runId, folder: this.folder });
            return { message: result === undefined ? 'The model was not registered.' : 'Registered the model; see the Models view.' };
          },
          'clipboard/write': async ({ text }) => {
            if (text.length > MAX_CLIPBOARD) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'The table is too large for the clipboard.');
            await vscode.env.clipboard.writeText(text);
            return {};
          },
        },
        notifications: { 'compare/refresh': () => void this.reload() },
      },
      { deps, disposer: this.disposer, reload: () => this.reload(), onDisposed: () => this.dispose() },
    );
  }

  private checkRun(runId: string): void {
    if (!this.runIds.includes(runId)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Run ${runId} is not in this comparison.`);
  }

  private async stores() {
    const stores = await this.deps.stores(this.folder);
    if (!stores) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
    return stores;
  }

  private setRuns(runIds: string[], folder: string | undefined): void {
    this.runIds = runIds;
    this.folder = folder;
    this.updateTitle();
    this.channel.notify('compare/state', { status: 'loading', runs: [] });
    void this.reload();
  }

  private updateTitle(): void {
    this.panel.title = this.runIds.length === 1 ? 'Compare 1 Run' : `Compare ${this.runIds.length} Runs`;
  }

  /** Loads the runs and sends them; a newer load supersedes an older one still in flight. */
  private async reload(): Promise<void> {
    const seq = ++this.loadSeq;
    let state: CompareState;
    try {
      const stores = await this.deps.stores(this.folder);
      state = stores
        ? await loadCompareState(stores.tracking, this.runIds)
        : { status: 'error', runs: [], message: 'No ModelOps store is open in this workspace.' };
    } catch (e) {
      this.deps.log.error('webview.compare.load', e);
      state = { status: 'error', runs: [], message: e instanceof Error ? e.message : String(e) };
    }
    if (seq !== this.loadSeq) return;
    this.channel.notify('compare/state', state);
    this.deps.log.info('webview.state', { panel: 'compare', status: state.status, runs: state.runs.length });
  }

  dispose(): void {
    if (ComparePanel.current === this) ComparePanel.current = undefined;
    this.disposer.dispose();
    this.panel.dispose();
  }
}
