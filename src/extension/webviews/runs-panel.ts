/**
 * The runs table on the VS Code side: one editor per experiment (of a folder's store). It reads the
 * experiment's runs into an ExperimentRuns cache, tells the page the stamp its data is at, and
 * serves the page's pulls, filters and actions; its buttons run the same registered commands as
 * the tree's context menu.
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { ModelOpsError, errorMessage } from '../../core/errors';
import type { ApplyView, RunsContract, RunsState, SavedView } from '../../shared/runs-protocol';
import { EMPTY_VIEW, runsContract, savedViewCheck } from '../../shared/runs-protocol';
import type { WebviewDeps, WebviewStores } from './deps';
import { PANEL_ACTIONS } from './deps';
import type { HostChannel } from './host-channel';
import { connectPanel, Disposer, runRegisteredCommand, setPanelHtml } from './panel-shell';
import { CHANGES_PAGE, ExperimentRuns } from './runs-data';

export const RUNS_VIEW_TYPE = 'modelops.runsTable';
const MAX_CLIPBOARD = 20_000_000;
/** A burst of store changes (a training run logging every second) refreshes the table once. */
const REFRESH_DELAY_MS = 500;

export interface RunsTarget {
  experimentId: string;
  /** Workspace folder key of the store (multi-root); undefined = the default store. */
  folder?: string;
}

function panelKey(t: RunsTarget): string {
  return `${t.folder ?? ''}\u0000${t.experimentId}`;
}

export class RunsPanel {
  private static readonly open = new Map<string, RunsPanel>();
  private readonly disposer = new Disposer();
  private readonly channel: HostChannel<RunsContract>;
  private runs: ExperimentRuns | undefined;
  private loading: Promise<void> | undefined;
  private experimentName: string;
  private failure: string | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private disposed = false;
  /** The page's last reported view (integration tests read what the user sees). */
  lastView: { view: SavedView; matched: number; total: number; top: string[]; selected: string[] } | undefined;

  static createOrShow(extensionUri: vscode.Uri, deps: WebviewDeps, memento: vscode.Memento, target: RunsTarget, apply?: ApplyView): RunsPanel {
    const existing = RunsPanel.open.get(panelKey(target));
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      if (apply) existing.channel.notify('runs/apply', apply);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RUNS_VIEW_TYPE, 'Runs', vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: true });
    return new RunsPanel(panel, extensionUri, deps, memento, target, apply);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: WebviewDeps, memento: vscode.Memento, target: RunsTarget): RunsPanel {
    RunsPanel.open.get(panelKey(target))?.dispose();
    return new RunsPanel(panel, extensionUri, deps, memento, target);
  }

  /** The open tables (for the integration tests, which drive them as the page would). */
  static all(): RunsPanel[] {
    return [...RunsPanel.open.values()];
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: WebviewDeps,
    private readonly memento: vscode.Memento,
    readonly target: RunsTarget,
    apply?: ApplyView,
  ) {
    RunsPanel.open.set(panelKey(target), this);
    this.experimentName = `experiment ${target.experimentId}`;
    setPanelHtml(panel, extensionUri, 'runs', 'Runs');
    this.channel = connectPanel(
      panel,
      'runs',
      runsContract,
      { requests: this.requests(), notifications: { 'runs/refresh': () => this.scheduleRefresh(0), 'runs/view': (v) => this.saveView(v) } },
      {
        deps,
        disposer: this.disposer,
        reload: () => this.start(),
        onDisposed: () => this.dispose(),
        onStoreChange: () => this.scheduleRefresh(REFRESH_DELAY_MS),
        retained: true,
      },
    );
    if (apply) this.channel.notify('runs/apply', apply);
    void this.start();
  }

  get experimentId(): string {
    return this.target.experimentId;
  }

  /** A request as if the page had sent it (integration tests). */
  request(method: string, params: unknown): Promise<unknown> {
    return this.channel.handle(method, params);
  }

  private requests() {
    const need = (runIds: readonly string[]) => {
      const unknown = runIds.find((id) => !this.runs?.has(id));
      if (unknown !== undefined) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Run ${unknown} is not in this table.`);
    };
    const item = (runId: string) => (this.target.folder === undefined ? runId : { runId, folder: this.target.folder });
    return {
      'runs/changes': async ({ since, limit }: { since: number; limit?: number }) =>
        (await this.data()).changesSince(since, Math.max(1, Math.min(limit ?? CHANGES_PAGE, CHANGES_PAGE))),
      'runs/filter': async ({ filter }: { filter: string }) => ({
        filter,
        runIds: filter.trim() === '' ? (await this.data()).runIds() : await (await this.data()).matching(filter),
      }),
      'runs/metricRange': async ({ key }: { key: string }) => (await this.data()).metricRange(key),
      'runs/openRun': async ({ runId }: { runId: string }) => {
        need([runId]);
        await runRegisteredCommand(PANEL_ACTIONS.openRun, item(runId));
        return {};
      },
      'runs/compare': async ({ runIds }: { runIds: string[] }) => {
        need(runIds);
        if (runIds.length === 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Select runs to compare first.');
        const items = runIds.map((id) => ({ runId: id, ...(this.target.folder === undefined ? {} : { folder: this.target.folder }) }));
        await runRegisteredCommand(PANEL_ACTIONS.compareRuns, items[0], items);
        return { message: `Comparing ${runIds.length} run${runIds.length === 1 ? '' : 's'}.` };
      },
      'runs/register': async ({ runId }: { runId: string }) => {
        need([runId]);
        const result = await runRegisteredCommand(PANEL_ACTIONS.registerModel, item(runId));
        return { message: result === undefined ? 'The model was not registered.' : 'Registered the model; see the Models view.' };
      },
      'runs/delete': async ({ runIds }: { runIds: string[] }) => {
        need(runIds);
        const result = await runRegisteredCommand(PANEL_ACTIONS.deleteRuns, {
          runIds,
          ...(this.target.folder === undefined ? {} : { folder: this.target.folder }),
        });
        const deleted = Array.isArray(result) ? result.filter((x): x is string => typeof x === 'string') : [];
        // Seen at once, without waiting for the store's change event (large tables re-read only part of it).
        if (this.runs && this.runs.remove(deleted) > 0) this.sendState();
        return deleted.length
          ? {
              deleted,
              message: `Deleted ${deleted.length} run${deleted.length === 1 ? '' : 's'} (they can be restored from "Deleted runs" in the Experiments view).`,
            }
          : { deleted, message: 'Nothing was deleted.' };
      },
      'runs/exportCsv': async ({ text, rows }: { text: string; rows: number }) => {
        const folder = this.target.folder ? vscode.Uri.parse(this.target.folder) : vscode.workspace.workspaceFolders?.[0]?.uri;
        const name = `${this.experimentName.replace(/[^\w.-]+/g, '-')}-runs.csv`;
        const uri = await vscode.window.showSaveDialog({
          defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
          filters: { CSV: ['csv'] },
          title: 'Export runs as CSV',
        });
        if (!uri) return { message: 'Export cancelled.' };
        writeFileSync(uri.fsPath, text, 'utf8');
        return { message: `Exported ${rows} run${rows === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(uri)}.` };
      },
      'clipboard/write': async ({ text }: { text: string }) => {
        if (text.length > MAX_CLIPBOARD)
          throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'The table is too large for the clipboard: export it as a file instead.');
        await vscode.env.clipboard.writeText(text);
        return {};
      },
    };
  }

  private async stores(): Promise<WebviewStores> {
    const stores = await this.deps.stores(this.target.folder);
    if (!stores) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
    return stores;
  }

  /** The cache, once its first read has started (its rows arrive while the page already shows some). */
  private async data(): Promise<ExperimentRuns> {
    if (!this.runs) await this.start();
    if (!this.runs) throw new ModelOpsError('INVALID_STATE', this.failure ?? 'The runs could not be read.');
    return this.runs;
  }

  /** Reads the experiment on first use (or after a failure); every ready handshake re-sends the state. */
  private start(): Promise<void> {
    if (this.runs && !this.failure) {
      this.sendState();
      return this.loading ?? Promise.resolve();
    }
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.failure = undefined;
    this.sendState();
    try {
      const stores = await this.stores();
      const experiment = await stores.tracking.getExperiment(this.target.experimentId);
      this.experimentName = experiment.name;
      this.panel.title = `Runs: ${experiment.name}`;
      const ranges = stores.tracking.metricRanges?.bind(stores.tracking);
      const experimentId = this.target.experimentId;
      const runs = new ExperimentRuns(stores.tracking, experimentId, undefined, ranges ? (key) => ranges(experimentId, key) : undefined);
      this.runs = runs;
      const t0 = Date.now();
      await runs.load(
        () => this.sendState(),
        () => this.disposed,
      );
      this.deps.log.info('runs.loaded', { experiment: this.target.experimentId, runs: runs.size, ms: Date.now() - t0 });
    } catch (e) {
      this.failure = errorMessage(e);
      this.runs = undefined;
      this.deps.log.error('webview.runs.load', e);
    }
    this.sendState();
  }

  private scheduleRefresh(delay: number): void {
    if (this.disposed) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      // One refresh at a time; a change during one schedules the next.
      this.refreshing = this.refreshing.then(() => this.refresh());
    }, delay);
  }

  private async refresh(): Promise<void> {
    if (this.disposed) return;
    if (!this.runs || this.failure) return this.start();
    if (!this.runs.complete) {
      // Still reading: look again once that is done.
      await this.loading;
      this.scheduleRefresh(REFRESH_DELAY_MS);
      return;
    }
    try {
      const stores = await this.stores();
      this.experimentName = (await stores.tracking.getExperiment(this.target.experimentId)).name;
      this.panel.title = `Runs: ${this.experimentName}`;
      if (await this.runs.refresh()) this.sendState();
    } catch (e) {
      if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST')
        this.failure = `Experiment ${this.target.experimentId} is no longer in the store.`;
      this.deps.log.error('webview.runs.refresh', e);
      this.sendState();
    }
  }

  private viewKey(): string {
    return `modelops.runsView:${this.target.folder ?? ''}:${this.target.experimentId}`;
  }

  private savedView(): SavedView {
    try {
      const raw = this.memento.get<unknown>(this.viewKey());
      return raw === undefined ? EMPTY_VIEW : savedViewCheck(raw, 'saved view');
    } catch {
      return EMPTY_VIEW;
    }
  }

  private saveView(v: { view: SavedView; matched: number; total: number; top: string[]; selected: string[] }): void {
    void this.memento.update(this.viewKey(), v.view);
    this.deps.log.info('runs.view', {
      experiment: this.target.experimentId,
      filter: v.view.filter,
      sort: v.view.sort ? `${v.view.sort.column} ${v.view.sort.direction}` : '',
      matched: v.matched,
      total: v.total,
      top: v.top.slice(0, 5).join(','),
      selected: v.selected.length,
    });
    this.lastView = v;
  }

  private sendState(): void {
    if (this.disposed) return;
    const runs = this.runs;
    const state: RunsState = {
      status: this.failure ? 'error' : runs ? 'ready' : 'loading',
      experimentId: this.target.experimentId,
      experimentName: this.experimentName,
      stamp: runs?.stamp ?? 0,
      loaded: runs?.size ?? 0,
      complete: runs?.complete ?? false,
      writable: vscode.workspace.isTrusted,
      view: this.savedView(),
    };
    if (this.failure) state.message = this.failure;
    if (this.target.folder !== undefined) state.folder = this.target.folder;
    this.channel.notify('runs/state', state);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (RunsPanel.open.get(panelKey(this.target)) === this) RunsPanel.open.delete(panelKey(this.target));
    this.disposer.dispose();
    this.panel.dispose();
  }
}
