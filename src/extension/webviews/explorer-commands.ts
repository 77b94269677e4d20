/**
 * The run explorer's commands: Open Runs Table (an experiment's runs), Open Run (one run's page,
 * optionally at a section or an artifact) and Open Run Artifacts; and the serializers that bring
 * their editors back after a window reload.
 */
import * as vscode from 'vscode';
import { isInternalExperiment } from '../../core/internal-experiments';
import { ModelOpsError } from '../../core/errors';
import type { ApplyView, SortSpec } from '../../shared/runs-protocol';
import { runsSavedStateCheck } from '../../shared/runs-protocol';
import type { Reveal } from '../../shared/run-protocol';
import { runSavedStateCheck } from '../../shared/run-protocol';
import type { Ui } from '../ui';
import { vscodeUi } from '../ui';
import { runLabel } from '../views/run-format';
import { COMMAND } from '../commands/ids';
import type { Register, WebviewDeps } from './deps';
import type { Disposer } from './panel-shell';
import { RUN_VIEW_TYPE, RunPanel } from './run-panel';
import { RUNS_VIEW_TYPE, RunsPanel } from './runs-panel';
import type { RunOpenTarget } from './targets';
import { experimentFromArg, runTargetFromArg } from './targets';
import { panelRestorer } from './restore-panel';

/** The run explorer's commands registered here (ids from commands/ids.ts). */
export const EXPLORER_COMMAND = {
  openRunsTable: COMMAND.openRunsTable,
  openRun: COMMAND.openRun,
  openRunArtifacts: COMMAND.openRunArtifacts,
} as const;

async function storesOf(deps: WebviewDeps, folder: string | undefined) {
  const stores = await deps.stores(folder);
  if (!stores) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
  return stores;
}

function ui(deps: WebviewDeps): Ui {
  return deps.ui?.() ?? vscodeUi;
}

async function pickExperiment(deps: WebviewDeps, folder: string | undefined): Promise<string | undefined> {
  const experiments = (await (await storesOf(deps, folder)).tracking.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: 1000 })).items.filter(
    (e) => !isInternalExperiment(e),
  );
  if (experiments.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There are no experiments yet: train a model first.');
  experiments.sort((a, b) => b.lastUpdateTime - a.lastUpdateTime);
  const picked = await ui(deps).pickOne(
    experiments.map((e) => ({ label: e.name, description: `#${e.experimentId}`, id: e.experimentId })),
    { title: 'Open the runs of which experiment?' },
  );
  return picked?.id;
}

async function pickRun(deps: WebviewDeps, folder: string | undefined): Promise<string | undefined> {
  const { tracking } = await storesOf(deps, folder);
  const experiments = (await tracking.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: 1000 })).items.filter((e) => !isInternalExperiment(e));
  const runs = (await tracking.searchRuns({ experimentIds: experiments.map((e) => e.experimentId), maxResults: 500, orderBy: ['attributes.start_time DESC'] }))
    .items;
  if (runs.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There are no runs yet.');
  const names = new Map(experiments.map((e) => [e.experimentId, e.name]));
  const picked = await ui(deps).pickOne(
    runs.map((r) => ({
      label: runLabel(r),
      description: `${names.get(r.info.experimentId) ?? ''} · ${r.info.status.toLowerCase()} · ${r.info.runId}`,
      id: r.info.runId,
    })),
    { title: 'Open which run?' },
  );
  return picked?.id;
}

function sortFrom(x: unknown): SortSpec | null | undefined {
  if (x === null) return null;
  if (typeof x !== 'object') return undefined;
  const o = x as { column?: unknown; direction?: unknown };
  return typeof o.column === 'string' && (o.direction === 'asc' || o.direction === 'desc') ? { column: o.column, direction: o.direction } : undefined;
}

/** `{ filter?, sort?, select? }` given to Open Runs Table by another command, a keybinding or a test. */
function applyFrom(x: unknown, runNode: unknown): ApplyView | undefined {
  const out: ApplyView = {};
  if (typeof x === 'object' && x !== null) {
    const o = x as { filter?: unknown; sort?: unknown; select?: unknown };
    if (typeof o.filter === 'string') out.filter = o.filter;
    const sort = sortFrom(o.sort);
    if (sort !== undefined) out.sort = sort;
    if (Array.isArray(o.select)) out.select = o.select.filter((s): s is string => typeof s === 'string');
  }
  // Opened on a run of the tree: that run is selected and scrolled to.
  const r = runNode as { kind?: unknown; run?: { info?: { runId?: unknown } } } | undefined;
  if (out.select === undefined && r?.kind === 'run' && typeof r.run?.info?.runId === 'string') out.select = [r.run.info.runId];
  return Object.keys(out).length > 0 ? out : undefined;
}

async function paletteFolder(deps: WebviewDeps): Promise<{ folder: string | undefined } | undefined> {
  if (!deps.chooseFolder) return { folder: undefined };
  const folder = await deps.chooseFolder();
  return folder === undefined ? undefined : { folder };
}

/**
 * The target with its folder: a target without one (a bare id from the palette or a link) names
 * an item of some folder's store, asked for as a tree node would say it, so one page per item;
 * no target at all is picked in the folder asked for. Undefined when a pick is dismissed.
 */
async function inFolder<T extends { folder?: string }>(
  deps: WebviewDeps,
  target: T | undefined,
  pick: (folder: string | undefined) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (target?.folder !== undefined) return target;
  const scope = await paletteFolder(deps);
  if (!scope) return undefined;
  if (!target) return pick(scope.folder);
  return scope.folder === undefined ? target : { ...target, folder: scope.folder };
}

const folderField = (folder: string | undefined): { folder?: string } => (folder === undefined ? {} : { folder });

async function openRun(uri: vscode.Uri, deps: WebviewDeps, arg: unknown, extra?: Reveal): Promise<string | undefined> {
  const target = await inFolder<RunOpenTarget>(deps, runTargetFromArg(arg), async (folder) => {
    const runId = await pickRun(deps, folder);
    return runId ? { runId, ...folderField(folder) } : undefined;
  });
  if (!target) return undefined;
  const reveal: Reveal = {
    ...(target.section ? { section: target.section } : {}),
    ...(target.artifact ? { artifact: target.artifact } : {}),
    ...(target.metric ? { metric: target.metric } : {}),
    ...extra,
  };
  // Opened from a tree click: keep the keyboard in the tree, as file previews do.
  const fromTree = typeof arg === 'object' && arg !== null && 'kind' in arg;
  RunPanel.createOrShow(uri, deps, { runId: target.runId, ...folderField(target.folder) }, Object.keys(reveal).length ? reveal : undefined, fromTree);
  return target.runId;
}

export function registerExplorer(context: vscode.ExtensionContext, deps: WebviewDeps, register: Register, disposer: Disposer): void {
  const uri = context.extensionUri;
  const memento = context.workspaceState;

  disposer.add(
    register(EXPLORER_COMMAND.openRunsTable, async (arg?: unknown, options?: unknown) => {
      const target = await inFolder(deps, experimentFromArg(arg), async (folder) => {
        const experimentId = await pickExperiment(deps, folder);
        return experimentId ? { experimentId, ...folderField(folder) } : undefined;
      });
      if (!target) return undefined;
      RunsPanel.createOrShow(uri, deps, memento, target, applyFrom(options, arg));
      return target.experimentId;
    }),
  );
  disposer.add(register(EXPLORER_COMMAND.openRun, (arg?: unknown) => openRun(uri, deps, arg)));
  disposer.add(register(EXPLORER_COMMAND.openRunArtifacts, (arg?: unknown) => openRun(uri, deps, arg, { section: 'artifacts' })));

  registerSerializers(uri, deps, memento, disposer);
}

/** Panels VS Code restores after a reload come back from their saved state (or close when it is unreadable). */
function registerSerializers(uri: vscode.Uri, deps: WebviewDeps, memento: vscode.Memento, disposer: Disposer): void {
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(RUNS_VIEW_TYPE, {
      deserializeWebviewPanel: panelRestorer(
        'webview.runs.restore',
        deps,
        (state) => runsSavedStateCheck(state, 'saved state'),
        (panel, s) => RunsPanel.revive(panel, uri, deps, memento, { experimentId: s.experimentId, ...folderField(s.folder) }),
      ),
    }),
  );
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(RUN_VIEW_TYPE, {
      deserializeWebviewPanel: panelRestorer(
        'webview.run.restore',
        deps,
        (state) => runSavedStateCheck(state, 'saved state'),
        (panel, s) => RunPanel.revive(panel, uri, deps, { runId: s.runId, ...folderField(s.folder) }),
      ),
    }),
  );
}
