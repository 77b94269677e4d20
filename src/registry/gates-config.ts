import { checkNesting } from '../core/json-text';
import { existsSync, readFileSync } from 'node:fs';
import { ModelOpsError } from '../core/errors';
import type { Bad } from './gates/gate';
import { isObject } from './gates/gate';
import type { GateSpec } from './gates/gate-list';
import { GATE_FIELDS } from './gates/gate-list';

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
 *       "max_size_mb": 50,
 *       "beats_baseline": { "metric": "roc_auc" }
 *     }
 *   }
 * }
 * ```
 * A model's entry is merged field by field over `default`. The fields are the gates' own
 * (registry/gates/): each gate parses the fields it owns.
 */
export interface GatesFile {
  default?: Partial<GateSpec>;
  models?: Record<string, Partial<GateSpec>>;
}

export const DEFAULT_GATES_PATH = '.modelops/gates.json';

/** The gates with no file at all: each field's own default (a field without one is optional in GateSpec). */
export const BUILTIN_GATES = Object.fromEntries(
  GATE_FIELDS.filter(([, f]) => f.default !== undefined).map(([k, f]) => [k, f.default]),
) as Partial<GateSpec> as GateSpec;

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
    if (!GATE_FIELDS.some(([f]) => f === k)) bad(`${at}.${k}`, `unknown field (expected one of ${GATE_FIELDS.map(([f]) => f).join(', ')})`);
  }
  const spec: Record<string, unknown> = {};
  for (const [k, field] of GATE_FIELDS) if (v[k] !== undefined) spec[k] = field.parse(v[k], `${at}.${k}`, bad);
  // Each value came from its own field's parser, which is typed by the gate that owns it.
  return spec as Partial<GateSpec>;
}
