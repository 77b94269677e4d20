import type { SqlValue } from '../sql/sql-database';
import { ModelOpsError } from '../../core/errors';
import type { ViewType } from '../../core/tracking';
import type { Comparison, OrderByClause } from '../search/filter-parser';
import { filterError, parseFilter, parseOrderBy } from '../search/filter-parser';
import { numericCondition, stringCondition } from '../search/filter-sql';

/**
 * Turns a parsed MLflow filter/order-by into one parameterized SQL query over MLflow's tables.
 * Conditions on metrics/params/tags are `run_uuid IN (subquery)` on their (key, run_uuid)
 * primary keys, so SQLite uses the indexes; nothing is filtered in JS.
 */

const STRING_ATTRIBUTES: Record<string, string> = {
  run_id: 'runs.run_uuid',
  run_name: 'runs.name',
  status: 'runs.status',
  user_id: 'runs.user_id',
  artifact_uri: 'runs.artifact_uri',
  lifecycle_stage: 'runs.lifecycle_stage',
};
const NUMERIC_ATTRIBUTES: Record<string, string> = {
  start_time: 'runs.start_time',
  end_time: 'runs.end_time',
  created: 'runs.start_time',
  Created: 'runs.start_time',
};
const ATTRIBUTE_ALIASES: Record<string, string> = { 'Run name': 'run_name', 'Run Name': 'run_name', run_uuid: 'run_id' };
const DATASET_KEYS = ['name', 'digest', 'context'];

function attributeColumn(key: string, source: string, column: number, what: string): { column: string; numeric: boolean } {
  const k = ATTRIBUTE_ALIASES[key] ?? key;
  if (STRING_ATTRIBUTES[k]) return { column: STRING_ATTRIBUTES[k]!, numeric: false };
  if (NUMERIC_ATTRIBUTES[k]) return { column: NUMERIC_ATTRIBUTES[k]!, numeric: true };
  const valid = [...Object.keys(STRING_ATTRIBUTES), 'start_time', 'end_time', 'created'];
  throw filterError(source, column, `Invalid attribute key '${key}' specified. Valid keys are '${JSON.stringify(valid)}'`, what);
}

function conditionSql(c: Comparison, source: string, params: SqlValue[], what: string): string {
  switch (c.type) {
    case 'metric': {
      params.push(c.key);
      const cond = numericCondition('value', c, source, params, what);
      return `runs.run_uuid IN (SELECT run_uuid FROM latest_metrics WHERE "key" = ? AND is_nan = 0 AND ${cond})`;
    }
    case 'param':
    case 'tag': {
      const table = c.type === 'param' ? 'params' : 'tags';
      params.push(c.key);
      const cond = stringCondition('value', c, source, params, what);
      return `runs.run_uuid IN (SELECT run_uuid FROM ${table} WHERE "key" = ? AND ${cond})`;
    }
    case 'attribute': {
      const a = attributeColumn(c.key, source, c.column, what);
      return a.numeric ? numericCondition(a.column, c, source, params, what) : stringCondition(a.column, c, source, params, what);
    }
    case 'dataset': {
      if (!DATASET_KEYS.includes(c.key)) {
        throw filterError(source, c.column, `Invalid dataset key '${c.key}' specified. Valid keys are '${JSON.stringify(DATASET_KEYS)}'`, what);
      }
      const col = c.key === 'context' ? 't.value' : `d.${c.key}`;
      const join = c.key === 'context' ? `JOIN input_tags t ON t.input_uuid = i.input_uuid AND t.name = 'mlflow.data.context'` : '';
      const cond = stringCondition(col, c, source, params, what);
      return `runs.run_uuid IN (SELECT i.destination_id FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id ${join}
        WHERE i.destination_type = 'RUN' AND i.source_type = 'DATASET' AND ${cond})`;
    }
  }
}

export interface RunSearchSql {
  sql: string;
  params: SqlValue[];
}

export function viewTypeCondition(viewType: ViewType | undefined, column: string): string {
  switch (viewType ?? 'ACTIVE_ONLY') {
    case 'ACTIVE_ONLY':
      return `${column} = 'active'`;
    case 'DELETED_ONLY':
      return `${column} = 'deleted'`;
    case 'ALL':
      return '1 = 1';
    default:
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid view type '${String(viewType)}'; expected ACTIVE_ONLY, DELETED_ONLY or ALL`);
  }
}

/** SELECT of run columns for one page: filter, view type, order (MLflow's defaults), LIMIT/OFFSET. */
export function buildRunSearchSql(
  columns: string,
  experimentIds: number[],
  filter: string | undefined,
  viewType: ViewType | undefined,
  orderBy: string[] | undefined,
  limit: number,
  offset: number,
): RunSearchSql {
  const params: SqlValue[] = [];
  const where: string[] = [];
  where.push(`runs.experiment_id IN (${experimentIds.map(() => '?').join(', ') || 'NULL'})`);
  params.push(...experimentIds);
  where.push(viewTypeCondition(viewType, 'runs.lifecycle_stage'));
  // Runs belong to the store's workspace through their experiment (MLflow ≥ 3.10).
  where.push('runs.experiment_id IN (SELECT experiment_id FROM experiments WHERE 1 = 1{ws})');
  for (const c of parseFilter(filter)) where.push(conditionSql(c, filter ?? '', params, 'filter'));

  const joins: string[] = [];
  const joinParams: SqlValue[] = [];
  const order: string[] = [];
  let sortsByStart = false;
  (orderBy ?? []).forEach((text, i) => {
    const o: OrderByClause = parseOrderBy(text);
    const dir = o.ascending ? 'ASC' : 'DESC';
    if (o.type === 'attribute') {
      const a = attributeColumn(o.key, text, 1, 'order_by');
      if (a.column === 'runs.start_time') sortsByStart = true;
      order.push(`(${a.column} IS NULL) ASC`, `${a.column} ${dir}`);
    } else if (o.type === 'metric') {
      joins.push(`LEFT JOIN latest_metrics o${i} ON o${i}.run_uuid = runs.run_uuid AND o${i}."key" = ?`);
      joinParams.push(o.key);
      // MLflow: real values first, then NaN, then runs without the metric; whatever the direction.
      order.push(`(CASE WHEN o${i}.is_nan = 1 THEN 1 WHEN o${i}.value IS NULL THEN 2 ELSE 0 END) ASC`, `o${i}.value ${dir}`);
    } else if (o.type === 'param' || o.type === 'tag') {
      const table = o.type === 'param' ? 'params' : 'tags';
      joins.push(`LEFT JOIN ${table} o${i} ON o${i}.run_uuid = runs.run_uuid AND o${i}."key" = ?`);
      joinParams.push(o.key);
      order.push(`(o${i}.value IS NULL) ASC`, `o${i}.value ${dir}`);
    } else {
      throw filterError(text, 1, `cannot order by datasets`, 'order_by');
    }
  });
  if (!sortsByStart) order.push('runs.start_time DESC');
  order.push('runs.run_uuid ASC');

  const sql = `SELECT ${columns
    .split(',')
    .map((c) => `runs.${c.trim()}`)
    .join(', ')} FROM runs ${joins.join(' ')}
    WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`;
  return { sql, params: [...joinParams, ...params, limit, offset] };
}
