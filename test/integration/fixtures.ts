// Test data for the integration suite: stores copied or built into the workspace the host opened.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { Stores } from '../../src/store/open';
import { openStores } from '../../src/store/open';
import type { ModelOpsApi } from '../../src/extension/api';
import type { Ui } from '../../src/extension/ui';

export const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures');
/** Written by real MLflow 2.10.2 through its REST API (DESIGN.md). */
export const MLFLOW_DB = join(FIXTURES, 'mlflow', 'mlflow-2.10.2', 'schema', 'mlflow-after-transcripts.db');

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs in a folder');
  return folder.uri.fsPath;
}

export function storeFile(): string {
  return join(workspaceDir(), '.modelops', 'mlflow.db');
}

/** Replaces the workspace store with a copy of `file`, as if another program had written it. */
export function installStore(file: string): void {
  mkdirSync(dirname(storeFile()), { recursive: true });
  const tmp = `${storeFile()}.incoming`;
  copyFileSync(file, tmp);
  rmSync(storeFile(), { force: true });
  copyFileSync(tmp, storeFile());
  rmSync(tmp, { force: true });
}

export function removeStore(): void {
  rmSync(join(workspaceDir(), '.modelops'), { recursive: true, force: true });
}

export function writeCorruptStore(): void {
  mkdirSync(dirname(storeFile()), { recursive: true });
  rmSync(storeFile(), { force: true });
  writeFileSync(storeFile(), 'this is not an SQLite database\n'.repeat(40));
}

/** Opens the workspace store the way the CLI does (another process's view of the file). */
export async function withStore<T>(fn: (s: Stores) => Promise<T>): Promise<T> {
  const db = await openStores(storeFile());
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export { finishedRun } from './host-runs';

/** Polls until `fn` returns a value (not undefined/false); fails with `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A Ui that answers prompts from a script and records every message, for tests. */
export class ScriptedUi implements Ui {
  readonly messages: { level: 'info' | 'error'; text: string; actions: string[] }[] = [];
  readonly prompts: string[] = [];
  /** The detail text of every confirmation asked. */
  readonly confirmations: { message: string; detail: string }[] = [];
  /** Answers, in order: a label (or labels for pickMany), a string for input, a boolean for confirm. */
  answers: (string | string[] | boolean | undefined)[] = [];
  /** The labels each pickOne offered, in order, with its title. */
  readonly offered: { title: string; labels: string[] }[] = [];
  /** The action chosen on each information message, in order; none (dismissed) when empty. */
  actionAnswers: string[] = [];
  /** The progress notifications on screen when each prompt was asked (title → notifications). */
  readonly progressAtPrompt: { title: string; progress: string[] }[] = [];
  /** Reads the notifications on screen (set by scriptUi). */
  progressTitles: () => readonly string[] = () => [];

  private next(title: string): string | string[] | boolean | undefined {
    this.prompts.push(title);
    this.progressAtPrompt.push({ title, progress: [...this.progressTitles()] });
    assert.ok(this.answers.length > 0, `unexpected prompt: ${title}`);
    return this.answers.shift();
  }

  async pickOne<T extends vscode.QuickPickItem>(items: T[], options: { title: string }): Promise<T | undefined> {
    this.offered.push({ title: options.title, labels: items.map((i) => i.label) });
    const a = this.next(options.title);
    if (a === undefined) return undefined;
    const found = items.find((i) => i.label === a);
    assert.ok(found, `no item '${String(a)}' in ${options.title}: ${items.map((i) => i.label).join(', ')}`);
    return found;
  }

  async pickMany<T extends vscode.QuickPickItem>(items: T[], options: { title: string }): Promise<T[] | undefined> {
    const a = this.next(options.title);
    if (a === undefined) return undefined;
    const labels = Array.isArray(a) ? a : [String(a)];
    return items.filter((i) => labels.includes(i.label));
  }

  /** Answered by the folder's name. */
  async pickFolder(title: string): Promise<vscode.WorkspaceFolder | undefined> {
    const a = this.next(title);
    if (a === undefined) return undefined;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const found = folders.find((f) => f.name === a);
    assert.ok(found, `no folder '${String(a)}' in ${title}: ${folders.map((f) => f.name).join(', ')}`);
    return found;
  }

  async input(options: { title: string }): Promise<string | undefined> {
    const a = this.next(options.title);
    return typeof a === 'string' ? a : undefined;
  }

  async confirm(message: string, detail: string): Promise<boolean> {
    this.confirmations.push({ message, detail });
    return this.next(message) === true;
  }

  async info(message: string, ...actions: string[]): Promise<string | undefined> {
    this.messages.push({ level: 'info', text: message, actions });
    const choice = this.actionAnswers.shift();
    if (choice !== undefined) assert.ok(actions.includes(choice), `no action '${choice}' on '${message}': ${actions.join(', ')}`);
    return choice;
  }

  async error(message: string, ...actions: string[]): Promise<string | undefined> {
    this.messages.push({ level: 'error', text: message, actions });
    return undefined;
  }
}

/** Installs a ScriptedUi for the duration of a suite; returns it and a restore function. */
export function scriptUi(api: ModelOpsApi): { ui: ScriptedUi; restore: () => void } {
  const ui = new ScriptedUi();
  ui.progressTitles = () => api.progressTitles();
  const prev = api.setUi(ui);
  return { ui, restore: () => api.setUi(prev) };
}

export function label(item: vscode.TreeItem): string {
  const l = item.label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

/**
 * For suites opened on a workspace that already holds a store: nobody calls activate() first, the
 * store (workspaceContains) must activate the extension. Returns its API with a scripted UI.
 */
export async function afterStoreActivation(): Promise<{ api: ModelOpsApi; ui: ScriptedUi; restore: () => void }> {
  const ext = vscode.extensions.getExtension<ModelOpsApi>('modelops.modelops-vscode');
  assert.ok(ext);
  await waitFor('activation by workspaceContains:.modelops/mlflow.db', () => ext.isActive, 30_000);
  const api = ext.exports;
  return { api, ...scriptUi(api) };
}

/** A file's content hash, to show it did not change. */
export function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
