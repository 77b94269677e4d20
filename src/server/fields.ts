import { ModelOpsError } from '../core/errors';
import type { Tag } from '../core/tracking';

/**
 * Request fields as MLflow 2.10.2's handlers read them (mlflow/server/handlers.py `_get_request_message` and its
 * schemas): a required field that is absent, null or "" is "missing"; a field of the wrong JSON type is refused with
 * MLflow's "Invalid value … Hint: Value was of type …" message instead of being coerced (no `[object Object]` ever
 * reaches the store). Fields are read as own properties only, so `__proto__` or `constructor` in a body or query
 * string is just an unknown field.
 */
export type Fields = Record<string, unknown>;

const SEE_DOCS = ' See the API docs for more information about request parameters.';

/** A field's value, own properties only. */
export function field(f: Fields, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(f, name) ? f[name] : undefined;
}

export function missing(name: string): ModelOpsError {
  return new ModelOpsError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'.${SEE_DOCS}`, { location: name });
}

/** Python's type name for a JSON value, as MLflow's hint prints it. */
function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  return Array.isArray(v) ? 'list' : 'dict';
}

/** Python's `str()` of a JSON value, bounded (a hostile value must not make a megabyte error message). */
export function pyText(v: unknown, budget = 200): string {
  const out: string[] = [];
  let left = budget;
  const put = (s: string): boolean => {
    out.push(s.slice(0, Math.max(0, left)));
    left -= s.length;
    return left > 0;
  };
  const walk = (x: unknown, top: boolean, depth: number): boolean => {
    if (depth > 20) return put('...');
    if (x === null || x === undefined) return put('None');
    if (typeof x === 'boolean') return put(x ? 'True' : 'False');
    if (typeof x === 'number') return put(String(x));
    if (typeof x === 'string') return put(top ? x : `'${x}'`);
    if (Array.isArray(x)) {
      if (!put('[')) return false;
      for (let i = 0; i < x.length; i++) if ((i > 0 && !put(', ')) || !walk(x[i], false, depth + 1)) return false;
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const [k, val] of Object.entries(x as object)) {
      if ((!first && !put(', ')) || !put(`'${k}': `) || !walk(val, false, depth + 1)) return false;
      first = false;
    }
    return put('}');
  };
  walk(v, true, 0);
  const text = out.join('');
  return left < 0 ? `${text}…` : text;
}

/** The JSON text a body was parsed from, so a number can be quoted as written (`9.0` stays `9.0`, as Python prints it). */
const RAW = new WeakMap<object, string>();

export function withRawText(f: Fields, text: string): Fields {
  RAW.set(f, text);
  return f;
}

function quoted(v: unknown, f: Fields | undefined, name: string): string {
  const raw = f === undefined ? undefined : RAW.get(f);
  if (typeof v === 'number' && raw !== undefined) {
    const key = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`${key}\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)`).exec(raw);
    if (m && Number(m[1]) === v) return m[1]!;
  }
  return pyText(v);
}

export function invalidValue(name: string, v: unknown, f?: Fields): ModelOpsError {
  const type = typeof v === 'number' && /[.eE]/.test(quoted(v, f, name)) ? 'float' : pyType(v);
  return new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `Invalid value ${quoted(v, f, name)} for parameter '${name}' supplied. Hint: Value was of type '${type}'.${SEE_DOCS}`,
    {
      location: name,
    },
  );
}

/** A required string; "" counts as missing (protobuf cannot tell them apart). */
export function str(f: Fields, name: string): string {
  const v = field(f, name);
  if (v === undefined || v === null || v === '') throw missing(name);
  if (typeof v !== 'string') throw invalidValue(name, v, f);
  return v;
}

/** An optional string; "" is kept (a tag or description may be empty). */
export function optStr(f: Fields, name: string): string | undefined {
  const v = field(f, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidValue(name, v, f);
  return v;
}

/** An optional string where "" means unset, as protobuf reads it (filters, page tokens, artifact locations). */
export function optText(f: Fields, name: string): string | undefined {
  const v = optStr(f, name);
  return v === '' ? undefined : v;
}

/** int64: a JSON integer, or a string of one (query strings; protobuf JSON allows both). */
export function optInt(f: Fields, name: string): number | undefined {
  const v = field(f, name);
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw invalidValue(name, v, f);
  return n;
}

export function reqInt(f: Fields, name: string): number {
  const n = optInt(f, name);
  if (n === undefined) throw missing(name);
  return n;
}

/** A double: a number, or "NaN" / "Infinity" / "-Infinity" (and numeric strings) as protobuf JSON allows. */
export function double(f: Fields, name: string): number {
  const v = field(f, name);
  if (v === undefined || v === null || v === '') throw missing(name);
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw invalidValue(name, v, f);
}

export function optBool(f: Fields, name: string): boolean | undefined {
  const v = field(f, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  // Query strings carry booleans as text.
  if (v === 'true' || v === 'false') return v === 'true';
  throw invalidValue(name, v, f);
}

/** Fields read from a query string, where a repeated field given once is a single value. */
const FROM_QUERY = new WeakSet<object>();

export function fromQuery(f: Fields): Fields {
  FROM_QUERY.add(f);
  return f;
}

/** A repeated field: a JSON list, or (query strings) one or several values. */
export function list(f: Fields, name: string): unknown[] {
  const v = field(f, name);
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'string' && FROM_QUERY.has(f)) return [v];
  throw invalidValue(name, v, f);
}

export function stringList(f: Fields, name: string): string[] {
  const items = list(f, name);
  for (const x of items) if (typeof x !== 'string') throw invalidValue(name, items, f);
  return items as string[];
}

/** An element of a repeated message field: an object, else refused. */
export function entry(v: unknown, name: string): Fields {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidValue(name, v);
  return v as Fields;
}

/** `tags: [{key, value}]`; a value must be a string ("" allowed). */
export function tags(f: Fields, name = 'tags'): Tag[] {
  return list(f, name).map((t, i) => {
    const o = entry(t, `${name}[${i}]`);
    const key = field(o, 'key');
    if (typeof key !== 'string' || key === '') throw key === undefined || key === null || key === '' ? missing(`${name}[${i}].key`) : invalidValue('key', key);
    return { key, value: optStr(o, 'value') ?? '' };
  });
}

/** MLflow accepts `run_uuid` where `run_id` is missing (older clients, the UI). */
export function runIdOf(f: Fields): string {
  const id = field(f, 'run_id');
  return (id === undefined || id === null || id === '') && field(f, 'run_uuid') !== undefined ? str(f, 'run_uuid') : str(f, 'run_id');
}
