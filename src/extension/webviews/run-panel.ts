/**
 * The run page on the VS Code side: one editor per run. It sends the run's state (again after every
 * store change), serves metric histories, artifact listings and previews, saves the note (the
 * `mlflow.note.content` tag, as MLflow's UI does), and opens what the page links to.
 */
import * as vscode from 'vscode';
import { ModelOpsError } from '../../core/errors';
import { TAG } from '../../core/tracking';
import type { Reveal, RunContract, RunState } from '../../shared/run-protocol';
import { runContract } from '../../shared/run-protocol';
import { setTag } from '../../store/tracking-helpers';
import { artifactFile, previewArtifact } from './artifact-preview';
import type { WebviewDeps, WebviewStores } from './deps';
import { PANEL_ACTIONS } from './deps';
import type { HostChannel } from './host-channel';
import { connectPanel, Disposer, runRegisteredCommand, setPanelHtml } from './panel-shell';
import { listArtifactEntries, loadHistories, loadRunPage } from './run-data';

export const RUN_VIEW_TYPE = 'modelops.run';
/** MLflow's limit on a tag value. */
const MAX_NOTE = 5000;

export interface RunTarget {
  runId: string;
  folder?: string;
}

function panelKey(t: RunTarget): string {
  return `${t.folder ?? ''}\u0000${t.runId}`;
}

export class RunPanel {
  private static readonly open = new Map<string, RunPanel>();
  private readonly disposer = new Disposer();
  private readonly channel: HostChannel<RunContract>;
  private loadSeq = 0;
  private experimentId: string | undefined;
  private disposed = false;
  /** What the page last showed, for the logs and the integration tests. */
  lastState: RunState | undefined;

  static createOrShow(extensionUri: vscode.Uri, deps: WebviewDeps, target: RunTarget, reveal?: Reveal, preserveFocus = false): RunPanel {
    const existing = RunPanel.open.get(panelKey(target));
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn, preserveFocus);
      if (reveal) existing.channel.notify('run/reveal', reveal);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      RUN_VIEW_TYPE,
      `Run ${target.runId.slice(0, 8)}`,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      { enableScripts: true },
    );
    return new RunPanel(panel, extensionUri, deps, target, reveal);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: WebviewDeps, target: RunTarget): RunPanel {
    RunPanel.open.get(panelKey(target))?.dispose();
    return new RunPanel(panel, extensionUri, deps, target);
  }

  static all(): RunPanel[] {
    return [...RunPanel.open.values()];
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: WebviewDeps,
    readonly target: RunTarget,
    reveal?: Reveal,
  ) {
    RunPanel.open.set(panelKey(target), this);
    setPanelHtml(panel, extensionUri, 'run', `Run ${target.runId.slice(0, 8)}`);
    this.channel = connectPanel(
      panel,
      'run',
      runContract,
      { requests: this.requests(), notifications: { 'run/refresh': () => void this.reload() } },
      { deps, disposer: this.disposer, reload: () => this.reload(), onDisposed: () => this.dispose() },
    );
    if (reveal) this.channel.notify('run/reveal', reveal);
  }

  /** A request as if the page had sent it (integration tests). */
  request(method: string, params: unknown): Promise<unknown> {
    return this.channel.handle(method, params);
  }

  private requests() {
    const { runId } = this.target;
    const item = (id: string) => (this.target.folder === undefined ? id : { runId: id, folder: this.target.folder });
    return {
      'run/metricHistories': async ({ keys }: { keys: string[] }) => ({ histories: await loadHistories((await this.stores()).tracking, runId, keys) }),
      'run/listArtifacts': async ({ path }: { path: string }) => ({ path, entries: await listArtifactEntries((await this.stores()).tracking, runId, path) }),
      'run/previewArtifact': async ({ path }: { path: string }) => {
        const preview = await previewArtifact((await this.stores()).tracking, runId, path);
        this.deps.log.info('run.artifact.preview', { run: runId, path, kind: preview.kind, bytes: preview.size });
        return preview;
      },
      'run/openArtifact': async ({ path }: { path: string }) => {
        const file = await artifactFile((await this.stores()).tracking, runId, path);
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: true });
        return {};
      },
      'run/saveNote': async ({ text }: { text: string }) => {
        if (!vscode.workspace.isTrusted)
          throw new ModelOpsError('INVALID_STATE', 'This window is in Restricted Mode: trust the workspace to change the store.');
        if (text.length > MAX_NOTE)
          throw new ModelOpsError('INVALID_PARAMETER_VALUE', `The note is ${text.length} characters; MLflow keeps at most ${MAX_NOTE}.`, {
            location: TAG.note,
          });
        await setTag((await this.stores()).tracking, runId, TAG.note, text);
        void this.reload();
        return { message: 'Saved the note.' };
      },
      'run/openRun': async ({ runId: other }: { runId: string }) => {
        await runRegisteredCommand(PANEL_ACTIONS.openRun, item(other));
        return {};
      },
      'run/openVersion': async ({ name, version }: { name: string; version: string }) => {
        const shown = await runRegisteredCommand(PANEL_ACTIONS.revealVersion, {
          name,
          version,
          ...(this.target.folder === undefined ? {} : { folder: this.target.folder }),
        });
        // The command reports its own failure (a notification); the page says what happened.
        return { message: shown === true ? `${name} version ${version} is selected in the Models view.` : `${name} version ${version} could not be shown.` };
      },
      'run/openRunsTable': async () => {
        if (this.experimentId === undefined) throw new ModelOpsError('INVALID_STATE', 'The run is not loaded yet.');
        await runRegisteredCommand(
          PANEL_ACTIONS.openRunsTable,
          { experimentId: this.experimentId, ...(this.target.folder === undefined ? {} : { folder: this.target.folder }) },
          { select: [runId] },
        );
        return {};
      },
      'clipboard/write': async ({ text }: { text: string }) => {
        await vscode.env.clipboard.writeText(text.slice(0, 100_000));
        return {};
      },
    };
  }

  private async stores(): Promise<WebviewStores> {
    const stores = await this.deps.stores(this.target.folder);
    if (!stores) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
    return stores;
  }

  /** Sends the run's state; a newer load supersedes one still in flight. */
  private async reload(): Promise<void> {
    const seq = ++this.loadSeq;
    let state: RunState;
    try {
      const run = await loadRunPage(await this.stores(), this.target.runId);
      this.experimentId = run.experimentId;
      this.panel.title = `Run ${run.runName}`;
      state = { status: 'ready', writable: vscode.workspace.isTrusted && run.lifecycleStage === 'active', run };
    } catch (e) {
      this.deps.log.error('webview.run.load', e);
      const gone = e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST';
      state = {
        status: 'error',
        writable: false,
        message: gone ? `Run ${this.target.runId} is not in the store (any more).` : e instanceof Error ? e.message : String(e),
      };
    }
    if (this.target.folder !== undefined) state.folder = this.target.folder;
    if (seq !== this.loadSeq || this.disposed) return;
    this.lastState = state;
    this.channel.notify('run/state', state);
    this.deps.log.info('webview.state', { panel: 'run', status: state.status, metrics: state.run?.metrics.length ?? 0 });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (RunPanel.open.get(panelKey(this.target)) === this) RunPanel.open.delete(panelKey(this.target));
    this.disposer.dispose();
    this.panel.dispose();
  }
}
