import { ModelOpsError } from '../../core/errors';
import { archiveModelVersion, promoteModelVersion, rejectModelVersion } from '../../pipeline/promote';
import type { PromoteResult } from '../../pipeline/promote';
import { defaultActor } from '../../registry/actor';
import type { ValidationReport } from '../../registry/report';
import type { CommandDeps } from './run-commands';
import type { ReportDocuments } from '../report-documents';
import { modelHistoryText } from '../../registry/history-text';
import { listModels, listVersions } from '../views/models-tree';
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
  lines.push(
    archives.length > 0 ? `Version ${archives.join(', ')} of ${name} will be archived.` : `${name} has no Production version yet: nothing is archived.`,
  );
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
    throw new ModelOpsError(
      'INVALID_STATE',
      `${target.name} version ${target.version} is in ${current.currentStage}: only a Staging version can be promoted to Production (validate it first).`,
      {
        location: `models:/${target.name}/${target.version}`,
      },
    );
  }
  const report = (await store.registry.listValidationReports(target.name, target.version)).find((r) => r.passed);
  const archives = (await store.registry.getLatestVersions(target.name, ['Production'])).map((v) => v.version).filter((v) => v !== target.version);
  const ok = await deps
    .ui()
    .confirm(`Promote ${target.name} version ${target.version} to Production?`, promotionDetail(target.name, target.version, report, archives), 'Promote');
  if (!ok) return undefined;
  const comment =
    typeof commentArg === 'string'
      ? commentArg
      : await deps.ui().input({
          title: `Approve ${target.name} version ${target.version} for Production`,
          prompt: 'Approval comment (goes to the audit trail)',
          placeHolder: 'Why this version?',
        });
  if (comment === undefined) return undefined;
  if (comment.trim() === '') {
    // Said, not silently dropped: the audit trail needs the reason for an approval.
    void deps
      .ui()
      .info(
        `${target.name} version ${target.version} was not promoted: an approval needs a comment (it goes to the audit trail). Promote again and write why.`,
      );
    return undefined;
  }
  const result = await promoteModelVersion(store, {
    name: target.name,
    version: target.version,
    approve: true,
    comment: comment.trim(),
    actor: defaultActor(),
  });
  const archived = result.archived.length > 0 ? ` Archived version ${result.archived.join(', ')}.` : '';
  void deps.ui().info(`${target.name} version ${target.version} is now in Production.${archived}`);
  return result;
}

/** Reject, after a confirmation: the version stays in Staging, shown as rejected; the reviewer's comment goes to the audit trail. */
export async function rejectVersion(deps: CommandDeps, arg: unknown, commentArg?: unknown): Promise<boolean> {
  const session = await sessionFor(deps, arg);
  if (!session) return false;
  const target = await targetVersion(deps, session, arg);
  if (!target) return false;
  // Asked from the menu and from the review panel alike: a rejection stands until the next validation.
  const ok = await deps
    .ui()
    .confirm(
      `Reject ${target.name} version ${target.version}?`,
      'It stays in Staging, shown as rejected in the Models view and in Review for Production until it is validated again. Your reason goes to the audit trail.',
      'Reject',
    );
  if (!ok) return false;
  const comment =
    typeof commentArg === 'string'
      ? commentArg
      : await deps.ui().input({ title: `Reject ${target.name} version ${target.version}`, prompt: 'Reason (goes to the audit trail)' });
  if (comment === undefined) return false;
  if (comment.trim() === '') {
    void deps.ui().info(`${target.name} version ${target.version} was not rejected: a rejection needs a reason (it goes to the audit trail).`);
    return false;
  }
  const store = await session.getOrCreate();
  await rejectModelVersion(store, { name: target.name, version: target.version, comment: comment.trim(), actor: defaultActor() });
  void deps.ui().info(`Rejected ${target.name} version ${target.version}: it stays in Staging, marked rejected until it is validated again.`);
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
    const ok = await deps
      .ui()
      .confirm(
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

/** The model a command targets: a model or version node, `{ name }`, or asked for. */
function targetModel(arg: unknown): { folderArg: unknown; name: string } {
  const a = arg as { kind?: unknown; model?: { name?: unknown }; version?: { name?: unknown }; name?: unknown } | undefined;
  if (a?.kind === 'model' && typeof a.model?.name === 'string') return { folderArg: arg, name: a.model.name };
  if (a?.kind === 'version' && typeof a.version?.name === 'string') return { folderArg: arg, name: a.version.name };
  if (typeof a?.name === 'string') return { folderArg: arg, name: a.name };
  return { folderArg: arg, name: '' };
}

/** Show Model History: versions and their source runs, and every registration, validation and transition with actor, time, comment and report. */
export async function showModelHistory(deps: CommandDeps & { reports?: ReportDocuments }, arg: unknown): Promise<string | undefined> {
  const target = targetModel(arg);
  const session = await sessionFor(deps, target.folderArg);
  if (!session) return undefined;
  const store = await session.getOrCreate();
  let name = target.name;
  if (!name) {
    const models = await listModels(store);
    if (models.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There are no registered models yet.');
    const pick = await deps.ui().pickOne(
      models.map((m) => ({ label: m.name })),
      { title: 'History of which model?' },
    );
    if (!pick) return undefined;
    name = pick.label;
  }
  const versions = await listVersions(store, name);
  const trail = await store.registry.getAuditTrail(name);
  const reports = (await Promise.all(versions.map((v) => store.registry.listValidationReports(name, v.version)))).flat();
  const text = modelHistoryText(name, versions, trail, reports);
  await deps.reports?.showNamed(`${encodeURIComponent(name)} history.md`, text);
  return text;
}
