import { ModelOpsError } from '../../core/errors';
import { syncStores } from '../../pipeline/sync';
import type { Stores } from '../../store/open';
import { openStores, resolveStoreLocation } from '../../store/open';
import type { CommandContext, CommandSpec } from '../command';
import { formatFields } from '../output';
import { actorOf, actorOption } from './registry-context';

function locationText(ctx: CommandContext, uri: string): string {
  const l = resolveStoreLocation(uri, ctx.io.cwd);
  return l.kind === 'rest' ? l.url : l.path;
}

async function open(ctx: CommandContext, uri: string, create: boolean): Promise<Stores> {
  return openStores(uri, { cwd: ctx.io.cwd, env: ctx.io.env, create, engine: ctx.io.env.MODELOPS_STORE_ENGINE, pollIntervalMs: 0 });
}

/** `modelops sync`: copies a store into another (workspace ↔ server); a second run copies nothing. */
export const syncCommand: CommandSpec = {
  path: ['sync'],
  summary:
    'copy experiments, runs (with metric histories and artifacts), registered models, versions, aliases and the audit trail from one store to another; run again to resume, copies nothing twice',
  writes: true,
  options: {
    from: { type: 'string', value: '<store>', description: 'the store to copy from: a path, sqlite:/// URI or http(s):// server (default --store)' },
    to: { type: 'string', value: '<store>', description: 'the store to copy into (default --store)' },
    ...actorOption,
  },
  async run(ctx) {
    const from = typeof ctx.options.from === 'string' ? ctx.options.from : ctx.storeUri;
    const to = typeof ctx.options.to === 'string' ? ctx.options.to : ctx.storeUri;
    if (locationText(ctx, from) === locationText(ctx, to)) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `sync: --from and --to are the same store (${locationText(ctx, from)}); give the other one`, {
        location: 'to',
      });
    }
    const source = await open(ctx, from, false);
    try {
      const target = await open(ctx, to, true);
      try {
        const counts = await syncStores(source, target, {
          actor: actorOf(ctx),
          signal: ctx.signal,
          onProgress: (m) => (ctx.json ? undefined : ctx.io.stderr.write(`${m}\n`)),
        });
        if (ctx.json) return ctx.printJson(counts);
        ctx.print(
          formatFields(
            Object.entries({
              from: locationText(ctx, from),
              to: locationText(ctx, to),
              ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [k === 'skipped' ? 'runs already there' : `${k} copied`, String(v)])),
            }),
          ),
        );
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  },
};
