import * as vscode from 'vscode';
import { isInternalExperiment } from '../../core/internal-experiments';
import type { Experiment, Run } from '../../core/tracking';
import { TAG } from '../../core/tracking';
import { COMMAND } from '../commands/ids';
import { Config } from '../config';
import type { Log } from '../log';
import type { StoreSessions } from '../store-sessions';
import type { OpenStore } from '../store-session';
import type { TrackingStore } from '../../store/tracking-store';
import { folderItem, NO_STORE_YET } from './folder-item';
import { messageItem } from './message-item';
import { formatMetric, isBestTrial, parentRunId, runContextValue, runIcon, runLabel, runTooltipMarkdown, trialDescription } from './run-format';

/** Every node carries its workspace folder's key (its URI): commands on it use that folder's store. */
export type ExperimentsNode =
  | { kind: 'folder'; folder: string }
  | { kind: 'experiment'; folder: string; experiment: Experiment }
  | { kind: 'run'; folder: string; run: Run; hasChildren: boolean; deleted: boolean; best?: boolean }
  | { kind: 'runGroup'; folder: string; run: Run; group: RunGroup; count: number }
  | { kind: 'runValue'; folder: string; runId: string; group: 'params' | 'metrics'; key: string; value: string }
  | { kind: 'artifact'; folder: string; run: Run; path: string; isDir: boolean; size?: number }
  | { kind: 'loadMore'; folder: string; experimentId: string; shown: number }
  | { kind: 'deletedRuns'; folder: string; experimentId: string }
  | { kind: 'message'; folder?: string; text: string; detail?: string; icon: string };

/** What a run expands into besides its nested runs. */
export type RunGroup = 'params' | 'metrics' | 'artifacts';
const GROUP_LABEL: Record<RunGroup, string> = { params: 'Parameters', metrics: 'Metrics', artifacts: 'Artifacts' };

/** Paging state is per folder and experiment (experiment ids repeat across folders' stores). */
function pageKey(folder: string, experimentId: string): string {
  return `${folder}\n${experimentId}`;
}

/** Top-level runs of one experiment loaded so far (nested trials are grouped under their parent). */
interface RunPage {
  topLevel: Run[];
  childrenOf: Map<string, Run[]>;
  nextPageToken: string | undefined;
  /** How many top-level runs the user asked to see (grows with "Load more"). */
  limit: number;
}

/**
 * Experiments → runs, newest first; in a multi-root workspace under one node per folder. Runs come
 * from the store a page at a time: the first `runsPageSize` top-level runs, then a "Load more" item,
 * so an experiment with 10,000 runs opens as fast as one with 10. Trials (tag `mlflow.parentRunId`)
 * sit under their parent run.
 */
export class ExperimentsTreeProvider implements vscode.TreeDataProvider<ExperimentsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private pages = new Map<string, RunPage>();
  /** How many top-level runs each experiment shows; survives refreshes so paging is kept. */
  private readonly limits = new Map<string, number>();
  private experimentNodes = new Map<string, ExperimentsNode>();

  constructor(
    private readonly sessions: StoreSessions,
    private readonly log: Log,
  ) {}

  refresh(): void {
    this.pages = new Map();
    this.changed.fire(undefined);
  }

  /** Shows the next page of runs of one experiment (the "Load more" node's). */
  async loadMore(node: { folder: string; experimentId: string }): Promise<void> {
    const key = pageKey(node.folder, node.experimentId);
    const page = this.pages.get(key);
    if (!page) return;
    page.limit += Config.runsPageSize();
    this.limits.set(key, page.limit);
    const store = await this.sessions.byKey(node.folder)?.get();
    if (store) await this.fill(page, node.experimentId, store.tracking);
    this.changed.fire(this.experimentNodes.get(key));
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const session = this.sessions.byKey(node.folder);
        return session ? folderItem(session, 'experiments') : messageItem('Folder closed', undefined, 'warning');
      }
      case 'experiment': {
        const e = node.experiment;
        const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `experiment:${node.folder}:${e.experimentId}`;
        item.description = `#${e.experimentId}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'experiment';
        item.tooltip = `${e.name} (experiment ${e.experimentId})\n${e.artifactLocation}`;
        return item;
      }
      case 'run': {
        const r = node.run;
        // Every run expands: its nested runs (trials), then its params, metrics and artifacts.
        const item = new vscode.TreeItem(runLabel(r), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${node.folder}:${r.info.runId}`;
        // A click opens the run's page (the twistie expands it), keeping the keyboard in the tree.
        item.command = { command: COMMAND.openRun, title: 'Open Run', arguments: [node] };
        item.description = trialDescription(r, Config.primaryMetric(), node.best === true);
        const icon = runIcon(r, node.best === true);
        item.iconPath = node.deleted
          ? new vscode.ThemeIcon('trash')
          : new vscode.ThemeIcon(icon.icon, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.tooltip = new vscode.MarkdownString(runTooltipMarkdown(r));
        item.contextValue = runContextValue(r, node.deleted);
        return item;
      }
      case 'runGroup':
      case 'runValue':
      case 'artifact':
        return runPartItem(node);
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more runs…', vscode.TreeItemCollapsibleState.None);
        item.id = `loadMore:${node.folder}:${node.experimentId}:${node.shown}`;
        item.description = `${node.shown} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'loadMore';
        item.command = { command: COMMAND.loadMoreRuns, title: 'Load More Runs', arguments: [node] };
        return item;
      }
      case 'deletedRuns': {
        const item = new vscode.TreeItem('Deleted runs', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `deleted:${node.folder}:${node.experimentId}`;
        item.iconPath = new vscode.ThemeIcon('trash');
        item.contextValue = 'deletedRuns';
        return item;
      }
      case 'message':
        return messageItem(node.text, node.detail, node.icon);
    }
  }

  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    try {
      return await this.children(node);
    } catch (e) {
      // A failing read must not leave the view spinning or throw into the host.
      this.log.error('tree.experiments.failed', e);
      return [{ kind: 'message', text: 'Could not read the store', detail: e instanceof Error ? e.message : String(e), icon: 'error' }];
    }
  }

  private async children(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    if (!node) {
      // One folder looks as before multi-root support: its experiments at the top level.
      if (this.sessions.multiRoot) return this.sessions.all().map((s) => ({ kind: 'folder', folder: s.key }));
      const only = this.sessions.first();
      return only ? this.children({ kind: 'folder', folder: only.key }) : [];
    }
    if (node.kind === 'message') return [];
    const folder = node.folder;
    const session = this.sessions.byKey(folder);
    if (!session) return [];
    const store = await session.get();
    const state = session.state;
    if (!store) {
      if (state.kind === 'error') return [{ kind: 'message', folder, text: 'The store could not be opened', detail: state.error.message, icon: 'error' }];
      return this.sessions.multiRoot && node.kind === 'folder' ? [{ kind: 'message', folder, ...NO_STORE_YET }] : [];
    }
    if (node.kind === 'folder') return this.experimentNodesOf(store, folder);
    switch (node.kind) {
      case 'experiment': {
        const id = node.experiment.experimentId;
        const key = pageKey(folder, id);
        let page = this.pages.get(key);
        if (!page) {
          page = { topLevel: [], childrenOf: new Map(), nextPageToken: undefined, limit: this.limits.get(key) ?? Config.runsPageSize() };
          this.pages.set(key, page);
          await this.fill(page, id, store.tracking, true);
        }
        const loaded = page;
        const shown = loaded.topLevel.slice(0, loaded.limit);
        const out: ExperimentsNode[] = shown.map((run) => ({
          kind: 'run',
          folder,
          run,
          hasChildren: (loaded.childrenOf.get(run.info.runId)?.length ?? 0) > 0,
          deleted: false,
        }));
        // Pages may hold trials too, so more top-level runs than shown can be loaded already.
        if (loaded.nextPageToken !== undefined || loaded.topLevel.length > shown.length) {
          out.push({ kind: 'loadMore', folder, experimentId: id, shown: shown.length });
        }
        const deleted = await store.tracking.searchRuns({ experimentIds: [id], runViewType: 'DELETED_ONLY', maxResults: 1 });
        if (deleted.items.length > 0) out.push({ kind: 'deletedRuns', folder, experimentId: id });
        return out;
      }
      case 'run': {
        const runs = node.deleted
          ? []
          : await this.allRuns(store.tracking, [node.run.info.experimentId], `tags.\`${TAG.parentRunId}\` = '${node.run.info.runId}'`);
        const parent = node.run;
        return [
          ...runs.map((run): ExperimentsNode => ({ kind: 'run', folder, run, hasChildren: false, deleted: false, best: isBestTrial(parent, run) })),
          ...runGroups(folder, node.run),
        ];
      }
      case 'runGroup':
        return node.group === 'artifacts' ? this.artifactNodes(store.tracking, folder, node.run, '') : runValues(folder, node.run, node.group);
      case 'artifact':
        return node.isDir ? this.artifactNodes(store.tracking, folder, node.run, node.path) : [];
      case 'deletedRuns': {
        const runs = await this.allRuns(store.tracking, [node.experimentId], undefined, 'DELETED_ONLY');
        return runs.map((run) => ({ kind: 'run', folder, run, hasChildren: false, deleted: true }));
      }
      default:
        return [];
    }
  }

  /** A folder's active experiments, most recently updated first (MLflow's empty "Default" hidden). */
  private async experimentNodesOf(store: OpenStore, folder: string): Promise<ExperimentsNode[]> {
    const experiments: Experiment[] = [];
    let token: string | undefined;
    do {
      const page = await store.tracking.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: 1000, pageToken: token });
      // The registry's audit ledger on a tracking server is shown as model history, not as an experiment.
      experiments.push(...page.items.filter((e) => !isInternalExperiment(e)));
      token = page.nextPageToken;
    } while (token);
    experiments.sort((a, b) => b.lastUpdateTime - a.lastUpdateTime || Number(a.experimentId) - Number(b.experimentId));
    const nodes: ExperimentsNode[] = [];
    for (const experiment of experiments) {
      if (experiment.experimentId === '0') {
        const any = await store.tracking.searchRuns({ experimentIds: ['0'], maxResults: 1, runViewType: 'ALL' });
        if (any.items.length === 0) continue;
      }
      const n: ExperimentsNode = { kind: 'experiment', folder, experiment };
      this.experimentNodes.set(pageKey(folder, experiment.experimentId), n);
      nodes.push(n);
    }
    return nodes;
  }

  /** One folder level of a run's artifacts; a run whose artifacts are elsewhere says so. */
  private async artifactNodes(tracking: TrackingStore, folder: string, run: Run, path: string): Promise<ExperimentsNode[]> {
    let entries;
    try {
      entries = await tracking.listArtifacts(run.info.runId, path || undefined);
    } catch (e) {
      return [{ kind: 'message', folder, text: 'Artifacts not readable here', detail: e instanceof Error ? e.message : String(e), icon: 'warning' }];
    }
    if (entries.length === 0 && path === '') return [{ kind: 'message', folder, text: 'No artifacts', icon: 'info' }];
    // Folders first, as the Explorer lists them.
    const sorted = [...entries].sort((a, b) => Number(b.isDir) - Number(a.isDir) || (a.path < b.path ? -1 : 1));
    return sorted.map((a) => ({ kind: 'artifact', folder, run, path: a.path, isDir: a.isDir, ...(a.fileSize === undefined ? {} : { size: a.fileSize }) }));
  }

  /** The node of a run of a folder's store, for reveal(); undefined when the run or folder is gone. */
  async nodeForRun(folder: string, runId: string): Promise<ExperimentsNode | undefined> {
    const store = await this.sessions.byKey(folder)?.get();
    if (!store) return undefined;
    const run = await store.tracking.getRun(runId);
    const children = await store.tracking.searchRuns({
      experimentIds: [run.info.experimentId],
      filter: `tags.\`${TAG.parentRunId}\` = '${runId}'`,
      maxResults: 1,
    });
    return { kind: 'run', folder, run, hasChildren: children.items.length > 0, deleted: run.info.lifecycleStage === 'deleted' };
  }

  /**
   * reveal() walks up from a node: a trial to its parent run, a run to its experiment (or Deleted
   * runs), an experiment to its folder's node in a multi-root workspace. Items have stable ids, so
   * nodes built here match the ones the view already shows.
   */
  async getParent(node: ExperimentsNode): Promise<ExperimentsNode | undefined> {
    if (node.kind === 'folder' || node.kind === 'message') return undefined;
    const folder = node.folder;
    if (node.kind === 'experiment') return this.sessions.multiRoot ? { kind: 'folder', folder } : undefined;
    const store = await this.sessions.byKey(folder)?.get();
    if (!store) return undefined;
    if (node.kind === 'runGroup') return this.runNode(folder, node.run);
    if (node.kind === 'runValue') {
      const run = await store.tracking.getRun(node.runId);
      return { kind: 'runGroup', folder, run, group: node.group, count: node.group === 'params' ? run.data.params.length : run.data.metrics.length };
    }
    if (node.kind === 'artifact') {
      const dir = node.path.includes('/') ? node.path.slice(0, node.path.lastIndexOf('/')) : '';
      return dir
        ? { kind: 'artifact', folder, run: node.run, path: dir, isDir: true }
        : { kind: 'runGroup', folder, run: node.run, group: 'artifacts', count: 0 };
    }
    const experimentId = node.kind === 'run' ? node.run.info.experimentId : node.experimentId;
    if (node.kind === 'run') {
      if (node.deleted) return { kind: 'deletedRuns', folder, experimentId };
      const parent = parentRunId(node.run);
      if (parent) return { kind: 'run', folder, run: await store.tracking.getRun(parent), hasChildren: true, deleted: false };
    }
    return (
      this.experimentNodes.get(pageKey(folder, experimentId)) ?? { kind: 'experiment', folder, experiment: await store.tracking.getExperiment(experimentId) }
    );
  }

  private async runNode(folder: string, run: Run): Promise<ExperimentsNode | undefined> {
    return this.nodeForRun(folder, run.info.runId);
  }

  /** Reads pages until `page.limit` top-level runs are loaded or the experiment has no more. */
  private async fill(page: RunPage, experimentId: string, tracking: TrackingStore, first = false): Promise<void> {
    const size = Config.runsPageSize();
    if (!first && page.nextPageToken === undefined) return;
    if (page.topLevel.length >= page.limit) return;
    do {
      const res = await tracking.searchRuns({
        experimentIds: [experimentId],
        runViewType: 'ACTIVE_ONLY',
        maxResults: size,
        orderBy: ['attributes.start_time DESC'],
        pageToken: page.nextPageToken,
      });
      for (const run of res.items) {
        const parent = parentRunId(run);
        if (parent) {
          const list = page.childrenOf.get(parent) ?? [];
          list.push(run);
          page.childrenOf.set(parent, list);
        } else {
          page.topLevel.push(run);
        }
      }
      page.nextPageToken = res.nextPageToken;
    } while (page.nextPageToken !== undefined && page.topLevel.length < page.limit);
  }

  private async allRuns(
    tracking: TrackingStore,
    experimentIds: string[],
    filter: string | undefined,
    runViewType: 'ACTIVE_ONLY' | 'DELETED_ONLY' = 'ACTIVE_ONLY',
  ): Promise<Run[]> {
    const out: Run[] = [];
    let token: string | undefined;
    do {
      const res = await tracking.searchRuns({
        experimentIds,
        filter,
        runViewType,
        maxResults: 1000,
        orderBy: ['attributes.start_time DESC'],
        pageToken: token,
      });
      out.push(...res.items);
      token = res.nextPageToken;
    } while (token);
    return out;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function runGroups(folder: string, run: Run): ExperimentsNode[] {
  const out: ExperimentsNode[] = [];
  if (run.data.params.length > 0) out.push({ kind: 'runGroup', folder, run, group: 'params', count: run.data.params.length });
  if (run.data.metrics.length > 0) out.push({ kind: 'runGroup', folder, run, group: 'metrics', count: run.data.metrics.length });
  out.push({ kind: 'runGroup', folder, run, group: 'artifacts', count: 0 });
  return out;
}

function runValues(folder: string, run: Run, group: 'params' | 'metrics'): ExperimentsNode[] {
  const runId = run.info.runId;
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  if (group === 'params') return [...run.data.params].sort(byKey).map((p) => ({ kind: 'runValue', folder, runId, group, key: p.key, value: p.value }));
  return [...run.data.metrics].sort(byKey).map((m) => ({ kind: 'runValue', folder, runId, group, key: m.key, value: formatMetric('', m.value).trim() }));
}

/** Items under a run: its groups, their values, its artifacts. Clicks open the run's page at that place. */
function runPartItem(node: Extract<ExperimentsNode, { kind: 'runGroup' | 'runValue' | 'artifact' }>): vscode.TreeItem {
  const open = (title: string): vscode.Command => ({ command: COMMAND.openRun, title, arguments: [node] });
  if (node.kind === 'runGroup') {
    const item = new vscode.TreeItem(GROUP_LABEL[node.group], vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `runGroup:${node.folder}:${node.run.info.runId}:${node.group}`;
    if (node.group !== 'artifacts') item.description = String(node.count);
    item.iconPath = new vscode.ThemeIcon(node.group === 'params' ? 'symbol-parameter' : node.group === 'metrics' ? 'graph-line' : 'files');
    item.contextValue = `valueGroup.${node.group}`;
    return item;
  }
  if (node.kind === 'runValue') {
    const item = new vscode.TreeItem(node.key, vscode.TreeItemCollapsibleState.None);
    item.id = `runValue:${node.folder}:${node.runId}:${node.group}:${node.key}`;
    item.description = node.value.length > 80 ? `${node.value.slice(0, 80)}…` : node.value;
    item.tooltip = `${node.key} = ${node.value}`;
    item.iconPath = new vscode.ThemeIcon(node.group === 'params' ? 'symbol-parameter' : 'graph-line');
    item.contextValue = node.group === 'params' ? 'paramValue' : 'metricValue';
    item.command = open(node.group === 'metrics' ? 'Show Metric' : 'Show Parameters');
    return item;
  }
  const name = node.path.slice(node.path.lastIndexOf('/') + 1);
  const item = new vscode.TreeItem(name, node.isDir ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `artifact:${node.folder}:${node.run.info.runId}:${node.path}`;
  // A URI only for the file icon theme (its extension picks the icon); the file is read by the run page.
  item.resourceUri = vscode.Uri.from({ scheme: 'modelops-artifact', path: `/${node.path}` });
  item.iconPath = node.isDir ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
  item.contextValue = node.isDir ? 'artifactFolder' : 'artifact';
  if (node.size !== undefined) item.description = formatBytes(node.size);
  if (!node.isDir) item.command = open('Preview Artifact');
  return item;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
