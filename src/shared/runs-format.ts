/** How the runs table and the run page write values, and the table's CSV export. Pure: no DOM. */
import { csvLine, csvNumber } from './csv';
import { formatNumber } from './format';
import type { ColumnDef } from './runs-columns';
import type { CellValue, RunsModel } from './runs-model';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2026-01-31 14:05:09` in the viewer's time zone. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `850 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

export function formatCell(value: CellValue, column: ColumnDef): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (column.kind === 'attr' && column.key === 'start') return formatTime(value);
  if (column.kind === 'attr' && column.key === 'duration') return formatDuration(value);
  return formatNumber(value);
}

/** A cell's text for CSV (csvLine quotes and neutralises it): numbers at full precision, start times in ISO 8601 (UTC), durations in seconds. */
function csvCell(value: CellValue, column: ColumnDef): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (column.kind === 'attr' && column.key === 'start') return new Date(value).toISOString();
  if (column.kind === 'attr' && column.key === 'duration') return csvNumber(value / 1000);
  return csvNumber(value);
}

function csvHeader(column: ColumnDef): string {
  if (column.kind === 'attr') return column.key === 'duration' ? 'Duration (s)' : column.label;
  return `${column.kind === 'metric' ? 'metrics' : column.kind === 'param' ? 'params' : 'tags'}.${column.label}`;
}

/** The table as shown (filter, sort and chosen columns), every row rather than the visible window; the run id comes first. */
export function runsToCsv(model: RunsModel, runIds: readonly string[], columns: readonly ColumnDef[], now = Date.now()): string {
  const lines = [csvLine(['run_id', ...columns.map(csvHeader)])];
  for (const id of runIds) {
    const row = model.rows.get(id);
    if (row) lines.push(csvLine([id, ...columns.map((c) => csvCell(model.value(row, c, now), c))]));
  }
  return lines.join('\n') + '\n';
}
