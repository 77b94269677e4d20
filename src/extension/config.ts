import * as path from 'node:path';
import * as vscode from 'vscode';

/** Typed getters for the `modelops.*` settings (defaults mirror package.json). */
export const SECTION = 'modelops';

export const DEFAULTS = {
  storePath: '.modelops/mlflow.db',
  defaultExperiment: 'Default',
  primaryMetric: 'accuracy',
  defaultMembers: ['rf', 'knn'] as string[],
  gatesFile: '.modelops/gates.json',
  runsPageSize: 100,
};

function get<T>(key: string, fallback: T, scope?: vscode.ConfigurationScope): T {
  const v = vscode.workspace.getConfiguration(SECTION, scope).get<T>(key);
  return v === undefined || v === null ? fallback : v;
}

export class Config {
  /** The first workspace folder holds the store unless a folder is given (multi-root). */
  static storeFile(folder: vscode.WorkspaceFolder | undefined = vscode.workspace.workspaceFolders?.[0]): string | undefined {
    const p = get('storePath', DEFAULTS.storePath, folder?.uri);
    if (path.isAbsolute(p)) return p;
    return folder ? path.join(folder.uri.fsPath, p) : undefined;
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

  static gatesFile(folder: vscode.WorkspaceFolder | undefined = vscode.workspace.workspaceFolders?.[0]): string | undefined {
    const p = get('gatesFile', DEFAULTS.gatesFile, folder?.uri);
    if (path.isAbsolute(p)) return p;
    return folder ? path.join(folder.uri.fsPath, p) : undefined;
  }

  static runsPageSize(): number {
    const n = get('runsPageSize', DEFAULTS.runsPageSize);
    return Number.isInteger(n) && n > 0 ? n : DEFAULTS.runsPageSize;
  }
}
