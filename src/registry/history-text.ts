// A model's history as one readable text: the editor's "Show Model History" document.
import type { AuditEntry, ModelVersion } from '../core/registry';
import type { ValidationReport } from './report';
import { gatesSummary, validationOutcomeText } from './report';

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function change(e: AuditEntry): string {
  if (e.alias) return ` @${e.alias}`;
  if (e.fromStage && e.toStage && e.fromStage !== e.toStage) return ` ${e.fromStage} → ${e.toStage}`;
  return '';
}

/**
 * Versions with their source runs, then every registration, validation, approval, rejection and
 * transition, newest first, each with actor, time, comment and the report it relied on.
 */
export function modelHistoryText(name: string, versions: readonly ModelVersion[], trail: readonly AuditEntry[], reports: readonly ValidationReport[]): string {
  const lines = [`# ${name}: history`, '', '## Versions', ''];
  for (const v of versions) lines.push(`- Version ${v.version} · ${v.currentStage} · source run ${v.runId ?? '(none)'} · ${v.source}`);
  if (versions.length === 0) lines.push('- (no versions)');
  lines.push('', '## Audit trail (newest first)', '');
  const byId = new Map(reports.map((r) => [r.reportId, r]));
  for (const e of [...trail].reverse()) {
    const version = e.version ? ` version ${e.version}` : '';
    lines.push(`- ${utc(e.time)} · ${e.actor} · ${e.action}${version}${change(e)}${e.comment ? ` — “${e.comment}”` : ''}`);
    const r = e.reportId ? byId.get(e.reportId) : undefined;
    if (r) lines.push(`  - report ${r.reportId.slice(0, 8)}: validation ${validationOutcomeText(r.passed, r.fromStage, r.toStage)} (${gatesSummary(r.gates)})`);
    else if (e.reportId) lines.push(`  - report ${e.reportId.slice(0, 8)}`);
  }
  if (trail.length === 0) lines.push('- (nothing recorded yet)');
  return `${lines.join('\n')}\n`;
}
