/**
 * The webview panels' entry point for the composition root: registers "Compare Runs", "Review
 * for Production", "Open Study…" and "Open Optuna Study File…", and the serializers that bring their panels back after a reload.
 */
import * as vscode from 'vscode';
import { isInternalExperiment } from '../../core/internal-experiments';
import { ModelOpsError } from '../../core/errors';
import { compareSavedStateCheck } from '../../shared/compare-protocol';
import type { Run } from '../../core/tracking';
import { promotionSavedStateCheck } from '../../shared/promotion-protocol';
import { studySavedStateCheck } from '../../shared/study-protocol';
import { studyOfRun } from '../views/run-format';
import { COMPARE_VIEW_TYPE, ComparePanel } from './compare-panel';
import { COMMAND } from '../commands/ids';
import type { Register, WebviewDeps } from './deps';
import { registerExplorer } from './explorer-commands';
import { Disposer } from './panel-shell';
import { PROMOTION_VIEW_TYPE, PromotionPanel } from './promotion-panel';
import { STUDY_VIEW_TYPE, StudyPanel } from './study-panel';
import { OPTUNA_STUDY_VIEW_TYPE, OptunaStudyPanel } from './optuna-study-panel';
import { readOptunaFile } from '../../store/optuna/optuna-reader';
import { folderFromArgs, runIdsFromArgs, versionFromArg } from './targets';
import { panelRestorer } from './restore-panel';

/** The panel commands registered here (ids from commands/ids.ts). */
export const WEBVIEW_COMMAND = {
  compareRuns: COMMAND.compareRuns,
  reviewForProduction: COMMAND.reviewForProduction,
  openStudy: COMMAND.openStudy,
  openOptunaStudyFile: COMMAND.openOptunaStudyFile,
} as const;

/** The Optuna file a command argument names: an explorer Uri, or `{ file, study? }` (tests, other commands). */
function optunaFileFromArg(arg: unknown): { file: string; study?: string } | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? { file: arg.fsPath } : undefined;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { file?: unknown; study?: unknown };
  if (typeof a.file !== 'string') return undefined;
  return { file: a.file, ...(typeof a.study === 'string' ? { study: a.study } : {}) };
}

async function pickOptunaFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Open an Optuna study file (an RDB storage in SQLite)',
    canSelectMany: false,
    filters: { 'Optuna storage (SQLite)': ['db', 'sqlite', 'sqlite3'], 'All files': ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0]?.fsPath;
}

/** The study a command argument names: a study's run node of the tree, or `{ study }`. */
function studyFromArg(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { study?: unknown; kind?: unknown; run?: Run };
  if (typeof a.study === 'string') return a.study;
  return a.kind === 'run' && a.run ? studyOfRun(a.run) : undefined;
}

/** From the palette: the study to show (the only one without asking), or undefined when dismissed. */
async function pickStudy(deps: WebviewDeps, folder: string | undefined): Promise<string | undefined> {
  const stores = await deps.stores(folder);
  if (!stores?.studies) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
  const list = await stores.studies.listStudies();
  if (list.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There are no studies yet: run ModelOps: Tune Hyperparameters… first.');
  if (list.length === 1) return list[0].name;
  const picked = await vscode.window.showQuickPick(
    [...list]
      .sort((a, b) => b.createdTime - a.createdTime)
      .map((s) => ({
        label: s.name,
        description: `${s.complete}/${s.trials} complete${s.best === undefined ? '' : ` · best ${s.metric} ${s.best}`}`,
        name: s.name,
      })),
    { title: 'Open which study?', ignoreFocusOut: true },
  );
  return picked?.name;
}

async function pickRuns(deps: WebviewDeps, folder: string | undefined): Promise<string[]> {
  const stores = await deps.stores(folder);
  if (!stores) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
  const experiments = (await stores.tracking.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: 1000 })).items.filter((e) => !isInternalExperiment(e));
  const runs = (
    await stores.tracking.searchRuns({ experimentIds: experiments.map((e) => e.experimentId), maxResults: 200, orderBy: ['attributes.start_time DESC'] })
  ).items;
  if (runs.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There are no runs to compare yet.');
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: r.info.runName || r.info.runId, description: r.info.runId, runId: r.info.runId })),
    { title: 'Compare which runs?', canPickMany: true, ignoreFocusOut: true },
  );
  return (picked ?? []).map((p) => p.runId);
}

async function pickStagingVersion(deps: WebviewDeps, folder: string | undefined): Promise<{ name: string; version: string } | undefined> {
  const stores = await deps.stores(folder);
  if (!stores) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
  const versions = (await stores.registry.searchModelVersions({ maxResults: 1000 })).items.filter((v) => v.currentStage === 'Staging');
  if (versions.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'No model version is in Staging, so there is nothing to review.');
  const picked = await vscode.window.showQuickPick(
    versions.map((v) => ({ label: `${v.name} v${v.version}`, description: v.currentStage, target: { name: v.name, version: v.version } })),
    { title: 'Review which version for Production?', ignoreFocusOut: true },
  );
  return picked?.target;
}

/**
 * The folder a palette invocation reads: `{ folder }` (undefined = the default store), or undefined
 * when the user dismissed the folder pick.
 */
async function paletteFolder(deps: WebviewDeps): Promise<{ folder: string | undefined } | undefined> {
  if (!deps.chooseFolder) return { folder: undefined };
  const folder = await deps.chooseFolder();
  return folder === undefined ? undefined : { folder };
}

/** The palette and menu commands that open a panel. */
function registerPanelCommands(register: Register, uri: vscode.Uri, deps: WebviewDeps, disposer: Disposer): void {
  disposer.add(
    register(WEBVIEW_COMMAND.compareRuns, async (...args: unknown[]) => {
      const runIds = runIdsFromArgs(args);
      // Tree items carry their folder; from the palette the folder is chosen first, then its runs.
      const scope = runIds.length > 0 ? { folder: folderFromArgs(args) } : await paletteFolder(deps);
      if (!scope) return undefined;
      const chosen = runIds.length > 0 ? runIds : await pickRuns(deps, scope.folder);
      if (chosen.length === 0) return undefined;
      ComparePanel.createOrShow(uri, deps, chosen, scope.folder);
      return chosen;
    }),
  );
  disposer.add(
    register(WEBVIEW_COMMAND.reviewForProduction, async (arg?: unknown) => {
      const given = versionFromArg(arg);
      const scope = given ? { folder: folderFromArgs([arg]) } : await paletteFolder(deps);
      if (!scope) return undefined;
      const target = given ?? (await pickStagingVersion(deps, scope.folder));
      if (!target) return undefined;
      PromotionPanel.createOrShow(uri, deps, target, scope.folder);
      return target;
    }),
  );
  disposer.add(
    register(WEBVIEW_COMMAND.openStudy, async (arg?: unknown) => {
      const given = studyFromArg(arg);
      const scope = given !== undefined ? { folder: folderFromArgs([arg]) } : await paletteFolder(deps);
      if (!scope) return undefined;
      const study = given ?? (await pickStudy(deps, scope.folder));
      if (study === undefined) return undefined;
      StudyPanel.createOrShow(uri, deps, study, scope.folder);
      return study;
    }),
  );
  disposer.add(
    register(WEBVIEW_COMMAND.openOptunaStudyFile, async (arg?: unknown) => {
      const given = optunaFileFromArg(arg);
      const file = given?.file ?? (await pickOptunaFile());
      if (file === undefined) return undefined;
      // Refused here, with the file named, rather than as an empty panel.
      await readOptunaFile(file);
      OptunaStudyPanel.createOrShow(uri, deps, file, given?.study);
      return file;
    }),
  );
}

/** Panels restored after a reload: their saved state is validated like any other message. */
function registerSerializers(uri: vscode.Uri, deps: WebviewDeps, disposer: Disposer): void {
  const saved = (state: unknown): unknown => state ?? {};
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      deserializeWebviewPanel: panelRestorer(
        'webview.compare.restore',
        deps,
        (state) => compareSavedStateCheck(state, 'saved state').runIds,
        (panel, runIds) => ComparePanel.revive(panel, uri, deps, runIds),
        [],
      ),
    }),
  );
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(PROMOTION_VIEW_TYPE, {
      deserializeWebviewPanel: panelRestorer(
        'webview.promotion.restore',
        deps,
        (state) => promotionSavedStateCheck(state, 'saved state'),
        (panel, target) => PromotionPanel.revive(panel, uri, deps, target),
      ),
    }),
  );
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(STUDY_VIEW_TYPE, {
      deserializeWebviewPanel: panelRestorer(
        'webview.study.restore',
        deps,
        (state) => ({ name: studySavedStateCheck(saved(state), 'saved state').name }),
        (panel, s) => StudyPanel.revive(panel, uri, deps, s.name),
        { name: undefined },
      ),
    }),
  );
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(OPTUNA_STUDY_VIEW_TYPE, {
      deserializeWebviewPanel: panelRestorer(
        'webview.optunaStudy.restore',
        deps,
        (state) => {
          const s = studySavedStateCheck(saved(state), 'saved state');
          if (s.file === undefined) throw new Error('the saved state names no Optuna file');
          return { file: s.file, name: s.name };
        },
        (panel, s) => OptunaStudyPanel.revive(panel, uri, deps, s.file, s.name),
      ),
    }),
  );
}

/** Call once from activate(); everything it creates is disposed with the returned disposable. */
export function registerWebviews(context: vscode.ExtensionContext, deps: WebviewDeps): vscode.Disposable {
  const disposer = new Disposer();
  const register: Register =
    deps.registerCommand ??
    ((id: string, handler: (...args: unknown[]) => unknown) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (e) {
          deps.log.error('command.failed', e, { id });
          void vscode.window.showErrorMessage(`ModelOps: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }));
  const uri = context.extensionUri;

  registerPanelCommands(register, uri, deps, disposer);
  registerExplorer(context, deps, register, disposer);
  registerSerializers(uri, deps, disposer);
  context.subscriptions.push(disposer);
  return disposer;
}
