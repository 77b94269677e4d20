import * as vscode from 'vscode';
import { ModelOpsError } from '../core/errors';
import type { ModelUri } from '../core/model-uri';
import { formatModelUri } from '../core/model-uri';
import type { RunningScoringServer } from '../serve/scoring-server';
import { DEFAULT_PORT, startScoringServer } from '../serve/scoring-server';
import { followsRegistry, ModelFollower } from '../serve/served-model';
import type { Log } from './log';
import type { OpenStore } from './store-session';

/** One model served from this window. */
export interface Serving {
  key: string;
  uri: string;
  url: string;
  follower: ModelFollower;
  server: RunningScoringServer;
}

/**
 * The scoring servers this window runs (`modelops serve` in the extension host, loopback only),
 * with a status bar item showing the URL while any runs; stopped when the window closes.
 */
export class ModelServing implements vscode.Disposable {
  private readonly running = new Map<string, Serving>();
  private readonly item = vscode.window.createStatusBarItem('modelops.serving', vscode.StatusBarAlignment.Left, 49);

  constructor(
    private readonly log: Log,
    stopCommand: string,
  ) {
    this.item.name = 'ModelOps Serving';
    this.item.command = stopCommand;
  }

  /** The status bar text (tests), undefined while nothing is served. */
  text: string | undefined;

  all(): Serving[] {
    return [...this.running.values()];
  }

  async start(folder: string, store: OpenStore, uri: ModelUri, cwd: string, port = DEFAULT_PORT): Promise<Serving> {
    const text = formatModelUri(uri);
    const key = `${folder}|${text}`;
    const existing = this.running.get(key);
    if (existing) return existing;
    const follower = await ModelFollower.open(store, uri, {
      cwd,
      onStoreChange: (l) => store.stores.onDidChange(l),
      log: (line) => this.log.info('serve.follow', { line }),
      onSwitch: () => this.update(),
    });
    let server: RunningScoringServer;
    try {
      server = await startScoringServer(follower, { port }).catch((e: unknown) => {
        // The usual port is taken (another server, another window): any free one will do.
        if (port !== 0 && e instanceof ModelOpsError && /EADDRINUSE/.test(e.message)) return startScoringServer(follower, { port: 0 });
        throw e;
      });
    } catch (e) {
      follower.dispose();
      throw e;
    }
    const serving: Serving = { key, uri: text, url: server.url, follower, server };
    this.running.set(key, serving);
    this.log.info('serve.start', { uri: text, url: server.url, servedBy: follower.current().servedBy, follows: followsRegistry(uri) });
    this.update();
    return serving;
  }

  async stop(key: string): Promise<void> {
    const s = this.running.get(key);
    if (!s) return;
    this.running.delete(key);
    s.follower.dispose();
    await s.server.close();
    this.log.info('serve.stop', { uri: s.uri, url: s.url });
    this.update();
  }

  private update(): void {
    const all = this.all();
    void vscode.commands.executeCommand('setContext', 'modelops.serving', all.length > 0);
    if (all.length === 0) {
      this.text = undefined;
      this.item.hide();
      return;
    }
    const first = all[0]!;
    this.text = `$(radio-tower) ${first.follower.current().servedBy} · ${first.url}${all.length > 1 ? ` +${all.length - 1}` : ''}`;
    this.item.text = this.text;
    this.item.tooltip = `${all.map((s) => `${s.uri} → ${s.follower.current().servedBy} on ${s.url}/invocations`).join('\n')}\nClick to stop serving.`;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.running.values()) {
      s.follower.dispose();
      void s.server.close();
    }
    this.running.clear();
    this.item.dispose();
  }
}
