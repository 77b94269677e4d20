import { ModelOpsError } from '../../core/errors';
import { startTrackingServer } from '../../server/http-server';
import type { CommandSpec } from '../command';
import { intOption } from '../option-values';
import { registryStores } from './registry-context';

/** `modelops server`: MLflow's tracking REST API over the workspace store, until Ctrl-C. */
export const serverCommand: CommandSpec = {
  path: ['server'],
  summary: "serve MLflow's tracking and model-registry REST API over the store (for mlflow clients: MLFLOW_TRACKING_URI=http://127.0.0.1:5000)",
  writes: true,
  options: {
    host: { type: 'string', value: '<address>', description: 'address to listen on (default 127.0.0.1; anything else exposes the store to the network)' },
    port: { type: 'string', value: '<n>', description: 'port (default 5000; 0 = any free port)' },
    quiet: { type: 'boolean', description: 'do not log requests on stderr' },
  },
  async run(ctx) {
    const port = intOption(ctx, 'port', 0) ?? 5000;
    if (port > 65535) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--port must be at most 65535, got ${port}`, { location: 'port' });
    const host = typeof ctx.options.host === 'string' ? ctx.options.host : '127.0.0.1';
    // Tracking and the model registry on one store database.
    const stores = await registryStores(ctx);
    const quiet = ctx.options.quiet === true;
    const running = await startTrackingServer(stores, { host, port, log: quiet ? undefined : (line) => ctx.io.stderr.write(`${new Date().toISOString()} ${line}\n`) });
    if (ctx.json) ctx.printJson({ url: running.url, store: ctx.storeUri });
    else ctx.print(`MLflow tracking and model-registry API (2.10.2) on ${running.url} for ${ctx.storeUri}; Ctrl-C to stop`);
    await new Promise<void>((resolveStop) => {
      if (ctx.signal.aborted) resolveStop();
      else ctx.signal.addEventListener('abort', () => resolveStop(), { once: true });
    });
    await running.close();
    if (!ctx.json) ctx.print('stopped');
  },
};
