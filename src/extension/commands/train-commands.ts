import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelOpsError } from '../../core/errors';
import { defaultActor } from '../../registry/actor';
import { gatesSummary, validationOutcomeText } from '../../registry/report';
import { parseCsv } from '../../ml/dataset/csv';
import type { RegisterResult } from '../../pipeline/register';
import { registerModel } from '../../pipeline/register';
import { registrationMismatch } from '../../pipeline/register-match';
import type { ValidateResult } from '../../pipeline/validate';
import { validateModelVersion } from '../../pipeline/validate';
import { Config } from '../config';
import type { CommandRun } from './runner';
import type { CommandDeps } from './run-commands';
import { sessionFor, targetRunId, targetVersion } from './run-commands';
import type { OpenStore, StoreSession } from '../store-session';
import type { ReportDocuments } from '../report-documents';
import { runLabel } from '../views/run-format';

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

/** The header row only: the file may be large, and the pipeline reads it in full later. */
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

/** The folder's gates file from the settings when it exists; otherwise the pipeline's default lookup. */
function gatesPath(session: StoreSession): string | undefined {
  const file = Config.gatesFile(session.folder);
  return existsSync(file) ? file : undefined;
}

/** Register and Validate also need the report documents ("Show Report" opens one read-only). */
export interface RegistryDeps extends CommandDeps {
  reports?: ReportDocuments;
}

/** `Validation passed: None → Staging (4 of 4 gates passed).` — what happened, never a demotion said to "stay". */
export function validationSentence(v: ValidateResult): string {
  const r = v.report;
  return `Validation ${validationOutcomeText(r.passed, r.fromStage, r.toStage)} (${gatesSummary(r.gates)}).`;
}

/** Says the result, after the progress has closed; "Show Report" opens the report read-only. */
function sayValidation(deps: RegistryDeps, text: string, v: ValidateResult | undefined): void {
  if (!v) {
    void deps.ui().info(text);
    return;
  }
  const show = 'Show Report';
  void deps
    .ui()
    .info(text, show)
    .then((choice) => {
      if (choice === show) void deps.reports?.show(v.report);
    });
}

const NEW_MODEL = 'New model…';

/** The model to register into, picked explicitly: a new one (named here) or one of the existing ones. */
async function pickModelName(deps: CommandDeps, store: OpenStore, runId: string): Promise<string | undefined> {
  const models = (await store.registry.searchRegisteredModels({ maxResults: 1000 })).items;
  const run = await store.tracking.getRun(runId);
  const experiment = await store.tracking.getExperiment(run.info.experimentId);
  const suggested = experiment.name.replace(/[^\w.-]+/g, '-');
  const items = [
    { label: NEW_MODEL, description: 'register a new model' },
    ...models.map((m) => ({ label: m.name, description: 'add a version to this model' })),
  ];
  const pick = await deps
    .ui()
    .pickOne(items, { title: `Register run ${runLabel(run)}'s model as`, placeHolder: 'A new model, or a new version of an existing one' });
  if (!pick) return undefined;
  if (pick.label !== NEW_MODEL) return pick.label;
  const taken = new Set(models.map((m) => m.name));
  const name = await deps.ui().input({ title: NEW_MODEL, prompt: 'Name of the new registered model', value: taken.has(suggested) ? '' : suggested });
  if (name === undefined) return undefined;
  if (name.trim() === '') throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Give the new model a name (nothing was registered).');
  if (taken.has(name.trim()))
    throw new ModelOpsError(
      'RESOURCE_ALREADY_EXISTS',
      `A model named '${name.trim()}' exists already: pick it in the list to add a version to it (nothing was registered).`,
    );
  return name.trim();
}

/** Register Model from Run: a new version of a (new or existing) registered model, validated at once. */
export async function registerFromRun(deps: RegistryDeps, run: CommandRun, arg: unknown, nameArg?: unknown): Promise<RegisterResult | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const runId = await targetRunId(deps, session, arg);
  if (!runId) return undefined;
  const store = await session.getOrCreate();
  const name = typeof nameArg === 'string' && nameArg.trim() !== '' ? nameArg.trim() : await pickModelName(deps, store, runId);
  if (!name) return undefined;
  const runName = runLabel(await store.tracking.getRun(runId));
  // Asked before the progress shows: a run whose target or columns differ is named, and
  // registering it anyway is a deliberate second choice (the CLI's --force).
  const dir = await store.tracking.artifactLocalPath(runId, 'model').catch(() => undefined);
  const mismatch = dir ? await registrationMismatch(store, name, dir) : undefined;
  if (mismatch) {
    const detail = `Run ${runName}'s model does not fit '${name}': ${mismatch.text}.\n\nRegister it as a new model instead, or register it anyway (the difference is recorded in the audit trail).`;
    if (!(await deps.ui().confirm(`Register run ${runName} as ${name} anyway?`, detail, 'Register Anyway'))) return undefined;
  }
  run.report(`registering run ${runName} as ${name}`);
  const validation = {
    workspace: session.folder.uri.fsPath,
    gatesPath: gatesPath(session),
    signal: abortSignalFor(run.token),
    onProgress: (m: string) => run.report(m),
  };
  const result = await registerModel(store, { runId, name, actor: defaultActor(), validate: true, force: mismatch !== undefined, validation });
  const v = result.validation;
  sayValidation(deps, `Registered ${result.version.name} version ${result.version.version} from run ${runName}.${v ? ` ${validationSentence(v)}` : ''}`, v);
  return result;
}

/** Validate Version (and Promote to Staging, which is a validation that passes): runs the gates. */
export async function validateVersion(deps: RegistryDeps, run: CommandRun, arg: unknown): Promise<ValidateResult | undefined> {
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
  // Not awaited: the command (and its progress) ends with the result, not when the message is dismissed.
  sayValidation(deps, `${target.name} version ${target.version}: ${validationSentence(result)}`, result);
  return result;
}
