import type { ModelVersion, RegisteredModel } from '../../core/registry';
import { deleteAlias, setAlias } from '../../pipeline/promote';
import type { CommandSpec } from '../command';
import { requiredString } from '../option-values';
import { formatFields, formatTable, formatTime } from '../output';
import { actorOf, actorOption, registryStores, stringOption, versionTable } from './registry-context';
import { allPages } from '../../core/paging';

/** `modelops models list|show|history` and `modelops alias set|delete`. */

async function allModels(ctx: Parameters<CommandSpec['run']>[0]): Promise<RegisteredModel[]> {
  const { registry } = await registryStores(ctx);
  const filter = stringOption(ctx, 'filter');
  return allPages((pageToken) => registry.searchRegisteredModels({ maxResults: 1000, ...(filter ? { filter } : {}), ...(pageToken ? { pageToken } : {}) }));
}

const stageSummary = (m: RegisteredModel): string => m.latestVersions.map((v) => `${v.currentStage}:v${v.version}`).join(' ');

export const modelsListCommand: CommandSpec = {
  path: ['models', 'list'],
  summary: 'list registered models with their latest version per stage and aliases',
  options: { filter: { type: 'string', value: '<expr>', description: 'MLflow filter, e.g. "name LIKE \'churn%\'"' } },
  async run(ctx) {
    const models = await allModels(ctx);
    if (ctx.json) return void ctx.printJson(models);
    if (models.length === 0) return void ctx.print('no registered models (register one with modelops register --run <id> --name <model>)');
    ctx.print(
      formatTable(models, [
        { header: 'NAME', value: (m) => m.name },
        { header: 'LATEST PER STAGE', value: stageSummary },
        { header: 'ALIASES', value: (m) => m.aliases.map((a) => `${a.alias}→v${a.version}`).join(' ') },
        { header: 'UPDATED', value: (m) => formatTime(m.lastUpdatedTimestamp) },
        { header: 'DESCRIPTION', value: (m) => m.description, max: 40 },
      ]),
    );
  },
};

export const modelsShowCommand: CommandSpec = {
  path: ['models', 'show'],
  summary: 'show a registered model and all its versions',
  args: '<name>',
  async run(ctx) {
    const name = ctx.args[0] ?? stringOption(ctx, 'name', true, 'models show');
    const { registry } = await registryStores(ctx);
    const model = await registry.getRegisteredModel(name);
    const versions: ModelVersion[] = (await registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "''")}'`, orderBy: ['version_number DESC'] }))
      .items;
    if (ctx.json) return void ctx.printJson({ ...model, versions });
    ctx.print(
      formatFields([
        ['name', model.name],
        ['description', model.description],
        ['created', formatTime(model.creationTimestamp)],
        ['updated', formatTime(model.lastUpdatedTimestamp)],
        ['tags', model.tags.map((t) => `${t.key}=${t.value}`).join(', ')],
        ['aliases', model.aliases.map((a) => `${a.alias}→v${a.version}`).join(', ')],
      ]),
    );
    ctx.print(versions.length ? versionTable(versions) : 'no versions yet');
  },
};

export const modelsHistoryCommand: CommandSpec = {
  path: ['models', 'history'],
  summary: 'the audit trail of a model: every transition, approval, rejection and alias change',
  args: '<name>',
  options: { version: { type: 'string', value: '<n>', description: 'only this version' } },
  async run(ctx) {
    const name = ctx.args[0] ?? stringOption(ctx, 'name', true, 'models history');
    const { registry } = await registryStores(ctx);
    await registry.getRegisteredModel(name);
    const version = stringOption(ctx, 'version');
    const trail = await registry.getAuditTrail(name, version);
    if (ctx.json) return void ctx.printJson(trail);
    if (trail.length === 0) return void ctx.print(`no history for ${name}${version ? ` version ${version}` : ''}`);
    ctx.print(
      formatTable(trail, [
        { header: 'TIME', value: (e) => formatTime(e.time) },
        { header: 'ACTOR', value: (e) => e.actor },
        { header: 'ACTION', value: (e) => e.action },
        { header: 'VERSION', value: (e) => e.version ?? '', right: true },
        { header: 'CHANGE', value: (e) => (e.alias ? `@${e.alias}: ` : '') + `${e.fromStage ?? '-'} → ${e.toStage ?? '-'}` },
        { header: 'COMMENT', value: (e) => e.comment ?? '', max: 40 },
        { header: 'REPORT', value: (e) => (e.reportId ?? '').slice(0, 8) },
      ]),
    );
  },
};

export const aliasSetCommand: CommandSpec = {
  path: ['alias', 'set'],
  summary: 'point an alias (champion, challenger, ...) at a version; it moves if already set',
  writes: true,
  options: {
    name: { type: 'string', value: '<model>', required: true, description: 'registered model' },
    alias: { type: 'string', value: '<alias>', required: true, description: 'alias name' },
    version: { type: 'string', value: '<n>', required: true, description: 'version the alias points to' },
    comment: { type: 'string', value: '<text>', description: 'why, for the audit trail' },
    ...actorOption,
  },
  async run(ctx) {
    const comment = stringOption(ctx, 'comment');
    const v = await setAlias(await registryStores(ctx), {
      name: requiredString(ctx, 'name'),
      alias: requiredString(ctx, 'alias'),
      version: requiredString(ctx, 'version'),
      actor: actorOf(ctx),
      ...(comment ? { comment } : {}),
    });
    if (ctx.json) ctx.printJson(v);
    else ctx.print(`models:/${v.name}@${String(ctx.options.alias)} → version ${v.version} (${v.currentStage})`);
  },
};

export const aliasDeleteCommand: CommandSpec = {
  path: ['alias', 'delete'],
  summary: 'remove an alias',
  writes: true,
  options: {
    name: { type: 'string', value: '<model>', required: true, description: 'registered model' },
    alias: { type: 'string', value: '<alias>', required: true, description: 'alias name' },
    ...actorOption,
  },
  async run(ctx) {
    const name = requiredString(ctx, 'name');
    const alias = requiredString(ctx, 'alias');
    await deleteAlias(await registryStores(ctx), { name, alias, actor: actorOf(ctx) });
    if (ctx.json) ctx.printJson({});
    else ctx.print(`removed alias ${alias} of ${name}`);
  },
};
