import { DEFAULT_GATES_PATH } from '../registry/gates-config';
import { DEFAULT_STORE } from '../store/tracking-uri';

/**
 * The defaults of the `modelops.*` settings, keyed by the name after `modelops.`. package.json
 * `contributes.configuration` declares the same defaults (VS Code shows them); a unit test keeps
 * the two equal. No vscode import, so the test can read it.
 */
export const SETTING_DEFAULTS = {
  trackingUri: '',
  storePath: DEFAULT_STORE,
  serverPollSeconds: 10,
  storeEngine: 'auto',
  newStoreSchema: '',
  workspace: 'default',
  defaultExperiment: 'Default',
  primaryMetric: 'accuracy',
  defaultMembers: ['rf', 'knn'] as string[],
  gatesFile: DEFAULT_GATES_PATH,
  runsPageSize: 100,
  'pipeline.rerunOnDataChange': false,
};

export type SettingName = keyof typeof SETTING_DEFAULTS;

/** The settings a folder's store depends on: a change of one reopens it. */
export const STORE_SETTINGS: readonly `modelops.${SettingName}`[] = [
  'modelops.trackingUri',
  'modelops.storePath',
  'modelops.storeEngine',
  'modelops.workspace',
  'modelops.serverPollSeconds',
];
