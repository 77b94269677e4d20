/** What both panels share on the VS Code side: webview options, the HTML shell, disposal. */
import * as vscode from 'vscode';
import type { Contract } from '../../shared/protocol';
import type { WebviewDeps } from './deps';
import { HostChannel } from './host-channel';
import type { HostNotificationHandlers, RequestHandlers } from './host-channel';
import { makeNonce, panelHtml } from './html';

export type PanelScript = 'compare' | 'promotion' | 'runs' | 'run' | 'study' | 'space';

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

/**
 * The panel's end of the protocol with what every panel wants around it: reload on the ready
 * handshake and on store changes, requests and protocol problems logged, messages held while the
 * page is hidden, everything disposed with the panel (`onDisposed` runs when the user closes it).
 */
export function connectPanel<C extends Contract>(
  panel: vscode.WebviewPanel,
  name: PanelScript,
  contract: C,
  handlers: { requests: RequestHandlers<C>; notifications?: HostNotificationHandlers<C> },
  wiring: {
    deps: WebviewDeps;
    disposer: Disposer;
    reload: () => Promise<void>;
    onDisposed: () => void;
    /** What a store change does; default `reload` (the runs table re-reads only what changed). */
    onStoreChange?: () => void;
    /** The panel keeps its page while hidden (retainContextWhenHidden): messages need not wait. */
    retained?: boolean;
  },
): HostChannel<C> {
  const { deps, disposer, reload } = wiring;
  const channel = new HostChannel(
    { postMessage: (m) => panel.webview.postMessage(m), onDidReceiveMessage: (l) => panel.webview.onDidReceiveMessage(l) },
    contract,
    {
      ...handlers,
      onReady: () => {
        deps.log.info('webview.ready', { panel: name });
        void reload();
      },
      onRequestDone: (method, ms, error) =>
        error === undefined
          ? deps.log.info('webview.request', { panel: name, method, ms })
          : deps.log.error('webview.request.failed', error, { panel: name, method, ms }),
      onProblem: (message) => deps.log.error(`webview.${name}.protocol`, new Error(message)),
    },
  );
  disposer.add({ dispose: () => channel.dispose() });
  disposer.add(panel.onDidDispose(wiring.onDisposed));
  disposer.add(
    panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible && !wiring.retained) channel.markNotReady();
    }),
  );
  disposer.add(deps.onDidChangeStore(wiring.onStoreChange ?? (() => void reload())));
  return channel;
}
