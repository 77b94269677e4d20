import { ModelOpsError } from '../core/errors';
import type { ModelVersion, RegisteredModel } from '../core/registry';
import type { RegistryStore } from '../store/registry-store';
import type { SyncContext } from './sync-runs';
import { checkCancelled } from './sync-runs';
import { allPages } from '../core/paging';

/**
 * `modelops sync`'s registry: registered models, their versions (source and run mapped to the copied run), stages,
 * aliases and tags, then the audit trail and validation reports (`importHistory`, which adds only what the target
 * lacks). A copied version carries `modelops.sync.origin_version`; versions are copied in order, so a model the
 * target did not have gets the same version numbers, which its history and reports name.
 */
const ORIGIN_VERSION_TAG = 'modelops.sync.origin_version';

export interface RegistryContext extends SyncContext {
  fromRegistry: RegistryStore;
  toRegistry: RegistryStore;
  /** Who the stage moves sync makes are by, in the target's audit trail. */
  actor: string;
}

const versionsOf = (r: RegistryStore, name: string): Promise<ModelVersion[]> =>
  allPages((t) => r.searchModelVersions({ filter: `name = '${name.replace(/'/g, "''")}'`, maxResults: 1000, ...(t ? { pageToken: t } : {}) }));

export async function syncRegistry(ctx: RegistryContext): Promise<void> {
  const models = await allPages<RegisteredModel>((t) => ctx.fromRegistry.searchRegisteredModels({ maxResults: 1000, ...(t ? { pageToken: t } : {}) }));
  for (const model of models) {
    checkCancelled(ctx.signal);
    await syncModel(ctx, model);
  }
}

async function syncModel(ctx: RegistryContext, model: RegisteredModel): Promise<void> {
  const name = model.name;
  const exists = await ctx.toRegistry.getRegisteredModel(name).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await ctx.toRegistry.createRegisteredModel(name, { tags: model.tags, description: model.description });
    ctx.counts.models++;
  }
  const source = [...(await versionsOf(ctx.fromRegistry, name))].sort((a, b) => Number(a.version) - Number(b.version));
  const target = await versionsOf(ctx.toRegistry, name);
  const copied = new Map<string, ModelVersion>();
  for (const v of target) {
    const origin = v.tags.find((t) => t.key === ORIGIN_VERSION_TAG)?.value;
    if (origin) copied.set(origin, v);
  }
  for (const sv of source) {
    let tv = copied.get(sv.version) ?? sameVersion(target, sv, ctx);
    if (!tv) {
      tv = await copyVersion(ctx, sv);
      ctx.counts.versions++;
    }
    if (tv.version !== sv.version) {
      throw new ModelOpsError(
        'INVALID_STATE',
        `sync: '${name}' version ${sv.version} would be version ${tv.version} in the target, which has versions of its own: its history and reports could not name it; rename one of the models first`,
        { location: `models:/${name}` },
      );
    }
  }
  const sourceHistory = {
    audit: await ctx.fromRegistry.getAuditTrail(name),
    reports: (await Promise.all(source.map((v) => ctx.fromRegistry.listValidationReports(name, v.version)))).flat(),
  };
  const added = await ctx.toRegistry.importHistory(name, sourceHistory);
  ctx.counts.audit += added.audit;
  ctx.counts.reports += added.reports;
  for (const sv of source) await syncStageAndAliases(ctx, sv, sourceHistory.reports);
}

/** A version that is the same on both sides (the target is where the source's copy came from). */
function sameVersion(target: ModelVersion[], sv: ModelVersion, ctx: RegistryContext): ModelVersion | undefined {
  const runId = ctx.runMap.get(sv.runId) ?? sv.runId;
  return target.find((v) => v.version === sv.version && v.runId === runId);
}

async function copyVersion(ctx: RegistryContext, sv: ModelVersion): Promise<ModelVersion> {
  const runId = sv.runId ? (ctx.runMap.get(sv.runId) ?? sv.runId) : undefined;
  // A runs:/ source follows its run; any other (a registered path) is kept as it is.
  const source = runId && sv.source.startsWith(`runs:/${sv.runId}/`) ? `runs:/${runId}/${sv.source.slice(`runs:/${sv.runId}/`.length)}` : sv.source;
  const tags = [
    ...sv.tags.filter((t) => !t.key.startsWith('modelops.report.') && t.key !== ORIGIN_VERSION_TAG),
    { key: ORIGIN_VERSION_TAG, value: sv.version },
  ];
  ctx.onProgress?.(`copied ${sv.name} version ${sv.version}`);
  return ctx.toRegistry.createModelVersion({ name: sv.name, source, ...(runId ? { runId } : {}), tags, description: sv.description });
}

async function syncStageAndAliases(
  ctx: RegistryContext,
  sv: ModelVersion,
  reports: { reportId: string; version: string; passed: boolean; createdAt: number }[],
): Promise<void> {
  const tv = await ctx.toRegistry.getModelVersion(sv.name, sv.version);
  if (tv.currentStage !== sv.currentStage) {
    // The move rests on the version's newest passing report (a guarded server asks for one), recorded as sync's.
    const report = reports.filter((r) => r.version === sv.version && r.passed).sort((a, b) => b.createdAt - a.createdAt)[0];
    const move = (stage: string): Promise<ModelVersion> =>
      ctx.toRegistry.transitionModelVersionStage(sv.name, sv.version, stage, false, {
        actor: ctx.actor,
        comment: 'copied by modelops sync',
        ...(report ? { reportId: report.reportId } : {}),
      });
    // Production is reached through Staging, as the lifecycle (and a guarded server) has it.
    if (sv.currentStage === 'Production' && tv.currentStage !== 'Staging') await move('Staging');
    await move(sv.currentStage);
  }
  for (const alias of sv.aliases) {
    if (!tv.aliases.includes(alias))
      await ctx.toRegistry.setRegisteredModelAlias(sv.name, alias, sv.version, { actor: ctx.actor, comment: 'copied by modelops sync' });
  }
}
