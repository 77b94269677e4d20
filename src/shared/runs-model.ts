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
  /** Bumped by every change of rows or ranges: the page redoes its display order only then. */
  version = 0;
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
    const changed = changes.reset || changes.runs.length > 0 || changes.removed.length > 0;
    if (changed) this.version++;
    return changed;
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
    this.version++;
  }

  /** The value a cell shows and sorts by: numbers for metrics and times, text otherwise; null when missing. */
  value(row: RunRow, column: ColumnDef, now = Date.now()): CellValue {
    return this.reader(column, now)(row);
  }

  /** The rows to show, in order: matching runs, sorted, each parent followed by its (expanded) children. */
  display(columns: readonly ColumnDef[], options: DisplayOptions): DisplayRow[] {
    const included: RunRow[] = [];
    for (const row of this.rows.values()) if (!options.matched || options.matched.has(row.runId)) included.push(row);
    const sorted = this.sorted(included, columns, options);
    const n = sorted.length;
    // Parents by position, then each parent's children (in sorted order) as one flat index list.
    const position = new Map<string, number>();
    for (let i = 0; i < n; i++) position.set(sorted[i]!.runId, i);
    const parentOf = new Int32Array(n).fill(-1);
    const childCount = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const p = sorted[i]!.parentRunId;
      const j = p === null ? undefined : position.get(p);
      if (j !== undefined && j !== i) {
        parentOf[i] = j;
        childCount[j]!++;
      }
    }
    const firstChild = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) firstChild[i + 1] = firstChild[i]! + childCount[i]!;
    const children = new Uint32Array(firstChild[n]!);
    const fill = firstChild.slice(0, n);
    for (let i = 0; i < n; i++) if (parentOf[i]! >= 0) children[fill[parentOf[i]!]!++] = i;
    const out: DisplayRow[] = [];
    const visited = new Uint8Array(n);
    const walk = (root: number): void => {
      // Depth-first without recursion: trials of trials cannot overflow the stack.
      const stack: [number, number][] = [[root, 0]];
      while (stack.length > 0) {
        const [i, depth] = stack.pop()!;
        if (visited[i]) continue;
        visited[i] = 1;
        const id = sorted[i]!.runId;
        const kids = childCount[i]!;
        const expanded = kids > 0 && options.expandAll !== options.expanded.has(id);
        out.push({ runId: id, depth, children: kids, expanded });
        for (let k = firstChild[i + 1]! - 1; k >= firstChild[i]!; k--) {
          if (expanded) stack.push([children[k]!, depth + 1]);
          else hide(children[k]!);
        }
      }
    };
    const hide = (root: number): void => {
      const stack = [root];
      while (stack.length > 0) {
        const i = stack.pop()!;
        if (visited[i]) continue;
        visited[i] = 1;
        for (let k = firstChild[i]!; k < firstChild[i + 1]!; k++) stack.push(children[k]!);
      }
    };
    for (let i = 0; i < n; i++) if (parentOf[i] === -1) walk(i);
    // Parent links that loop (A → B → A) leave runs no top-level ancestor: show them at the top.
    for (let i = 0; i < n; i++) if (!visited[i]) walk(i);
    return out;
  }

  /** A function reading one column's value from rows: the key's index is looked up once, not per row. */
  reader(column: ColumnDef, now = Date.now()): (row: RunRow) => CellValue {
    switch (column.kind) {
      case 'attr':
        return (row) => attributeValue(row, column.key, now);
      case 'metric': {
        if (column.aggregate === 'min' || column.aggregate === 'max') {
          const values = this.ranges.get(column.key)?.[column.aggregate];
          return (row) => values?.get(row.runId) ?? null;
        }
        const i = this.keyIndex.metrics.get(column.key);
        if (i === undefined) return () => null;
        return (row) => {
          const at = row.mk.indexOf(i);
          return at < 0 ? null : row.mv[at]!;
        };
      }
      case 'param': {
        const i = this.keyIndex.params.get(column.key);
        return (row) => lookup(row.pk, row.pv, i);
      }
      case 'tag': {
        const i = this.keyIndex.tags.get(column.key);
        return (row) => lookup(row.tk, row.tv, i);
      }
    }
  }

  private sorted(rows: RunRow[], columns: readonly ColumnDef[], options: DisplayOptions): RunRow[] {
    const byStart = (a: RunRow, b: RunRow) => b.startTime - a.startTime || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);
    const column = options.sort ? columns.find((c) => c.id === options.sort?.column) : undefined;
    if (!column || !options.sort) return rows.sort(byStart);
    const dir = options.sort.direction === 'asc' ? 1 : -1;
    // One read of the column per row into flat arrays, then a sort of indexes over them.
    const n = rows.length;
    const kind = new Uint8Array(n); // 0 number, 1 text, 2 missing
    const nums = new Float64Array(n);
    const texts = new Array<string>(n);
    const read = this.reader(column, options.now);
    for (let i = 0; i < n; i++) {
      const v = read(rows[i]!);
      if (v === null || v === '') kind[i] = 2;
      else if (typeof v === 'number') nums[i] = v;
      else {
        const num = column.numeric || NUMBER_TEXT.test(v) ? Number(v) : NaN;
        if (Number.isFinite(num)) nums[i] = num;
        else {
          kind[i] = 1;
          texts[i] = v.toLowerCase();
        }
      }
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => {
      const ka = kind[a]!;
      const kb = kind[b]!;
      let c = 0;
      // Missing values last whatever the direction; numbers before words, as spreadsheets do.
      if (ka !== kb) c = ka < kb ? -1 : 1;
      else if (ka === 0) c = (nums[a]! - nums[b]!) * dir;
      else if (ka === 1) c = (texts[a]! < texts[b]! ? -1 : texts[a]! > texts[b]! ? 1 : 0) * dir;
      return c || byStart(rows[a]!, rows[b]!);
    });
    const out = new Array<RunRow>(n);
    for (let i = 0; i < n; i++) out[i] = rows[order[i]!]!;
    return out;
  }
}

const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

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

/** Applies the grammar's convenience the way MLflow's search box does: plain words search run names. */
export function filterFromSearchText(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  if (/[=<>!'"`()]/.test(t) || /\b(like|ilike|in|and)\b/i.test(t) || /^(metrics?|params?|parameters?|tags?|attributes?|attr|run|datasets?)\./i.test(t))
    return t;
  return `attributes.run_name ILIKE '%${t}%'`;
}
