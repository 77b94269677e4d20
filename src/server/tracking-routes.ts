import { ModelOpsError } from '../core/errors';
import { decodePageToken, encodePageToken } from '../core/page-token';
import type { LogBatch, Metric, RunStatus, Tag, ViewType } from '../core/tracking';
import type { TrackingStore } from '../store/tracking-store';
import type { Json } from '../core/mlflow-wire';
import { experimentJson, metricJson, runInfoJson, runJson } from '../core/mlflow-wire';

/**
 * MLflow 2.10.2's tracking REST API (`/api/2.0/mlflow/...`) over a TrackingStore: experiments,
 * runs, logging and search, with MLflow's messages for missing or malformed fields. GET requests
 * carry their fields in the query string, POST requests in a JSON body, as MLflow's server reads
 * them; runs/search is POST only (GET → 405, as MLflow).
 */
export type Fields = Record<string, unknown>;

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Route<S = TrackingStore> {
  methods: readonly Method[];
  handle(store: S, fields: Fields, method: Method): Promise<Json>;
}

export function missing(name: string): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`, { location: name });
}

export function str(f: Fields, name: string): string {
  const v = f[name];
  if (v === undefined || v === null || v === '') throw missing(name);
  if (typeof v !== 'string') throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied: expected a string`, { location: name });
  return v;
}

export function optStr(f: Fields, name: string): string | undefined {
  return f[name] === undefined || f[name] === null ? undefined : str(f, name);
}

/** int64 fields arrive as JSON numbers, or as strings (query strings, and protobuf JSON allows both). */
export function optInt(f: Fields, name: string): number | undefined {
  const v = f[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied: expected an integer`, { location: name });
  return n;
}

/** A double: a number, or "NaN" / "Infinity" / "-Infinity" as protobuf JSON writes them. */
function double(f: Fields, name: string): number {
  const v = f[name];
  if (v === undefined || v === null) throw missing(name);
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied: expected a number`, { location: name });
}

export function list(f: Fields, name: string): unknown[] {
  const v = f[name];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  // A repeated field given once in a query string.
  if (typeof v === 'string') return [v];
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied: expected a list`, { location: name });
}

export function tags(f: Fields, name = 'tags'): Tag[] {
  return list(f, name).map((t, i) => {
    const o = (t ?? {}) as Fields;
    if (typeof o.value !== 'string') throw missing(`${name}[${i}].value`);
    return { key: str(o, 'key'), value: o.value };
  });
}

function metricOf(o: Fields): Metric {
  return { key: str(o, 'key'), value: double(o, 'value'), timestamp: optInt(o, 'timestamp') ?? Date.now(), step: optInt(o, 'step') ?? 0 };
}

function viewType(f: Fields, name: string): ViewType | undefined {
  const v = f[name];
  if (v === undefined || v === null) return undefined;
  if (v === 'ACTIVE_ONLY' || v === 'DELETED_ONLY' || v === 'ALL') return v;
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied (use ACTIVE_ONLY, DELETED_ONLY or ALL)`, { location: name });
}

const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

/** MLflow accepts `run_uuid` where `run_id` is missing (older clients). */
const runIdOf = (f: Fields): string => (f.run_id === undefined && f.run_uuid !== undefined ? str(f, 'run_uuid') : str(f, 'run_id'));

/** MLflow's default page size for runs/search. */
const SEARCH_RUNS_DEFAULT_MAX = 1000;

/**
 * MLflow's server hands out a next-page token whenever a page is full, without looking ahead
 * (transcript 29: the last page of two runs still carries one); the store only does when more
 * rows exist. Clients follow tokens until a page comes back without one, so both end correctly.
 */
function mlflowNextToken(storeToken: string | undefined, returned: number, max: number, pageToken: string | undefined): string | undefined {
  if (storeToken) return storeToken;
  return max > 0 && returned === max ? encodePageToken(decodePageToken(pageToken) + max) : undefined;
}

const POST = ['POST'] as const;
const GET = ['GET'] as const;

export const TRACKING_ROUTES: Record<string, Route> = {
  'experiments/create': {
    methods: POST,
    handle: async (s, f) => ({ experiment_id: await s.createExperiment(str(f, 'name'), tags(f), optStr(f, 'artifact_location')) }),
  },
  'experiments/get': { methods: GET, handle: async (s, f) => ({ experiment: experimentJson(await s.getExperiment(str(f, 'experiment_id'))) }) },
  'experiments/get-by-name': {
    methods: GET,
    handle: async (s, f) => {
      const name = str(f, 'experiment_name');
      const e = await s.getExperimentByName(name);
      if (!e) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`, { location: name });
      return { experiment: experimentJson(e) };
    },
  },
  'experiments/search': {
    methods: ['GET', 'POST'],
    handle: async (s, f) => {
      const max = optInt(f, 'max_results') ?? 0;
      const pageToken = optStr(f, 'page_token');
      const page = await s.searchExperiments({ viewType: viewType(f, 'view_type'), filter: optStr(f, 'filter'), maxResults: max, orderBy: list(f, 'order_by').map(String), pageToken });
      const token = mlflowNextToken(page.nextPageToken, page.items.length, max, pageToken);
      return { ...(page.items.length ? { experiments: page.items.map(experimentJson) } : {}), ...(token ? { next_page_token: token } : {}) };
    },
  },
  'experiments/update': {
    methods: POST,
    handle: async (s, f) => {
      await s.renameExperiment(str(f, 'experiment_id'), str(f, 'new_name'));
      return {};
    },
  },
  'experiments/delete': {
    methods: POST,
    handle: async (s, f) => {
      await s.deleteExperiment(str(f, 'experiment_id'));
      return {};
    },
  },
  'experiments/restore': {
    methods: POST,
    handle: async (s, f) => {
      await s.restoreExperiment(str(f, 'experiment_id'));
      return {};
    },
  },
  'experiments/set-experiment-tag': {
    methods: POST,
    handle: async (s, f) => {
      await s.setExperimentTag(str(f, 'experiment_id'), { key: str(f, 'key'), value: str(f, 'value') });
      return {};
    },
  },
  'runs/create': {
    methods: POST,
    handle: async (s, f) => {
      const all = tags(f);
      const runName = optStr(f, 'run_name') ?? all.find((t) => t.key === 'mlflow.runName')?.value;
      const run = await s.createRun({ experimentId: optStr(f, 'experiment_id') ?? '0', runName, userId: optStr(f, 'user_id') ?? '', startTime: optInt(f, 'start_time'), tags: all.filter((t) => t.key !== 'mlflow.runName') });
      return { run: runJson(run, false) };
    },
  },
  'runs/get': { methods: GET, handle: async (s, f) => ({ run: runJson(await s.getRun(runIdOf(f))) }) },
  'runs/update': {
    methods: POST,
    handle: async (s, f) => {
      const status = optStr(f, 'status');
      if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid value '${status}' for parameter 'status' supplied`, { location: 'status' });
      const info = await s.updateRun(runIdOf(f), { status: status as RunStatus | undefined, endTime: optInt(f, 'end_time'), runName: optStr(f, 'run_name') });
      return { run_info: runInfoJson(info) };
    },
  },
  'runs/delete': {
    methods: POST,
    handle: async (s, f) => {
      await s.deleteRun(runIdOf(f));
      return {};
    },
  },
  'runs/restore': {
    methods: POST,
    handle: async (s, f) => {
      await s.restoreRun(runIdOf(f));
      return {};
    },
  },
  'runs/log-batch': {
    methods: POST,
    handle: async (s, f) => {
      const batch: LogBatch = {
        metrics: list(f, 'metrics').map((m) => metricOf((m ?? {}) as Fields)),
        params: list(f, 'params').map((p) => ({ key: str((p ?? {}) as Fields, 'key'), value: String(((p ?? {}) as Fields).value ?? '') })),
        tags: tags(f),
      };
      await s.logBatch(runIdOf(f), batch);
      return {};
    },
  },
  'runs/log-metric': {
    methods: POST,
    handle: async (s, f) => {
      await s.logBatch(runIdOf(f), { metrics: [metricOf(f)] });
      return {};
    },
  },
  'runs/log-parameter': {
    methods: POST,
    handle: async (s, f) => {
      await s.logBatch(runIdOf(f), { params: [{ key: str(f, 'key'), value: String(f.value ?? '') }] });
      return {};
    },
  },
  'runs/set-tag': {
    methods: POST,
    handle: async (s, f) => {
      await s.logBatch(runIdOf(f), { tags: [{ key: str(f, 'key'), value: String(f.value ?? '') }] });
      return {};
    },
  },
  'runs/log-inputs': {
    methods: POST,
    handle: async (s, f) => {
      const datasets = list(f, 'datasets').map((x, i) => {
        const o = (x ?? {}) as Fields;
        const d = (o.dataset ?? {}) as Fields;
        const where = `datasets[${i}].dataset`;
        const opt = (k: string): string | undefined => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
        if (typeof d.name !== 'string' || typeof d.digest !== 'string' || typeof d.source_type !== 'string' || typeof d.source !== 'string') throw missing(`${where}.name/digest/source_type/source`);
        return { name: d.name, digest: d.digest, sourceType: d.source_type, source: d.source, schema: opt('schema'), profile: opt('profile'), tags: tags(o) };
      });
      await s.logInputs(runIdOf(f), datasets);
      return {};
    },
  },
  'metrics/get-history': {
    methods: GET,
    handle: async (s, f) => {
      const metrics = await s.getMetricHistory(runIdOf(f), str(f, 'metric_key'));
      const out: Record<string, Json> = {};
      if (metrics.length) out.metrics = metrics.map(metricJson);
      return out;
    },
  },
  'runs/search': {
    methods: POST,
    handle: async (s, f) => {
      const max = optInt(f, 'max_results') ?? SEARCH_RUNS_DEFAULT_MAX;
      const pageToken = optStr(f, 'page_token');
      const page = await s.searchRuns({
        experimentIds: list(f, 'experiment_ids').map(String),
        filter: optStr(f, 'filter'),
        runViewType: viewType(f, 'run_view_type'),
        maxResults: max,
        orderBy: list(f, 'order_by').map(String),
        pageToken,
      });
      const token = mlflowNextToken(page.nextPageToken, page.items.length, max, pageToken);
      return { ...(page.items.length ? { runs: page.items.map((r) => runJson(r)) } : {}), ...(token ? { next_page_token: token } : {}) };
    },
  },
};
