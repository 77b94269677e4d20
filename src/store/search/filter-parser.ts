import { ModelOpsError } from '../../core/errors';

/**
 * MLflow's search filter grammar (mlflow/utils/search_utils.py), parsed by hand so that every
 * error can point at the offending token:
 *
 *   filter     := comparison ( AND comparison )*
 *   comparison := identifier comparator value
 *   identifier := [entity '.'] key          entity: metric(s) param(s) tag(s) attribute(s) attr run dataset(s)
 *   key        := word | `back ticked` | "double quoted"
 *   comparator := = != < <= > >= LIKE ILIKE IN NOT IN       (keywords case-insensitive)
 *   value      := 'string' | "string" | number | ( value, ... )
 */
export type EntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export interface Comparison {
  type: EntityType;
  key: string;
  comparator: Comparator;
  value: string | number | string[];
  /** 1-based column of the identifier in the filter string. */
  column: number;
}

export interface OrderByClause {
  type: EntityType;
  key: string;
  ascending: boolean;
}

const ENTITY_ALIASES: Record<string, EntityType> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

const COMPARATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);

interface Token {
  kind: 'word' | 'ident' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma';
  text: string;
  /** Decoded value for strings/quoted identifiers. */
  value: string;
  column: number;
  /** For 'ident': entity and key parts. */
  entity?: string;
}

export function filterError(source: string, column: number, message: string, what = 'filter'): ModelOpsError {
  const pointer = source ? `\n  ${source}\n  ${' '.repeat(Math.max(0, column - 1))}^` : '';
  return new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid ${what} at column ${column}: ${message}${pointer}`, {
    location: `${what}:${column}`,
  });
}

/** The quoted text starting at `start` (a doubled quote or a backslash escapes one; not in back-quoted names). */
function quotedAt(src: string, start: number, quote: string, err: (col: number, msg: string) => ModelOpsError): { value: string; end: number } {
  let i = start + 1;
  let out = '';
  for (;;) {
    if (i >= src.length) throw err(start + 1, `unterminated ${quote === '`' ? 'back-quoted name' : 'string'} starting here`);
    const ch = src[i]!;
    if (ch === '\\' && i + 1 < src.length && quote !== '`') {
      out += src[i + 1];
      i += 2;
    } else if (ch === quote && src[i + 1] === quote) {
      out += quote;
      i += 2;
    } else if (ch === quote) {
      return { value: out, end: i + 1 };
    } else {
      out += ch;
      i++;
    }
  }
}

function tokenize(src: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const err = (col: number, msg: string): ModelOpsError => filterError(src, col, msg, what);
  const readQuoted = (quote: string): string => {
    const q = quotedAt(src, i, quote, err);
    i = q.end;
    return q.value;
  };
  while (i < src.length) {
    const ch = src[i]!;
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(') {
      tokens.push({ kind: 'lparen', text: ch, value: ch, column });
      i++;
    } else if (ch === ')') {
      tokens.push({ kind: 'rparen', text: ch, value: ch, column });
      i++;
    } else if (ch === ',') {
      tokens.push({ kind: 'comma', text: ch, value: ch, column });
      i++;
    } else if (ch === "'") {
      const value = readQuoted("'");
      tokens.push({ kind: 'string', text: src.slice(column - 1, i), value, column });
    } else if (ch === '"' || ch === '`') {
      // A bare quoted name (no entity prefix) is an attribute/identifier only in key position;
      // after a comparator, a double-quoted token is a string value (MLflow accepts both quotes).
      const value = readQuoted(ch);
      tokens.push({ kind: ch === '`' ? 'ident' : 'string', text: src.slice(column - 1, i), value, column });
    } else if (/[<>=!~]/.test(ch)) {
      let j = i;
      while (j < src.length && /[<>=!~]/.test(src[j]!)) j++;
      tokens.push({ kind: 'op', text: src.slice(i, j), value: src.slice(i, j), column });
      i = j;
    } else if (/[-+\d.]/.test(ch) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.test(src.slice(i)) && !/[A-Za-z_]/.test(src[i - 1] ?? '')) {
      const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(src.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], value: m[0], column });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i;
      while (j < src.length && /\w/.test(src[j]!)) j++;
      const head = src.slice(i, j);
      if (src[j] === '.') {
        // entity.key, key possibly quoted
        i = j + 1;
        const q = src[i];
        let key: string;
        if (q === '`' || q === '"') {
          key = readQuoted(q);
        } else {
          let k = i;
          while (k < src.length && /[\w.\-/:]/.test(src[k]!)) k++;
          key = src.slice(i, k);
          i = k;
        }
        if (key === '') throw err(j + 2, `missing key after '${head}.'`);
        tokens.push({ kind: 'ident', text: src.slice(column - 1, i), value: key, entity: head, column });
      } else {
        tokens.push({ kind: 'word', text: head, value: head, column });
        i = j;
      }
    } else {
      throw err(column, `unexpected character '${ch}'`);
    }
  }
  return tokens;
}

function entityOf(tok: Token, src: string, what: string): EntityType {
  if (tok.entity === undefined) return 'attribute';
  const type = ENTITY_ALIASES[tok.entity.toLowerCase()];
  if (!type) {
    throw filterError(src, tok.column, `invalid entity type '${tok.entity}'. Valid values are ['metrics', 'params', 'tags', 'attributes', 'datasets']`, what);
  }
  return type;
}

/** Longer filters are refused with a clear message (SQLite's expression depth ends near 1,000 terms). */
export const MAX_FILTER_CONDITIONS = 200;
export const MAX_FILTER_LENGTH = 20_000;

/** The values of an `IN (…)` list whose '(' came before `tokens[p]`; returns them and the index after ')'. */
function parseList(tokens: Token[], p: number, src: string, comparator: Comparator, what: string): [string[], number] {
  const end = src.length + 1;
  const list: string[] = [];
  for (;;) {
    const item = tokens[p++];
    if (!item) throw filterError(src, end, `unclosed '(' of the ${comparator} list`, what);
    if (item.kind !== 'string' && item.kind !== 'number')
      throw filterError(src, item.column, `expected a quoted value in the ${comparator} list, got '${item.text}'`, what);
    list.push(item.value);
    const sep = tokens[p++];
    if (!sep) throw filterError(src, end, `unclosed '(' of the ${comparator} list`, what);
    if (sep.kind === 'rparen') return [list, p];
    if (sep.kind !== 'comma') throw filterError(src, sep.column, `expected ',' or ')' in the ${comparator} list, got '${sep.text}'`, what);
  }
}

/** Parses a run filter; an empty or blank filter is no condition. */
export function parseFilter(filter: string | undefined, what = 'filter'): Comparison[] {
  const src = filter ?? '';
  if (src.trim() === '') return [];
  if (src.length > MAX_FILTER_LENGTH) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid ${what}: ${src.length} characters long; at most ${MAX_FILTER_LENGTH} are read`, {
      location: what,
    });
  }
  const tokens = tokenize(src, what);
  const out: Comparison[] = [];
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const end = src.length + 1;
  for (;;) {
    const idTok = tokens[p++];
    if (!idTok) throw filterError(src, end, 'expected a condition after AND', what);
    if (idTok.kind !== 'ident' && idTok.kind !== 'word') {
      throw filterError(src, idTok.column, `expected an identifier such as metrics.acc or params.model, got '${idTok.text}'`, what);
    }
    if (idTok.kind === 'word' && /^(and|or|not)$/i.test(idTok.text)) {
      throw filterError(src, idTok.column, `expected an identifier, got the keyword '${idTok.text}'`, what);
    }
    const type = entityOf(idTok, src, what);
    const key = idTok.value;
    const compTok = tokens[p++];
    if (!compTok) throw filterError(src, end, `expected a comparator after '${idTok.text}'`, what);
    let comparator: Comparator;
    if (compTok.kind === 'op') {
      if (!COMPARATORS.has(compTok.text)) {
        throw filterError(src, compTok.column, `Invalid comparator '${compTok.text}' not one of '{'>=', '=', '<', '<=', '!=', '>'}'`, what);
      }
      comparator = compTok.text as Comparator;
    } else if (compTok.kind === 'word' && /^(like|ilike|in)$/i.test(compTok.text)) {
      comparator = compTok.text.toUpperCase() as Comparator;
    } else if (compTok.kind === 'word' && /^not$/i.test(compTok.text) && /^in$/i.test(peek()?.text ?? '')) {
      p++;
      comparator = 'NOT IN';
    } else {
      throw filterError(
        src,
        compTok.column,
        `expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after '${idTok.text}', got '${compTok.text}'`,
        what,
      );
    }
    let value: string | number | string[];
    const vTok = tokens[p++];
    if (!vTok) throw filterError(src, end, `expected a value after '${compTok.text}'`, what);
    if (comparator === 'IN' || comparator === 'NOT IN') {
      if (vTok.kind !== 'lparen') throw filterError(src, vTok.column, `expected '(' and a list of quoted values after ${comparator}`, what);
      [value, p] = parseList(tokens, p, src, comparator, what);
    } else if (vTok.kind === 'number') {
      value = Number(vTok.value);
    } else if (vTok.kind === 'string') {
      value = vTok.value;
    } else {
      throw filterError(src, vTok.column, `value '${vTok.text}' is not a number and not quoted; quote string values with single or double quotes`, what);
    }
    out.push({ type, key, comparator, value, column: idTok.column });
    if (out.length > MAX_FILTER_CONDITIONS) throw filterError(src, idTok.column, `more than ${MAX_FILTER_CONDITIONS} conditions; narrow the filter`, what);
    const next = tokens[p++];
    if (!next) return out;
    if (next.kind === 'word' && /^and$/i.test(next.text)) continue;
    if (next.kind === 'word' && /^or$/i.test(next.text)) {
      throw filterError(src, next.column, "'OR' is not supported; only 'AND' joins conditions", what);
    }
    throw filterError(src, next.column, `expected AND or the end of the filter, got '${next.text}'`, what);
  }
}

/** Parses `metrics.rmse DESC`, `attributes.start_time`, ``params.`a b` ASC``. */
export function parseOrderBy(clause: string, what = 'order_by'): OrderByClause {
  const tokens = tokenize(clause, what);
  const idTok = tokens[0];
  if (!idTok || (idTok.kind !== 'ident' && idTok.kind !== 'word')) {
    throw filterError(clause, idTok?.column ?? 1, `expected a column such as metrics.rmse or attributes.start_time`, what);
  }
  const type = entityOf(idTok, clause, what);
  let ascending = true;
  const dir = tokens[1];
  if (dir) {
    if (dir.kind === 'word' && /^(asc|desc)$/i.test(dir.text)) ascending = dir.text.toUpperCase() === 'ASC';
    else throw filterError(clause, dir.column, `expected ASC or DESC, got '${dir.text}'`, what);
    if (tokens[2]) throw filterError(clause, tokens[2].column, `unexpected '${tokens[2].text}' after the sort direction`, what);
  }
  return { type, key: idTok.value, ascending };
}
