import { ModelOpsError } from '../../core/errors';
import { archiveModelVersion, promoteModelVersion, rejectModelVersion } from '../../pipeline/promote';
import type { PromoteResult } from '../../pipeline/promote';
import { defaultActor } from '../../registry/actor';
import type { ValidationReport } from '../../registry/report';
import type { CommandDeps } from './run-commands';
import { sessionFor, targetVersion } from './run-commands';

/** The confirmation text for a promotion: what passed, and what leaves Production. */
export function promotionDetail(name: string, version: string, report: ValidationReport | undefined, archives: string[]): string {
  const lines: string[] = [];
  if (report) {
    lines.push(`Validation ${report.passed ? 'passed' : 'failed'} (${new Date(report.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC):`);
    for (const g of report.gates) lines.push(`  ${g.outcome === 'pass' ? '✓' : g.outcome === 'fail' ? '✗' : '–'} ${g.name}: ${g.message || g.actual}`);
  } else {
    lines.push('No passing validation report: validate the version first.');
  }
  lines.push('');
  lines.push(archives.length > 0 ? `Version ${archives.join(', ')} of ${name} will be archived.` : `${name} has no Production version yet: nothing is archived.`);
  lines.push(`Version ${version} becomes the Production version.`);
  return lines.join('\n');
}

/**
 * Promote to Production: an explicit human approval. Shows the validation summary and the version it
 * will archive in a modal confirmation, asks for the approval comment, then promotes.
 */
export async function promoteToProduction(deps: CommandDeps, arg: unknown, commentArg?: unknown): Promise<PromoteResult | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const target = await targetVersion(deps, session, arg);
  if (!target) return undefined;
  const store = await session.getOrCreate();
  const current = await store.registry.getModelVersion(target.name, target.version);
  if (current.currentStage !== 'Staging') {
    throw new ModelOpsError('INVALID_STATE', `${target.name} version ${target.version} is in ${current.currentStage}: only a Staging version can be promoted to Production (validate it first).`, {
      location: `models:/${target.name}/${target.version}`,
    });
  }
  const report = (await store.registry.listValidationReports(target.name, target.version)).find((r) => r.passed);
  const archives = (await store.registry.getLatestVersions(target.name, ['Production'])).map((v) => v.version).filter((v) => v !== target.version);
  const ok = await deps.ui().confirm(
    `Promote ${target.name} version ${target.version} to Production?`,
    promotionDetail(target.name, target.version, report, archives),
    'Promote',
  );
  if (!ok) return undefined;
  const comment =
    typeof commentArg === 'string'
      ? commentArg
      : await deps.ui().input({ title: `Approve ${target.name} version ${target.version} for Production`, prompt: 'Approval comment (goes to the audit trail)', placeHolder: 'Why this version?' });
  if (!comment || comment.trim() === '') return undefined;
  const result = await promoteModelVersion(store, { name: target.name, version: target.version, approve: true, comment: comment.trim(), actor: defaultActor() });
  const archived = result.archived.length > 0 ? ` Archived version ${result.archived.join(', ')}.` : '';
  void deps.ui().info(`${target.name} version ${target.version} is now in Production.${archived}`);
  return result;
}

/** Reject: the version stays in Staging; the reviewer's comment goes to the audit trail. */
export async function rejectVersion(deps: CommandDeps, arg: unknown, commentArg?: unknown): Promise<boolean> {
  const session = await sessionFor(deps, arg);
  if (!session) return false;
  const target = await targetVersion(deps, session, arg);
  if (!target) return false;
  const comment =
    typeof commentArg === 'string'
      ? commentArg
      : await deps.ui().input({ title: `Reject ${target.name} version ${target.version}`, prompt: 'Reason (goes to the audit trail)' });
  if (!comment || comment.trim() === '') return false;
  const store = await session.getOrCreate();
  await rejectModelVersion(store, { name: target.name, version: target.version, comment: comment.trim(), actor: defaultActor() });
  void deps.ui().info(`Rejected ${target.name} version ${target.version}: it stays in Staging with your comment.`);
  return true;
}

/** Archive a version; archiving the Production version asks first (the model then has none). */
export async function archiveVersion(deps: CommandDeps, arg: unknown): Promise<boolean> {
  const session = await sessionFor(deps, arg);
  if (!session) return false;
  const target = await targetVersion(deps, session, arg);
  if (!target) return false;
  const store = await session.getOrCreate();
  const current = await store.registry.getModelVersion(target.name, target.version);
  if (current.currentStage === 'Production') {
    const ok = await deps.ui().confirm(
      `Archive ${target.name} version ${target.version}?`,
      `It is the Production version: ${target.name} will have no Production version until another one is promoted.`,
      'Archive',
    );
    if (!ok) return false;
  }
  await archiveModelVersion(store, { name: target.name, version: target.version, actor: defaultActor() });
  void deps.ui().info(`Archived ${target.name} version ${target.version}.`);
  return true;
}
