import { checkNesting } from '../core/json-text';
import { existsSync, readFileSync } from 'node:fs';
import { ModelOpsError } from '../core/errors';
import type { MetricThreshold } from './metric-threshold';
import { validateMetricThreshold } from './metric-threshold';

/**
 * The validation gates of one registered model, from the workspace file `.modelops/gates.json`:
 *
 * ```json
 * {
 *   "default": { "metrics": { "accuracy": { "threshold": 0.7, "greater_is_better": true } } },
 *   "models": {
 *     "churn": {
 *       "data": "data/churn-holdout.csv",
 *       "metrics": { "f1": { "threshold": 0.6, "min_absolute_change": 0.01, "greater_is_better": true } },
 *       "signature": "compatible",
 *       "smoke_test": { "rows": 100 },
 *       "latency": { "max_ms_per_row": 0.5 },
 *       "max_size_mb": 50
 *     }
 *   }
 * }
 * ```
 * A model's entry is merged field by field over `default`.
 */
export interface GateSpec {
  /** Held-out data (CSV, relative to the workspace) every candidate and the Production version are scored on. */
  data?: string;
  /** Target column in `data`; defaults to the model's own target. */
  target?: string;
  metrics: Record<string, MetricThreshold>;
  /** `compatible`: the candidate must accept every input column Production accepts, with the same types. */
  signature: 'compatible' | 'off';
  /** Score this many held-out rows and check every prediction is well-formed. `false` turns it off. */
  smoke_test: { rows: number } | false;
  latency?: { max_ms_per_row: number };
  max_size_mb?: number;
}

export interface GatesFile {
  default?: Partial<GateSpec>;
  models?: Record<string, Partial<GateSpec>>;
}

export const DEFAULT_GATES_PATH = '.modelops/gates.json';

const SPEC_FIELDS = ['data', 'target', 'metrics', 'signature', 'smoke_test', 'latency', 'max_size_mb'] as const;
const THRESHOLD_FIELDS = ['threshold', 'min_absolute_change', 'min_relative_change', 'greater_is_better'] as const;

export const BUILTIN_GATES: GateSpec = { metrics: {}, signature: 'compatible', smoke_test: { rows: 100 } };

/** Reads and schema-checks the gates file; a missing file means the built-in gates. */
export function loadGatesFile(path: string): GatesFile {
  if (!existsSync(path)) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModelOpsError('STORE_IO', `${path}: cannot read the gates file (${(e as Error).message})`, { location: path });
  }
  return parseGatesFile(text, path);
}

export function parseGatesFile(text: string, file: string): GatesFile {
  let raw: unknown;
  checkNesting(text, file);
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = file;
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const col = Number(pos[1]) - before.lastIndexOf('\n');
      where = `${file}:${line}:${col}`;
    }
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: not valid JSON (${msg})`, { location: where });
  }
  const bad = (field: string, why: string): never => {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${file}: ${field}: ${why}`, { location: `${file}#${field}` });
  };
  if (!isObject(raw)) bad('(top level)', 'must be an object with "default" and/or "models"');
  const top = raw as Record<string, unknown>;
  for (const k of Object.keys(top)) {
    if (k !== 'default' && k !== 'models' && k !== '$schema') bad(k, 'unknown field (expected "default" or "models")');
  }
  const out: GatesFile = {};
  if (top.default !== undefined) out.default = checkSpec(top.default, 'default', bad);
  if (top.models !== undefined) {
    if (!isObject(top.models)) bad('models', 'must be an object mapping model names to gates');
    out.models = {};
    for (const [name, spec] of Object.entries(top.models as Record<string, unknown>)) {
      out.models[name] = checkSpec(spec, `models.${name}`, bad);
    }
  }
  return out;
}

/** The gates for one model: built-ins, then `default`, then the model's own entry. */
export function gatesFor(file: GatesFile, model: string): GateSpec {
  return { ...BUILTIN_GATES, ...(file.default ?? {}), ...(file.models?.[model] ?? {}) };
}

type Bad = (field: string, why: string) => never;

/** One model's gates given as an object (inline in a pipeline file); errors name `file` and the field under `at`. */
export function parseGateSpec(value: unknown, file: string, at: string): Partial<GateSpec> {
  const bad: Bad = (field, why) => {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${file}: ${field}: ${why}`, { location: `${file}#${field}` });
  };
  return checkSpec(value, at, bad);
}

function checkSpec(value: unknown, at: string, bad: Bad): Partial<GateSpec> {
  if (!isObject(value)) bad(at, 'must be an object');
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!(SPEC_FIELDS as readonly string[]).includes(k)) bad(`${at}.${k}`, `unknown field (expected one of ${SPEC_FIELDS.join(', ')})`);
  }
  const spec: Partial<GateSpec> = {};
  if (v.data !== undefined) {
    if (typeof v.data !== 'string' || v.data === '') bad(`${at}.data`, 'must be a path to a CSV file');
    spec.data = v.data as string;
  }
  if (v.target !== undefined) {
    if (typeof v.target !== 'string' || v.target === '') bad(`${at}.target`, 'must be a column name');
    spec.target = v.target as string;
  }
  if (v.metrics !== undefined) {
    if (!isObject(v.metrics)) bad(`${at}.metrics`, 'must map metric names to thresholds');
    spec.metrics = {};
    for (const [metric, t] of Object.entries(v.metrics as Record<string, unknown>)) {
      const where = `${at}.metrics.${metric}`;
      if (!isObject(t)) bad(where, 'must be an object like {"threshold": 0.8, "greater_is_better": true}');
      const tt = t as Record<string, unknown>;
      for (const k of Object.keys(tt)) {
        if (!(THRESHOLD_FIELDS as readonly string[]).includes(k)) bad(`${where}.${k}`, `unknown field (expected one of ${THRESHOLD_FIELDS.join(', ')})`);
      }
      for (const k of ['threshold', 'min_absolute_change', 'min_relative_change'] as const) {
        if (tt[k] !== undefined && typeof tt[k] !== 'number') bad(`${where}.${k}`, 'must be a number');
      }
      if (typeof tt.greater_is_better !== 'boolean') bad(`${where}.greater_is_better`, 'is required and must be true or false');
      const threshold: MetricThreshold = { greater_is_better: tt.greater_is_better as boolean };
      if (tt.threshold !== undefined) threshold.threshold = tt.threshold as number;
      if (tt.min_absolute_change !== undefined) threshold.min_absolute_change = tt.min_absolute_change as number;
      if (tt.min_relative_change !== undefined) threshold.min_relative_change = tt.min_relative_change as number;
      try {
        validateMetricThreshold(threshold, where);
      } catch (e) {
        bad(where, (e as Error).message.replace(`${where}.`, ''));
      }
      spec.metrics[metric] = threshold;
    }
  }
  if (v.signature !== undefined) {
    if (v.signature !== 'compatible' && v.signature !== 'off') bad(`${at}.signature`, 'must be "compatible" or "off"');
    spec.signature = v.signature as 'compatible' | 'off';
  }
  if (v.smoke_test !== undefined) {
    if (v.smoke_test === false) spec.smoke_test = false;
    else if (v.smoke_test === true) spec.smoke_test = { rows: 100 };
    else {
      if (!isObject(v.smoke_test)) bad(`${at}.smoke_test`, 'must be false, true or {"rows": <n>}');
      const rows = (v.smoke_test as Record<string, unknown>).rows;
      for (const k of Object.keys(v.smoke_test as object)) if (k !== 'rows') bad(`${at}.smoke_test.${k}`, 'unknown field (expected rows)');
      if (rows !== undefined && !(typeof rows === 'number' && Number.isInteger(rows) && rows > 0)) bad(`${at}.smoke_test.rows`, 'must be a positive integer');
      spec.smoke_test = { rows: (rows as number | undefined) ?? 100 };
    }
  }
  if (v.latency !== undefined) {
    if (!isObject(v.latency)) bad(`${at}.latency`, 'must be {"max_ms_per_row": <number>}');
    const l = v.latency as Record<string, unknown>;
    for (const k of Object.keys(l)) if (k !== 'max_ms_per_row') bad(`${at}.latency.${k}`, 'unknown field (expected max_ms_per_row)');
    if (!(typeof l.max_ms_per_row === 'number' && l.max_ms_per_row > 0)) bad(`${at}.latency.max_ms_per_row`, 'must be a positive number');
    spec.latency = { max_ms_per_row: l.max_ms_per_row as number };
  }
  if (v.max_size_mb !== undefined) {
    if (!(typeof v.max_size_mb === 'number' && v.max_size_mb > 0)) bad(`${at}.max_size_mb`, 'must be a positive number of megabytes');
    spec.max_size_mb = v.max_size_mb as number;
  }
  return spec;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
