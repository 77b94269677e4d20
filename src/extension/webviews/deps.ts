/** What the panels need from the rest of the extension: given by the composition root. */
import type * as vscode from 'vscode';
import type { RegistryStore } from '../../store/registry-store';
import type { TrackingStore } from '../../store/tracking-store';

export interface WebviewStores {
  tracking: TrackingStore;
  registry: RegistryStore;
}

export interface WebviewLog {
  info(event: string, fields?: Record<string, unknown>): void;
  error(event: string, e: unknown, fields?: Record<string, unknown>): void;
}

export interface WebviewDeps {
  /** The open workspace store, or undefined when there is none (no folder, no file, broken file). */
  stores(): Promise<WebviewStores | undefined>;
  /** Fires when anyone writes the store; open panels reload their data. */
  onDidChangeStore: vscode.Event<unknown>;
  log: WebviewLog;
  /**
   * Registers a command through the extension's command wrapper (progress, logging, error
   * messages). Defaults to vscode.commands.registerCommand.
   */
  registerCommand?: (id: string, handler: (...args: unknown[]) => unknown) => vscode.Disposable;
}

/**
 * Commands the panels' buttons run: the same registered commands as the tree's context menus, so
 * the behaviour (prompts, trust checks, audit) lives in one place. Arguments passed:
 * openRunArtifacts(runId), registerModel(runId), promoteToProduction / rejectVersion
 * ({ name, version }, comment). A result of undefined or false means nothing happened.
 */
export const PANEL_ACTIONS = {
  openRunArtifacts: 'modelops.openRunArtifacts',
  registerModel: 'modelops.registerModel',
  promoteToProduction: 'modelops.promoteToProduction',
  rejectVersion: 'modelops.rejectVersion',
} as const;
