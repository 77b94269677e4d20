import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelOpsError } from '../../core/errors';
import { readPipelineFile } from '../../pipeline/retraining/pipeline-file';
import type { StepName } from '../../pipeline/retraining/pipeline-report';
import { STEP_TITLES } from '../../pipeline/retraining/pipeline-report';
import type { PipelineEvent, PipelineResult } from '../../pipeline/retraining/run-pipeline';
import { runPipeline } from '../../pipeline/retraining/run-pipeline';
import { defaultActor } from '../../registry/actor';
import type { Log } from '../log';
import { COMMAND } from './ids';
import type { CommandRun } from './runner';
import type { CommandDeps } from './run-commands';
import { sessionFor } from './run-commands';
import { abortSignalFor } from './train-commands';

export interface PipelineDeps extends CommandDeps {
  log: Log;
}

/** What a caller (the rerun-on-change watcher, a keybinding, the tests) may settle instead of asking. */
export interface PipelineArgs {
  dryRun?: boolean;
  /** Do not open the report at the end (the watcher's reruns open it only when asked). */
  quiet?: boolean;
}

/** Pipeline files by name, as package.json's jsonValidation / yamlValidation match them. */
export const PIPELINE_GLOB =
  '**/{modelops.pipeline.json,modelops.pipeline.yaml,modelops.pipeline.yml,*.modelops.pipeline.json,*.modelops.pipeline.yaml,*.modelops.pipeline.yml}';
export const PIPELINE_NAME = /(^|\.)modelops\.pipeline\.(json|ya?ml)$/;

const STEP_INDEX: Record<StepName, number> = { data_validation: 0, train: 1, validate: 2, inference_test: 3 };
const OPEN_REPORT = 'Open Report';
const OPEN_HTML = 'Open HTML Report';
const REVIEW = 'Review for Production';

/** The pipeline file: the explorer/editor item, the active editor's file, else picked among the workspace's. */
async function targetPipelineFile(deps: CommandDeps, arg: unknown): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string') return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && PIPELINE_NAME.test(path.basename(active.fsPath))) return active.fsPath;
  const files = await vscode.workspace.findFiles(PIPELINE_GLOB, '{**/node_modules/**,**/.modelops/**}', 100);
  if (files.length === 0) {
    throw new ModelOpsError(
      'RESOURCE_DOES_NOT_EXIST',
      'There is no modelops.pipeline.json (or .yaml) in the workspace: create one (VS Code completes its fields) or run modelops retrain --name <model> --data <file.csv>.',
    );
  }
  if (files.length === 1) return files[0]!.fsPath;
  const items = files
    .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.description.localeCompare(b.description));
  return (await deps.ui().pickOne(items, { title: 'Run which retraining pipeline?' }))?.uri.fsPath;
}

/** Progress per step: each of the four steps is a quarter of the bar; training reports its own fraction. */
function progressReporter(run: CommandRun, log: Log): (e: PipelineEvent) => void {
  let shown = 0;
  return (e) => {
    const at = 25 * STEP_INDEX[e.step] + (e.kind === 'end' ? 25 : 25 * (e.fraction ?? 0));
    const label = `Step ${STEP_INDEX[e.step] + 1}/4 · ${STEP_TITLES[e.step]}: ${e.kind === 'end' ? `${e.status} — ` : ''}${e.message}`;
    log.info('pipeline.step', { step: e.step, kind: e.kind, ...(e.status ? { status: e.status } : {}), message: e.message });
    run.report(label, Math.max(0, at - shown));
    shown = Math.max(shown, at);
  };
}

/** Opens the Markdown report in the preview (a dry run's, which is not stored, as an untitled document). */
async function openReport(result: PipelineResult): Promise<void> {
  if (result.files) {
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(result.files.markdown));
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.markdown });
  await vscode.window.showTextDocument(doc, { preview: true });
}

async function answer(deps: PipelineDeps, result: PipelineResult, folder: string): Promise<void> {
  const r = result.report;
  const ok = r.exitCode === 0;
  const actions = [...(r.outcome === 'staging' ? [REVIEW] : []), OPEN_REPORT, ...(result.files ? [OPEN_HTML] : [])];
  const choice = ok ? await deps.ui().info(`ModelOps: ${r.summary}`, ...actions) : await deps.ui().error(`ModelOps: ${r.summary}`, ...actions);
  if (choice === OPEN_REPORT) await openReport(result);
  else if (choice === OPEN_HTML && result.files) await vscode.env.openExternal(vscode.Uri.file(result.files.html));
  else if (choice === REVIEW && r.registered)
    await vscode.commands.executeCommand(COMMAND.reviewForProduction, { folder, name: r.model, version: r.registered.version });
}

/**
 * Run Retraining Pipeline: the same pipeline as `modelops pipeline run`, on a pipeline file of the
 * workspace, with a progress line per step and cancellation; the report opens at the end. Resolves to
 * the result (whatever the outcome: a stopped pipeline is a report, not an error).
 */
export async function runRetrainingPipeline(deps: PipelineDeps, run: CommandRun, arg: unknown, options?: unknown): Promise<PipelineResult | undefined> {
  const args = (typeof options === 'object' && options !== null ? options : {}) as PipelineArgs;
  const file = await targetPipelineFile(deps, arg);
  if (!file) return undefined;
  const spec = readPipelineFile(file);
  const session = await sessionFor(deps, vscode.Uri.file(file));
  if (!session) return undefined;
  const store = await session.getOrCreate();
  deps.log.info('pipeline.start', { file, dataset: spec.dataset, dryRun: args.dryRun === true });
  const result = await runPipeline({ tracking: store.tracking, registry: store.registry, studies: store.studies }, spec, {
    actor: defaultActor(),
    workspace: session.folder.uri.fsPath,
    dryRun: args.dryRun === true,
    signal: abortSignalFor(run.token),
    onEvent: progressReporter(run, deps.log),
  });
  deps.log.info('pipeline.end', {
    file,
    outcome: result.report.outcome,
    exitCode: result.report.exitCode,
    ...(result.files ? { report: result.files.markdown } : {}),
  });
  if (!args.quiet) await openReport(result);
  void answer(deps, result, session.key).catch((e: unknown) => deps.log.error('pipeline.action.failed', e));
  return result;
}
