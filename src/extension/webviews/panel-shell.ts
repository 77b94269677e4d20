/** What both panels share on the VS Code side: webview options, the HTML shell, disposal. */
import * as vscode from 'vscode';
import { makeNonce, panelHtml } from './html';

export type PanelScript = 'compare' | 'promotion';

/** Scripts on, and only dist/webview readable: the panel needs nothing else from disk. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

export function setPanelHtml(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, script: PanelScript, title: string): void {
  const webview = panel.webview;
  webview.options = webviewOptions(extensionUri);
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  webview.html = panelHtml({ title, cspSource: webview.cspSource, nonce: makeNonce(), scriptUri: asset(`${script}.js`), styleUri: asset(`${script}.css`) });
}

/** Runs a registered command the way its context-menu entry does, failing clearly if it is missing. */
export async function runRegisteredCommand(id: string, ...args: unknown[]): Promise<unknown> {
  const known = await vscode.commands.getCommands(true);
  if (!known.includes(id)) {
    throw new Error(`The command ${id} is not available in this version of ModelOps.`);
  }
  return vscode.commands.executeCommand(id, ...args);
}

export class Disposer implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];

  add<T extends vscode.Disposable>(d: T): T {
    this.items.push(d);
    return d;
  }

  dispose(): void {
    while (this.items.length) {
      try {
        this.items.pop()?.dispose();
      } catch {
        // keep disposing the rest
      }
    }
  }
}
