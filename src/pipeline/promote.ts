import { ModelOpsError } from '../core/errors';
import type { AuditEntry, ModelVersion } from '../core/registry';
import type { Stage } from '../core/stages';
import { canonicalStage } from '../core/stages';
import { checkReject, checkTransition } from '../registry/lifecycle';
import type { ValidationReport } from '../registry/report';
import type { Stores } from './model-resolve';
import { versionModelDir } from './model-resolve';

export interface PromoteOptions {
  name: string;
  version: string;
  /** Target stage; only Production is reached by promotion (Staging comes from validation). */
  to?: string;
  /** The explicit human approval. Never implied. */
  approve: boolean;
  comment: string;
  actor: string;
}

export interface PromoteResult {
  version: ModelVersion;
  /** Versions that left Production in the same transaction. */
  archived: string[];
  /** The passing validation report the approval relied on. */
  report: ValidationReport | undefined;
}

/**
 * Staging → Production with an explicit approval; the previous Production version is archived in the
 * same transaction (there is never a moment with two or zero Production versions). The newest
 * passing validation report of the version is recorded with the approval.
 */
export async function promoteModelVersion(stores: Stores, o: PromoteOptions): Promise<PromoteResult> {
  const to: Stage = canonicalStage(o.to ?? 'Production');
  const current = await stores.registry.getModelVersion(o.name, o.version);
  checkTransition({ name: o.name, version: current.version, from: current.currentStage, to, via: 'approval', approved: o.approve, comment: o.comment });
  await versionModelDir(stores.tracking, current); // an approval is for the registered bytes only
  const report = (await stores.registry.listValidationReports(o.name, current.version)).find((r) => r.passed);
  if (!report) {
    throw new ModelOpsError(
      'INVALID_STATE',
      `version ${current.version} of '${o.name}' has no passing validation report; run modelops validate --name ${o.name} --version ${current.version} first`,
      { location: `models:/${o.name}/${current.version}` },
    );
  }
  const version = await stores.registry.transitionModelVersionStage(o.name, current.version, to, true, {
    actor: o.actor,
    action: 'approve',
    comment: o.comment,
    reportId: report.reportId,
    expectStage: current.currentStage,
  });
  // The versions this transaction archived: its audit rows share the version's update time.
  const archived = (await stores.registry.getAuditTrail(o.name))
    .filter((e) => e.action === 'archive' && e.time === version.lastUpdatedTimestamp && e.comment === `replaced by version ${version.version}`)
    .map((e) => e.version!);
  return { version, archived, report };
}

export interface ReviewOptions {
  name: string;
  version: string;
  comment: string;
  actor: string;
}

/** The reviewer says no: the version stays in Staging and the comment goes to the audit trail. */
export async function rejectModelVersion(stores: Stores, o: ReviewOptions): Promise<AuditEntry> {
  const current = await stores.registry.getModelVersion(o.name, o.version);
  checkReject(o.name, current.version, current.currentStage, o.comment);
  const report = (await stores.registry.listValidationReports(o.name, current.version))[0];
  return stores.registry.recordAudit(o.name, current.version, {
    actor: o.actor,
    action: 'reject',
    comment: o.comment,
    ...(report ? { reportId: report.reportId } : {}),
  });
}

/** Archives a version explicitly (from None, Staging or Production). */
export async function archiveModelVersion(stores: Stores, o: Omit<ReviewOptions, 'comment'> & { comment?: string }): Promise<ModelVersion> {
  const current = await stores.registry.getModelVersion(o.name, o.version);
  checkTransition({ name: o.name, version: current.version, from: current.currentStage, to: 'Archived', via: 'archive' });
  return stores.registry.transitionModelVersionStage(o.name, current.version, 'Archived', false, {
    actor: o.actor,
    action: 'archive',
    ...(o.comment ? { comment: o.comment } : {}),
    expectStage: current.currentStage,
  });
}

/** Points an alias (champion, challenger, ...) at a version; it moves if it pointed elsewhere. */
export async function setAlias(stores: Stores, o: { name: string; alias: string; version: string; actor: string; comment?: string }): Promise<ModelVersion> {
  await stores.registry.setRegisteredModelAlias(o.name, o.alias, o.version, { actor: o.actor, ...(o.comment ? { comment: o.comment } : {}) });
  return stores.registry.getModelVersionByAlias(o.name, o.alias);
}

export async function deleteAlias(stores: Stores, o: { name: string; alias: string; actor: string; comment?: string }): Promise<void> {
  await stores.registry.getModelVersionByAlias(o.name, o.alias); // unknown alias → MLflow's clear error
  await stores.registry.deleteRegisteredModelAlias(o.name, o.alias, { actor: o.actor, ...(o.comment ? { comment: o.comment } : {}) });
}
