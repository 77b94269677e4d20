import type { RawTable } from './csv';

/**
 * The decimal mark of a file. A `;`- or tab-separated file written by a European spreadsheet has
 * `5,1` for 5.1: read as text, every such column would turn into a category. When some column's
 * cells are numbers with a decimal comma and none with a decimal point, the file's mark is `,` and
 * those cells are rewritten with a point (thousands points `1.234,5` dropped) before anything reads
 * them; `--decimal` sets the mark instead. A column that looks numeric with the other mark than
 * the file's gets a warning naming it.
 */
export type DecimalMark = '.' | ',';

const COMMA = /^[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+$/;
const POINT = /^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+$/;

interface ColumnLook {
  comma: number;
  point: number;
  other: number;
  firstComma?: { row: number; text: string };
}

function look(table: RawTable, c: number): ColumnLook {
  const l: ColumnLook = { comma: 0, point: 0, other: 0 };
  for (let r = 0; r < table.rows.length; r++) {
    const v = table.rows[r]![c]!.trim();
    if (v === '' || INTEGER.test(v)) continue;
    if (COMMA.test(v)) {
      l.comma++;
      l.firstComma ??= { row: r, text: v };
    } else if (POINT.test(v)) l.point++;
    else l.other++;
  }
  return l;
}

/** Rewrites decimal-comma cells of `table` in place when that is the file's mark; returns warnings. */
export function applyDecimalMark(table: RawTable, delimiter: string, asked: DecimalMark | undefined): { mark: DecimalMark; warnings: string[] } {
  const looks = table.header.map((_, c) => look(table, c));
  const commaColumns = looks.map((l, c) => (l.comma > 0 && l.other === 0 && l.point === 0 ? c : -1)).filter((c) => c >= 0);
  // A comma-separated file cannot hold an unquoted decimal comma: detect only for other delimiters.
  const detected: DecimalMark = delimiter !== ',' && commaColumns.length > 0 && looks.every((l) => l.point === 0) ? ',' : '.';
  const mark = asked ?? detected;
  const warnings: string[] = [];
  if (mark === ',') {
    for (const c of commaColumns) {
      for (const row of table.rows) {
        const v = row[c]!.trim();
        if (COMMA.test(v)) row[c] = v.replace(/\./g, '').replace(',', '.');
      }
    }
    if (asked === undefined && commaColumns.length > 0) {
      warnings.push(`${table.source}: read ${commaColumns.map((c) => `'${table.header[c]}'`).join(', ')} with a decimal comma (e.g. ${looks[commaColumns[0]!]!.firstComma!.text}); pass --decimal . to read such cells as text`);
    }
  } else {
    for (const c of looks.map((l, i) => (l.comma > 0 && l.comma >= l.other ? i : -1)).filter((i) => i >= 0)) {
      const first = looks[c]!.firstComma!;
      warnings.push(`${table.source}:${table.lines[first.row]}:${c + 1}: column '${table.header[c]}' looks numeric with a decimal comma ('${first.text}'), read as text; pass --decimal , to read it as numbers`);
    }
  }
  return { mark, warnings };
}
