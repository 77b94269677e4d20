/**
 * An object for keys that come from data — column names, param names, JSON keys: it has no
 * prototype, so `__proto__`, `constructor` and `toString` are keys like any other (on a plain
 * object, assigning `o['__proto__']` would replace its prototype instead of storing a value).
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
