import { archiveModelVersion, promoteModelVersion, rejectModelVersion } from '../../pipeline/promote';
import type { CommandSpec } from '../command';
import { requiredString } from '../option-values';
import { actorOf, actorOption, registryStores, stringOption } from './registry-context';

/** `modelops promote|reject|archive`: the human steps of the lifecycle. */

const target = {
  name: { type: 'string', value: '<model>', required: true, description: 'registered model' },
  version: { type: 'string', value: '<n>', required: true, description: 'model version' },
} as const;

export const promoteCommand: CommandSpec = {
  path: ['promote'],
  summary: 'promote a Staging version to Production with an explicit approval (the previous Production version is archived)',
  writes: true,
  options: {
    ...target,
    to: { type: 'string', value: '<stage>', description: 'target stage (Production)' },
    approve: { type: 'boolean', description: 'the explicit approval; required' },
    comment: { type: 'string', value: '<text>', description: 'why, for the audit trail; required' },
    ...actorOption,
  },
  async run(ctx) {
    const stores = await registryStores(ctx);
    const name = requiredString(ctx, 'name');
    const r = await promoteModelVersion(stores, {
      name,
      version: requiredString(ctx, 'version'),
      to: stringOption(ctx, 'to') ?? 'Production',
      approve: ctx.options.approve === true,
      comment: stringOption(ctx, 'comment') ?? '',
      actor: actorOf(ctx),
    });
    if (ctx.json) ctx.printJson(r);
    else {
      ctx.print(`${name} version ${r.version.version} is now in ${r.version.currentStage}`);
      for (const v of r.archived) ctx.print(`${name} version ${v}: Production → Archived`);
    }
  },
};

export const rejectCommand: CommandSpec = {
  path: ['reject'],
  summary: "reject a Staging version after review; it stays in Staging with the reviewer's comment",
  writes: true,
  options: { ...target, comment: { type: 'string', value: '<text>', description: 'why; required' }, ...actorOption },
  async run(ctx) {
    const stores = await registryStores(ctx);
    const entry = await rejectModelVersion(stores, {
      name: requiredString(ctx, 'name'),
      version: requiredString(ctx, 'version'),
      comment: stringOption(ctx, 'comment') ?? '',
      actor: actorOf(ctx),
    });
    if (ctx.json) ctx.printJson(entry);
    else ctx.print(`rejected ${entry.name} version ${entry.version} (stays in Staging): ${entry.comment}`);
  },
};

export const archiveCommand: CommandSpec = {
  path: ['archive'],
  summary: 'archive a version (from None, Staging or Production)',
  writes: true,
  options: { ...target, comment: { type: 'string', value: '<text>', description: 'why, for the audit trail' }, ...actorOption },
  async run(ctx) {
    const stores = await registryStores(ctx);
    const comment = stringOption(ctx, 'comment');
    const v = await archiveModelVersion(stores, {
      name: requiredString(ctx, 'name'),
      version: requiredString(ctx, 'version'),
      actor: actorOf(ctx),
      ...(comment ? { comment } : {}),
    });
    if (ctx.json) ctx.printJson(v);
    else ctx.print(`${v.name} version ${v.version} is now Archived`);
  },
};
