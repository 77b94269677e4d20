import * as vscode from 'vscode';
import { chooseTrackingUri } from '../store/tracking-uri';
import { resolveInFolder } from './folders';
import type { SettingName } from './settings-defaults';
import { SETTING_DEFAULTS } from './settings-defaults';

/** Typed getters for the `modelops.*` settings (defaults: settings-defaults.ts, as package.json declares them). */
export const SECTION = 'modelops';

const DEFAULTS = SETTING_DEFAULTS;

function get<T>(key: SettingName, fallback: T, scope?: vscode.ConfigurationScope): T {
  const v = vscode.workspace.getConfiguration(SECTION, scope).get<T>(key);
  return v === undefined || v === null ? fallback : v;
}

export class Config {
  /**
   * The store of a workspace folder, a path or a tracking server's URL: `modelops.trackingUri` (or its old name
   * `modelops.storePath`), else MODELOPS_STORE, else MLFLOW_TRACKING_URI, else `.modelops/mlflow.db` — the CLI's
   * order (src/store/tracking-uri.ts). The settings are resource-scoped, so each folder of a multi-root workspace may
   * set its own; a relative path is under that folder.
   */
  static storeFile(folder: vscode.WorkspaceFolder): string {
    // Read with get(), never inspect(): in Restricted Mode get() leaves out an untrusted folder's values of these settings.
    const uri = String(get('trackingUri', DEFAULTS.trackingUri, folder.uri)).trim();
    const path = String(get('storePath', DEFAULTS.storePath, folder.uri)).trim();
    const given = uri !== '' ? uri : path !== '' && path !== DEFAULTS.storePath ? path : undefined;
    const choice = chooseTrackingUri({ ...(given !== undefined ? { uri: given } : {}), source: 'setting' }, process.env);
    return resolveInFolder(folder.uri.fsPath, choice.uri);
  }

  /** How often a tracking server is asked for changes while a view is open (0: never). */
  static serverPollMs(folder: vscode.WorkspaceFolder): number {
    const n = Number(get('serverPollSeconds', DEFAULTS.serverPollSeconds, folder.uri));
    return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : DEFAULTS.serverPollSeconds * 1000;
  }

  static defaultExperiment(): string {
    return get('defaultExperiment', DEFAULTS.defaultExperiment);
  }

  static primaryMetric(): string {
    return get('primaryMetric', DEFAULTS.primaryMetric);
  }

  static defaultMembers(): string[] {
    const v = get<unknown>('defaultMembers', DEFAULTS.defaultMembers);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : DEFAULTS.defaultMembers;
  }

  /** The gates file of a workspace folder (resource-scoped like the store path). */
  static gatesFile(folder: vscode.WorkspaceFolder): string {
    return resolveInFolder(folder.uri.fsPath, get('gatesFile', DEFAULTS.gatesFile, folder.uri));
  }

  /** A forced store engine (`sqlite`, `sqljs`), or undefined for auto (then MODELOPS_STORE_ENGINE may still force one). */
  static storeEngine(): string | undefined {
    const v = get('storeEngine', DEFAULTS.storeEngine);
    return v === 'auto' ? undefined : v;
  }

  /** The MLflow release whose schema a new store gets ('' = the newest the product knows). */
  static newStoreSchema(folder: vscode.WorkspaceFolder): string | undefined {
    const v = String(get('newStoreSchema', DEFAULTS.newStoreSchema, folder.uri)).trim();
    return v === '' ? undefined : v;
  }

  /** The MLflow workspace (MLflow ≥ 3.10) of a folder's store. */
  static workspace(folder: vscode.WorkspaceFolder): string {
    const v = String(get('workspace', DEFAULTS.workspace, folder.uri)).trim();
    return v === '' ? DEFAULTS.workspace : v;
  }

  /** Rerun a folder's retraining pipelines when their dataset changes (resource-scoped, off by default). */
  static rerunPipelineOnDataChange(folder: vscode.WorkspaceFolder): boolean {
    return get('pipeline.rerunOnDataChange', DEFAULTS['pipeline.rerunOnDataChange'], folder.uri) === true;
  }

  static runsPageSize(): number {
    const n = get('runsPageSize', DEFAULTS.runsPageSize);
    return Number.isInteger(n) && n > 0 ? n : DEFAULTS.runsPageSize;
  }
}
