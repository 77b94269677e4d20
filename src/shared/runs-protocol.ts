/**
 * Messages of the runs table ("ModelOps: Open Runs Table"), one editor per experiment.
 *
 * The table is pulled, not pushed: the host keeps the experiment's runs with a change stamp each
 * and says only "the data is now at stamp N" (`runs/state`, a snapshot that replaces itself in the
 * host's queue); the webview asks for the rows changed since the stamp it has (`runs/changes`),
 * page by page. Requests are never dropped, so a hidden or reloaded page catches up by itself.
 *
 * Rows are sparse and compact: each names its params, metrics and tags by index into the key lists
 * sent beside them (append-only for the life of the panel), so 10,000 runs × 200 columns cross as
 * flat arrays that the checks validate in tight loops.
 */
import type { Infer } from './validate';
import { arr, bool, literal, nullable, num, numbers, numbersOrNull, numOrNull, obj, str, strings } from './validate';
import { emptyParams, okResult, readyParams, READY } from './protocol';

/** Run ids: an experiment may hold tens of thousands. */
const ids = arr(str, 200_000);
const names = arr(str, 100_000);

export const RUN_STATUS_VALUES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;

export const runRowCheck = obj({
  runId: str,
  /** The name the tree and the toasts use (run name, else the `mlflow.runName` tag, else the id's start). */
  runName: str,
  status: literal(...RUN_STATUS_VALUES),
  startTime: num,
  endTime: numOrNull,
  userId: str,
  /** `mlflow.source.name` (a script, notebook or the trainer). */
  source: str,
  parentRunId: nullable(str),
  /** Param key indexes (into `keys.params`) and their values, in step. */
  pk: numbers(100_000),
  pv: strings(100_000),
  /** Metric key indexes and their latest values (null: NaN). */
  mk: numbers(100_000),
  mv: numbersOrNull(100_000),
  tk: numbers(100_000),
  tv: strings(100_000),
});

export const keyListsCheck = obj({ params: arr(str, 100_000), metrics: arr(str, 100_000), tags: arr(str, 100_000) });

export const sortCheck = obj({ column: str, direction: literal('asc', 'desc') });

/** What the table remembers per experiment: extra columns shown, default ones hidden, sort, filter. */
export const savedViewCheck = obj({ shown: names, hidden: names, sort: nullable(sortCheck), filter: str });

/** A view the host asks the page to apply (the command's arguments: a filter, a sort, runs to select). */
export const applyViewCheck = obj({}, { filter: str, sort: nullable(sortCheck), select: ids });

export const runsStateCheck = obj(
  {
    status: literal('loading', 'ready', 'error'),
    experimentId: str,
    experimentName: str,
    /** The host's data is at this change stamp; the page asks for what changed since its own. */
    stamp: num,
    /** Runs the host holds so far, and whether it has read them all from the store. */
    loaded: num,
    complete: bool,
    /** Whether changes are allowed (trusted workspace): Register and Delete need it. */
    writable: bool,
  },
  /** `folder`: the store's workspace folder key, kept in the page's saved state for the serializer. */
  { message: str, view: savedViewCheck, folder: str },
);

export const changesResultCheck = obj({
  /** The page now holds everything up to this stamp. */
  stamp: num,
  /** The host could not answer from `since` (the panel's data was rebuilt): drop everything first. */
  reset: bool,
  /** More changes after `stamp`: ask again. */
  more: bool,
  keys: keyListsCheck,
  runs: arr(runRowCheck, 50_000),
  removed: ids,
});

export const metricRangeCheck = obj({ key: str, runIds: ids, min: numbersOrNull(), max: numbersOrNull() });

export const runsContract = {
  requests: {
    'runs/changes': { params: obj({ since: num }, { limit: num }), result: changesResultCheck },
    /** Run ids matching an MLflow filter, found by the store's own search (its parser's errors point at the column). */
    'runs/filter': { params: obj({ filter: str }), result: obj({ filter: str, runIds: ids }) },
    /** Lowest and highest value of one metric over every step, per run. */
    'runs/metricRange': { params: obj({ key: str }), result: metricRangeCheck },
    'runs/openRun': { params: obj({ runId: str }), result: okResult },
    'runs/compare': { params: obj({ runIds: ids }), result: okResult },
    'runs/register': { params: obj({ runId: str }), result: okResult },
    'runs/delete': { params: obj({ runIds: ids }), result: obj({ deleted: ids }, { message: str }) },
    'runs/exportCsv': { params: obj({ text: str, rows: num }), result: okResult },
    'clipboard/write': { params: obj({ text: str }), result: okResult },
  },
  toWebview: {
    'runs/state': runsStateCheck,
    'runs/apply': applyViewCheck,
  },
  toHost: {
    [READY]: readyParams,
    'runs/refresh': emptyParams,
    /**
     * The page's view after each change of it: remembered per experiment, and logged (the first
     * rows in display order, how many match) so the integration tests can read what a user sees.
     */
    'runs/view': obj({ view: savedViewCheck, matched: num, total: num, top: arr(str, 50), selected: ids }),
  },
} as const;

export type RunsContract = typeof runsContract;
export type RunRow = Infer<typeof runRowCheck>;
export type KeyLists = Infer<typeof keyListsCheck>;
export type RunsState = Infer<typeof runsStateCheck>;
export type ChangesResult = Infer<typeof changesResultCheck>;
export type SavedView = Infer<typeof savedViewCheck>;
export type ApplyView = Infer<typeof applyViewCheck>;
export type SortSpec = Infer<typeof sortCheck>;
export type MetricRange = Infer<typeof metricRangeCheck>;

/** What the serializer needs to reopen the table after a window reload. */
export const runsSavedStateCheck = obj({ experimentId: str }, { folder: str });
export type RunsSavedState = Infer<typeof runsSavedStateCheck>;

export const EMPTY_VIEW: SavedView = { shown: [], hidden: [], sort: null, filter: '' };
