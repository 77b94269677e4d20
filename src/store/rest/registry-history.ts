import type { AuditEntry, ModelVersion } from '../../core/registry';
import { ModelOpsError } from '../../core/errors';
import type { Tag } from '../../core/tracking';
import type { ValidationReport } from '../../registry/report';
import { reportsOf, reportTags } from '../../registry/registry-tags';
import type { RegistryHistory } from '../registry-store';
import type { LedgerEntry, RegistryLedger } from './registry-ledger';

/** The identity of an audit entry across stores: everything but its id. */
export function auditIdentity(e: Omit<AuditEntry, 'id' | 'name'>): string {
  return JSON.stringify([e.time, e.actor, e.action, e.version, e.fromStage, e.toStage, e.alias, e.comment, e.reportId]);
}

/** Validation reports written as version tags, and history copied from another store (`modelops sync`). */
export class RegistryHistoryWriter {
  constructor(
    private readonly ledger: RegistryLedger,
    private readonly get: (name: string, version: string) => Promise<ModelVersion>,
    private readonly setTag: (name: string, version: string, tag: Tag) => Promise<void>,
  ) {}

  /** The report's tags, continuation parts first, so a reader never sees half a report. */
  async writeReport(report: ValidationReport): Promise<void> {
    for (const tag of reportTags(report)) await this.setTag(report.name, report.version, tag);
  }

  /** Copies what is missing here; a report whose version is gone is skipped. */
  async importHistory(name: string, history: RegistryHistory): Promise<{ audit: number; reports: number }> {
    let reports = 0;
    for (const report of history.reports) {
      const version = await this.get(name, report.version).catch((e: unknown) => {
        if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw e;
      });
      if (!version || reportsOf(version).some((r) => r.reportId === report.reportId)) continue;
      await this.writeReport({ ...report, name });
      reports++;
    }
    const have = new Set((await this.ledger.trail(name)).map(auditIdentity));
    const missing: LedgerEntry[] = [];
    for (const e of history.audit) {
      const entry: LedgerEntry = {
        time: e.time,
        actor: e.actor,
        action: e.action,
        version: e.version,
        fromStage: e.fromStage,
        toStage: e.toStage,
        alias: e.alias,
        comment: e.comment,
        reportId: e.reportId,
      };
      const id = auditIdentity(entry);
      if (have.has(id)) continue;
      have.add(id);
      missing.push(entry);
    }
    await this.ledger.append(name, missing);
    return { audit: missing.length, reports };
  }
}
