/**
 * The one way JSON is validated: messages crossing the webview boundary, the files users write
 * (gates.json, the params file, the search space, the pipeline file) and the JSON the store keeps.
 *
 * A `Check<T>` returns its value typed, or throws a ModelOpsError naming the path of the bad field,
 * and carries the JSON Schema fragment it checks (`check.schema`). So a shape is declared once, as
 * checks: its type is `Infer<typeof check>`, its parser is the check, and the JSON Schema VS Code
 * checks a user's file with is `check.schema` (written to schemas/ by scripts/write-schemas.mjs).
 * Rules JSON Schema cannot say (low ≤ high, a log range above 0) are hand-written with `declared`,
 * next to the fragment that says the rest; a unit test keeps the two in agreement.
 *
 * `checkDocument` reports every problem of a whole document against a schema (a draft-07 subset:
 * type, enum, const, properties, required, additionalProperties, items, min/maxItems, uniqueItems,
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum, min/maxLength, minProperties, pattern,
 * oneOf, anyOf, $ref to `#/definitions/…`; annotations are ignored), as the editor lists them.
 * `parseStored` reads JSON the store keeps through a check, so a malformed stored value is refused
 * naming the record and the field instead of being trusted with a cast.
 *
 * No DOM, node or vscode imports: the webview bundles use it too (STYLE.md convention 5).
 */
import { ModelOpsError } from '../core/errors';

/** Returns the value typed, or throws a ModelOpsError naming the path of the bad field; `schema` is what it checks, as JSON Schema. */
export interface Check<T> {
  (value: unknown, path: string): T;
  readonly schema: JsonSchema;
}
export type Infer<C> = C extends Check<infer T> ? T : never;

/** A hand-written check with the JSON Schema fragment that describes it (for rules the fragment cannot say). */
export function declared<T>(schema: JsonSchema, check: (value: unknown, path: string) => T): Check<T> {
  // The function itself carries the schema (no extra call per value: pages hold tens of thousands);
  // one that already carries another's is wrapped instead of changed.
  return Object.assign('schema' in check ? (value: unknown, path: string) => check(value, path) : check, { schema });
}

/** The same check with annotations (title, description, default, …) on its schema. */
export function described<T>(
  check: Check<T>,
  annotations: Pick<JsonSchema, 'title' | 'description' | 'markdownDescription' | 'default' | 'examples'>,
): Check<T> {
  return declared({ ...check.schema, ...annotations }, check);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}

export function fail(path: string, expected: string, value: unknown): never {
  throw new ModelOpsError('BAD_REQUEST', `${path}: expected ${expected}, got ${describe(value)}`, { location: path });
}

export const str: Check<string> = declared({ type: 'string' }, (v, p) => (typeof v === 'string' ? v : fail(p, 'a string', v)));
export const bool: Check<boolean> = declared({ type: 'boolean' }, (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean', v)));
/** A finite number. NaN and infinities cannot cross postMessage's JSON, so they travel as null. */
export const num: Check<number> = declared({ type: 'number' }, (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number', v)));
export const numOrNull: Check<number | null> = declared({ type: ['number', 'null'] }, (v, p) => (v === null ? null : num(v, p)));
/** A value that may be infinite (an Optuna trial's ±inf): JSON has no infinities, so those travel as 'inf' and '-inf'. */
export type WideNumber = number | 'inf' | '-inf';
export const wideNum: Check<WideNumber> = declared({ anyOf: [{ type: 'number' }, { enum: ['inf', '-inf'] }] }, (v, p) =>
  v === 'inf' || v === '-inf' ? v : typeof v === 'number' && Number.isFinite(v) ? v : fail(p, "a finite number, 'inf' or '-inf'", v),
);
/** `v` as it crosses JSON: infinities as 'inf' / '-inf'; undefined for NaN (no value). */
export function toWide(v: number): WideNumber | undefined {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return undefined;
  return v > 0 ? 'inf' : '-inf';
}
export function fromWide(v: WideNumber): number {
  return v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;
}
export const unknownValue: Check<unknown> = declared({}, (v) => v);
/** A stored number: JSON writes NaN and infinities as null, so null reads back as NaN. */
export const numOrNaN: Check<number> = declared({ type: ['number', 'null'] }, (v, p) => (v === null ? Number.NaN : num(v, p)));
/** A scalar JSON value (a tuning param's value). */
export const scalar: Check<number | string | boolean | null> = declared({ type: ['number', 'string', 'boolean', 'null'] }, (v, p) =>
  v === null || typeof v === 'string' || typeof v === 'boolean' ? v : num(v, p),
);

/** A whole number, optionally within [min, max]. */
export function int(min?: number, max?: number): Check<number> {
  const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
  return declared({ type: 'integer', ...(min !== undefined ? { minimum: min } : {}), ...(max !== undefined ? { maximum: max } : {}) }, (v, p) =>
    typeof v === 'number' && Number.isInteger(v) && (min === undefined || v >= min) && (max === undefined || v <= max) ? v : fail(p, `an integer${range}`, v),
  );
}

export function literal<T extends string>(...values: T[]): Check<T> {
  return declared({ enum: values }, (v, p) =>
    typeof v === 'string' && (values as string[]).includes(v) ? (v as T) : fail(p, `one of ${values.join('|')}`, v),
  );
}

export function matching(re: RegExp, description: string, maxLength = 10_000_000): Check<string> {
  return declared({ type: 'string', description, maxLength }, (v, p) =>
    typeof v === 'string' && v.length <= maxLength && re.test(v) ? v : fail(p, description, v),
  );
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return declared({ anyOf: [check.schema, { type: 'null' }] }, (v, p) => (v === null ? null : check(v, p)));
}

export function arr<T>(item: Check<T>, maxLength = 1_000_000): Check<T[]> {
  return declared({ type: 'array', items: item.schema, maxItems: maxLength }, (v, p) => {
    if (!Array.isArray(v)) return fail(p, 'an array', v);
    if (v.length > maxLength) return fail(p, `at most ${maxLength} items`, v);
    const out = new Array<T>(v.length);
    // The element's path is only built when it fails: histories hold millions of numbers.
    for (let i = 0; i < v.length; i++) {
      try {
        out[i] = item(v[i], p);
      } catch {
        out[i] = item(v[i], `${p}[${i}]`);
      }
    }
    return out;
  });
}

/** An object whose every value passes `value` (a map keyed by name). */
export function record<T>(value: Check<T>): Check<Record<string, T>> {
  return declared({ type: 'object', additionalProperties: value.schema }, (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
    // fromEntries defines each key, so one from data named `__proto__` is a key, not the prototype.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, `${p}.${k}`)]));
  });
}

/** Arrays of numbers (metric steps and values): one tight loop, no per-element call. */
function numberArray<T extends number | null>(allowNull: boolean, maxLength: number): Check<T[]> {
  return declared({ type: 'array', items: { type: allowNull ? ['number', 'null'] : 'number' }, maxItems: maxLength }, (v, p) => {
    if (!Array.isArray(v)) return fail(p, 'an array', v);
    if (v.length > maxLength) return fail(p, `at most ${maxLength} items`, v);
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'number' ? !Number.isFinite(x) : !(allowNull && x === null))
        fail(`${p}[${i}]`, allowNull ? 'a finite number or null' : 'a finite number', x);
    }
    return v.slice() as T[];
  });
}

/** Arrays of strings (param and tag values): one tight loop, as for numbers. */
export function strings(maxLength = 1_000_000): Check<string[]> {
  return declared({ type: 'array', items: { type: 'string' }, maxItems: maxLength }, (v, p) => {
    if (!Array.isArray(v)) return fail(p, 'an array', v);
    if (v.length > maxLength) return fail(p, `at most ${maxLength} items`, v);
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') fail(`${p}[${i}]`, 'a string', v[i]);
    return v.slice() as string[];
  });
}

export const numbers = (maxLength = 10_000_000): Check<number[]> => numberArray<number>(false, maxLength);
export const numbersOrNull = (maxLength = 10_000_000): Check<(number | null)[]> => numberArray<number | null>(true, maxLength);

type Shape = Record<string, Check<unknown>>;
type FromShape<R extends Shape, O extends Shape> = { [K in keyof R]: Infer<R[K]> } & { [K in keyof O]?: Infer<O[K]> };

/**
 * An object with the `required` keys and possibly the `optional` ones. Unknown keys are dropped,
 * and the result is a fresh object, so nothing but the declared fields reaches the other side.
 */
export function obj<R extends Shape, O extends Shape = Record<never, never>>(required: R, optional?: O): Check<FromShape<R, O>> {
  const requiredKeys = Object.keys(required);
  const optionalKeys = optional ? Object.keys(optional) : [];
  const properties = Object.fromEntries([...Object.entries(required), ...Object.entries(optional ?? {})].map(([k, c]) => [k, c.schema]));
  return declared({ type: 'object', required: requiredKeys, properties }, (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
    const source = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    // A field's path is only built when it fails: a page of runs holds tens of thousands of objects.
    const field = (check: Check<unknown>, key: string): unknown => {
      try {
        return check(source[key], p);
      } catch {
        return check(source[key], `${p}.${key}`);
      }
    };
    for (const key of requiredKeys) out[key] = field(required[key], key);
    if (optional) {
      for (const key of optionalKeys) {
        if (source[key] !== undefined) out[key] = field(optional[key], key);
      }
    }
    return out as FromShape<R, O>;
  });
}

/**
 * JSON the store keeps (a study's settings or space, a version's report), read through its check:
 * a malformed value is refused as STORE_CORRUPT naming `where` (the record) and the field, instead
 * of being trusted with a cast.
 */
export function parseStored<T>(check: Check<T>, text: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModelOpsError('STORE_CORRUPT', `${where}: the stored JSON cannot be read (${(e as Error).message})`, { location: where, cause: e });
  }
  try {
    return check(value, where);
  } catch (e) {
    if (!(e instanceof ModelOpsError)) throw e;
    throw new ModelOpsError('STORE_CORRUPT', `stored ${e.message}`, { location: e.location ?? where, cause: e });
  }
}

/** Every problem of a document against a JSON Schema (or a check's), as the editor lists them; none for a good document. */
export function checkDocument(schema: JsonSchema | Check<unknown>, value: unknown): SchemaProblem[] {
  return new SchemaChecker(typeof schema === 'function' ? schema.schema : schema).check(value);
}
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  markdownDescription?: string;
  default?: unknown;
  examples?: unknown[];
  type?: JsonType | JsonType[];
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  minProperties?: number;
  pattern?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
}

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** A path into a document: object keys and array indexes. */
export type JsonPath = (string | number)[];

export interface SchemaProblem {
  path: JsonPath;
  message: string;
  /** True when the problem is about a key itself (unknown field), not its value. */
  atKey?: boolean;
}

/** `expectations.columns.age.max_missing`, `gates.metrics["f1 macro"]`, `items[2]`. */
export function formatPath(path: JsonPath): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `${i === 0 ? '' : '.'}${p}` : `[${JSON.stringify(p)}]`))
    .join('');
}

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

function typeMatches(v: unknown, t: JsonType): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function describeValue(v: unknown): string {
  const t = typeOf(v);
  if (t === 'object') return 'an object';
  if (t === 'array') return 'a list';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function article(t: JsonType): string {
  return t === 'object' ? 'an object' : t === 'array' ? 'a list' : t === 'integer' ? 'an integer' : t === 'null' ? 'null' : `a ${t}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SchemaChecker {
  constructor(private readonly root: JsonSchema) {}

  check(value: unknown): SchemaProblem[] {
    return this.at(this.root, value, []);
  }

  private resolve(s: JsonSchema): JsonSchema {
    if (!s.$ref) return s;
    const m = /^#\/definitions\/(.+)$/.exec(s.$ref);
    const target = m ? this.root.definitions?.[m[1]!] : undefined;
    if (!target) throw new Error(`schema: unresolved $ref ${s.$ref}`);
    return this.resolve(target);
  }

  private at(schema: JsonSchema, v: unknown, path: JsonPath): SchemaProblem[] {
    const s = this.resolve(schema);
    if (s.oneOf || s.anyOf) return this.alternatives(s, (s.oneOf ?? s.anyOf)!, v, path);
    if (s.const !== undefined && !deepEqual(s.const, v)) return [{ path, message: `must be ${JSON.stringify(s.const)} (got ${describeValue(v)})` }];
    if (s.enum && !s.enum.some((e) => deepEqual(e, v))) {
      return [{ path, message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')} (got ${describeValue(v)})` }];
    }
    const types = s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
    if (types && !types.some((t) => typeMatches(v, t))) return [{ path, message: `must be ${types.map(article).join(' or ')} (got ${describeValue(v)})` }];
    if (typeof v === 'number') return this.number(s, v, path);
    if (typeof v === 'string') return this.string(s, v, path);
    if (Array.isArray(v)) return this.array(s, v, path);
    if (typeof v === 'object' && v !== null) return this.object(s, v as Record<string, unknown>, path);
    return [];
  }

  private number(s: JsonSchema, v: number, path: JsonPath): SchemaProblem[] {
    const bad = (why: string): SchemaProblem[] => [{ path, message: `must be ${why} (got ${v})` }];
    if (s.minimum !== undefined && v < s.minimum) return bad(`≥ ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) return bad(`≤ ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) return bad(`> ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) return bad(`< ${s.exclusiveMaximum}`);
    return [];
  }

  private string(s: JsonSchema, v: string, path: JsonPath): SchemaProblem[] {
    if (s.minLength !== undefined && v.length < s.minLength)
      return [{ path, message: s.minLength === 1 ? 'must not be empty' : `must have at least ${s.minLength} characters` }];
    if (s.maxLength !== undefined && v.length > s.maxLength) return [{ path, message: `must have at most ${s.maxLength} characters` }];
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) return [{ path, message: `must match ${s.pattern} (got ${describeValue(v)})` }];
    return [];
  }

  private array(s: JsonSchema, v: unknown[], path: JsonPath): SchemaProblem[] {
    if (s.minItems !== undefined && v.length < s.minItems) return [{ path, message: `must have at least ${s.minItems} item(s)` }];
    if (s.maxItems !== undefined && v.length > s.maxItems) return [{ path, message: `must have at most ${s.maxItems} item(s)` }];
    if (s.uniqueItems) {
      const seen = new Set<string>();
      for (let i = 0; i < v.length; i++) {
        const k = JSON.stringify(v[i]);
        if (seen.has(k)) return [{ path: [...path, i], message: `repeats ${describeValue(v[i])}` }];
        seen.add(k);
      }
    }
    return s.items ? v.flatMap((item, i) => this.at(s.items!, item, [...path, i])) : [];
  }

  private object(s: JsonSchema, v: Record<string, unknown>, path: JsonPath): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    for (const k of s.required ?? []) if (!Object.hasOwn(v, k)) problems.push({ path, message: `'${k}' is required` });
    if (s.minProperties !== undefined && Object.keys(v).length < s.minProperties)
      problems.push({ path, message: s.minProperties === 1 ? 'must not be empty' : `must have at least ${s.minProperties} fields` });
    for (const [k, value] of Object.entries(v)) {
      const own = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
      if (own) problems.push(...this.at(own, value, [...path, k]));
      else if (s.additionalProperties === false) {
        const known = Object.keys(s.properties ?? {});
        problems.push({ path: [...path, k], atKey: true, message: `unknown field${known.length ? ` (expected ${known.join(', ')})` : ''}` });
      } else if (typeof s.additionalProperties === 'object') problems.push(...this.at(s.additionalProperties, value, [...path, k]));
    }
    return problems;
  }

  /**
   * One of several shapes: when exactly one alternative fits the value's type and required keys,
   * its own problems are the useful ones; otherwise the alternatives are listed by their titles.
   */
  private alternatives(s: JsonSchema, options: JsonSchema[], v: unknown, path: JsonPath): SchemaProblem[] {
    const results = options.map((o) => this.at(o, v, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (s.oneOf ? passing === 1 : passing >= 1) return [];
    const plausible = options
      .map((o) => this.resolve(o))
      .map((o, i) => ({ o, i }))
      .filter(({ o }) => this.plausible(o, v));
    // One shape fits: its own problem is the useful one (a constant is better shown among the others).
    if (plausible.length === 1 && plausible[0]!.o.const === undefined) return results[plausible[0]!.i]!;
    const names = options
      .map((o) => this.resolve(o))
      .map(
        (o) =>
          o.title ??
          (o.const !== undefined ? JSON.stringify(o.const) : Array.isArray(o.type) ? o.type.map(article).join(' or ') : o.type ? article(o.type) : 'a value'),
      );
    return [{ path, message: `must be ${names.slice(0, -1).join(', ')}${names.length > 1 ? ' or ' : ''}${names[names.length - 1]} (got ${describeValue(v)})` }];
  }

  private plausible(o: JsonSchema, v: unknown): boolean {
    if (o.const !== undefined) return typeOf(v) === typeOf(o.const);
    const types = o.type === undefined ? undefined : Array.isArray(o.type) ? o.type : [o.type];
    if (types && !types.some((t) => typeMatches(v, t))) return false;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      if (o.required && !o.required.every((k) => Object.hasOwn(record, k))) return false;
      // A field with a constant is the shape's tag (`"type": "int"`): another tag is another shape.
      return Object.entries(o.properties ?? {}).every(([k, p]) => p.const === undefined || !Object.hasOwn(record, k) || deepEqual(p.const, record[k]));
    }
    return true;
  }
}
