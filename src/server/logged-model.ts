import { ModelOpsError } from '../core/errors';

/**
 * `runs/log-model`: MLflow appends the model's dict to the run's `mlflow.log-model.history` tag, a JSON list written
 * by Python's `json.dumps` (", " and ": " separators, non-ASCII escaped), with the keys in the order
 * `Model.from_dict(...).to_dict()` gives them (mlflow/models/model.py). The same bytes here, so MLflow's UI and
 * clients read the tag as they would from their own server.
 */
export const LOGGED_MODELS_TAG = 'mlflow.log-model.history';

const REQUIRED = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const;
/** Set in `Model.__init__` as properties: `to_dict` appends them at the end when not None. */
const TRAILING = ['signature', 'saved_input_example_info', 'metadata', 'model_size_bytes'] as const;
const LEADING = new Set<string>(['run_id', 'artifact_path', 'utc_time_created', 'flavors', 'model_uuid', 'mlflow_version', ...TRAILING]);

/** Python's `json.dumps` with default settings. */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  return `{${Object.entries(v as object)
    .map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`)
    .join(', ')}}`;
}

function pySet(keys: readonly string[]): string {
  return `{${keys.map((k) => `'${k}'`).join(', ')}}`;
}

/** The dict MLflow records for a `model_json`, or its error for a malformed one. */
export function loggedModelDict(modelJson: string): Record<string, unknown> {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Malformed model info. \n ${modelJson.slice(0, 1000)} \n is not a valid JSON.`, {
      location: 'model_json',
    });
  }
  if (model === null || typeof model !== 'object' || Array.isArray(model)) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'Malformed model info: model_json must be a JSON object', { location: 'model_json' });
  }
  const m = model as Record<string, unknown>;
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(m, k);
  const absent = REQUIRED.filter((k) => !has(k));
  if (absent.length > 0)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Model json is missing mandatory fields: ${pySet(absent)}`, { location: 'model_json' });
  const out: Record<string, unknown> = {};
  if (m.run_id) {
    out.run_id = m.run_id;
    out.artifact_path = m.artifact_path;
  }
  out.utc_time_created = typeof m.utc_time_created === 'string' ? m.utc_time_created : pyJson(m.utc_time_created);
  out.flavors = m.flavors ?? {};
  out.model_uuid = has('model_uuid') ? m.model_uuid : null;
  if (m.mlflow_version !== undefined && m.mlflow_version !== null) out.mlflow_version = m.mlflow_version;
  for (const [k, v] of Object.entries(m)) if (!LEADING.has(k)) out[k] = v;
  for (const k of TRAILING) if (m[k] !== undefined && m[k] !== null) out[k] = m[k];
  return out;
}

/** The tag's new value: the previous list (if any) with this model appended. */
export function appendLoggedModel(previous: string | undefined, model: Record<string, unknown>): string {
  let list: unknown[] = [];
  if (previous !== undefined) {
    try {
      const parsed: unknown = JSON.parse(previous);
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // MLflow would fail here too; a damaged history is replaced rather than blocking every log_model.
    }
  }
  return pyJson([...list, model]);
}
