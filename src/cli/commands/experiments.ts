import { ModelOpsError } from '../../core/errors';
import type { Experiment, ViewType } from '../../core/tracking';
import type { CommandContext, CommandSpec } from '../command';
import { formatTable, formatTime } from '../output';

/** `modelops experiments list|create|delete|restore|rename`. */

function viewType(ctx: CommandContext): ViewType {
  if (ctx.options.all === true) return 'ALL';
  if (ctx.options.deleted === true) return 'DELETED_ONLY';
  return 'ACTIVE_ONLY';
}

function arg(ctx: CommandContext, index: number, name: string): string {
  const v = ctx.args[index];
  if (v === undefined || v === '') throw new ModelOpsError('INVALID_PARAMETER_VALUE', `missing <${name}>`);
  return v;
}

/** An experiment given by id or by name. */
export async function resolveExperimentId(ctx: CommandContext, idOrName: string): Promise<string> {
  const store = await ctx.trackingStore();
  if (/^\d+$/.test(idOrName)) return idOrName;
  const e = await store.getExperimentByName(idOrName);
  if (!e) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `no experiment named '${idOrName}'`, { location: idOrName });
  return e.experimentId;
}

const list: CommandSpec = {
  path: ['experiments', 'list'],
  summary: 'list experiments',
  options: {
    all: { type: 'boolean', description: 'include deleted experiments' },
    deleted: { type: 'boolean', description: 'only deleted experiments' },
    filter: { type: 'string', value: '<expr>', description: 'MLflow filter, e.g. "name LIKE \'churn%\'"' },
  },
  async run(ctx) {
    const store = await ctx.trackingStore();
    const items: Experiment[] = [];
    let pageToken: string | undefined;
    do {
      const page = await store.searchExperiments({ viewType: viewType(ctx), filter: ctx.options.filter as string | undefined, maxResults: 1000, pageToken });
      items.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    if (ctx.json) return ctx.printJson(items);
    if (items.length === 0) return ctx.print('no experiments');
    ctx.print(
      formatTable(items, [
        { header: 'ID', value: (e) => e.experimentId, right: true },
        { header: 'NAME', value: (e) => e.name, max: 40 },
        { header: 'STAGE', value: (e) => e.lifecycleStage },
        { header: 'CREATED', value: (e) => formatTime(e.creationTime) },
        { header: 'ARTIFACTS', value: (e) => e.artifactLocation, max: 60 },
      ]),
    );
  },
};

const create: CommandSpec = {
  path: ['experiments', 'create'],
  summary: 'create an experiment',
  args: '<name>',
  writes: true,
  options: {
    tag: { type: 'string', multiple: true, value: '<key=value>', description: 'experiment tag (repeatable)' },
    'artifact-location': { type: 'string', value: '<path>', description: 'artifact folder (default <store folder>/artifacts/<id>)' },
  },
  async run(ctx) {
    const name = arg(ctx, 0, 'name');
    const tags = ((ctx.options.tag as string[] | undefined) ?? []).map((t) => {
      const i = t.indexOf('=');
      if (i <= 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--tag '${t}' must be key=value`);
      return { key: t.slice(0, i), value: t.slice(i + 1) };
    });
    const store = await ctx.trackingStore();
    const id = await store.createExperiment(name, tags, ctx.options['artifact-location'] as string | undefined);
    if (ctx.json) return ctx.printJson(await store.getExperiment(id));
    ctx.print(`created experiment ${id} '${name}'`);
  },
};

const del: CommandSpec = {
  path: ['experiments', 'delete'],
  summary: 'mark an experiment (and its runs) deleted; restorable',
  args: '<id|name>',
  writes: true,
  async run(ctx) {
    const id = await resolveExperimentId(ctx, arg(ctx, 0, 'id|name'));
    await (await ctx.trackingStore()).deleteExperiment(id);
    if (ctx.json) return ctx.printJson({ experimentId: id, lifecycleStage: 'deleted' });
    ctx.print(`deleted experiment ${id}`);
  },
};

const restore: CommandSpec = {
  path: ['experiments', 'restore'],
  summary: 'restore a deleted experiment and its runs',
  args: '<id|name>',
  writes: true,
  async run(ctx) {
    const id = await resolveExperimentId(ctx, arg(ctx, 0, 'id|name'));
    await (await ctx.trackingStore()).restoreExperiment(id);
    if (ctx.json) return ctx.printJson({ experimentId: id, lifecycleStage: 'active' });
    ctx.print(`restored experiment ${id}`);
  },
};

const rename: CommandSpec = {
  path: ['experiments', 'rename'],
  summary: 'rename an experiment',
  args: '<id|name> <new-name>',
  writes: true,
  async run(ctx) {
    const id = await resolveExperimentId(ctx, arg(ctx, 0, 'id|name'));
    const newName = arg(ctx, 1, 'new-name');
    await (await ctx.trackingStore()).renameExperiment(id, newName);
    if (ctx.json) return ctx.printJson({ experimentId: id, name: newName });
    ctx.print(`renamed experiment ${id} to '${newName}'`);
  },
};

export const experimentCommands: readonly CommandSpec[] = [list, create, del, restore, rename];
