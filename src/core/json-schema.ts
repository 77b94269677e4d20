/**
 * A small JSON Schema (draft-07) checker for the files users write by hand. It reads the same
 * schema VS Code completes and checks with (`contributes.jsonValidation`), so the editor and the
 * CLI cannot disagree. Supported: type, enum, const, properties, required, additionalProperties,
 * items, minItems, uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
 * pattern, oneOf, anyOf, $ref to `#/definitions/…`; annotations (title, description, default,
 * markdownDescription, examples) are ignored. Every problem names the field by its path.
 */
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

function describe(v: unknown): string {
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
    if (s.const !== undefined && !deepEqual(s.const, v)) return [{ path, message: `must be ${JSON.stringify(s.const)} (got ${describe(v)})` }];
    if (s.enum && !s.enum.some((e) => deepEqual(e, v))) {
      return [{ path, message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')} (got ${describe(v)})` }];
    }
    const types = s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
    if (types && !types.some((t) => typeMatches(v, t))) return [{ path, message: `must be ${types.map(article).join(' or ')} (got ${describe(v)})` }];
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
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) return [{ path, message: `must match ${s.pattern} (got ${describe(v)})` }];
    return [];
  }

  private array(s: JsonSchema, v: unknown[], path: JsonPath): SchemaProblem[] {
    if (s.minItems !== undefined && v.length < s.minItems) return [{ path, message: `must have at least ${s.minItems} item(s)` }];
    if (s.uniqueItems) {
      const seen = new Set<string>();
      for (let i = 0; i < v.length; i++) {
        const k = JSON.stringify(v[i]);
        if (seen.has(k)) return [{ path: [...path, i], message: `repeats ${describe(v[i])}` }];
        seen.add(k);
      }
    }
    return s.items ? v.flatMap((item, i) => this.at(s.items!, item, [...path, i])) : [];
  }

  private object(s: JsonSchema, v: Record<string, unknown>, path: JsonPath): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    for (const k of s.required ?? []) if (!Object.hasOwn(v, k)) problems.push({ path, message: `'${k}' is required` });
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
    return [{ path, message: `must be ${names.slice(0, -1).join(', ')}${names.length > 1 ? ' or ' : ''}${names[names.length - 1]} (got ${describe(v)})` }];
  }

  private plausible(o: JsonSchema, v: unknown): boolean {
    if (o.const !== undefined) return typeOf(v) === typeOf(o.const);
    const types = o.type === undefined ? undefined : Array.isArray(o.type) ? o.type : [o.type];
    if (types && !types.some((t) => typeMatches(v, t))) return false;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && o.required) return o.required.every((k) => Object.hasOwn(v, k));
    return true;
  }
}
