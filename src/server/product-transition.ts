import { ModelOpsError } from '../core/errors';
import type { ModelVersion } from '../core/registry';
import type { Stage } from '../core/stages';
import { checkTransition } from '../registry/lifecycle';
import { reportsOf, STAGE_REQUEST_TAG, stageRequestOf } from '../registry/registry-tags';
import type { RegistryStore } from '../store/registry-store';
import type { RouteContext } from './route';

/**
 * A move to Staging or Production through the REST API is the product's own when the version carries a
 * `modelops.stage_request` (src/registry/registry-tags.ts) that matches it and names a passing validation report the
 * version carries: ModelOps's REST store writes one after a validation passed or a human approved, just before it
 * calls `transition-stage`. The lifecycle's rules are checked here again (a pass only raises to Staging; Production
 * only from Staging, with an approval comment); the report goes into this workspace's own table, the audit row names
 * the server's authenticated caller (the claimed actor only on an unauthenticated loopback server), and the request
 * is taken off the version. Anything else stays refused with what to do instead.
 */
export type Refusal = (name: string, version: string, current: Stage, stage: Stage) => never;

export async function productTransition(
  c: RouteContext,
  r: RegistryStore,
  v: ModelVersion,
  stage: Stage,
  archiveExisting: boolean,
  refuse: Refusal,
): Promise<ModelVersion | undefined> {
  const request = stageRequestOf(v);
  if (!request || request.to !== stage || request.from !== v.currentStage) return refuse(v.name, v.version, v.currentStage, stage);
  const report = reportsOf(v).find((x) => x.reportId === request.reportId);
  const where = `models:/${v.name}/${v.version}`;
  if (!report || !report.passed || report.name !== v.name || report.version !== v.version) {
    throw new ModelOpsError(
      'INVALID_STATE',
      `version ${v.version} of '${v.name}' cannot move to ${stage}: its stage request names validation report ${request.reportId}, which the version does not carry as a passing report`,
      { location: where },
    );
  }
  const actor = c.authenticated ? c.actor : request.actor || c.actor;
  const comment = request.comment;
  if (stage === 'Staging')
    checkTransition({ name: v.name, version: v.version, from: v.currentStage, to: 'Staging', via: 'validation', validationPassed: true });
  else
    checkTransition({
      name: v.name,
      version: v.version,
      from: v.currentStage,
      to: 'Production',
      via: 'approval',
      approved: request.action === 'approve',
      comment,
    });
  const known = await r.getValidationReport(report.reportId).then(
    () => true,
    () => false,
  );
  let moved: ModelVersion;
  if (stage === 'Staging' && !known && !archiveExisting && report.fromStage === v.currentStage) {
    moved = await r.recordValidation(
      { report: { ...report, toStage: 'Staging' }, toStage: 'Staging' },
      { actor, action: 'validate', ...(comment ? { comment } : {}) },
    );
  } else {
    if (!known) await r.importHistory(v.name, { audit: [], reports: [report] });
    moved = await r.transitionModelVersionStage(v.name, v.version, stage, archiveExisting, {
      actor,
      action: stage === 'Production' ? 'approve' : 'validate',
      ...(comment ? { comment } : {}),
      reportId: report.reportId,
      expectStage: v.currentStage,
    });
  }
  await r.deleteModelVersionTag(v.name, v.version, STAGE_REQUEST_TAG);
  return { ...moved, tags: moved.tags.filter((t) => t.key !== STAGE_REQUEST_TAG) };
}
