import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { ModelOpsError, errorMessage } from '../core/errors';
import type { StudyStore } from '../core/tuning';
import type { Stores } from '../store/open';
import { openStores } from '../store/open';
import type { RegistryStore } from '../store/registry-store';
import { ChangeNotifier } from '../store/sql/change-notifier';
import type { TrackingStore } from '../store/tracking-store';
import type { Credentials } from '../store/rest/credentials';
import { Config } from './config';
import { STORE_SETTINGS } from './settings-defaults';
import { isUrl } from './folders';
import type { Log } from './log';

/** The open workspace store of a folder. */
export interface OpenStore {
  readonly file: string;
  readonly stores: Stores;
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore;
  readonly studies: StudyStore;
}

export type StoreState = { kind: 'missing'; file: string } | { kind: 'open'; file: string } | { kind: 'error'; file: string; error: ModelOpsError };

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
  /** The one watcher: the open store's own (its commits and everyone else's), or the path's while there is none. */
  private stopWatching: (() => void) | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    /** The folder whose store this is; its URI string is the session's key. */
    readonly folder: vscode.WorkspaceFolder,
    private readonly log: Log,
    /** A tracking server's credentials from the editor's SecretStorage (else the environment's are used). */
    private readonly credentialsFor: (url: string) => Promise<Credentials | undefined> = async () => undefined,
  ) {
    this.stateValue = { kind: 'missing', file: this.file() };
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // The setting is resource-scoped: another folder's change leaves this store alone.
        if (STORE_SETTINGS.some((k) => e.affectsConfiguration(k, folder.uri))) void this.reset('setting changed');
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
    if (isUrl(file)) return this.openServer(file);
    if (!create && !existsSync(file)) {
      this.setState({ kind: 'missing', file });
      return undefined;
    }
    const t0 = Date.now();
    try {
      const schema = Config.newStoreSchema(this.folder);
      const stores = await openStores(file, { create, engine: Config.storeEngine(), workspace: Config.workspace(this.folder), ...(schema ? { schema } : {}) });
      const store: OpenStore = { file, stores, tracking: stores.tracking, registry: stores.registry, studies: stores.studies };
      this.opened = store;
      // Our own commits and other processes' (CLI, MLflow, another window) both land here.
      this.stopWatching?.();
      this.stopWatching = stores.onDidChange(() => this.changedOnDisk());
      const engine = stores.file?.engine;
      this.log.info('store.open', {
        folder: this.folder.name,
        file,
        ms: Date.now() - t0,
        engine: engine?.name ?? 'server',
        engineReason: engine?.reason ?? '',
        revision: stores.file?.schema.revision ?? '',
      });
      this.reportSchema(stores);
      this.setState({ kind: 'open', file });
      return store;
    } catch (e) {
      const error = e instanceof ModelOpsError ? e : new ModelOpsError('STORE_IO', `${file}: ${errorMessage(e)}`, { location: file, cause: e });
      this.log.error('store.open.failed', error, { folder: this.folder.name, file });
      this.setState({ kind: 'error', file, error });
      this.fireSoon(); // so the extension reports it once, even when a view asked first
      return undefined;
    }
  }

  /**
   * A tracking server's stores (MLflow's REST API): asked once at once, so that a refused login, a wrong URL or a
   * server that is down is the folder's error item (with the server's own words), not a failure of each view.
   * The views refresh by polling the server (modelops.serverPollSeconds), there being no file to watch.
   */
  private async openServer(url: string): Promise<OpenStore | undefined> {
    const t0 = Date.now();
    let stores: Stores | undefined;
    try {
      const credentials = await this.credentialsFor(url);
      stores = await openStores(url, { pollIntervalMs: Config.serverPollMs(this.folder), ...(credentials ? { credentials } : {}) });
      await stores.tracking.searchExperiments({ maxResults: 1 });
    } catch (e) {
      void stores?.close();
      const error = e instanceof ModelOpsError ? e : new ModelOpsError('STORE_IO', `${url}: ${errorMessage(e)}`, { location: url, cause: e });
      this.log.error('store.open.failed', error, { folder: this.folder.name, file: url });
      this.setState({ kind: 'error', file: url, error });
      this.fireSoon();
      return undefined;
    }
    const store: OpenStore = { file: url, stores, tracking: stores.tracking, registry: stores.registry, studies: stores.studies };
    this.opened = store;
    this.stopWatching?.();
    this.stopWatching = stores.onDidChange(() => this.fireSoon());
    this.log.info('store.open', { folder: this.folder.name, file: url, ms: Date.now() - t0, engine: 'server', engineReason: '', revision: '' });
    this.setState({ kind: 'open', file: url });
    return store;
  }

  /** A store newer than any revision the product knows (read-write) or one it may only read: said once per file. */
  private reportSchema(stores: Stores): void {
    const schema = stores.file?.schema;
    const said = `${stores.file?.path}:${schema?.revision}`;
    if (!schema || this.schemaReported === said) return;
    this.schemaReported = said;
    if (schema.readOnly) void vscode.window.showWarningMessage(`ModelOps: ${schema.readOnly}`);
    else if (schema.notice) void vscode.window.showInformationMessage(`ModelOps: ${schema.notice}`);
  }

  private schemaReported = '';

  /** Closes the store and forgets it; the next `get()` opens it again. */
  async reset(reason: string): Promise<void> {
    this.log.info('store.reset', { folder: this.folder.name, reason });
    const prev = this.opened;
    this.opened = undefined;
    this.current = undefined;
    this.watchFile();
    if (prev) await prev.stores.close().catch((e: unknown) => this.log.error('store.close.failed', e));
    this.changed.fire(this.stateValue);
  }

  /** Until a store is open: watches its path, so creation (or a mended file) is seen. */
  private watchFile(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    if (isUrl(this.file())) return; // a server is polled once open (openServer)
    const notifier = new ChangeNotifier(this.file());
    const stop = notifier.subscribe(() => void this.onFileEvent());
    this.stopWatching = () => {
      stop();
      notifier.close();
    };
  }

  /** The path changed while no store was open (missing or broken): it may open now. */
  private async onFileEvent(): Promise<void> {
    if (this.stateValue.kind !== 'open') await this.reset('file changed');
  }

  private setState(state: StoreState): void {
    this.stateValue = state;
    this.stateChanged?.(state);
  }

  /** Told of every state change (StoreSessions sums the folders' states into one context key). */
  stateChanged: ((state: StoreState) => void) | undefined;

  /**
   * The open store changed (the watcher reports each new file state once). The store reopens itself
   * as needed; closing it under a running command would break that command, so only a file that
   * is really gone resets the session.
   */
  private changedOnDisk(): void {
    if (!existsSync(this.file())) void this.reset('file deleted');
    else this.fireSoon();
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
    this.stopWatching?.();
    for (const d of this.disposables) d.dispose();
    void this.opened?.stores.close();
    this.changed.dispose();
  }
}
