/**
 * Credentials for an MLflow tracking server, as MLflow's own clients take them: `MLFLOW_TRACKING_TOKEN` (a bearer
 * token) or `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD` (basic auth). The editor passes what it keeps in
 * VS Code's SecretStorage instead; settings files never hold them.
 */
export interface Credentials {
  token?: string;
  username?: string;
  password?: string;
}

/** Where the credentials came from, for messages (never the secret itself). */
export type CredentialSource = 'environment' | 'editor' | 'url' | 'none';

export function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials {
  const out: Credentials = {};
  if (env.MLFLOW_TRACKING_TOKEN) out.token = env.MLFLOW_TRACKING_TOKEN;
  if (env.MLFLOW_TRACKING_USERNAME) {
    out.username = env.MLFLOW_TRACKING_USERNAME;
    out.password = env.MLFLOW_TRACKING_PASSWORD ?? '';
  }
  return out;
}

export function hasCredentials(c: Credentials | undefined): boolean {
  return Boolean(c?.token || c?.username);
}

/** The Authorization header MLflow's client sends: the token first, else basic auth. */
export function authorizationHeader(c: Credentials): string | undefined {
  if (c.token) return `Bearer ${c.token}`;
  if (c.username) return `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
  return undefined;
}

/** What to do when a server says 401, in words a user can act on. */
export function credentialsHint(source: CredentialSource): string {
  const how =
    'set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, in the environment (in the editor: ModelOps: Set Tracking Server Credentials)';
  if (source === 'none') return `no credentials were sent: ${how}`;
  const from = source === 'editor' ? "editor's secret storage" : source === 'url' ? 'URL' : 'environment';
  return `the credentials from the ${from} were refused: check them, or ${how}`;
}
