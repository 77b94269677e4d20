import * as vscode from 'vscode';
import { ModelOpsError } from '../core/errors';
import type { Credentials } from '../store/rest/credentials';
import { chooseFolder } from './folders';
import type { Log } from './log';
import type { StoreState } from './store-session';
import { StoreSession } from './store-session';
import type { Ui } from './ui';

/** What a tree node or command argument may carry to say which folder's store it belongs to. */
export interface FolderScoped {
  readonly folder: string;
}

function folderKeyOf(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null || !('folder' in arg)) return undefined;
  const folder = (arg as { folder: unknown }).folder;
  return typeof folder === 'string' ? folder : undefined;
}

/** A file path a command was given (explorer URI or path string), as a hint for its folder. */
function fileHint(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? arg.fsPath : undefined;
  return typeof arg === 'string' && arg.includes('/') ? arg : undefined;
}

/**
 * One StoreSession per workspace folder, keyed by the folder's URI: each folder of a multi-root
 * workspace has its own store (the store path setting is resource-scoped). Folders added or removed
 * at runtime open or close their sessions. The trees and commands ask this map for a folder's store.
 */
export class StoreSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: StoreSession; listener: vscode.Disposable }>();
  private readonly changed = new vscode.EventEmitter<StoreSession>();
  /** Fires when one folder's store (or its state) changed; views refresh on it. */
  readonly onDidChange = this.changed.event;
  private readonly foldersChanged = new vscode.EventEmitter<void>();
  /** Fires after folders were added or removed (and their sessions opened or closed). */
  readonly onDidChangeFolders = this.foldersChanged.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: Log,
    /** A tracking server's credentials from the editor's SecretStorage. */
    private readonly credentialsFor?: (url: string) => Promise<Credentials | undefined>,
  ) {
    this.sync();
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.sync();
        this.foldersChanged.fire();
      }),
    );
  }

  /** The sessions in the workspace's folder order. */
  all(): StoreSession[] {
    const out: StoreSession[] = [];
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      const s = this.sessions.get(f.uri.toString());
      if (s) out.push(s.session);
    }
    return out;
  }

  /** More than one folder: the trees show a node per folder. */
  get multiRoot(): boolean {
    return this.sessions.size > 1;
  }

  /** The first folder's session (the status bar's fallback), undefined without a folder. */
  first(): StoreSession | undefined {
    return this.all()[0];
  }

  /** A session by its folder key (a tree node's `folder`). */
  byKey(key: string): StoreSession | undefined {
    return this.sessions.get(key)?.session;
  }

  /** The session of the folder holding `uri`, if any. */
  forUri(uri: vscode.Uri): StoreSession | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.byKey(folder.uri.toString()) : undefined;
  }

  /** The session of the active editor's folder, else the first: what the status bar shows. */
  active(): StoreSession | undefined {
    const doc = vscode.window.activeTextEditor?.document.uri;
    return (doc && this.forUri(doc)) ?? this.first();
  }

  /**
   * The session a command acts on: the tree node's folder; else the folder of the file it was invoked
   * on, or of the active editor; else the only folder; else the user picks one. Undefined when the
   * pick was dismissed; throws when no folder is open.
   */
  async resolve(arg: unknown, ui: Ui): Promise<StoreSession | undefined> {
    const key = folderKeyOf(arg);
    if (key !== undefined) {
      const s = this.byKey(key);
      if (!s) throw new ModelOpsError('INVALID_STATE', 'That workspace folder is no longer open.');
      return s;
    }
    const sessions = this.all();
    const choice = chooseFolder(
      sessions.map((session) => ({ fsPath: session.folder.uri.fsPath, session })),
      [fileHint(arg), vscode.window.activeTextEditor?.document.uri.scheme === 'file' ? vscode.window.activeTextEditor.document.uri.fsPath : undefined],
    );
    switch (choice.kind) {
      case 'none':
        throw new ModelOpsError('INVALID_STATE', 'Open a folder first: the store lives in the workspace.');
      case 'folder':
        return choice.folder.session;
      case 'ask': {
        const folder = await ui.pickFolder("Which workspace folder's store?");
        return folder ? this.byKey(folder.uri.toString()) : undefined;
      }
    }
  }

  /** Opens sessions for new folders and closes those of removed ones. */
  private sync(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const keys = new Set(folders.map((f) => f.uri.toString()));
    for (const [key, entry] of this.sessions) {
      if (keys.has(key)) continue;
      this.log.info('store.folder.removed', { folder: entry.session.folder.name });
      this.sessions.delete(key);
      entry.listener.dispose();
      entry.session.dispose();
    }
    for (const folder of folders) {
      const key = folder.uri.toString();
      if (this.sessions.has(key)) continue;
      const session = new StoreSession(folder, this.log, this.credentialsFor);
      session.stateChanged = () => this.updateStateContext();
      const listener = session.onDidChange(() => this.changed.fire(session));
      this.sessions.set(key, { session, listener });
    }
    this.updateStateContext();
  }

  /**
   * The welcome views' `modelops.storeState`: with one folder its state; with several, `open` when any
   * store is open, else `error` when any failed (the views show folder nodes then, not the welcome).
   */
  private updateStateContext(): void {
    const states: StoreState['kind'][] = this.all().map((s) => s.state.kind);
    const kind = states.includes('open') ? 'open' : states.includes('error') ? 'error' : states.length > 0 ? 'missing' : 'no-folder';
    void vscode.commands.executeCommand('setContext', 'modelops.storeState', kind);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const { session, listener } of this.sessions.values()) {
      listener.dispose();
      session.dispose();
    }
    this.sessions.clear();
    this.changed.dispose();
    this.foldersChanged.dispose();
  }
}
