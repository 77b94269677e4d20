import type * as vscode from 'vscode';
import type { WebviewDeps } from './deps';

/**
 * How a panel VS Code restores after a reload comes back, from its saved state read with `read`
 * (a check, as for any message from the webview). When the state cannot be read, the panel opens
 * with `fallback`, or closes when there is none; either way the log says why. Without a fallback a
 * failing `revive` closes the panel too, rather than leaving an empty one.
 */
export function panelRestorer<T, P extends { dispose(): void } = vscode.WebviewPanel>(
  logKey: string,
  deps: Pick<WebviewDeps, 'log'>,
  read: (state: unknown) => T,
  revive: (panel: P, saved: T) => void,
  fallback?: T,
): (panel: P, state: unknown) => Promise<void> {
  return async (panel, state) => {
    if (fallback === undefined) {
      try {
        revive(panel, read(state));
      } catch (e) {
        deps.log.error(logKey, e);
        panel.dispose();
      }
      return;
    }
    let saved: T;
    try {
      saved = read(state);
    } catch (e) {
      deps.log.error(logKey, e);
      saved = fallback;
    }
    revive(panel, saved);
  };
}
