import { ModelOpsError } from '../../core/errors';
import { modelVersionFromJson } from '../../core/mlflow-wire';
import type { AuditInput, ModelVersion } from '../../core/registry';
import type { Stage } from '../../core/stages';
import type { StageRequest } from '../../registry/registry-tags';
import { STAGE_REQUEST_TAG, stageRequestTag } from '../../registry/registry-tags';
import type { TransitionAudit, ValidationOutcome } from '../registry-store';
import { ORPHAN_TAG, OWNER_TAG, VALIDATION_TAG } from '../run-owner';
import type { MlflowClient } from './mlflow-client';
import type { RegistryHistoryWriter } from './registry-history';
import type { LedgerEntry, RegistryLedger } from './registry-ledger';

/** The tags a running validation puts on its version (pipeline/validate.ts); the report clears them. */
const VALIDATION_MARKS = [VALIDATION_TAG, ORPHAN_TAG, OWNER_TAG.pid, OWNER_TAG.host, OWNER_TAG.started];

/**
 * Stage changes on an MLflow server, with their audit entries. A move to Staging or Production that carries a
 * validation report (a passing validation, or an approval that relies on one) is announced first as the version's
 * `modelops.stage_request` tag (src/registry/registry-tags.ts): `modelops server` admits such a move only when the
 * request matches it, and takes the request off in the same step; any other MLflow server ignores the tag, which is
 * removed here once the move is made. `expectStage` is checked just before the move (MLflow has no
 * compare-and-set, so two reviewers racing are told apart by the audit trail, not prevented).
 */
export class StageMover {
  constructor(
    private readonly client: MlflowClient,
    private readonly ledger: RegistryLedger,
    private readonly actor: (audit: AuditInput) => string,
    private readonly get: (name: string, version: string) => Promise<ModelVersion>,
    private readonly versionsOf: (name: string) => Promise<ModelVersion[]>,
  ) {}

  async move(name: string, version: string, target: Stage, archiveExisting: boolean, audit?: TransitionAudit): Promise<ModelVersion> {
    const current = await this.get(name, version);
    const v = current.version;
    if (audit?.expectStage !== undefined && current.currentStage !== audit.expectStage) {
      throw new ModelOpsError(
        'INVALID_STATE',
        `version ${v} of '${name}' is now in ${current.currentStage}, not ${audit.expectStage}; look again before changing it`,
        {
          location: `models:/${name}/${v}`,
        },
      );
    }
    const replaced = archiveExisting ? (await this.versionsOf(name)).filter((o) => o.version !== v && o.currentStage === target) : [];
    const request = audit ? this.requestFor(current, target, archiveExisting, audit) : undefined;
    if (request) await this.client.call('POST', 'model-versions/set-tag', { name, version: v, ...stageRequestTag(request) });
    let moved: ModelVersion;
    try {
      const r = await this.client.call('POST', 'model-versions/transition-stage', {
        name,
        version: v,
        stage: target,
        archive_existing_versions: archiveExisting,
      });
      moved = modelVersionFromJson(r.model_version);
    } catch (e) {
      if (request) await this.clearRequest(name, v);
      throw e;
    }
    if (audit) {
      const actor = this.actor(audit);
      const time = moved.lastUpdatedTimestamp || Date.now();
      const common = { actor, time, alias: null, reportId: audit.reportId ?? null };
      const entries: LedgerEntry[] = replaced.map((o) => ({
        ...common,
        action: 'archive',
        version: o.version,
        fromStage: target,
        toStage: 'Archived',
        comment: `replaced by version ${v}`,
      }));
      entries.push({
        ...common,
        action: audit.action ?? 'transition',
        version: v,
        fromStage: current.currentStage,
        toStage: target,
        comment: audit.comment ?? null,
      });
      await this.ledger.append(name, entries);
    }
    if (request) await this.clearRequest(name, v);
    return { ...moved, aliases: moved.aliases.length > 0 ? moved.aliases : current.aliases };
  }

  /** The request `modelops server` checks: only for the product's own moves, which name the report they rest on. */
  private requestFor(current: ModelVersion, target: Stage, archiveExisting: boolean, audit: TransitionAudit): StageRequest | undefined {
    if ((target !== 'Staging' && target !== 'Production') || !audit.reportId) return undefined;
    return {
      from: current.currentStage,
      to: target,
      action: target === 'Production' ? 'approve' : 'validate',
      actor: this.actor(audit),
      reportId: audit.reportId,
      ...(audit.comment ? { comment: audit.comment } : {}),
      archiveExisting,
      time: Date.now(),
    };
  }

  private async clearRequest(name: string, version: string): Promise<void> {
    const v = await this.get(name, version).catch(() => undefined);
    if (v?.tags.some((t) => t.key === STAGE_REQUEST_TAG))
      await this.client.call('DELETE', 'model-versions/delete-tag', { name, version, key: STAGE_REQUEST_TAG }).catch(() => undefined);
  }

  /** The report goes on the version, its in-flight marks come off, then the version moves (or stays) with its audit entry. */
  async recordValidation(outcome: ValidationOutcome, audit: AuditInput, history: RegistryHistoryWriter): Promise<ModelVersion> {
    const { report, toStage } = outcome;
    const current = await this.get(report.name, report.version);
    if (current.currentStage !== report.fromStage) {
      throw new ModelOpsError(
        'INVALID_STATE',
        `version ${report.version} of '${report.name}' moved from ${report.fromStage} to ${current.currentStage} while it was being validated; validate it again`,
        { location: `models:/${report.name}/${report.version}` },
      );
    }
    await history.writeReport(report);
    for (const key of VALIDATION_MARKS) {
      if (current.tags.some((t) => t.key === key))
        await this.client.call('DELETE', 'model-versions/delete-tag', { name: report.name, version: current.version, key });
    }
    const withReport: TransitionAudit = { ...audit, action: audit.action ?? 'validate', reportId: report.reportId };
    if (toStage !== current.currentStage) return this.move(report.name, current.version, toStage, false, withReport);
    await this.ledger.append(report.name, [
      {
        time: Date.now(),
        actor: this.actor(audit),
        action: withReport.action!,
        version: current.version,
        fromStage: current.currentStage,
        toStage: current.currentStage,
        alias: null,
        comment: audit.comment ?? null,
        reportId: report.reportId,
      },
    ]);
    return this.get(report.name, current.version);
  }
}
