import { formatModelUri } from '../../core/model-uri';
import { followsRegistry, ModelFollower } from '../../serve/served-model';
import { DEFAULT_MAX_BODY, DEFAULT_PORT, startScoringServer, VERSION_HEADER } from '../../serve/scoring-server';
import type { CommandSpec } from '../command';
import { intOption } from '../option-values';
import { modelUriOption, registryStores, stringOption } from './registry-context';

/** Resolves when the command is cancelled: Ctrl-C, SIGTERM or SIGHUP (src/cli/run.ts aborts the signal). */
function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
}

/** `modelops serve`: one model over MLflow's scoring protocol, until Ctrl-C, SIGTERM or SIGHUP. */
export const serveCommand: CommandSpec = {
  path: ['serve'],
  summary: "serve a model over MLflow's scoring protocol (POST /invocations); a stage or alias URI follows the registry",
  options: {
    model: {
      type: 'string',
      value: '<uri>',
      description: 'models:/name/Production, models:/name@champion, models:/name/3, runs:/<id>/model or a model directory',
    },
    name: { type: 'string', value: '<model>', description: 'registered model, with --stage, --version or --alias' },
    stage: { type: 'string', value: '<stage>', description: 'shorthand: --name churn --stage Production' },
    version: { type: 'string', value: '<n>', description: 'shorthand: --name churn --version 3' },
    alias: { type: 'string', value: '<alias>', description: 'shorthand: --name churn --alias champion' },
    host: { type: 'string', value: '<address>', description: 'address to listen on (default 127.0.0.1; any other needs a token)' },
    port: { type: 'string', value: '<n>', int: { min: 0, max: 65535 }, description: `port (default ${DEFAULT_PORT}; 0 = any free port)` },
    token: { type: 'string', value: '<token>', description: 'require "Authorization: Bearer <token>" (default $MODELOPS_SERVE_TOKEN; generated off loopback)' },
    'max-body-mb': { type: 'string', value: '<n>', int: { min: 1 }, description: `largest request body in MB (default ${DEFAULT_MAX_BODY / 1024 / 1024})` },
    quiet: { type: 'boolean', description: 'do not log requests on stderr' },
  },
  async run(ctx) {
    const uri = modelUriOption(ctx);
    const port = intOption(ctx, 'port') ?? DEFAULT_PORT;
    const maxMb = intOption(ctx, 'max-body-mb');
    const host = stringOption(ctx, 'host') ?? '127.0.0.1';
    const token = stringOption(ctx, 'token') ?? ctx.io.env.MODELOPS_SERVE_TOKEN;
    const stamp = (line: string): void => void ctx.io.stderr.write(`${new Date().toISOString()} ${line}\n`);
    // A model folder needs no store; anything else is resolved (and followed) in the store.
    const opened = uri.kind === 'path' ? undefined : await ctx.stores();
    const follower = await ModelFollower.open(opened ? await registryStores(ctx) : null, uri, {
      cwd: ctx.io.cwd,
      log: stamp,
      ...(opened ? { onStoreChange: (l: () => void) => opened.onDidChange(l) } : {}),
    });
    const quiet = ctx.options.quiet === true;
    const running = await startScoringServer(follower, {
      host,
      port,
      ...(token ? { token } : {}),
      ...(maxMb ? { maxBodyBytes: maxMb * 1024 * 1024 } : {}),
      ...(quiet ? {} : { log: stamp }),
    });
    const served = follower.current();
    const following = followsRegistry(uri) ? `; follows ${formatModelUri(uri)}` : '';
    if (ctx.json)
      ctx.printJson({ url: running.url, model: formatModelUri(uri), servedBy: served.servedBy, follows: followsRegistry(uri), token: running.token ?? null });
    else {
      ctx.print(
        `Serving ${served.servedBy}${following} on ${running.url} (MLflow scoring protocol: POST ${running.url}/invocations; header ${VERSION_HEADER} names the version); Ctrl-C to stop`,
      );
      if (running.token) ctx.print(`Clients must send: Authorization: Bearer ${running.token}`);
    }
    await untilStopped(ctx.signal);
    if (!ctx.json) ctx.print('stopping: finishing requests in flight…');
    follower.dispose();
    await running.close();
    if (!ctx.json) ctx.print('stopped');
  },
};
