import { ModelOpsError } from '../../core/errors';
import { STAGE_DELETED_INTERNAL } from '../../core/stages';
import { decodePageToken } from '../../core/page-token';
import type { SearchQuery } from '../registry-store';
import type { FilterClause } from './registry-filter';
import { comparisonSql, parseRegistryFilter } from './registry-filter';
import type { Params } from './registry-rows';

/** MLflow 2.10's limits for registry searches. */
export const REGISTERED_MODELS_MAX_RESULTS = { default: 100, max: 1000 } as const;
export const MODEL_VERSIONS_MAX_RESULTS = { default: 10000, max: 200000 } as const;

interface SearchSql {
  sql: string;
  params: Params;
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

function tagClauseSql(table: string, keys: string, c: FilterClause, params: Params): string {
  const inner: (string | number)[] = [];
  const cmp = comparisonSql('t.value', c, inner);
  params.push(c.key, ...inner);
  return `EXISTS (SELECT 1 FROM ${table} t WHERE ${keys} AND t."key" = ? AND ${cmp})`;
}

function orderClauses(orderBy: string[] | undefined, columns: Record<string, string>, defaults: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const clause of orderBy ?? []) {
    const m = /^\s*([\w.`]+)\s*(ASC|DESC)?\s*$/i.exec(clause);
    const key = m?.[1]?.replace(/`/g, '').toLowerCase();
    const column = key === undefined ? undefined : columns[key];
    if (!m || column === undefined) {
      throw invalid(`Invalid order by key '${clause}' specified. Valid keys are ${Object.keys(columns).map((k) => `'${k}'`).join(', ')}`, 'order_by');
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
  const params: Params = [];
  const where: string[] = [];
  for (const c of parseRegistryFilter(q.filter)) {
    if (c.comparator === 'IN') throw invalid(`Invalid comparator for ${c.type}: IN`, 'filter');
    if (c.type === 'tag') where.push(tagClauseSql('registered_model_tags', 't.name = registered_models.name', c, params));
    else if (c.key === 'name') where.push(comparisonSql('registered_models.name', c, params as (string | number)[]));
    else throw invalid(`Invalid attribute name: ${c.key}`, 'filter');
  }
  const order = orderClauses(
    q.orderBy,
    { name: 'name', timestamp: 'last_updated_time', last_updated_timestamp: 'last_updated_time' },
    ['name ASC'],
  );
  const sql = `SELECT * FROM registered_models${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
  params.push(maxResults + 1, offset);
  return { sql, params, maxResults, offset };
}

export function searchModelVersionsSql(q: SearchQuery): SearchSql {
  const maxResults = maxResultsOf(q, MODEL_VERSIONS_MAX_RESULTS);
  const offset = decodePageToken(q.pageToken);
  const params: Params = [STAGE_DELETED_INTERNAL];
  const where: string[] = ['model_versions.current_stage != ?'];
  const attrs: Record<string, string> = { name: 'model_versions.name', run_id: 'model_versions.run_id', source_path: 'model_versions.source', version_number: 'model_versions.version' };
  for (const c of parseRegistryFilter(q.filter)) {
    if (c.type === 'tag') {
      if (c.comparator === 'IN') throw invalid('Invalid comparator for tag: IN', 'filter');
      where.push(tagClauseSql('model_version_tags', 't.name = model_versions.name AND t.version = model_versions.version', c, params));
      continue;
    }
    const column = attrs[c.key];
    if (!column) throw invalid(`Invalid attribute name: ${c.key}`, 'filter');
    if (c.comparator === 'IN' && c.key !== 'run_id') throw invalid(`Invalid comparator for attribute: IN`, 'filter');
    where.push(comparisonSql(column, c, params as (string | number)[]));
  }
  const order = orderClauses(
    q.orderBy,
    { name: 'name', version_number: 'version', creation_timestamp: 'creation_time', timestamp: 'last_updated_time', last_updated_timestamp: 'last_updated_time' },
    ['last_updated_time DESC', 'name ASC', 'version DESC'],
  );
  const sql = `SELECT * FROM model_versions WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`;
  params.push(maxResults + 1, offset);
  return { sql, params, maxResults, offset };
}
