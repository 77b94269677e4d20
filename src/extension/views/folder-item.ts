import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StoreSession } from '../store-session';

/** The store path as the folder node shows it: relative to its folder, or absolute when outside. */
function storeLabel(session: StoreSession): string {
  const rel = path.relative(session.folder.uri.fsPath, session.file());
  return rel.startsWith('..') || path.isAbsolute(rel) ? session.file() : rel.split(path.sep).join('/');
}

/** The top-level node of a folder in a multi-root workspace: its name, and its store path beside it. */
export function folderItem(session: StoreSession, view: string): vscode.TreeItem {
  const item = new vscode.TreeItem(session.folder.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `${view}:folder:${session.key}`;
  item.description = storeLabel(session);
  item.tooltip = `${session.folder.name}: ${session.file()}`;
  item.iconPath = new vscode.ThemeIcon('root-folder');
  item.contextValue = 'folder';
  return item;
}

/** What a folder whose store has no file yet shows under its node (single-folder views show the welcome instead). */
export const NO_STORE_YET = { text: 'No store yet', detail: 'train an ensemble on a CSV of this folder', icon: 'info' } as const;
