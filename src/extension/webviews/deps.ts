/** What the panels need from the rest of the extension: given by the composition root. */
import type * as vscode from 'vscode';
import type { StudyStore } from '../../core/tuning';
import type { RegistryStore } from '../../store/registry-store';
import type { StoreFile } from '../../store/sql/store-file';
import type { TrackingStore } from '../../store/tracking-store';
import type { Ui } from '../ui';
import { COMMAND } from '../commands/ids';

export interface WebviewStores {
  tracking: TrackingStore;
  registry: RegistryStore;
  /** Tuning studies (absent from a store that has none, e.g. a test double). */
  studies?: StudyStore;
  /** The stores opened together; `file` is the workspace file (undefined for an MLflow server). */
  stores?: { file?: StoreFile };
}

export interface WebviewLog {
  info(event: string, fields?: Record<string, unknown>): void;
  error(event: string, e: unknown, fields?: Record<string, unknown>): void;
}

export interface WebviewDeps {
  /**
   * The open store of a workspace folder, or undefined when there is none (no folder, no file, broken
   * file). `folder` is the folder key a tree node carries (multi-root); without it, the active
   * editor's folder's store, else the first folder's.
   */
  stores(folder?: string): Promise<WebviewStores | undefined>;
  /**
   * The folder key a panel opened from the palette reads (the active editor's folder, else asked when
   * the workspace has several); undefined when the pick was dismissed. Absent: the default store.
   */
  chooseFolder?: () => Promise<string | undefined>;
  /** The prompt seam the commands use (the integration tests answer through it); default VS Code's own. */
  ui?: () => Ui;
  /** Fires when anyone writes the store; open panels reload their data. */
  onDidChangeStore: vscode.Event<unknown>;
  log: WebviewLog;
  /**
   * Registers a command through the extension's command wrapper (progress, logging, error
   * messages). Defaults to vscode.commands.registerCommand.
   */
  registerCommand?: Register;
}

/**
 * Commands the panels' buttons run: the same registered commands as the tree's context menus, so
 * the behaviour (prompts, trust checks, audit) lives in one place. Arguments passed:
 * openRunArtifacts(runId), openRun({ runId, folder? }), compareRuns(first, [{ runId, folder? }…]),
 * registerModel({ runId, folder? }), promoteToProduction / rejectVersion
 * ({ name, version, folder? }, comment); `folder` is the panel's workspace folder key when it has
 * one, so the command uses that folder's store. A result of undefined or false means nothing happened.
 */
export const PANEL_ACTIONS = {
  openRunArtifacts: COMMAND.openRunArtifacts,
  openRun: COMMAND.openRun,
  openRunsTable: COMMAND.openRunsTable,
  compareRuns: COMMAND.compareRuns,
  /** `({ runIds, folder? })`: resolves to the ids it deleted (after a confirmation for several). */
  deleteRuns: COMMAND.deleteRun,
  registerModel: COMMAND.registerModel,
  /** `({ study, folder? })`: Train Again with the study's data and its best trial's params (the form opens filled). */
  trainStudyBest: COMMAND.trainAgain,
  /** `({ name, version, folder? })`: selects the version in the Models view. */
  revealVersion: COMMAND.revealModelVersion,
  promoteToProduction: COMMAND.promoteToProduction,
  rejectVersion: COMMAND.rejectVersion,
} as const;

/** Registers a command (vscode.commands.registerCommand, or a test's stand-in). */
export type Register = (id: string, handler: (...args: unknown[]) => unknown) => vscode.Disposable;
