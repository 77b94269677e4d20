import { startTrackingServer } from '../../server/http-server';
import { resolveServerSetup } from '../../server/server-setup';
import { openStores } from '../../store/open';
import { DEFAULT_STORE } from '../../store/tracking-uri';
import type { CommandSpec } from '../command';
import { intOption } from '../option-values';

/** `modelops server`: MLflow's tracking, model-registry and artifact REST APIs over the workspace store, until Ctrl-C. */
export const serverCommand: CommandSpec = {
  path: ['server'],
  summary: "serve MLflow's tracking, model-registry and artifact REST APIs over the store (for mlflow clients: MLFLOW_TRACKING_URI=http://127.0.0.1:5000)",
  writes: true,
  options: {
    host: { type: 'string', value: '<address>', description: 'address to listen on (default 127.0.0.1; any other needs --token or basic auth)' },
    port: { type: 'string', value: '<n>', int: { min: 0, max: 65535 }, description: 'port (default 5000; 0 = any free port)' },
    'backend-store-uri': { type: 'string', value: '<uri>', description: "MLflow's name for --store (a path or sqlite:/// URI)" },
    'default-artifact-root': {
      type: 'string',
      value: '<uri>',
      description: 'where new experiments keep artifacts (default mlflow-artifacts:/ with the proxy, else <store folder>/artifacts)',
    },
    'artifacts-destination': { type: 'string', value: '<folder>', description: 'the folder the artifact proxy serves (default <store folder>/artifacts)' },
    'serve-artifacts': { type: 'boolean', description: "serve MLflow's artifact proxy (/api/2.0/mlflow-artifacts; the default)" },
    'no-serve-artifacts': { type: 'boolean', description: 'no artifact proxy: clients write artifacts where the run URI points' },
    token: { type: 'string', value: '<secret>', description: 'require this bearer token (clients: MLFLOW_TRACKING_TOKEN); or set MODELOPS_SERVER_TOKEN' },
    'token-name': { type: 'string', value: '<name>', description: "who the token's requests are in the audit trail (default token)" },
    'allowed-hosts': {
      type: 'string',
      value: '<list>',
      description: 'Host headers accepted, comma-separated, * wildcards (default localhost and private addresses)',
    },
    'cors-allowed-origins': { type: 'string', value: '<list>', description: 'web origins that may call from a browser, comma-separated (default none)' },
    quiet: { type: 'boolean', description: 'do not log requests on stderr' },
  },
  async run(ctx) {
    const port = intOption(ctx, 'port') ?? 5000;
    const text = (name: string): string | undefined => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);
    const setup = resolveServerSetup({
      // MLFLOW_TRACKING_URI is where clients log (maybe this very server), never a server's own backend.
      storeUri: ctx.storeSource === 'MLFLOW_TRACKING_URI' ? DEFAULT_STORE : ctx.storeUri,
      backendStoreUri: text('backend-store-uri'),
      storeGiven: typeof ctx.options.store === 'string',
      host: text('host') ?? '127.0.0.1',
      defaultArtifactRoot: text('default-artifact-root'),
      artifactsDestination: text('artifacts-destination'),
      serveArtifacts: ctx.options['serve-artifacts'] === true,
      noServeArtifacts: ctx.options['no-serve-artifacts'] === true,
      token: text('token'),
      tokenName: text('token-name'),
      allowedHosts: text('allowed-hosts'),
      corsAllowedOrigins: text('cors-allowed-origins'),
      env: ctx.io.env,
      cwd: ctx.io.cwd,
    });
    const stores = await openStores(setup.storeUri, {
      cwd: ctx.io.cwd,
      create: true,
      engine: ctx.io.env.MODELOPS_STORE_ENGINE,
      ...(typeof ctx.options.schema === 'string' ? { schema: ctx.options.schema } : {}),
      ...(ctx.io.env.MODELOPS_WORKSPACE ? { workspace: ctx.io.env.MODELOPS_WORKSPACE } : {}),
      ...setup.storeOptions,
    });
    if (stores.file?.schema.notice) ctx.io.stderr.write(`modelops: ${stores.file.schema.notice}\n`);
    try {
      const quiet = ctx.options.quiet === true;
      const running = await startTrackingServer(
        { tracking: stores.tracking, registry: stores.registry },
        { ...setup.serverOptions, port, log: quiet ? undefined : (line) => ctx.io.stderr.write(`${new Date().toISOString()} ${line}\n`) },
      );
      if (ctx.json) ctx.printJson({ url: running.url, store: setup.storeUri, ...setup.summary });
      else ctx.print(`MLflow tracking, model-registry and artifact API (2.10.2) on ${running.url} for ${setup.storeUri}; ${setup.description}; Ctrl-C to stop`);
      await new Promise<void>((resolveStop) => {
        if (ctx.signal.aborted) resolveStop();
        else ctx.signal.addEventListener('abort', () => resolveStop(), { once: true });
      });
      await running.close();
      if (!ctx.json) ctx.print('stopped');
    } finally {
      await stores.close();
    }
  },
};
