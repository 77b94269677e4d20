import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkStoreFor } from '../../pipeline/store-checks';
import { ModelOpsError } from '../../core/errors';
import { defaultActor } from '../../registry/actor';
import { formatReport } from '../../registry/report';
import { parseCsv } from '../../ml/dataset/csv';
import type { MemberType } from '../../ml/estimators';
import { MEMBER_TYPES } from '../../ml/estimators';
import type { RegisterResult } from '../../pipeline/register';
import { registerModel } from '../../pipeline/register';
import type { TrainResult } from '../../pipeline/train';
import { train } from '../../pipeline/train';
import type { ValidateResult } from '../../pipeline/validate';
import { validateModelVersion } from '../../pipeline/validate';
import { Config } from '../config';
import { COMMAND } from './ids';
import type { CommandRun } from './runner';
import type { CommandDeps } from './run-commands';
import { sessionFor, targetRunId, targetVersion } from './run-commands';
import type { StoreSession } from '../store-session';
import { formatMetric, runLabel } from '../views/run-format';

const MEMBER_LABELS: Record<MemberType, string> = {
  rf: 'Random forest',
  knn: 'k-nearest neighbours',
  tree: 'Decision tree',
  dummy: 'Baseline (majority class / mean)',
};

/** Accepts the names the settings may use for members (`random_forest`) as well as the CLI's (`rf`). */
function memberType(name: string): MemberType | undefined {
  const n = name.trim().toLowerCase();
  const alias: Record<string, MemberType> = { random_forest: 'rf', randomforest: 'rf', forest: 'rf', k_nearest_neighbors: 'knn', decision_tree: 'tree', baseline: 'dummy' };
  return (MEMBER_TYPES as readonly string[]).includes(n) ? (n as MemberType) : alias[n];
}


/** AbortSignal that follows the VS Code cancellation token. */
export function abortSignalFor(token: vscode.CancellationToken): AbortSignal {
  const ctrl = new AbortController();
  if (token.isCancellationRequested) ctrl.abort();
  token.onCancellationRequested(() => ctrl.abort());
  return ctrl.signal;
}

/** The CSV a command works on: the explorer/editor item it was invoked on, else asked for. */
export async function targetCsv(deps: CommandDeps, arg: unknown, title: string): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string') return arg;
  const files = await vscode.workspace.findFiles('**/*.csv', '{**/node_modules/**,**/.modelops/**,**/*.predictions.csv}', 500);
  if (files.length === 0) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'There is no .csv file in the workspace.');
  const items = files
    .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.description.localeCompare(b.description));
  const pick = await deps.ui().pickOne(items, { title, placeHolder: 'A CSV file with a header row' });
  return pick?.uri.fsPath;
}

/** The header row only: the file may be large, and the pipeline reads it in full later. */
/** The CSV (the clicked one, or picked) and its target column (the last one offered first). */
export async function pickCsvAndTarget(deps: CommandDeps, arg: unknown, title: string): Promise<{ csv: string; target: { label: string } } | undefined> {
  const csv = await targetCsv(deps, arg, title);
  if (!csv) return undefined;
  const header = csvHeader(csv);
  if (header.length < 2) throw new ModelOpsError('DATA_INVALID', `${csv}: need at least two columns (features and a target)`, { location: csv });
  const last = header[header.length - 1];
  const columns = [...header].reverse().map((c) => ({ label: c, description: c === last ? 'last column' : undefined }));
  const target = await deps.ui().pickOne(columns, { title: `Target column of ${path.basename(csv)}`, placeHolder: 'The column to predict' });
  return target ? { csv, target } : undefined;
}

export function csvHeader(file: string): string[] {
  const buf = Buffer.alloc(64 * 1024);
  let n: number;
  const fd = openSync(file, 'r');
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  // The header and the first data row (the parser refuses a header alone); a quoted field that
  // spans lines just makes the first row incomplete, which does not matter for the header.
  const lines = buf.subarray(0, n).toString('utf8').split(/\r?\n/);
  return parseCsv(`${lines.slice(0, 2).join('\n')}\n`, file).header;
}

/**
 * Train Ensemble: pick a CSV, its target column and the members, then train with progress and
 * cancellation through the same pipeline as `modelops train`. Resolves to the run id.
 */
export interface TrainDeps extends CommandDeps {
  /** Selects a run in the Experiments view (the one just trained), without taking the keyboard. */
  showRun?(folder: string, runId: string): Promise<void>;
}

export async function trainEnsemble(deps: TrainDeps, run: CommandRun, arg: unknown): Promise<TrainResult | undefined> {
  const picked = await pickCsvAndTarget(deps, arg, 'Train an ensemble on which CSV?');
  if (!picked) return undefined;
  const { csv, target } = picked;
  const defaults = new Set(Config.defaultMembers().map(memberType).filter((m): m is MemberType => m !== undefined));
  const memberItems = MEMBER_TYPES.map((type) => ({ label: type, description: MEMBER_LABELS[type], picked: defaults.has(type), type }));
  const members = await deps.ui().pickMany(memberItems, { title: 'Ensemble members', placeHolder: 'Pick one or more' });
  if (!members || members.length === 0) return undefined;

  // The run goes to the store of the CSV's folder (asked for only when the CSV is outside every folder).
  const session = await sessionFor(deps, vscode.Uri.file(csv));
  if (!session) return undefined;
  const store = await session.getOrCreate();
  // A server whose artifacts this editor cannot write refuses before training, not after (as `modelops train`).
  await checkStoreFor(store.stores, { what: 'Train Ensemble', write: true, artifacts: { experiment: Config.defaultExperiment() } });
  let reported = 0;
  const result = await train(store.tracking, {
    data: csv,
    target: target.label,
    experiment: Config.defaultExperiment(),
    models: members.map((m) => m.type),
    workspace: session.folder.uri.fsPath,
    signal: abortSignalFor(run.token),
    onProgress: (p) => {
      const pct = Math.round(p.fraction * 100);
      run.report(p.message, Math.max(0, pct - reported));
      reported = Math.max(reported, pct);
    },
  });
  const key = Config.primaryMetric() in result.metrics ? Config.primaryMetric() : result.task === 'classification' ? 'accuracy' : 'r2';
  // The toast names the run as the tree does, and the tree shows it selected.
  const name = await store.tracking.getRun(result.runId).then(runLabel, () => result.runId.slice(0, 8));
  void deps.showRun?.(session.key, result.runId).catch(() => undefined);
  // Registration is offered, not forced (as `modelops train --register`): the button runs the same
  // Register Model from Run command, which validates the new version at once.
  const registerAction = 'Register Model…';
  void deps
    .ui()
    .info(`Trained ${members.map((m) => m.type).join(' + ')} on ${path.basename(csv)}: ${formatMetric(key, result.metrics[key])} (run ${name}).`, registerAction)
    .then((choice) => {
      if (choice === registerAction) void vscode.commands.executeCommand(COMMAND.registerModel, { folder: session.key, runId: result.runId });
    });
  return result;
}

/** The folder's gates file from the settings when it exists; otherwise the pipeline's default lookup. */
function gatesPath(session: StoreSession): string | undefined {
  const file = Config.gatesFile(session.folder);
  return existsSync(file) ? file : undefined;
}

function validationLine(v: ValidateResult | undefined): string {
  if (!v) return '';
  return v.report.passed ? ` Validation passed → ${v.version.currentStage}.` : ` Validation failed: stays in ${v.version.currentStage} (see the report).`;
}

/** Register Model from Run: a new version of a (new or existing) registered model, validated at once. */
export async function registerFromRun(deps: CommandDeps, run: CommandRun, arg: unknown, nameArg?: unknown): Promise<RegisterResult | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const runId = await targetRunId(deps, session, arg);
  if (!runId) return undefined;
  const store = await session.getOrCreate();
  const existing = (await store.registry.searchRegisteredModels({ maxResults: 1000 })).items.map((m) => m.name);
  let name = typeof nameArg === 'string' ? nameArg : undefined;
  if (!name) {
    const experiment = await store.tracking.getExperiment((await store.tracking.getRun(runId)).info.experimentId);
    name = await deps.ui().input({
      title: 'Register the run\'s model as',
      prompt: existing.length > 0 ? `Existing models: ${existing.join(', ')}` : 'A new registered model name',
      value: existing[0] ?? experiment.name.replace(/[^\w.-]+/g, '-'),
    });
  }
  if (!name) return undefined;
  const workspace = session.folder.uri.fsPath;
  const runName = runLabel(await store.tracking.getRun(runId));
  run.report(`registering run ${runName} as ${name}`);
  const result = await registerModel(store, {
    runId,
    name: name.trim(),
    actor: defaultActor(),
    validate: true,
    validation: { workspace, gatesPath: gatesPath(session), signal: abortSignalFor(run.token), onProgress: (m) => run.report(m) },
  });
  void deps.ui().info(`Registered ${result.version.name} version ${result.version.version} from run ${runName}.${validationLine(result.validation)}`);
  return result;
}

/** Validate Version (and Promote to Staging, which is a validation that passes): runs the gates. */
export async function validateVersion(deps: CommandDeps, run: CommandRun, arg: unknown): Promise<ValidateResult | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const target = await targetVersion(deps, session, arg);
  if (!target) return undefined;
  const store = await session.getOrCreate();
  const workspace = session.folder.uri.fsPath;
  const result = await validateModelVersion(store, {
    name: target.name,
    version: target.version,
    actor: defaultActor(),
    workspace,
    gatesPath: gatesPath(session),
    signal: abortSignalFor(run.token),
    onProgress: (m) => run.report(m),
  });
  const verdict = result.report.passed ? `passed → ${result.version.currentStage}` : `failed: stays in ${result.version.currentStage}`;
  const choice = await deps.ui().info(`Validation of ${target.name} version ${target.version} ${verdict}.`, 'Show Report');
  if (choice === 'Show Report') {
    const doc = await vscode.workspace.openTextDocument({ content: formatReport(result.report), language: 'markdown' });
    await vscode.window.showTextDocument(doc, { preview: true });
  }
  return result;
}
