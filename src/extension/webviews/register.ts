/**
 * The webview panels' entry point for the composition root: registers "Compare Runs" and
 * "Review for Production" and the serializers that bring their panels back after a reload.
 */
import * as vscode from 'vscode';
import { isInternalExperiment } from '../../core/internal-experiments';
import { ModelOpsError } from '../../core/errors';
import { compareSavedStateCheck } from '../../shared/compare-protocol';
import { promotionSavedStateCheck } from '../../shared/promotion-protocol';
import { COMPARE_VIEW_TYPE, ComparePanel } from './compare-panel';
import type { WebviewDeps } from './deps';
import { registerExplorer } from './explorer-commands';
import { Disposer } from './panel-shell';
import { PROMOTION_VIEW_TYPE, PromotionPanel } from './promotion-panel';
import { folderFromArgs, runIdsFromArgs, versionFromArg } from './targets';

export const WEBVIEW_COMMAND = {
  compareRuns: 'modelops.compareRuns',
  reviewForProduction: 'modelops.reviewForProduction',
} as const;

async function pickRuns(deps: WebviewDeps, folder: string | undefined): Promise<string[]> {
  const stores = await deps.stores(folder);
  if (!stores) throw new ModelOpsError('INVALID_STATE', 'No ModelOps store is open in this workspace.');
  const experiments = (await stores.tracking.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: 1000 })).items.filter((e) => !isInternalExperiment(e));
  const runs = (await stores.tracking.searchRuns({ experimentIds: experiments.map((e) => e.experimentId), maxResults: 200, orderBy: ['attributes.start_time DESC'] })).items;
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

/** Call once from activate(); everything it creates is disposed with the returned disposable. */
export function registerWebviews(context: vscode.ExtensionContext, deps: WebviewDeps): vscode.Disposable {
  const disposer = new Disposer();
  const register =
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
  registerExplorer(context, deps, register, disposer);
  // The webview's own saved state comes back here; it is validated like any other message.
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        let runIds: string[] = [];
        try {
          runIds = compareSavedStateCheck(state, 'saved state').runIds;
        } catch (e) {
          deps.log.error('webview.compare.restore', e);
        }
        ComparePanel.revive(panel, uri, deps, runIds);
      },
    }),
  );
  disposer.add(
    vscode.window.registerWebviewPanelSerializer(PROMOTION_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        try {
          PromotionPanel.revive(panel, uri, deps, promotionSavedStateCheck(state, 'saved state'));
        } catch (e) {
          deps.log.error('webview.promotion.restore', e);
          panel.dispose();
        }
      },
    }),
  );
  context.subscriptions.push(disposer);
  return disposer;
}
