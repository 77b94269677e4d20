import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ModelOpsError, errorMessage } from '../core/errors';
import { envVarIn, withEnvVar } from '../server/env-file';
import type { RunningServer } from '../server/http-server';
import { startTrackingServer } from '../server/http-server';
import { resolveServerSetup } from '../server/server-setup';
import type { Stores } from '../store/open';
import { openStores } from '../store/open';
import { COMMAND } from './commands/ids';
import { Config } from './config';
import { isUrl } from './folders';
import type { Log } from './log';
import type { StoreSession } from './store-session';
import type { Ui } from './ui';

export const TRACKING_URI_VARIABLE = 'MLFLOW_TRACKING_URI';
const PREFERRED_PORT = 5000;
const DOTENV_NEVER = 'modelops.trackingServer.dotenv.never';

interface Running {
  url: string;
  folder: vscode.WorkspaceFolder;
  server: RunningServer;
  stores: Stores;
}

/**
 * "ModelOps: Start Tracking Server": `modelops server` inside the editor, over the folder's store, on 127.0.0.1 with
 * the artifact proxy. While it runs, the status bar shows its URL and every terminal opened in the window gets
 * MLFLOW_TRACKING_URI (the extension's environment variable collection), so `python train.py` logs into the workspace
 * with no code change; for Jupyter kernels it offers, once, to write the variable into the folder's `.env`.
 */
export class TrackingServerController implements vscode.Disposable {
  private running: Running | undefined;
  private readonly item = vscode.window.createStatusBarItem('modelops.trackingServer', vscode.StatusBarAlignment.Left, 49);

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly ui: () => Ui,
  ) {
    this.item.name = 'ModelOps Tracking Server';
    this.item.command = COMMAND.stopTrackingServer;
    // A window reloaded while a server ran must not leave terminals pointing at nothing.
    context.environmentVariableCollection.delete(TRACKING_URI_VARIABLE);
  }

  get url(): string | undefined {
    return this.running?.url;
  }

  async start(session: StoreSession): Promise<string> {
    if (this.running?.folder.uri.toString() === session.key) {
      void this.ui().info(`The ModelOps tracking server is already running on ${this.running.url}`);
      return this.running.url;
    }
    await this.stop();
    const file = session.file();
    if (isUrl(file))
      throw new ModelOpsError(
        'INVALID_PARAMETER_VALUE',
        `modelops.trackingUri is a server (${file}): the ModelOps tracking server serves a workspace store file, and this folder already uses a server`,
        { location: 'modelops.trackingUri' },
      );
    // Loopback only and no credentials: the Host, Origin and Content-Type checks keep web pages out.
    const setup = resolveServerSetup({ storeUri: file, host: '127.0.0.1', env: {}, cwd: session.folder.uri.fsPath });
    const stores = await openStores(setup.storeUri, { create: true, engine: Config.storeEngine(), ...setup.storeOptions });
    let server: RunningServer;
    try {
      server = await this.listen(stores, setup.serverOptions);
    } catch (e) {
      await stores.close();
      throw e;
    }
    this.running = { url: server.url, folder: session.folder, server, stores };
    this.context.environmentVariableCollection.description = `MLflow clients log into the ModelOps store of ${session.folder.name} (${server.url})`;
    this.context.environmentVariableCollection.replace(TRACKING_URI_VARIABLE, server.url);
    this.item.text = `$(broadcast) MLflow ${server.url.replace(/^http:\/\//, '')}`;
    this.item.tooltip = `ModelOps tracking server on ${server.url} for ${setup.storeUri} (${setup.description}). Terminals opened now get ${TRACKING_URI_VARIABLE}. Click to stop.`;
    this.item.show();
    this.log.info('server.start', { url: server.url, store: setup.storeUri, folder: session.folder.name });
    void this.offerDotEnv(session.folder, server.url);
    return server.url;
  }

  private async listen(stores: Stores, options: Parameters<typeof startTrackingServer>[1]): Promise<RunningServer> {
    const served = { tracking: stores.tracking, registry: stores.registry };
    // Only failures go to the output channel: a training loop's requests would drown it.
    const log = (line: string): void => {
      if (/ [45]\d\d /.test(line)) this.log.warn('server.request', { line });
    };
    try {
      return await startTrackingServer(served, { ...options, port: PREFERRED_PORT, log });
    } catch (e) {
      this.log.info('server.port.busy', { port: PREFERRED_PORT, reason: errorMessage(e) });
      return startTrackingServer(served, { ...options, port: 0, log });
    }
  }

  /** Stops the server; false when none was running. */
  async stop(): Promise<boolean> {
    const r = this.running;
    if (!r) return false;
    this.running = undefined;
    this.context.environmentVariableCollection.delete(TRACKING_URI_VARIABLE);
    this.item.hide();
    await r.server.close();
    await r.stores.close();
    this.log.info('server.stop', { url: r.url });
    return true;
  }

  /** Jupyter kernels do not see the terminals' environment; they read the folder's `.env` (with the user's consent). */
  private async offerDotEnv(folder: vscode.WorkspaceFolder, url: string): Promise<void> {
    const file = join(folder.uri.fsPath, '.env');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (envVarIn(text, TRACKING_URI_VARIABLE) === url || this.context.workspaceState.get<boolean>(DOTENV_NEVER)) return;
    const write = 'Write to .env';
    const never = 'Never for this workspace';
    const choice = await this.ui().info(
      `Notebooks too? Write ${TRACKING_URI_VARIABLE}=${url} into ${folder.name}/.env so Jupyter kernels log into this store (restart a running kernel to pick it up).`,
      write,
      'Not now',
      never,
    );
    if (choice === never) await this.context.workspaceState.update(DOTENV_NEVER, true);
    if (choice !== write) return;
    writeFileSync(file, withEnvVar(existsSync(file) ? readFileSync(file, 'utf8') : '', TRACKING_URI_VARIABLE, url));
    this.log.info('server.dotenv', { file });
  }

  dispose(): void {
    void this.stop();
    this.item.dispose();
  }
}
