import { existsSync, statSync, unwatchFile, watchFile } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelOpsError, errorMessage } from '../core/errors';
import { openStoreDatabase } from '../store/open';
import type { RegistryStore } from '../store/registry-store';
import type { StoreDatabase } from '../store/sqljs/database';
import { SqljsRegistryStore } from '../store/sqljs/registry-store';
import { SqljsTrackingStore } from '../store/sqljs/tracking-store';
import type { TrackingStore } from '../store/tracking-store';
import { Config } from './config';
import { isUrl } from './folders';
import type { Log } from './log';

/** The open workspace store: the raw database and the two stores on top of it. */
export interface OpenStore {
  readonly file: string;
  readonly database: StoreDatabase;
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore;
}

export type StoreState =
  | { kind: 'missing'; file: string }
  | { kind: 'open'; file: string }
  | { kind: 'error'; file: string; error: ModelOpsError };

/**
 * Owns one workspace folder's store (StoreSessions keeps one per folder): opens it lazily (never creating it just to show
 * views), reopens it when the setting or the file changes, and tells the views to refresh when
 * anyone writes it — this window, the CLI, or another window. A file that cannot be opened
 * (corrupt, newer schema) becomes an `error` state with the store's message; nothing throws.
 */
export class StoreSession implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StoreState>();
  /** Fires after every change of the store or of its state; views refresh on it. */
  readonly onDidChange = this.changed.event;
  private current: Promise<OpenStore | undefined> | undefined;
  private opened: OpenStore | undefined;
  private stateValue: StoreState;
  private readonly disposables: vscode.Disposable[] = [];
  private fileWatcher: vscode.FileSystemWatcher | undefined;
  private stopDbListener: (() => void) | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private stopPolling: (() => void) | undefined;
  private lastSignature = '';

  constructor(
    /** The folder whose store this is; its URI string is the session's key. */
    readonly folder: vscode.WorkspaceFolder,
    private readonly log: Log,
  ) {
    this.stateValue = { kind: 'missing', file: this.file() };
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // The setting is resource-scoped: another folder's change leaves this store alone.
        if (e.affectsConfiguration('modelops.storePath', folder.uri)) void this.reset('setting changed');
      }),
    );
    this.watchFile();
  }

  /** The session's key: the folder's URI (what tree nodes and the map of sessions carry). */
  get key(): string {
    return this.folder.uri.toString();
  }

  get state(): StoreState {
    return this.stateValue;
  }

  /** The store file of this folder (from the setting as it is now). */
  file(): string {
    return Config.storeFile(this.folder);
  }

  /** The open store, or undefined when there is none yet (or it failed: see `state`). */
  async get(): Promise<OpenStore | undefined> {
    this.current ??= this.open(false);
    return this.current;
  }

  /** The open store, creating the file when missing (for commands that write). Throws on failure. */
  async getOrCreate(): Promise<OpenStore> {
    const s = await this.get();
    if (s) return s;
    if (this.stateValue.kind === 'error') throw this.stateValue.error;
    this.current = this.open(true);
    const created = await this.current;
    if (!created) {
      const state = this.state; // open() changed it
      if (state.kind === 'error') throw state.error;
      throw new ModelOpsError('STORE_IO', `${this.file()}: the store could not be created`, { location: this.file() });
    }
    return created;
  }

  private async open(create: boolean): Promise<OpenStore | undefined> {
    const file = this.file();
    if (isUrl(file)) {
      // The CLI works against MLflow servers (tracking); the views need the registry and studies too.
      const error = new ModelOpsError(
        'INVALID_PARAMETER_VALUE',
        `modelops.storePath is a URL (${file}): the editor works on a workspace store file for now — set a path such as .modelops/mlflow.db. The CLI reaches MLflow servers: modelops runs list --store ${file}`,
        { location: 'modelops.storePath' },
      );
      this.log.error('store.open.failed', error, { folder: this.folder.name, file });
      this.setState({ kind: 'error', file, error });
      this.fireSoon();
      return undefined;
    }
    if (!create && !existsSync(file)) {
      this.setState({ kind: 'missing', file });
      return undefined;
    }
    const t0 = Date.now();
    try {
      const database = await openStoreDatabase(file, { create });
      const store: OpenStore = {
        file,
        database,
        tracking: new SqljsTrackingStore(database),
        registry: new SqljsRegistryStore(database),
      };
      this.opened = store;
      // Our own commits and other processes' (the StoreDatabase polls the file) both land here.
      database.watch();
      this.stopDbListener = database.onDidChange(() => this.changedOnDisk());
      this.log.info('store.open', { folder: this.folder.name, file, ms: Date.now() - t0 });
      this.setState({ kind: 'open', file });
      return store;
    } catch (e) {
      const error =
        e instanceof ModelOpsError
          ? e
          : new ModelOpsError('STORE_IO', `${file}: ${errorMessage(e)}`, { location: file, cause: e });
      this.log.error('store.open.failed', error, { folder: this.folder.name, file });
      this.setState({ kind: 'error', file, error });
      this.fireSoon(); // so the extension reports it once, even when a view asked first
      return undefined;
    }
  }

  /** Closes the store and forgets it; the next `get()` opens it again. */
  async reset(reason: string): Promise<void> {
    this.log.info('store.reset', { folder: this.folder.name, reason });
    const prev = this.opened;
    this.opened = undefined;
    this.current = undefined;
    this.stopDbListener?.();
    this.stopDbListener = undefined;
    if (reason !== 'file changed') this.watchFile();
    if (prev) await prev.database.close().catch((e: unknown) => this.log.error('store.close.failed', e));
    this.changed.fire(this.stateValue);
  }

  /** Watches the store file through VS Code too, so creation and deletion are seen before it is open. */
  private watchFile(): void {
    this.fileWatcher?.dispose();
    this.fileWatcher = undefined;
    this.stopPolling?.();
    this.stopPolling = undefined;
    const folder = this.folder;
    const file = this.file();
    // Stat polling as well: editors' recursive watchers may miss a file created in a folder that did
    // not exist yet (the first `modelops` command creates `.modelops/`), and remote hosts may lack events.
    const poll = (now: { ino: number; mtimeMs: number; size: number }, prev: { ino: number; mtimeMs: number; size: number }): void => {
      if (now.ino === prev.ino && now.mtimeMs === prev.mtimeMs && now.size === prev.size) return;
      void this.onFileEvent(prev.ino === 0 && prev.mtimeMs === 0 ? 'created' : now.ino === 0 && now.mtimeMs === 0 ? 'deleted' : 'changed');
    };
    watchFile(file, { interval: 700, persistent: false }, poll);
    this.stopPolling = () => unwatchFile(file, poll);
    const rel = path.relative(folder.uri.fsPath, file);
    const pattern = rel.startsWith('..') || path.isAbsolute(rel)
      ? new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file))
      : new vscode.RelativePattern(folder, rel.split(path.sep).join('/'));
    const w = vscode.workspace.createFileSystemWatcher(pattern);
    w.onDidCreate(() => void this.onFileEvent('created'));
    w.onDidDelete(() => void this.onFileEvent('deleted'));
    w.onDidChange(() => void this.onFileEvent('changed'));
    this.fileWatcher = w;
  }

  private async onFileEvent(what: 'created' | 'deleted' | 'changed'): Promise<void> {
    const exists = existsSync(this.file());
    if (this.stateValue.kind === 'open') {
      // The open store reloads itself on the next read; closing it under a running command would
      // break that command, so only a file that is really gone resets it. A change is reported
      // here too, not only by StoreDatabase.watch(): a read that reloads the file first makes that
      // watcher see nothing new.
      if (!exists) await this.reset('file changed');
      else this.changedOnDisk();
      return;
    }
    // Missing or broken before: it may be fine now (or gone again), so start over.
    if (what !== 'changed' || exists) await this.reset('file changed');
  }

  private setState(state: StoreState): void {
    this.stateValue = state;
    this.stateChanged?.(state);
  }

  /** Told of every state change (StoreSessions sums the folders' states into one context key). */
  stateChanged: ((state: StoreState) => void) | undefined;

  /**
   * Our commits, the store's watcher, VS Code's watcher and the stat poller may all report the same
   * write: refresh once per distinct file version (inode, mtime, size).
   */
  private changedOnDisk(): void {
    let sig: string;
    try {
      const st = statSync(this.file());
      sig = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      sig = 'gone';
    }
    if (sig === this.lastSignature) return;
    this.lastSignature = sig;
    this.fireSoon();
  }

  /** Coalesces bursts (a training run commits many small transactions) into one refresh. */
  private fireSoon(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.changed.fire(this.stateValue);
    }, 150);
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.fileWatcher?.dispose();
    this.stopPolling?.();
    for (const d of this.disposables) d.dispose();
    this.stopDbListener?.();
    void this.opened?.database.close();
    this.changed.dispose();
  }
}
