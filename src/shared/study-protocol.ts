/**
 * The study panel's messages: the host sends the whole state (the study list, the chosen study's
 * trials, best trial, history and importances); the webview asks to show another study, to
 * refresh, or to open a trial's run.
 */
import type { Infer } from './validate';
import { arr, literal, num, nullable, numbers, numbersOrNull, obj, str, strings, wideNum } from './validate';
import { emptyParams, okResult, READY, readyParams } from './protocol';

const studySummaryCheck = obj(
  { name: str, metric: str, direction: literal('maximize', 'minimize'), sampler: str, pruner: str, trials: num, complete: num, runId: str },
  { best: wideNum },
);

/** A param value as text (`none` for null), so hostile names and values stay plain strings. */
const trialState = literal('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING');

const trialRowCheck = obj(
  { number: num, state: trialState, params: arr(strings(2), 10_000) },
  { value: wideNum, durationMs: num, runId: str, failReason: str },
);

const importanceCheck = obj({ param: str, pedAnova: num, fanova: num });

/** Each reporting trial's intermediate value at every step (null where it reported none). */
const intermediateCheck = obj({
  steps: numbers(100_000),
  lines: arr(obj({ number: num, state: trialState, values: numbersOrNull(100_000) }), 1_000_000),
});

/**
 * One param of the complete trials: `positions` are the raw values for `numeric` and `log` axes
 * (from `min` to `max`), the index in `categories` for `categorical` ones; null when a trial lacks it.
 */
const plotParamCheck = obj({
  name: str,
  scale: literal('numeric', 'log', 'categorical'),
  min: num,
  max: num,
  categories: strings(100_000),
  positions: numbersOrNull(1_000_000),
});

/** The COMPLETE trials with a finite value (numbers and values) and their params, for the slice, contour and parallel-coordinate plots. */
const plotsCheck = obj({ numbers: numbers(1_000_000), values: numbers(1_000_000), params: arr(plotParamCheck, 10_000) });

/**
 * What the best trial's buttons can do: train its params as a full run (unless the study has no
 * data, `trainNote` says why), and register a model of it (`registerRun`: a full run of that
 * trial; else `registerNote` says why there is nothing to register).
 */
const bestActionsCheck = obj({}, { trainNote: str, registerRun: obj({ runId: str, runName: str, trial: num }), registerNote: str });

const studyDetailCheck = obj(
  {
    study: studySummaryCheck,
    trials: arr(trialRowCheck, 1_000_000),
    /** The best COMPLETE trial's number, or null when none completed. */
    bestTrial: nullable(num),
    /** Per trial in order: its value (COMPLETE only) and the best so far; an Optuna study's values may be ±inf. */
    history: obj({ numbers: numbers(1_000_000), values: arr(nullable(wideNum), 1_000_000), best: arr(nullable(wideNum), 1_000_000) }),
    importance: arr(importanceCheck, 10_000),
    intermediate: intermediateCheck,
    plots: plotsCheck,
  },
  /** Why there are no importances (too few complete trials); the best trial's actions (workspace studies only). */
  { importanceNote: str, actions: bestActionsCheck },
);

/** Where the studies come from when not the workspace store: an Optuna storage file, shown read-only. */
const studySourceCheck = obj({ kind: literal('optuna'), file: str, optunaVersion: str });

export const studyStateCheck = obj(
  { status: literal('loading', 'ready', 'error'), studies: arr(studySummaryCheck, 100_000), detail: nullable(studyDetailCheck) },
  { message: str, source: studySourceCheck },
);

export const studyContract = {
  requests: {
    'study/openRun': { params: obj({ runId: str }), result: okResult },
    /** Train the best trial's params of study `name` as a full run (the training form opens filled). */
    'study/trainBest': { params: obj({ name: str }), result: okResult },
    /** Register the model of study `name`'s best trial (the host finds its run again). */
    'study/registerBest': { params: obj({ name: str }), result: okResult },
  },
  toWebview: {
    'study/state': studyStateCheck,
  },
  toHost: {
    [READY]: readyParams,
    'study/refresh': emptyParams,
    'study/select': obj({ name: str }),
  },
} as const;

export type StudyContract = typeof studyContract;
export type StudySummary = Infer<typeof studySummaryCheck>;
export type TrialRow = Infer<typeof trialRowCheck>;
export type StudyDetail = Infer<typeof studyDetailCheck>;
export type StudyState = Infer<typeof studyStateCheck>;
export type StudySource = Infer<typeof studySourceCheck>;
export type BestActions = Infer<typeof bestActionsCheck>;

/** What the page keeps across a reload: the study shown, and for an Optuna file's panel the file. */
export const studySavedStateCheck = obj({}, { name: str, file: str });
