/**
 * Which workspace folder a command or a tree belongs to, as plain functions over paths (no vscode
 * import) so the rules are unit-tested: each folder of a multi-root workspace has its own store.
 */
import * as path from 'node:path';
import { resolveStoreLocation } from '../store/open';

export interface FolderLike {
  /** The folder's path on disk. */
  readonly fsPath: string;
}

/** A store path setting resolved against its folder: absolute stays as is, relative is under the folder. */
export function resolveInFolder(folderFsPath: string, setting: string): string {
  // MLflow-style sqlite:/// and file: URIs name a workspace store file (relative to the folder).
  if (/^(sqlite|file):/i.test(setting.trim())) {
    const loc = resolveStoreLocation(setting, folderFsPath);
    if (loc.kind === 'sqlite') return loc.path;
  }
  // Any other URL (http://server) is not a path: joining it onto the folder would make a strange
  // folder named "http:" in the workspace. It is passed on as it is (the session refuses it).
  if (isUrl(setting)) return setting.trim();
  return path.isAbsolute(setting) ? path.normalize(setting) : path.join(folderFsPath, setting);
}

/** `scheme://…` (but not a Windows drive path like C:\x). */
export function isUrl(setting: string): boolean {
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(setting.trim());
}

/**
 * The folder that holds `file`: the deepest folder containing it (folders of a workspace may nest),
 * or undefined when it is outside every folder.
 */
export function folderOf<F extends FolderLike>(folders: readonly F[], file: string): F | undefined {
  const target = path.resolve(file);
  let best: F | undefined;
  for (const f of folders) {
    const root = path.resolve(f.fsPath);
    const inside = target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
    if (inside && (!best || root.length > path.resolve(best.fsPath).length)) best = f;
  }
  return best;
}

export type FolderChoice<F> = { kind: 'none' } | { kind: 'folder'; folder: F } | { kind: 'ask'; folders: readonly F[] };

/**
 * The folder a command acts on when it was not invoked on a tree node: the folder of the first hint
 * (the clicked file, then the active editor's file) that lies in a folder; else the only folder; else
 * the user is asked. No folder at all is `none` (the store lives in a folder).
 */
export function chooseFolder<F extends FolderLike>(folders: readonly F[], hints: readonly (string | undefined)[]): FolderChoice<F> {
  if (folders.length === 0) return { kind: 'none' };
  for (const hint of hints) {
    if (hint === undefined) continue;
    const f = folderOf(folders, hint);
    if (f) return { kind: 'folder', folder: f };
  }
  if (folders.length === 1) return { kind: 'folder', folder: folders[0]! };
  return { kind: 'ask', folders };
}
