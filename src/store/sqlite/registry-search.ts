import { ModelOpsError } from '../../core/errors';
import { decodePageToken } from '../../core/page-token';
import { STAGE_DELETED_INTERNAL } from '../../core/stages';
import type { SearchQuery } from '../registry-store';
import type { Comparison } from '../search/filter-parser';
import { parseFilter } from '../search/filter-parser';
import { numericCondition, stringCondition } from '../search/filter-sql';
import type { SqlValue } from '../sql/sql-database';

/** MLflow 2.10's limits for registry searches. */
export const REGISTERED_MODELS_MAX_RESULTS = { default: 100, max: 1000 } as const;
export const MODEL_VERSIONS_MAX_RESULTS = { default: 10000, max: 200000 } as const;

interface SearchSql {
  sql: string;
  params: SqlValue[];
  maxResults: number;
  offset: number;
}

const invalid = (msg: string, location: string): ModelOpsError => new ModelOpsError('INVALID_PARAMETER_VALUE', msg, { location });

function maxResultsOf(q: SearchQuery, limits: { default: number; max: number }): number {
  const n = q.maxResults ?? limits.default;
  if (!Number.isInteger(n) || n <= 0 || n > limits.max) {
    throw invalid(`Invalid value for request parameter max_results. It must be at most ${limits.max}, but got value ${n}`, 'max_results');
  }
  return n;
}

/** The registry's filters are MLflow's grammar: `name`, `tags.<key>` (and for versions `run_id`, `source_path`, `version_number`). */
function clauses(filter: string | undefined): Comparison[] {
  const parsed = parseFilter(filter);
  for (const c of parsed) {
    if (c.type !== 'attribute' && c.type !== 'tag')
      throw invalid(
        `Invalid filter: the registry has no ${c.type}s ('${c.type}s.${c.key}'); use name, tags.<key>, run_id, source_path or version_number`,
        'filter',
      );
    if (c.type === 'tag' && (c.comparator === 'IN' || c.comparator === 'NOT IN')) throw invalid(`Invalid comparator for tag: ${c.comparator}`, 'filter');
  }
  return parsed;
}

function tagClauseSql(table: string, keys: string, c: Comparison, filter: string, params: SqlValue[]): string {
  params.push(c.key);
  return `EXISTS (SELECT 1 FROM ${table} t WHERE ${keys}{ws:t.workspace} AND t."key" = ? AND ${stringCondition('t.value', c, filter, params, 'filter')})`;
}

function orderClauses(orderBy: string[] | undefined, columns: Record<string, string>, defaults: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const clause of orderBy ?? []) {
    const m = /^\s*([\w.`]+)\s*(ASC|DESC)?\s*$/i.exec(clause);
    const key = m?.[1]?.replace(/`/g, '').toLowerCase();
    const column = key === undefined ? undefined : columns[key];
    if (!m || column === undefined) {
      throw invalid(
        `Invalid order by key '${clause}' specified. Valid keys are ${Object.keys(columns)
          .map((k) => `'${k}'`)
          .join(', ')}`,
        'order_by',
      );
    }
    if (seen.has(column)) throw invalid(`\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}`, 'order_by');
    seen.add(column);
    out.push(`${column} ${(m[2] ?? 'ASC').toUpperCase()}`);
  }
  for (const d of defaults) {
    const column = d.split(' ')[0]!;
    if (!seen.has(column)) out.push(d);
  }
  return out.join(', ');
}

export function searchRegisteredModelsSql(q: SearchQuery): SearchSql {
  const maxResults = maxResultsOf(q, REGISTERED_MODELS_MAX_RESULTS);
  const offset = decodePageToken(q.pageToken);
  const filter = q.filter ?? '';
  const params: SqlValue[] = [];
  const where: string[] = ['1 = 1{ws:registered_models.workspace}'];
  for (const c of clauses(filter)) {
    if (c.comparator === 'IN' || c.comparator === 'NOT IN') throw invalid(`Invalid comparator for ${c.type}: ${c.comparator}`, 'filter');
    if (c.type === 'tag') where.push(tagClauseSql('registered_model_tags', 't.name = registered_models.name', c, filter, params));
    else if (c.key === 'name') where.push(stringCondition('registered_models.name', c, filter, params, 'filter'));
    else throw invalid(`Invalid attribute name: ${c.key}`, 'filter');
  }
  const order = orderClauses(q.orderBy, { name: 'name', timestamp: 'last_updated_time', last_updated_timestamp: 'last_updated_time' }, ['name ASC']);
  const sql = `SELECT * FROM registered_models WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`;
  params.push(maxResults + 1, offset);
  return { sql, params, maxResults, offset };
}

const VERSION_ATTRIBUTES: Record<string, { column: string; numeric?: boolean }> = {
  name: { column: 'model_versions.name' },
  run_id: { column: 'model_versions.run_id' },
  source_path: { column: 'model_versions.source' },
  version_number: { column: 'model_versions.version', numeric: true },
};

export function searchModelVersionsSql(q: SearchQuery): SearchSql {
  const maxResults = maxResultsOf(q, MODEL_VERSIONS_MAX_RESULTS);
  const offset = decodePageToken(q.pageToken);
  const filter = q.filter ?? '';
  const params: SqlValue[] = [STAGE_DELETED_INTERNAL];
  const where: string[] = ['model_versions.current_stage != ?{ws:model_versions.workspace}'];
  for (const c of clauses(filter)) {
    if (c.type === 'tag') {
      where.push(tagClauseSql('model_version_tags', 't.name = model_versions.name AND t.version = model_versions.version', c, filter, params));
      continue;
    }
    const attr = VERSION_ATTRIBUTES[c.key.toLowerCase()];
    if (!attr) throw invalid(`Invalid attribute name: ${c.key}`, 'filter');
    if ((c.comparator === 'IN' || c.comparator === 'NOT IN') && c.key !== 'run_id')
      throw invalid(`Invalid comparator for attribute: ${c.comparator}`, 'filter');
    where.push(attr.numeric ? numericCondition(attr.column, c, filter, params, 'filter') : stringCondition(attr.column, c, filter, params, 'filter'));
  }
  const order = orderClauses(
    q.orderBy,
    {
      name: 'name',
      version_number: 'version',
      creation_timestamp: 'creation_time',
      timestamp: 'last_updated_time',
      last_updated_timestamp: 'last_updated_time',
    },
    // MLflow: these three when no order is asked for; after an asked-for order, ties go by name, then version.
    q.orderBy && q.orderBy.length > 0 ? ['name ASC', 'version DESC'] : ['last_updated_time DESC', 'name ASC', 'version DESC'],
  );
  const sql = `SELECT * FROM model_versions WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`;
  params.push(maxResults + 1, offset);
  return { sql, params, maxResults, offset };
}
