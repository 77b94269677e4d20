import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import * as vscode from 'vscode';
import { checkStoreFor } from '../../pipeline/store-checks';
import { ModelOpsError, errorMessage } from '../../core/errors';
import type { TuneResult } from '../../pipeline/tune';
import { DEFAULT_SPACE, defaultStudyName, tune } from '../../pipeline/tune';
import { checkSpaceNames, readSpace } from '../../pipeline/tune-space';
import { resolveMembers } from '../../pipeline/train-options';
import type { SearchSpace } from '../../tuning/distributions';
import type { SpaceEdit } from '../webviews/space-editor-panel';
import { saveSpaceFile, SPACE_SUFFIX } from './space-file';
import { editSearchSpace } from '../webviews/space-editor-panel';
import type { StudyRecord } from '../../core/tuning';
import { Config } from '../config';
import type { Log } from '../log';
import { COMMAND } from './ids';
import type { CommandRun } from './runner';
import type { CommandDeps } from './run-commands';
import { sessionFor } from './run-commands';
import { abortSignalFor, pickCsvAndTarget } from './train-commands';
import type { SettingsMemory } from './train-form';
import { recallTuneSettings, rememberTuneSettings, studySettings, tuneForm } from './tune-form';
import { formatValue, trialLogFields, trialProgress } from './tune-format';
import type { TuneSettings } from './tune-settings';
import { DEFAULT_TUNE_SETTINGS, tuneArgs, tuneOptionsOf } from './tune-settings';

export interface TuneDeps extends CommandDeps {
  log: Log;
  /** Where the search space editor's page is (dist/webview); without it the form offers no table. */
  extensionUri?: vscode.Uri;
  /** The workspace's memory: the Tune form's last settings. */
  memory?: SettingsMemory;
  /** Focuses the Experiments view on a run of a folder's store (the study's run, its trials under it). */
  showRun(folder: string, runId: string): Promise<void>;
}

const OPEN_STUDY = 'Open Study';
const SHOW_RUNS = 'Show Runs';
const REGISTER = 'Register Model…';

/** The folder's search space files, by the names their schema is registered for. */
async function spaceFiles(folder: string): Promise<string[]> {
  const base = vscode.Uri.file(folder);
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(base, '**/{*.modelops-space.json,modelops.space.json}'), '**/node_modules/**', 50);
  return found.map((u) => relative(folder, u.fsPath)).sort();
}

/** A space file with the default members' ranges, opened to edit; an existing file of that name is opened, not overwritten. */
async function newSpaceFile(folder: string): Promise<string | undefined> {
  const name = 'search.modelops-space.json';
  const file = join(folder, name);
  if (!existsSync(file)) writeFileSync(file, `${JSON.stringify({ ...DEFAULT_SPACE.rf, ...DEFAULT_SPACE.knn }, null, 2)}\n`, { flag: 'wx' });
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false, preserveFocus: true });
  return name;
}

/** The members `tune` uses when none are given (the form does not choose them). */
const defaultMembers = () => resolveMembers(undefined, {}).map((m) => m.type);

/** The form's current space (edited, a file's, or the default ranges) in the table editor; Save writes it into the folder. */
function editSpaceInTable(deps: TuneDeps, extensionUri: vscode.Uri, folder: string, s: TuneSettings): Promise<SpaceEdit | undefined> {
  const members = defaultMembers();
  const file = s.space ? resolve(folder, s.space) : undefined;
  const space: SearchSpace = s.editedSpace ?? readSpace(file, members);
  const ownFile = file && dirname(file) === folder && basename(file).endsWith(SPACE_SUFFIX) ? basename(file) : undefined;
  return editSearchSpace(extensionUri, deps.log, {
    space,
    source: s.editedSpace ? 'the table (not saved)' : (s.space ?? '') || 'the default ranges of rf and kNN',
    fileName: ownFile ?? `search${SPACE_SUFFIX}`,
    checkNames: (edited) => checkSpaceNames({}, edited, members, 'the search space'),
    save: async (fileName, edited) => saveSpaceFile(folder, fileName, edited, ownFile),
  });
}

/**
 * The settings of this Tune: what the caller settles is not asked. A caller that gives the number
 * of trials chose to run (only whether to train the best is asked, when not given); otherwise the
 * form shows every option, starting from the study's own (when it exists), else the last ones.
 */
async function settingsFor(
  deps: TuneDeps,
  given: Partial<TuneSettings>,
  what: { csv: string; study: string; folder: string },
  studies: readonly StudyRecord[],
): Promise<TuneSettings | undefined> {
  const name = given.study || what.study;
  const existing = studies.find((r) => r.name === name);
  const start: TuneSettings = { ...DEFAULT_TUNE_SETTINGS, ...recallTuneSettings(deps.memory), ...studySettings(existing), ...given, study: name };
  if (given.trials === undefined) {
    const s = await tuneForm(deps.ui(), start, {
      csv: basename(what.csv),
      studies,
      spaceFiles: await spaceFiles(what.folder),
      newSpaceFile: () => newSpaceFile(what.folder),
      ...(deps.extensionUri ? { editSpace: (s: TuneSettings) => editSpaceInTable(deps, deps.extensionUri!, what.folder, s) } : {}),
    });
    if (s) await rememberTuneSettings(deps.memory, s);
    return s;
  }
  if (given.trainBest !== undefined) return start;
  // Asked before running rather than offered afterwards: `tune` trains the winner inside the same
  // study run (nested, tagged), which a separate train afterwards would not.
  const pick = await deps.ui().pickOne(
    [
      { label: 'No', description: 'only the trials', trainBest: false },
      { label: 'Yes', description: 'a full run with a model, registerable', trainBest: true },
    ],
    { title: 'Then train the best params as a full run?' },
  );
  return pick ? { ...start, trainBest: pick.trainBest } : undefined;
}

/**
 * Tune Hyperparameters: pick a CSV and its target column, then the study's options in a form
 * (trials, sampler, pruner, metric, direction, timeout, folds, training the best; the last ones
 * remembered), and run the same study as `modelops tune` (default study name, space and members,
 * so the CLI and the editor continue each other's studies), with one progress line per trial and
 * cancellation. Resolves to the tuning result.
 */
export async function tuneHyperparameters(deps: TuneDeps, run: CommandRun, arg: unknown, options?: unknown): Promise<TuneResult | undefined> {
  const given = tuneArgs(options);
  const picked = await pickCsvAndTarget(deps, arg, 'Tune hyperparameters on which CSV?');
  if (!picked) return undefined;
  const { csv, target } = picked;
  // The study goes to the store of the CSV's folder (asked for only when the CSV is outside every folder).
  const session = await sessionFor(deps, vscode.Uri.file(csv));
  if (!session) return undefined;
  const store = await session.getOrCreate();
  // The CLI's default name (`<data file>-<target>`), given explicitly so each trial's log line can
  // name its study; the same name is what lets `modelops tune` and this command continue one study.
  const settings = await settingsFor(
    deps,
    given,
    { csv, study: defaultStudyName(csv, target.label), folder: session.folder.uri.fsPath },
    await store.studies.listStudies(),
  );
  if (!settings) return undefined;
  const study = settings.study;
  await checkStoreFor(store.stores, { what: 'Tune Hyperparameters', write: true, artifacts: { experiment: Config.defaultExperiment() } });
  const trials = settings.trials;
  let done = 0;
  const result = await tune(store.tracking, store.studies, {
    data: csv,
    target: target.label,
    study,
    experiment: Config.defaultExperiment(),
    ...tuneOptionsOf(settings, session.folder.uri.fsPath),
    signal: abortSignalFor(run.token),
    onProgress: (message) => {
      deps.log.info('tune.progress', { message });
      run.report(message);
    },
    onTrial: (trial, best, metric) => {
      done += 1;
      deps.log.info('tune.trial', trialLogFields(study, trial, best, metric));
      run.report(trialProgress(done, trials, trial, best, metric), 100 / trials);
    },
  });

  const actions = result.bestRun ? [OPEN_STUDY, SHOW_RUNS, REGISTER] : [OPEN_STUDY, SHOW_RUNS];
  const text = result.best
    ? `Study ${result.study}: best ${result.metric} ${formatValue(result.best.value)} (trial ${result.best.number}).${result.bestRun ? ' The best params were trained as a full run.' : ''}`
    : `Study ${result.study}: no trial completed out of ${result.trials.length}.`;
  void deps
    .ui()
    .info(text, ...actions)
    .then(async (choice) => {
      if (choice === OPEN_STUDY) await vscode.commands.executeCommand(COMMAND.openStudy, { folder: session.key, study: result.study });
      else if (choice === SHOW_RUNS) await deps.showRun(session.key, result.runId);
      else if (choice === REGISTER && result.bestRun)
        await vscode.commands.executeCommand(COMMAND.registerModel, { folder: session.key, runId: result.bestRun.runId });
    })
    .then(undefined, async (e: unknown) => {
      // The command has already resolved, so the runner cannot report this one: say it the same way.
      deps.log.error('tune.action.failed', e);
      const choice = await deps.ui().error(`ModelOps: ${e instanceof ModelOpsError ? e.message : errorMessage(e)}`, 'Show Output');
      if (choice === 'Show Output') deps.log.show();
    });
  return result;
}
