/**
 * Every command the extension registers, in one place. `package.json` `contributes.commands`
 * mirrors this table; an integration test checks both directions.
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

/** View ids, mirroring `contributes.views`. */
export const VIEW = {
  experiments: 'modelops.experiments',
  models: 'modelops.models',
} as const;

export const CONTAINER_ID = 'modelops';
