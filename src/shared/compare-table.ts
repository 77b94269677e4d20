/**
 * View model of the comparison table: one column per run, one row per param and metric, with
 * the differing rows flagged, the best value per metric marked, rows filtered to differences,
 * columns sortable by any row, and exports to CSV / Markdown. Pure: no DOM.
 */
import type { MetricKind } from '../core/metric-meaning';
import { bestValue, compareMetricKeys, isBetter, metricLabel, metricMeaning } from '../core/metric-meaning';
import { csvLine } from './csv';
import type { CompareRun } from './compare-protocol';
import { formatNumber } from './format';

export type RowKind = 'param' | 'metric';

export interface TableCell {
  text: string;
  /** Numeric value for sorting and best-marking, when the cell holds a number. */
  number: number | null;
  missing: boolean;
  best: boolean;
  /** The run's own score is not better than its majority-class / mean baseline's (`baseline_<key>`). */
  belowBaseline?: { baseline: number };
}

export interface TableRow {
  kind: RowKind;
  key: string;
  /** True when the runs do not all hold the same value (a missing value counts as a value). */
  differs: boolean;
  goal?: 'maximize' | 'minimize';
  /** Metric rows: what the value is (metric-meaning.ts) and its name for a reader (`Accuracy (CV mean)`). */
  metricKind?: MetricKind;
  label?: string;
  cells: TableCell[];
}

export interface TableColumn {
  runId: string;
  runName: string;
  /** Index of the run in the state's run order: its colour in every chart. */
  colorIndex: number;
}

export interface TableSort {
  kind: RowKind;
  key: string;
  direction: 'asc' | 'desc';
}

export interface TableOptions {
  onlyDifferences: boolean;
  sort?: TableSort | null;
}

export interface TableModel {
  columns: TableColumn[];
  params: TableRow[];
  metrics: TableRow[];
  /** How many rows the "only differences" filter hides. */
  hiddenRows: number;
}

function sortedKeys(runs: readonly CompareRun[], pick: (r: CompareRun) => { key: string }[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const kv of pick(r)) keys.add(kv.key);
  return [...keys].sort((a, b) => a.localeCompare(b));
}

function paramCell(value: string | undefined): TableCell {
  if (value === undefined) return { text: '', number: null, missing: true, best: false };
  const n = value.trim() === '' ? NaN : Number(value);
  return { text: value, number: Number.isFinite(n) ? n : null, missing: false, best: false };
}

function metricCell(present: boolean, value: number | null): TableCell {
  if (!present) return { text: '', number: null, missing: true, best: false };
  return { text: formatNumber(value), number: value, missing: false, best: false };
}

function rowDiffers(cells: TableCell[]): boolean {
  for (let i = 1; i < cells.length; i++) {
    if (cells[i].missing !== cells[0].missing || cells[i].text !== cells[0].text) return true;
  }
  return false;
}

function markBest(row: TableRow): void {
  const numbers = row.cells.filter((c) => c.number !== null).map((c) => c.number as number);
  // A best value only means something when there is something to beat, and for a score (never a spread or a fold).
  if (numbers.length < 2 || !row.differs) return;
  const best = bestValue(row.key, numbers);
  if (best === undefined) return;
  for (const c of row.cells) c.best = c.number === best;
}

/** Per-fold values, when the host sent them: `0.74 · 0.76 · 0.75`; else the latest (last fold) value, said as such. */
function foldCell(run: CompareRun, key: string, present: boolean, value: number | null): TableCell {
  const folds = run.folds?.find((f) => f.key === key)?.values;
  if (!present) return { text: '', number: null, missing: true, best: false };
  if (folds && folds.length > 0)
    return { text: folds.map((v) => formatNumber(v === null ? null : Number(v.toPrecision(3)))).join(' · '), number: null, missing: false, best: false };
  return { text: `last fold ${formatNumber(value)}`, number: null, missing: false, best: false };
}

function metricRow(runs: readonly CompareRun[], key: string, keys: ReadonlySet<string>): TableRow {
  const meaning = metricMeaning(key);
  const cells = runs.map((r) => {
    const m = r.metrics.find((x) => x.key === key);
    if (meaning.kind === 'fold') return foldCell(r, key, m !== undefined, m ? m.value : null);
    const cell = metricCell(m !== undefined, m ? m.value : null);
    const base = meaning.kind === 'score' ? r.metrics.find((x) => x.key === `baseline_${key}`)?.value : undefined;
    if (cell.number !== null && base !== undefined && base !== null && !isBetter(key, cell.number, base)) cell.belowBaseline = { baseline: base };
    return cell;
  });
  const goal = meaning.rankable ? (meaning.direction === 'lower' ? 'minimize' : 'maximize') : undefined;
  return { kind: 'metric', key, differs: rowDiffers(cells), ...(goal ? { goal } : {}), metricKind: meaning.kind, label: metricLabel(key, keys), cells };
}

function columnOrder(runs: readonly CompareRun[], rows: TableRow[], sort: TableSort | null | undefined): number[] {
  const order = runs.map((_, i) => i);
  if (!sort) return order;
  const row = rows.find((r) => r.kind === sort.kind && r.key === sort.key);
  if (!row) return order;
  const sign = sort.direction === 'asc' ? 1 : -1;
  // Missing values sort last whatever the direction; numbers compare as numbers, text as text.
  return order.sort((a, b) => {
    const ca = row.cells[a];
    const cb = row.cells[b];
    if (ca.missing !== cb.missing) return ca.missing ? 1 : -1;
    if (ca.number !== null && cb.number !== null) return sign * (ca.number - cb.number) || a - b;
    if (ca.number !== null || cb.number !== null) return ca.number === null ? 1 : -1;
    return sign * ca.text.localeCompare(cb.text) || a - b;
  });
}

export function buildTable(runs: readonly CompareRun[], options: TableOptions): TableModel {
  const rows: TableRow[] = [];
  for (const key of sortedKeys(runs, (r) => r.params)) {
    const cells = runs.map((r) => paramCell(r.params.find((p) => p.key === key)?.value));
    rows.push({ kind: 'param', key, differs: rowDiffers(cells), cells });
  }
  const metricKeys = sortedKeys(runs, (r) => r.metrics).sort(compareMetricKeys);
  const keySet = new Set(metricKeys);
  for (const key of metricKeys) {
    const row = metricRow(runs, key, keySet);
    markBest(row);
    rows.push(row);
  }
  const order = columnOrder(runs, rows, options.sort);
  const visible = options.onlyDifferences && runs.length > 1 ? rows.filter((r) => r.differs) : rows;
  const reorder = (r: TableRow): TableRow => ({ ...r, cells: order.map((i) => r.cells[i]) });
  return {
    columns: order.map((i) => ({ runId: runs[i].runId, runName: runs[i].runName, colorIndex: i })),
    params: visible.filter((r) => r.kind === 'param').map(reorder),
    metrics: visible.filter((r) => r.kind === 'metric').map(reorder),
    hiddenRows: rows.length - visible.length,
  };
}

/** Next sort when a row header is activated: ascending, then descending, then none. */
export function nextSort(current: TableSort | null | undefined, kind: RowKind, key: string): TableSort | null {
  if (!current || current.kind !== kind || current.key !== key) return { kind, key, direction: 'asc' };
  return current.direction === 'asc' ? { kind, key, direction: 'desc' } : null;
}

function header(model: TableModel): string[] {
  return ['kind', 'key', ...model.columns.map((c) => c.runName || c.runId)];
}

function body(model: TableModel): string[][] {
  return [...model.params, ...model.metrics].map((r) => [r.kind, r.key, ...r.cells.map((c) => c.text)]);
}

export function tableToCsv(model: TableModel): string {
  return [header(model), ...body(model)].map(csvLine).join('\n') + '\n';
}

function mdField(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

export function tableToMarkdown(model: TableModel): string {
  const head = header(model).map(mdField);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
  for (const r of [...model.params, ...model.metrics]) {
    const cells = r.cells.map((c) => (c.best ? `**${mdField(c.text)}**` : mdField(c.text)));
    lines.push(`| ${[r.kind, mdField(r.key), ...cells].join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
