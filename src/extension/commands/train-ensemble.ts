import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelOpsError } from '../../core/errors';
import type { MemberType } from '../../ml/estimators';
import { MEMBER_TYPES } from '../../ml/estimators';
import type { TrainResult } from '../../pipeline/train';
import { train } from '../../pipeline/train';
import { checkStoreFor } from '../../pipeline/store-checks';
import { baselineSentence } from '../../pipeline/train-baseline';
import { Config } from '../config';
import type { StoreSession } from '../store-session';
import { formatMetric, runLabel } from '../views/run-format';
import { COMMAND } from './ids';
import type { CommandDeps } from './run-commands';
import { sessionFor, targetRunId } from './run-commands';
import type { CommandRun } from './runner';
import { abortSignalFor, csvHeader, targetCsv } from './train-commands';
import type { FormContext, SettingsMemory } from './train-form';
import { pickTarget, recallSettings, rememberSettings, trainForm } from './train-form';
import type { TrainSettings } from './train-settings';
import { defaultSettings, inFormTerms, parseMemberParams, settingsFromRun } from './train-settings';
import type { StudyLink } from './train-study';
import { sameTraining, studyBestSettings } from './train-study';

export interface TrainDeps extends CommandDeps {
  /** Selects a run in the Experiments view (the one just trained), without taking the keyboard. */
  showRun?(folder: string, runId: string): Promise<void>;
  /** Where the form's last settings are kept (the workspace's state). */
  memory?: SettingsMemory;
}

/** Accepts the names the settings may use for members (`random_forest`) as well as the CLI's (`rf`). */
function memberType(name: string): MemberType | undefined {
  const n = name.trim().toLowerCase();
  const alias: Record<string, MemberType> = {
    random_forest: 'rf',
    randomforest: 'rf',
    forest: 'rf',
    k_nearest_neighbors: 'knn',
    decision_tree: 'tree',
    baseline: 'dummy',
  };
  return (MEMBER_TYPES as readonly string[]).includes(n) ? (n as MemberType) : alias[n];
}

function formContext(deps: TrainDeps, session: StoreSession): FormContext {
  return {
    ui: deps.ui(),
    header: csvHeader,
    pickCsv: () => targetCsv(deps, undefined, 'Train on which CSV?'),
    experiments: async () => {
      const open = await session.get();
      return open ? (await open.tracking.searchExperiments({ viewType: 'ACTIVE_ONLY', maxResults: 1000 })).items.map((e) => e.name) : [];
    },
    models: async () => {
      const open = await session.get();
      return open ? (await open.registry.searchRegisteredModels({ maxResults: 1000 })).items.map((m) => m.name) : [];
    },
  };
}

/**
 * Train Ensemble: the CSV (the clicked one, or picked), its target, then the training form with the
 * workspace's last settings; trains through the same pipeline as `modelops train` once Train is picked.
 */
export async function trainEnsemble(deps: TrainDeps, run: CommandRun, arg: unknown): Promise<TrainResult | undefined> {
  const csv = await targetCsv(deps, arg, 'Train an ensemble on which CSV?');
  if (!csv) return undefined;
  // The run goes to the store of the CSV's folder (asked for only when the CSV is outside every folder).
  const session = await sessionFor(deps, vscode.Uri.file(csv));
  if (!session) return undefined;
  const ctx = formContext(deps, session);
  const last = recallSettings(deps.memory);
  const target = await pickTarget(ctx, csv, last.target);
  if (!target) return undefined;
  const members = Config.defaultMembers()
    .map(memberType)
    .filter((m): m is MemberType => m !== undefined);
  const start: TrainSettings = {
    ...defaultSettings(csv, target, Config.defaultExperiment(), members.length > 0 ? members : ['rf', 'knn']),
    ...last,
    data: csv,
    target,
  };
  const settings = await trainForm(ctx, start);
  return settings ? trainWith(deps, run, session, settings) : undefined;
}

/** `{ study, folder? }`: the study panel's "Train with these params". */
function studyArg(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null || !('study' in arg)) return undefined;
  const study = (arg as { study: unknown }).study;
  return typeof study === 'string' ? study : undefined;
}

/**
 * Train Again with These Params…: the form filled from a run's settings (data, target, members, cv,
 * seed, params, experiment), or with `{ study }` from a study's data and its best trial's params.
 */
export async function trainAgain(deps: TrainDeps, run: CommandRun, arg: unknown): Promise<TrainResult | undefined> {
  const session = await sessionFor(deps, arg);
  if (!session) return undefined;
  const study = studyArg(arg);
  if (study !== undefined) {
    const from = await studyBestSettings(await session.getOrCreate(), study);
    const settings = await trainForm(formContext(deps, session), from.settings);
    if (!settings) return undefined;
    // Linked to the study (as tune --train-best links its run) only when the form kept the trial's settings.
    return trainWith(deps, run, session, settings, sameTraining(settings, from.settings) ? from.link : { fixed: from.link.fixed });
  }
  const runId = await targetRunId(deps, session, arg);
  if (!runId) return undefined;
  const store = await session.getOrCreate();
  const source = await store.tracking.getRun(runId);
  const experiment = await store.tracking.getExperiment(source.info.experimentId);
  const from = settingsFromRun(source, experiment.name);
  if (!from)
    throw new ModelOpsError('INVALID_STATE', `run ${runLabel(source)} was not trained by ModelOps (it logged no training data or target): use Train Ensemble.`);
  const settings = await trainForm(formContext(deps, session), { ...from, runName: '', registerAs: '' });
  return settings ? trainWith(deps, run, session, settings) : undefined;
}

async function trainWith(deps: TrainDeps, run: CommandRun, session: StoreSession, s: TrainSettings, link: StudyLink = {}): Promise<TrainResult> {
  await rememberSettings(deps.memory, s);
  const store = await session.getOrCreate();
  // A server whose artifacts or registry this editor cannot use refuses before training, not after (as `modelops train`).
  await checkStoreFor(store.stores, { what: 'Train Ensemble', write: true, registry: s.registerAs !== '', artifacts: { experiment: s.experiment } });
  let reported = 0;
  let result: TrainResult;
  try {
    result = await train(store.tracking, {
      data: s.data,
      target: s.target,
      task: s.task === 'auto' ? undefined : s.task,
      experiment: s.experiment,
      models: s.members,
      cv: s.cv,
      seed: s.seed,
      params: { ...link.fixed, ...parseMemberParams(s.params) },
      ...(link.parentRunId ? { parentRunId: link.parentRunId, tags: link.tags } : {}),
      baseline: s.baselineRun,
      runName: s.runName || undefined,
      workspace: session.folder.uri.fsPath,
      signal: abortSignalFor(run.token),
      onProgress: (p) => {
        const pct = Math.round(p.fraction * 100);
        run.report(p.message, Math.max(0, pct - reported));
        reported = Math.max(reported, pct);
      },
    });
  } catch (e) {
    throw inFormTerms(e);
  }
  const name = await store.tracking.getRun(result.runId).then(runLabel, () => result.runId.slice(0, 8));
  void deps.showRun?.(session.key, result.runId).catch(() => undefined);
  const text = resultMessage(s, result, name);
  if (s.registerAs) {
    // Registered in the same command (its progress goes on); a refusal is said without losing the run.
    await vscode.commands.executeCommand(COMMAND.registerModel, { folder: session.key, runId: result.runId }, s.registerAs);
    void deps.ui().info(text);
    return result;
  }
  // Registration is offered, not forced (as `modelops train --register`): the button runs the same
  // Register Model from Run command, which validates the new version at once.
  const registerAction = 'Register Model…';
  void deps
    .ui()
    .info(text, registerAction)
    .then((choice) => {
      if (choice === registerAction) void vscode.commands.executeCommand(COMMAND.registerModel, { folder: session.key, runId: result.runId });
    });
  return result;
}

/** `Trained rf + knn on iris.csv: accuracy 0.9533 (run …).` and, when it loses to its baseline, a warning first. */
export function resultMessage(s: TrainSettings, result: TrainResult, runName: string): string {
  const primary = Config.primaryMetric();
  const key = result.baselineComparison?.metric ?? (primary in result.metrics ? primary : result.task === 'classification' ? 'accuracy' : 'r2');
  const head = `Trained ${s.members.join(' + ')} on ${path.basename(s.data)}: ${formatMetric(key, result.metrics[key])} (run ${runName}).`;
  const c = result.baselineComparison;
  if (!c) return head;
  return c.beats && (!c.accuracy || c.accuracy.beats) ? `${head} ${baselineSentence(c)}` : `⚠ ${head} ${baselineSentence(c)}`;
}
