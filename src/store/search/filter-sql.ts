import type { SqlValue } from '../sql/sql-database';
import type { Comparison } from './filter-parser';
import { filterError } from './filter-parser';

/**
 * The one translation of a parsed MLflow filter comparison into SQL, for runs, experiments and
 * the registry alike: parameters bound, never pasted; LIKE case-sensitive as in MLflow (GLOB),
 * ILIKE case-insensitive. The callers map identifiers to columns; this builds the condition.
 */

/** `LIKE` is case-sensitive in MLflow; SQLite's LIKE is not, so translate to GLOB (escaping GLOB's own specials). */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[' || ch === ']') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/** A condition on a text column: =, !=, LIKE, ILIKE, IN, NOT IN. */
export function stringCondition(col: string, c: Comparison, source: string, params: SqlValue[], what: string): string {
  const v = c.value;
  switch (c.comparator) {
    case '=':
    case '!=':
      if (typeof v !== 'string') throw filterError(source, c.column, `value for ${c.key} must be a quoted string, got ${String(v)}`, what);
      params.push(v);
      return `${col} ${c.comparator} ?`;
    case 'LIKE':
      if (typeof v !== 'string') throw filterError(source, c.column, `LIKE needs a quoted pattern`, what);
      params.push(likeToGlob(v));
      return `${col} GLOB ?`;
    case 'ILIKE':
      if (typeof v !== 'string') throw filterError(source, c.column, `ILIKE needs a quoted pattern`, what);
      params.push(v.toLowerCase());
      return `lower(${col}) LIKE ?`;
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(v) ? v : [String(v)];
      params.push(...list);
      return `${col} ${c.comparator} (${list.map(() => '?').join(', ')})`;
    }
    default:
      throw filterError(
        source,
        c.column,
        `comparator '${c.comparator}' is not valid for ${c.type === 'attribute' ? 'attribute' : c.type} '${c.key}' (use =, !=, LIKE, ILIKE, IN, NOT IN)`,
        what,
      );
  }
}

/** A condition on a numeric column: =, !=, <, <=, >, >= against a number (or a quoted number). */
export function numericCondition(col: string, c: Comparison, source: string, params: SqlValue[], what: string): string {
  if (!['=', '!=', '<', '<=', '>', '>='].includes(c.comparator)) {
    throw filterError(source, c.column, `Invalid comparator '${c.comparator}' not one of '{'>=', '=', '<', '<=', '!=', '>'}'`, what);
  }
  const v = typeof c.value === 'string' && c.value.trim() !== '' && !Number.isNaN(Number(c.value)) ? Number(c.value) : c.value;
  if (typeof v !== 'number') {
    throw filterError(
      source,
      c.column,
      `Expected numeric value type for ${c.type === 'metric' ? 'metric' : 'attribute'}. Found ${JSON.stringify(c.value)}`,
      what,
    );
  }
  params.push(v);
  return `${col} ${c.comparator} ?`;
}
