import { ModelOpsError } from '../../core/errors';

/** One clause of a registry search filter (MLflow's SearchModelUtils / SearchModelVersionUtils grammar). */
export interface FilterClause {
  type: 'attribute' | 'tag';
  key: string;
  comparator: '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN';
  value: string | string[];
}

const invalid = (msg: string): ModelOpsError => new ModelOpsError('INVALID_PARAMETER_VALUE', msg, { location: 'filter' });

/** Parses `name = 'a' AND tags.k LIKE 'v%' AND run_id IN ('x','y')`. An empty filter matches everything. */
export function parseRegistryFilter(filter: string | undefined): FilterClause[] {
  const text = (filter ?? '').trim();
  if (text === '') return [];
  const clauses: FilterClause[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') throw invalid(`Invalid filter '${text}': expected a quoted string at position ${i}`);
    let out = '';
    i++;
    // A quote inside a string is doubled ('O''Brien') or backslash-escaped ('O\'Brien'), as sqlparse reads it.
    for (;;) {
      if (i >= text.length) throw invalid(`Invalid filter '${text}': unterminated string`);
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
      } else if (ch === q && text[i + 1] === q) {
        out += q;
        i += 2;
      } else if (ch === q) {
        i++;
        return out;
      } else {
        out += ch;
        i++;
      }
    }
  };
  for (;;) {
    ws();
    let ident = '';
    if (text[i] === '`' || text[i] === '"') {
      const q = text[i++];
      while (i < text.length && text[i] !== q) ident += text[i++];
      i++;
    } else {
      while (i < text.length && /[\w.`"]/.test(text[i]!)) ident += text[i++];
    }
    ident = ident.replace(/[`"]/g, '');
    if (ident === '') throw invalid(`Invalid filter '${text}': expected an attribute or tags.<key> at position ${i}`);
    ws();
    const m = /^(!=|=|ILIKE\b|LIKE\b|IN\b)/i.exec(text.slice(i));
    if (!m) throw invalid(`Invalid filter '${text}': expected a comparator (=, !=, LIKE, ILIKE, IN) after '${ident}'`);
    const comparator = m[1]!.toUpperCase() as FilterClause['comparator'];
    i += m[1]!.length;
    ws();
    let value: string | string[];
    if (comparator === 'IN') {
      if (text[i] !== '(') throw invalid(`Invalid filter '${text}': IN needs a list like ('a', 'b')`);
      i++;
      value = [];
      for (;;) {
        ws();
        value.push(str());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ')') {
          i++;
          break;
        }
        throw invalid(`Invalid filter '${text}': expected ',' or ')' in the IN list`);
      }
    } else {
      value = str();
    }
    const lower = ident.toLowerCase();
    if (lower.startsWith('tags.') || lower.startsWith('tag.')) {
      clauses.push({ type: 'tag', key: ident.slice(ident.indexOf('.') + 1), comparator, value });
    } else {
      clauses.push({ type: 'attribute', key: lower, comparator, value });
    }
    ws();
    if (i >= text.length) return clauses;
    const and = /^AND\b/i.exec(text.slice(i));
    if (!and) throw invalid(`Invalid filter '${text}': only AND joins clauses (at position ${i})`);
    i += 3;
  }
}

/** SQL for one comparison, with bound parameters; LIKE is case-sensitive as in MLflow. */
export function comparisonSql(column: string, c: FilterClause, params: (string | number)[]): string {
  if (c.comparator === 'IN') {
    const values = c.value as string[];
    params.push(...values);
    return `${column} IN (${values.map(() => '?').join(', ')})`;
  }
  params.push(c.comparator === 'LIKE' ? likeToGlob(c.value as string) : (c.value as string));
  switch (c.comparator) {
    case '=':
      return `${column} = ?`;
    case '!=':
      return `${column} != ?`;
    case 'LIKE':
      return `${column} GLOB ?`;
    case 'ILIKE':
      return `LOWER(${column}) LIKE LOWER(?)`;
  }
}

/** MLflow's LIKE is case-sensitive: translate `%`/`_` patterns to GLOB (escaping GLOB's own specials). */
export function likeToGlob(pattern: string): string {
  return pattern.replace(/[*?[\]]/g, (ch) => `[${ch}]`).replace(/%/g, '*').replace(/_/g, '?');
}
