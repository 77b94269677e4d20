import type * as vscode from 'vscode';
import { ModelOpsError } from '../core/errors';
import type { Credentials } from '../store/rest/credentials';
import type { Ui } from './ui';

/**
 * A tracking server's credentials kept in VS Code's SecretStorage (the OS keychain), by the server's origin: never in
 * settings.json. Without them a session uses the environment's (MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME /
 * MLFLOW_TRACKING_PASSWORD), as MLflow's own clients do.
 */
const KEY_PREFIX = 'modelops.server.';

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `'${url}' is not a tracking server URL`, { location: 'modelops.trackingUri' });
  }
}

export class ServerCredentials {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(url: string): Promise<Credentials | undefined> {
    const raw = await this.secrets.get(KEY_PREFIX + originOf(url));
    if (!raw) return undefined;
    try {
      const c = JSON.parse(raw) as Credentials;
      return typeof c === 'object' && c !== null ? c : undefined;
    } catch {
      return undefined;
    }
  }

  async set(url: string, credentials: Credentials | undefined): Promise<void> {
    const key = KEY_PREFIX + originOf(url);
    if (credentials) await this.secrets.store(key, JSON.stringify(credentials));
    else await this.secrets.delete(key);
  }

  /** Asks for a token, or a user and password, or to forget what is kept; resolves false when dismissed. */
  async prompt(url: string, ui: Ui): Promise<boolean> {
    const kinds = [
      { label: 'Token', description: 'sent as a bearer token, like MLFLOW_TRACKING_TOKEN', how: 'token' as const },
      { label: 'User and password', description: 'basic auth, like MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD', how: 'basic' as const },
      { label: 'Forget the kept credentials', description: "use the environment's again", how: 'clear' as const },
    ];
    const kind = await ui.pickOne(kinds, { title: `Credentials for ${originOf(url)}` });
    if (!kind) return false;
    if (kind.how === 'clear') {
      await this.set(url, undefined);
      return true;
    }
    if (kind.how === 'token') {
      const token = await ui.input({ title: `Token for ${originOf(url)}`, password: true });
      if (!token) return false;
      await this.set(url, { token });
      return true;
    }
    const username = await ui.input({ title: `User for ${originOf(url)}` });
    if (!username) return false;
    const password = await ui.input({ title: `Password of ${username} on ${originOf(url)}`, password: true });
    if (password === undefined) return false;
    await this.set(url, { username, password });
    return true;
  }
}
