/**
 * Tiny runtime validators for messages crossing the webview boundary. Both sides validate what
 * they receive (STYLE.md convention 5), and the message types are inferred from these checks so
 * the types and the checks cannot drift apart. No DOM, node or vscode imports: both bundles use it.
 */
import { ModelOpsError } from '../core/errors';

/** Returns the value typed, or throws a ModelOpsError naming the path of the bad field. */
export type Check<T> = (value: unknown, path: string) => T;
export type Infer<C> = C extends Check<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}

export function fail(path: string, expected: string, value: unknown): never {
  throw new ModelOpsError('BAD_REQUEST', `${path}: expected ${expected}, got ${describe(value)}`, { location: path });
}

export const str: Check<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'a string', v));
export const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean', v));
/** A finite number. NaN and infinities cannot cross postMessage's JSON, so they travel as null. */
export const num: Check<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number', v));
export const numOrNull: Check<number | null> = (v, p) => (v === null ? null : num(v, p));
export const unknownValue: Check<unknown> = (v) => v;

export function literal<T extends string>(...values: T[]): Check<T> {
  return (v, p) => (typeof v === 'string' && (values as string[]).includes(v) ? (v as T) : fail(p, `one of ${values.join('|')}`, v));
}

export function matching(re: RegExp, description: string, maxLength = 10_000_000): Check<string> {
  return (v, p) => (typeof v === 'string' && v.length <= maxLength && re.test(v) ? v : fail(p, description, v));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, p) => (v === null ? null : check(v, p));
}

export function arr<T>(item: Check<T>, maxLength = 1_000_000): Check<T[]> {
  return (v, p) => {
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
  };
}

/** Arrays of numbers (metric steps and values): one tight loop, no per-element call. */
function numberArray<T extends number | null>(allowNull: boolean, maxLength: number): Check<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) return fail(p, 'an array', v);
    if (v.length > maxLength) return fail(p, `at most ${maxLength} items`, v);
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'number' ? !Number.isFinite(x) : !(allowNull && x === null))
        fail(`${p}[${i}]`, allowNull ? 'a finite number or null' : 'a finite number', x);
    }
    return v.slice() as T[];
  };
}

/** Arrays of strings (param and tag values): one tight loop, as for numbers. */
export function strings(maxLength = 1_000_000): Check<string[]> {
  return (v, p) => {
    if (!Array.isArray(v)) return fail(p, 'an array', v);
    if (v.length > maxLength) return fail(p, `at most ${maxLength} items`, v);
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') fail(`${p}[${i}]`, 'a string', v[i]);
    return v.slice() as string[];
  };
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
  return (v, p) => {
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
  };
}
