/**
 * Every command the extension registers, in one place. `package.json` `contributes.commands`
 * mirrors this table: a unit test compares the two (ids and trust), an integration test checks
 * that each is registered.
 */
export const COMMAND = {
  refresh: 'modelops.refresh',
  showOutput: 'modelops.showOutput',
  openInMlflowUi: 'modelops.openInMlflowUi',
  loadMoreRuns: 'modelops.loadMoreRuns',
  deleteRun: 'modelops.deleteRun',
  restoreRun: 'modelops.restoreRun',
  copyRunId: 'modelops.copyRunId',
  setAlias: 'modelops.setAlias',
  trainEnsemble: 'modelops.trainEnsemble',
  trainAgain: 'modelops.trainAgain',
  tuneHyperparameters: 'modelops.tuneHyperparameters',
  runRetrainingPipeline: 'modelops.runRetrainingPipeline',
  registerModel: 'modelops.registerModel',
  validateVersion: 'modelops.validateVersion',
  promoteToStaging: 'modelops.promoteToStaging',
  promoteToProduction: 'modelops.promoteToProduction',
  rejectVersion: 'modelops.rejectVersion',
  archiveVersion: 'modelops.archiveVersion',
  showModelHistory: 'modelops.showModelHistory',
  predictWithProduction: 'modelops.predictWithProduction',
  serveModel: 'modelops.serveModel',
  stopServing: 'modelops.stopServing',
  startTrackingServer: 'modelops.startTrackingServer',
  stopTrackingServer: 'modelops.stopTrackingServer',
  setServerCredentials: 'modelops.setServerCredentials',
  // Webview panels (src/extension/webviews/register.ts registers them).
  compareRuns: 'modelops.compareRuns',
  reviewForProduction: 'modelops.reviewForProduction',
  openStudy: 'modelops.openStudy',
  openOptunaStudyFile: 'modelops.openOptunaStudyFile',
  // The run explorer (src/extension/webviews/explorer-commands.ts registers them).
  openRunsTable: 'modelops.openRunsTable',
  openRun: 'modelops.openRun',
  openRunArtifacts: 'modelops.openRunArtifacts',
  revealModelVersion: 'modelops.revealModelVersion',
} as const;

export type CommandId = (typeof COMMAND)[keyof typeof COMMAND];

export const ALL_COMMANDS: readonly CommandId[] = Object.values(COMMAND);

/**
 * Commands that write the store or run code on workspace data: refused in a restricted (untrusted)
 * window, and greyed out there by their `"enablement": "isWorkspaceTrusted"` in package.json.
 */
export const NEEDS_TRUST: ReadonlySet<CommandId> = new Set<CommandId>([
  COMMAND.deleteRun,
  COMMAND.restoreRun,
  COMMAND.setAlias,
  COMMAND.trainEnsemble,
  COMMAND.trainAgain,
  COMMAND.tuneHyperparameters,
  COMMAND.runRetrainingPipeline,
  COMMAND.registerModel,
  COMMAND.validateVersion,
  COMMAND.promoteToStaging,
  COMMAND.promoteToProduction,
  COMMAND.rejectVersion,
  COMMAND.archiveVersion,
  COMMAND.predictWithProduction,
  COMMAND.serveModel,
  COMMAND.startTrackingServer,
]);

/** View ids, mirroring `contributes.views`. */
export const VIEW = {
  experiments: 'modelops.experiments',
  models: 'modelops.models',
} as const;

export const CONTAINER_ID = 'modelops';
