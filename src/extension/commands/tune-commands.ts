import * as vscode from 'vscode';
import { checkStoreFor } from '../../pipeline/store-checks';
import { ModelOpsError, errorMessage } from '../../core/errors';
import type { TuneResult } from '../../pipeline/tune';
import { defaultStudyName, tune } from '../../pipeline/tune';
import { Config } from '../config';
import type { Log } from '../log';
import { COMMAND } from './ids';
import type { CommandRun } from './runner';
import type { CommandDeps } from './run-commands';
import { sessionFor } from './run-commands';
import { abortSignalFor, pickCsvAndTarget } from './train-commands';
import { formatValue, trialLogFields, trialProgress } from './tune-format';

export interface TuneDeps extends CommandDeps {
  log: Log;
  /** Focuses the Experiments view on a run of a folder's store (the study's run, its trials under it). */
  showRun(folder: string, runId: string): Promise<void>;
}

/** 20 first so Enter takes the default, as `modelops tune` does without --trials. */
const TRIAL_CHOICES = [
  { label: '20', description: 'default', trials: 20 },
  { label: '10', description: 'a quick look', trials: 10 },
  { label: '50', description: 'a longer search', trials: 50 },
];

/** What a caller (a keybinding's args, another command, the tests) may settle instead of asking. */
export interface TuneArgs {
  trials?: number;
  trainBest?: boolean;
}

function tuneArgs(x: unknown): TuneArgs {
  if (typeof x !== 'object' || x === null) return {};
  const o = x as Record<string, unknown>;
  const trials = o.trials;
  if (trials !== undefined && !(typeof trials === 'number' && Number.isInteger(trials) && trials >= 1)) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `trials must be an integer ≥ 1 (got ${JSON.stringify(trials)})`, { location: 'trials' });
  }
  return { ...(typeof trials === 'number' ? { trials } : {}), ...(typeof o.trainBest === 'boolean' ? { trainBest: o.trainBest } : {}) };
}

const OPEN_STUDY = 'Open Study';
const SHOW_RUNS = 'Show Runs';
const REGISTER = 'Register Model…';

/**
 * Tune Hyperparameters: pick a CSV, its target column, the number of trials and whether to train the
 * best params afterwards, then run the same study as `modelops tune` (default study name, sampler,
 * pruner, space and members, so the CLI and the editor continue each other's studies), with one
 * progress line per trial and cancellation. Resolves to the tuning result.
 */
export async function tuneHyperparameters(deps: TuneDeps, run: CommandRun, arg: unknown, options?: unknown): Promise<TuneResult | undefined> {
  const given = tuneArgs(options);
  const picked = await pickCsvAndTarget(deps, arg, 'Tune hyperparameters on which CSV?');
  if (!picked) return undefined;
  const { csv, target } = picked;
  const trials =
    given.trials ??
    (await deps.ui().pickOne(TRIAL_CHOICES, { title: 'Number of trials', placeHolder: 'Trials to run now (a study of this CSV and target continues)' }))?.trials;
  if (trials === undefined) return undefined;
  // Asked before running rather than offered afterwards: `tune` trains the winner inside the same
  // study run (nested, tagged), which a separate train afterwards would not.
  const trainBest =
    given.trainBest ??
    (
      await deps.ui().pickOne(
        [
          { label: 'No', description: 'only the trials', trainBest: false },
          { label: 'Yes', description: 'a full run with a model, registerable', trainBest: true },
        ],
        { title: 'Then train the best params as a full run?' },
      )
    )?.trainBest;
  if (trainBest === undefined) return undefined;

  // The study goes to the store of the CSV's folder (asked for only when the CSV is outside every folder).
  const session = await sessionFor(deps, vscode.Uri.file(csv));
  if (!session) return undefined;
  const store = await session.getOrCreate();
  await checkStoreFor(store.stores, { what: 'Tune Hyperparameters', write: true, artifacts: { experiment: Config.defaultExperiment() } });
  // The CLI's default name (`<data file>-<target>`), given explicitly so each trial's log line can
  // name its study; the same name is what lets `modelops tune` and this command continue one study.
  const study = defaultStudyName(csv, target.label);
  let done = 0;
  const result = await tune(store.tracking, store.studies, {
    data: csv,
    target: target.label,
    study,
    experiment: Config.defaultExperiment(),
    trials,
    trainBest,
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
      else if (choice === REGISTER && result.bestRun) await vscode.commands.executeCommand(COMMAND.registerModel, { folder: session.key, runId: result.bestRun.runId });
    })
    .then(undefined, async (e: unknown) => {
      // The command has already resolved, so the runner cannot report this one: say it the same way.
      deps.log.error('tune.action.failed', e);
      const choice = await deps.ui().error(`ModelOps: ${e instanceof ModelOpsError ? e.message : errorMessage(e)}`, 'Show Output');
      if (choice === 'Show Output') deps.log.show();
    });
  return result;
}
