import * as vscode from 'vscode';
import { ModelOpsError } from '../../core/errors';
import type { Run } from '../../core/tracking';
import { setAlias as setAliasPipeline } from '../../pipeline/promote';
import { defaultActor } from '../../registry/actor';
import type { StoreSession } from '../store-session';
import type { StoreSessions } from '../store-sessions';
import type { Ui } from '../ui';
import type { ExperimentsNode } from '../views/experiments-tree';
import type { ModelsNode } from '../views/models-tree';
import { listModels, listVersions } from '../views/models-tree';
import { runLabel } from '../views/run-format';

export interface CommandDeps {
  /** One store per workspace folder; a command resolves which one it acts on first. */
  sessions: StoreSessions;
  ui: () => Ui;
}

/** The folder's store a command acts on (see StoreSessions.resolve); undefined when the user dismissed the pick. */
export function sessionFor(deps: CommandDeps, arg: unknown): Promise<StoreSession | undefined> {
  return deps.sessions.resolve(arg, deps.ui());
}

/** `{ folder, runId }`: a run of a given folder's store (e.g. the run Train Ensemble just logged). */
function runIdArg(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (typeof x === 'object' && x !== null && 'runId' in x && typeof (x as { runId: unknown }).runId === 'string') return (x as { runId: string }).runId;
  return undefined;
}

function isRunNode(x: unknown): x is Extract<ExperimentsNode, { kind: 'run' }> {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'run';
}

/** The run a command targets in `session`'s store: the tree item it was invoked on, a run id argument, or asked for. */
async function targetRun(deps: CommandDeps, session: StoreSession, arg: unknown, viewType: 'ACTIVE_ONLY' | 'DELETED_ONLY'): Promise<Run | undefined> {
  const store = await session.getOrCreate();
  if (isRunNode(arg)) return arg.run;
  const runId = runIdArg(arg);
  if (runId !== undefined) return store.tracking.getRun(runId);
  const experiments = (await store.tracking.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: 1000 })).items;
  const runs = (
    await store.tracking.searchRuns({
      experimentIds: experiments.map((e) => e.experimentId),
      runViewType: viewType,
      maxResults: 200,
      orderBy: ['attributes.start_time DESC'],
    })
  ).items;
  if (runs.length === 0)
    throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', viewType === 'DELETED_ONLY' ? 'There are no deleted runs.' : 'There are no runs yet.');
  const pick = await deps.ui().pickOne(
    runs.map((run) => ({ label: runLabel(run), description: run.info.runId, run })),
    { title: viewType === 'DELETED_ONLY' ? 'Restore which run?' : 'Which run?' },
  );
  return pick?.run;
}

/** A run id from a tree item, a run id string, or a pick among recent finished runs. */
export async function targetRunId(deps: CommandDeps, session: StoreSession, arg: unknown): Promise<string | undefined> {
  return (await targetRun(deps, session, arg, 'ACTIVE_ONLY'))?.info.runId;
}

/**
 * Several runs at once: the tree's multi-selection (VS Code passes the clicked node and the selected
 * ones) or `{ runIds, folder? }` from the runs table. Undefined for a single target.
 */
function runsToDelete(arg: unknown, selected: unknown): { runIds: string[]; folderArg: unknown } | undefined {
  if (Array.isArray(selected) && selected.length > 1) {
    const nodes = selected.filter(isRunNode).filter((n) => !n.deleted);
    return nodes.length > 1 ? { runIds: nodes.map((n) => n.run.info.runId), folderArg: nodes[0] } : undefined;
  }
  if (typeof arg === 'object' && arg !== null && Array.isArray((arg as { runIds?: unknown }).runIds)) {
    return { runIds: (arg as { runIds: unknown[] }).runIds.filter((x): x is string => typeof x === 'string'), folderArg: arg };
  }
  return undefined;
}

/** Deletes one run (tree item, id, or asked for), or several after a confirmation; resolves to the id(s) deleted. */
export async function deleteRun(deps: CommandDeps, arg: unknown, selected?: unknown): Promise<string | string[] | undefined> {
  const many = runsToDelete(arg, selected);
  const session = await sessionFor(deps, many ? many.folderArg : arg);
  if (!session) return undefined;
  if (many) return deleteRuns(deps, session, many.runIds);
  const run = await targetRun(deps, session, arg, 'ACTIVE_ONLY');
  if (!run) return undefined;
  const store = await session.getOrCreate();
  await store.tracking.deleteRun(run.info.runId);
  void deps.ui().info(`Deleted run ${runLabel(run)} (it can be restored from "Deleted runs").`);
  return run.info.runId;
}

async function deleteRuns(deps: CommandDeps, session: StoreSession, runIds: string[]): Promise<string[] | undefined> {
  if (runIds.length === 0) return [];
  const store = await session.getOrCreate();
  const first = await store.tracking.getRun(runIds[0]!);
  const what = runIds.length === 1 ? `run ${runLabel(first)}` : `${runIds.length} runs`;
  if (
    runIds.length > 1 &&
    !(await deps.ui().confirm(`Delete ${what}?`, 'They move to "Deleted runs" in the Experiments view, where each can be restored (as in MLflow).', 'Delete'))
  )
    return undefined;
  for (const id of runIds) await store.tracking.deleteRun(id);
  void deps.ui().info(`Deleted ${what} (${runIds.length === 1 ? 'it' : 'each'} can be restored from "Deleted runs").`);
  return runIds;
}

export async function restoreRun(deps: CommandDeps, arg: unknown): Promise<string | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const run = await targetRun(deps, session, arg, 'DELETED_ONLY');
  if (!run) return undefined;
  const store = await session.getOrCreate();
  await store.tracking.restoreRun(run.info.runId);
  void deps.ui().info(`Restored run ${runLabel(run)}.`);
  return run.info.runId;
}

export async function copyRunId(deps: CommandDeps, arg: unknown): Promise<string | undefined> {
  // A run node already holds its id: no folder to ask for.
  if (isRunNode(arg)) {
    await vscode.env.clipboard.writeText(arg.run.info.runId);
    return arg.run.info.runId;
  }
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const run = await targetRun(deps, session, arg, 'ACTIVE_ONLY');
  if (!run) return undefined;
  await vscode.env.clipboard.writeText(run.info.runId);
  return run.info.runId;
}

function isVersionNode(x: unknown): x is Extract<ModelsNode, { kind: 'version' }> {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'version';
}

/** The model version a command targets in `session`'s store: the tree item, `{ name, version }`, or asked for. */
export async function targetVersion(deps: CommandDeps, session: StoreSession, arg: unknown): Promise<{ name: string; version: string } | undefined> {
  if (isVersionNode(arg)) return { name: arg.version.name, version: arg.version.version };
  if (typeof arg === 'object' && arg !== null && 'name' in arg && 'version' in arg) {
    const a = arg as { name: unknown; version: unknown };
    if (typeof a.name === 'string' && (typeof a.version === 'string' || typeof a.version === 'number')) return { name: a.name, version: String(a.version) };
  }
  const store = await session.getOrCreate();
  const models = await listModels(store);
  if (models.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There are no registered models yet.');
  const model = await deps.ui().pickOne(
    models.map((m) => ({ label: m.name, model: m })),
    { title: 'Which model?' },
  );
  if (!model) return undefined;
  const versions = await listVersions(store, model.model.name);
  const v = await deps.ui().pickOne(
    versions.map((x) => ({ label: `Version ${x.version}`, description: [x.currentStage, ...x.aliases.map((a) => `@${a}`)].join(' '), version: x })),
    { title: `Which version of ${model.model.name}?` },
  );
  return v ? { name: v.version.name, version: v.version.version } : undefined;
}

export async function setAlias(deps: CommandDeps, arg: unknown, aliasArg?: unknown): Promise<string | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const target = await targetVersion(deps, session, arg);
  if (!target) return undefined;
  const alias =
    typeof aliasArg === 'string'
      ? aliasArg
      : await deps.ui().input({ title: `Alias for ${target.name} version ${target.version}`, prompt: 'e.g. champion, challenger', placeHolder: 'champion' });
  if (!alias) return undefined;
  const store = await session.getOrCreate();
  await setAliasPipeline(store, { name: target.name, alias: alias.trim(), version: target.version, actor: defaultActor() });
  void deps.ui().info(`${target.name}@${alias.trim()} now points to version ${target.version}.`);
  return alias.trim();
}
