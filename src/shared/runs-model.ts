/**
 * The runs table's data on the page: the rows received so far (kept up to date from the host's
 * changes), cell values by column, and the display order — filtered to the runs the store's search
 * matched, sorted by any column, nested runs under their parent. Pure (no DOM), so the unit tests
 * and the page share it; built for 10,000+ runs × 500 columns: nothing here is per cell of the
 * whole table except the one column a sort reads.
 */
import type { ColumnDef } from './runs-columns';
import type { ChangesResult, KeyLists, RunRow, SortSpec } from './runs-protocol';

export type CellValue = number | string | null;

export interface DisplayRow {
  runId: string;
  depth: number;
  /** Nested runs under this one among the matching runs (0: a leaf). */
  children: number;
  expanded: boolean;
}

export interface DisplayOptions {
  /** Run ids the filter matched; null: every run. */
  matched: ReadonlySet<string> | null;
  sort: SortSpec | null;
  expanded: ReadonlySet<string>;
  /** Expand every parent except those in `expanded` (which then lists the collapsed ones). */
  expandAll: boolean;
  /** For running runs' duration. */
  now: number;
}

export interface MetricRanges {
  min: Map<string, number | null>;
  max: Map<string, number | null>;
}

export class RunsModel {
  readonly rows = new Map<string, RunRow>();
  keys: KeyLists = { params: [], metrics: [], tags: [] };
  /** Change stamp of the host's data the page holds. */
  stamp = 0;
  /** min/max per metric key, per run id, once asked for. */
  readonly ranges = new Map<string, MetricRanges>();
  private keyIndex = { params: new Map<string, number>(), metrics: new Map<string, number>(), tags: new Map<string, number>() };

  /** Applies one answer of `runs/changes`; returns whether anything changed. */
  apply(changes: ChangesResult): boolean {
    if (changes.reset) {
      this.rows.clear();
      this.ranges.clear();
    }
    this.setKeys(changes.keys);
    for (const r of changes.runs) this.rows.set(r.runId, r);
    for (const id of changes.removed) this.rows.delete(id);
    // A changed run's min/max may have moved: those columns are asked for again.
    if (changes.runs.length > 0) this.ranges.clear();
    this.stamp = changes.stamp;
    return changes.reset || changes.runs.length > 0 || changes.removed.length > 0;
  }

  private setKeys(keys: KeyLists): void {
    this.keys = keys;
    const index = (list: string[]) => new Map(list.map((k, i) => [k, i]));
    this.keyIndex = { params: index(keys.params), metrics: index(keys.metrics), tags: index(keys.tags) };
  }

  setRange(key: string, runIds: readonly string[], min: readonly (number | null)[], max: readonly (number | null)[]): void {
    const range: MetricRanges = { min: new Map(), max: new Map() };
    runIds.forEach((id, i) => {
      range.min.set(id, min[i] ?? null);
      range.max.set(id, max[i] ?? null);
    });
    this.ranges.set(key, range);
  }

  /** The value a cell shows and sorts by: numbers for metrics and times, text otherwise; null when missing. */
  value(row: RunRow, column: ColumnDef, now = Date.now()): CellValue {
    switch (column.kind) {
      case 'attr':
        return attributeValue(row, column.key, now);
      case 'metric': {
        if (column.aggregate === 'min' || column.aggregate === 'max') {
          const range = this.ranges.get(column.key);
          return range ? (range[column.aggregate].get(row.runId) ?? null) : null;
        }
        const i = this.keyIndex.metrics.get(column.key);
        const at = i === undefined ? -1 : row.mk.indexOf(i);
        return at < 0 ? null : row.mv[at];
      }
      case 'param':
        return lookup(row.pk, row.pv, this.keyIndex.params.get(column.key));
      case 'tag':
        return lookup(row.tk, row.tv, this.keyIndex.tags.get(column.key));
    }
  }

  /** The rows to show, in order: matching runs, sorted, each parent followed by its (expanded) children. */
  display(columns: readonly ColumnDef[], options: DisplayOptions): DisplayRow[] {
    const included: RunRow[] = [];
    for (const row of this.rows.values()) if (!options.matched || options.matched.has(row.runId)) included.push(row);
    const sorted = this.sorted(included, columns, options);
    const present = new Set(sorted.map((r) => r.runId));
    const childrenOf = new Map<string, RunRow[]>();
    const top: RunRow[] = [];
    for (const row of sorted) {
      const parent = row.parentRunId;
      if (parent !== null && parent !== row.runId && present.has(parent)) {
        const list = childrenOf.get(parent);
        if (list) list.push(row);
        else childrenOf.set(parent, [row]);
      } else {
        top.push(row);
      }
    }
    const out: DisplayRow[] = [];
    const visited = new Set<string>();
    const walk = (row: RunRow, depth: number): void => {
      if (visited.has(row.runId)) return;
      visited.add(row.runId);
      const kids = childrenOf.get(row.runId) ?? [];
      const expanded = kids.length > 0 && options.expandAll !== options.expanded.has(row.runId);
      out.push({ runId: row.runId, depth, children: kids.length, expanded });
      if (expanded) for (const k of kids) walk(k, depth + 1);
      else for (const k of kids) markVisited(k);
    };
    const markVisited = (row: RunRow): void => {
      if (visited.has(row.runId)) return;
      visited.add(row.runId);
      for (const k of childrenOf.get(row.runId) ?? []) markVisited(k);
    };
    for (const row of top) walk(row, 0);
    // Parent links that loop (A → B → A) leave runs no top-level ancestor: show them at the top.
    if (visited.size < sorted.length) for (const row of sorted) if (!visited.has(row.runId)) walk(row, 0);
    return out;
  }

  private sorted(rows: RunRow[], columns: readonly ColumnDef[], options: DisplayOptions): RunRow[] {
    const byStart = (a: RunRow, b: RunRow) => b.startTime - a.startTime || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);
    const column = options.sort ? columns.find((c) => c.id === options.sort?.column) : undefined;
    if (!column || !options.sort) return rows.sort(byStart);
    const dir = options.sort.direction === 'asc' ? 1 : -1;
    // One read of the sorted column per row, then a sort of indexes: no lookups inside the comparator.
    const keys = rows.map((r) => sortKey(this.value(r, column, options.now), column.numeric));
    const order = rows.map((_, i) => i);
    order.sort((i, j) => compareKeys(keys[i]!, keys[j]!, dir) || byStart(rows[i]!, rows[j]!));
    return order.map((i) => rows[i]!);
  }
}

function lookup(keys: readonly number[], values: readonly string[], index: number | undefined): string | null {
  if (index === undefined) return null;
  const at = keys.indexOf(index);
  return at < 0 ? null : (values[at] ?? null);
}

function attributeValue(row: RunRow, key: string, now: number): CellValue {
  switch (key) {
    case 'name':
      return row.runName;
    case 'status':
      return row.status;
    case 'start':
      return row.startTime;
    case 'duration':
      return row.endTime !== null ? row.endTime - row.startTime : row.status === 'RUNNING' ? Math.max(0, now - row.startTime) : null;
    case 'user':
      return row.userId || null;
    case 'source':
      return row.source || null;
    default:
      return null;
  }
}

type SortKey = { missing: true } | { missing: false; num: number | null; text: string };

/** Text that reads as a number (a param `0.01`) sorts as that number; missing values sort last either way. */
function sortKey(value: CellValue, numeric: boolean): SortKey {
  if (value === null || value === '') return { missing: true };
  if (typeof value === 'number') return { missing: false, num: value, text: '' };
  const n = numeric || /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  return { missing: false, num: Number.isFinite(n) ? n : null, text: value.toLowerCase() };
}

function compareKeys(a: SortKey, b: SortKey, dir: number): number {
  if (a.missing || b.missing) return a.missing === b.missing ? 0 : a.missing ? 1 : -1;
  if (a.num !== null && b.num !== null) return (a.num - b.num) * dir;
  // Numbers before words, whatever the direction, as spreadsheets do.
  if (a.num !== null) return -1;
  if (b.num !== null) return 1;
  return (a.text < b.text ? -1 : a.text > b.text ? 1 : 0) * dir;
}

/** Applies the grammar's convenience the way MLflow's search box does: plain words search run names. */
export function filterFromSearchText(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  if (/[=<>!'"`()]/.test(t) || /\b(like|ilike|in|and)\b/i.test(t) || /^(metrics?|params?|parameters?|tags?|attributes?|attr|run|datasets?)\./i.test(t)) return t;
  return `attributes.run_name ILIKE '%${t}%'`;
}
