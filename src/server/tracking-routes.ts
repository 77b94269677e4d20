import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { uriScheme } from '../core/artifact-uri';
import { ModelOpsError } from '../core/errors';
import type { Json } from '../core/mlflow-wire';
import { experimentJson, metricJson, runInfoJson, runJson } from '../core/mlflow-wire';
import { decodePageToken, encodePageToken } from '../core/page-token';
import type { DatasetInput, LogBatch, Metric, RunStatus, ViewType } from '../core/tracking';
import { RUN_STATUSES } from '../core/tracking';
import type { Fields } from './fields';
import { double, entry, field, invalidValue, list, missing, optInt, optStr, optText, reqInt, runIdOf, str, stringList, tags } from './fields';
import { LOGGED_MODELS_TAG, appendLoggedModel, loggedModelDict } from './logged-model';
import type { Route } from './route';
import { done } from './route';

/**
 * MLflow 2.10.2's tracking REST API (`/api/2.0/mlflow/...`, and the same under `/ajax-api/2.0/mlflow/...`) over a
 * TrackingStore, with MLflow's field rules (src/server/fields.ts) and messages. GET requests carry their fields in
 * the query string, the others in a JSON body; runs/search is POST only (GET → 405, as MLflow).
 */
const POST = ['POST'] as const;
const GET = ['GET'] as const;

function viewType(f: Fields, name: string): ViewType | undefined {
  const v = field(f, name);
  if (v === undefined || v === null || v === '') return undefined;
  // protobuf JSON takes an enum by name or by number.
  const byNumber: Record<number, ViewType> = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' };
  if (v === 'ACTIVE_ONLY' || v === 'DELETED_ONLY' || v === 'ALL') return v;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (byNumber[n]) return byNumber[n];
  throw invalidValue(name, v, f);
}

/**
 * MLflow's runs/search hands out a next-page token whenever a page is full, without looking ahead (transcript 29:
 * the last page of two runs still carries one); the store only does when more rows exist.
 */
function fullPageToken(storeToken: string | undefined, returned: number, max: number, pageToken: string | undefined): string | undefined {
  if (storeToken) return storeToken;
  return max > 0 && returned === max ? encodePageToken(decodePageToken(pageToken) + max) : undefined;
}

/** MLflow's `resolve_uri_if_local`: a relative location is taken from the server's working folder. */
function resolveLocation(location: string | undefined, cwd: string): string | undefined {
  if (location === undefined) return undefined;
  const query = location.includes('?') ? location.slice(location.indexOf('?') + 1) : '';
  if (decodeLoop(query).includes('..')) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Invalid query string', { location: 'artifact_location' });
  const scheme = uriScheme(location);
  if (scheme === undefined) return isAbsolute(location) ? location : resolve(cwd, location);
  // file:relative/path (no authority): relative to the working folder too.
  if (scheme === 'file' && !location.startsWith('file://') && !location.startsWith('file:/'))
    return pathToFileURL(resolve(cwd, location.slice('file:'.length))).href;
  return location;
}

function decodeLoop(s: string): string {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      return cur;
    }
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

function runStatus(f: Fields): RunStatus | undefined {
  const s = optText(f, 'status');
  if (s !== undefined && !(RUN_STATUSES as readonly string[]).includes(s)) throw invalidValue('status', s, f);
  return s as RunStatus | undefined;
}

/** A log-batch metric: key, value and timestamp are required (MLflow refuses the whole list otherwise). */
function batchMetrics(f: Fields): Metric[] {
  const items = list(f, 'metrics');
  return items.map((m) => {
    const o = entry(m, 'metrics');
    const present = (k: string): boolean => field(o, k) !== undefined && field(o, k) !== null && field(o, k) !== '';
    if (!present('key') || !present('value') || !present('timestamp')) throw invalidValue('metrics', items, f);
    return { key: str(o, 'key'), value: double(o, 'value'), timestamp: reqInt(o, 'timestamp'), step: optInt(o, 'step') ?? 0 };
  });
}

function keyValues(f: Fields, name: 'params' | 'tags'): { key: string; value: string }[] {
  const items = list(f, name);
  return items.map((p) => {
    const o = entry(p, name);
    const key = field(o, 'key');
    if (key === undefined || key === null || key === '') throw invalidValue(name, items, f);
    return { key: str(o, 'key'), value: optStr(o, 'value') ?? '' };
  });
}

function datasetInputs(f: Fields): DatasetInput[] {
  if (field(f, 'datasets') === undefined || field(f, 'datasets') === null) throw missing('datasets');
  return list(f, 'datasets').map((x, i) => {
    const o = entry(x, `datasets[${i}]`);
    const d = entry(field(o, 'dataset') ?? {}, `datasets[${i}].dataset`);
    const where = `datasets[${i}].dataset`;
    const req = (k: string): string => {
      const v = optStr(d, k);
      if (v === undefined || v === '') throw missing(`${where}.${k}`);
      return v;
    };
    return {
      name: req('name'),
      digest: req('digest'),
      sourceType: req('source_type'),
      source: req('source'),
      schema: optStr(d, 'schema'),
      profile: optStr(d, 'profile'),
      tags: tags(o),
    };
  });
}

const EXPERIMENT_ROUTES: Record<string, Route> = {
  'experiments/create': {
    methods: POST,
    handle: async (c, f) => {
      const name = str(f, 'name');
      const location = resolveLocation(optText(f, 'artifact_location'), c.cwd);
      return { experiment_id: await c.tracking.createExperiment(name, tags(f), location) };
    },
  },
  'experiments/get': { methods: GET, handle: async (c, f) => ({ experiment: experimentJson(await c.tracking.getExperiment(str(f, 'experiment_id'))) }) },
  'experiments/get-by-name': {
    methods: GET,
    handle: async (c, f) => {
      const name = str(f, 'experiment_name');
      const e = await c.tracking.getExperimentByName(name);
      if (!e) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`, { location: name });
      return { experiment: experimentJson(e) };
    },
  },
  'experiments/search': {
    methods: ['GET', 'POST'],
    handle: async (c, f) => {
      // MLflow's token only when more rows exist: a page exactly full has none. No max_results is 0, which MLflow
      // refuses (transcript 69); its clients always send one.
      const page = await c.tracking.searchExperiments({
        viewType: viewType(f, 'view_type'),
        filter: optText(f, 'filter'),
        maxResults: optInt(f, 'max_results') ?? 0,
        orderBy: stringList(f, 'order_by'),
        pageToken: optText(f, 'page_token'),
      });
      return {
        ...(page.items.length ? { experiments: page.items.map(experimentJson) } : {}),
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  },
  'experiments/update': {
    methods: POST,
    handle: (c, f) => {
      const id = str(f, 'experiment_id');
      return done(c.tracking.renameExperiment(id, str(f, 'new_name')));
    },
  },
  'experiments/delete': { methods: POST, handle: (c, f) => done(c.tracking.deleteExperiment(str(f, 'experiment_id'))) },
  'experiments/restore': { methods: POST, handle: (c, f) => done(c.tracking.restoreExperiment(str(f, 'experiment_id'))) },
  'experiments/set-experiment-tag': {
    methods: POST,
    handle: (c, f) => {
      const id = str(f, 'experiment_id');
      return done(c.tracking.setExperimentTag(id, { key: str(f, 'key'), value: optStr(f, 'value') ?? '' }));
    },
  },
};

const RUN_ROUTES: Record<string, Route> = {
  'runs/create': {
    methods: POST,
    handle: async (c, f) => {
      const run = await c.tracking.createRun({
        experimentId: optText(f, 'experiment_id') ?? '0',
        runName: optText(f, 'run_name'),
        userId: optStr(f, 'user_id') ?? '',
        startTime: optInt(f, 'start_time'),
        tags: tags(f),
      });
      return { run: runJson(run, false) };
    },
  },
  'runs/get': { methods: GET, handle: async (c, f) => ({ run: runJson(await c.tracking.getRun(runIdOf(f))) }) },
  'runs/update': {
    methods: POST,
    handle: async (c, f) => {
      const runId = runIdOf(f);
      const info = await c.tracking.updateRun(runId, { status: runStatus(f), endTime: optInt(f, 'end_time'), runName: optText(f, 'run_name') });
      return { run_info: runInfoJson(info) };
    },
  },
  'runs/delete': { methods: POST, handle: (c, f) => done(c.tracking.deleteRun(runIdOf(f))) },
  'runs/restore': { methods: POST, handle: (c, f) => done(c.tracking.restoreRun(runIdOf(f))) },
  'runs/log-batch': {
    methods: POST,
    handle: (c, f) => {
      const runId = runIdOf(f);
      const batch: LogBatch = { metrics: batchMetrics(f), params: keyValues(f, 'params'), tags: keyValues(f, 'tags') };
      return done(c.batches.submit(runId, batch, c.client));
    },
  },
  'runs/log-metric': {
    methods: POST,
    handle: (c, f) => {
      const runId = runIdOf(f);
      const metric = { key: str(f, 'key'), value: double(f, 'value'), timestamp: reqInt(f, 'timestamp'), step: optInt(f, 'step') ?? 0 };
      return done(c.batches.submit(runId, { metrics: [metric] }, c.client));
    },
  },
  'runs/log-parameter': {
    methods: POST,
    handle: (c, f) => {
      const runId = runIdOf(f);
      return done(c.tracking.logBatch(runId, { params: [{ key: str(f, 'key'), value: optStr(f, 'value') ?? '' }] }));
    },
  },
  'runs/set-tag': {
    methods: POST,
    handle: (c, f) => {
      const runId = runIdOf(f);
      return done(c.tracking.logBatch(runId, { tags: [{ key: str(f, 'key'), value: optStr(f, 'value') ?? '' }] }));
    },
  },
  'runs/delete-tag': {
    methods: POST,
    handle: (c, f) => {
      const runId = str(f, 'run_id');
      return done(c.tracking.deleteTag(runId, str(f, 'key')));
    },
  },
  'runs/log-inputs': {
    methods: POST,
    handle: (c, f) => {
      const runId = str(f, 'run_id');
      return done(c.tracking.logInputs(runId, datasetInputs(f)));
    },
  },
  'runs/log-model': {
    methods: POST,
    handle: async (c, f) => {
      const runId = runIdOf(f);
      const model = loggedModelDict(str(f, 'model_json'));
      const run = await c.tracking.getRun(runId);
      const previous = run.data.tags.find((t) => t.key === LOGGED_MODELS_TAG)?.value;
      await c.tracking.logBatch(runId, { tags: [{ key: LOGGED_MODELS_TAG, value: appendLoggedModel(previous, model) }] });
      return {};
    },
  },
  'metrics/get-history': {
    methods: GET,
    handle: async (c, f): Promise<Json> => {
      const runId = runIdOf(f);
      const metrics = await c.tracking.getMetricHistory(runId, str(f, 'metric_key'));
      return metrics.length ? { metrics: metrics.map(metricJson) } : {};
    },
  },
  'runs/search': {
    methods: POST,
    handle: async (c, f) => {
      const max = optInt(f, 'max_results') ?? 1000;
      if (max > 50_000) throw invalidValue('max_results', max, f);
      const pageToken = optText(f, 'page_token');
      const page = await c.tracking.searchRuns({
        experimentIds: stringList(f, 'experiment_ids'),
        filter: optText(f, 'filter'),
        runViewType: viewType(f, 'run_view_type'),
        maxResults: max,
        orderBy: stringList(f, 'order_by'),
        pageToken,
      });
      const token = fullPageToken(page.nextPageToken, page.items.length, max, pageToken);
      return { ...(page.items.length ? { runs: page.items.map((r) => runJson(r)) } : {}), ...(token ? { next_page_token: token } : {}) };
    },
  },
};

export const TRACKING_ROUTES: ReadonlyMap<string, Route> = new Map(Object.entries({ ...EXPERIMENT_ROUTES, ...RUN_ROUTES }));
