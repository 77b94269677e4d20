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
  firstComma?: { line: number; text: string };
}

export interface DecimalDecision {
  mark: DecimalMark;
  /** Columns whose decimal-comma cells are rewritten with a point (empty unless the mark is `,`). */
  rewrite: number[];
  warnings: string[];
}

/** What the cells of each column look like, gathered row by row (a file streamed or a table). */
export class DecimalLooks {
  private readonly looks: ColumnLook[];

  constructor(width: number) {
    this.looks = Array.from({ length: width }, () => ({ comma: 0, point: 0, other: 0 }));
  }

  add(fields: readonly string[], line: number): void {
    for (let c = 0; c < this.looks.length; c++) {
      const v = fields[c]!.trim();
      if (v === '' || INTEGER.test(v)) continue;
      const l = this.looks[c]!;
      if (COMMA.test(v)) {
        l.comma++;
        l.firstComma ??= { line, text: v };
      } else if (POINT.test(v)) l.point++;
      else l.other++;
    }
  }

  decide(header: readonly string[], source: string, delimiter: string, asked: DecimalMark | undefined): DecimalDecision {
    const looks = this.looks;
    const commaColumns = looks.map((l, c) => (l.comma > 0 && l.other === 0 && l.point === 0 ? c : -1)).filter((c) => c >= 0);
    // A comma-separated file cannot hold an unquoted decimal comma: detect only for other delimiters.
    const detected: DecimalMark = delimiter !== ',' && commaColumns.length > 0 && looks.every((l) => l.point === 0) ? ',' : '.';
    const mark = asked ?? detected;
    const warnings: string[] = [];
    if (mark === ',') {
      if (asked === undefined && commaColumns.length > 0) {
        warnings.push(
          `${source}: read ${commaColumns.map((c) => `'${header[c]}'`).join(', ')} with a decimal comma (e.g. ${looks[commaColumns[0]!]!.firstComma!.text}); pass --decimal . to read such cells as text`,
        );
      }
      return { mark, rewrite: commaColumns, warnings };
    }
    for (const c of looks.map((l, i) => (l.comma > 0 && l.comma >= l.other ? i : -1)).filter((i) => i >= 0)) {
      const first = looks[c]!.firstComma!;
      warnings.push(
        `${source}:${first.line}:${c + 1}: column '${header[c]}' looks numeric with a decimal comma ('${first.text}'), read as text; pass --decimal , to read it as numbers`,
      );
    }
    return { mark, rewrite: [], warnings };
  }
}

/** Rewrites the decimal-comma cells of a row in place, as the decision says. */
export function applyDecision(fields: string[], decision: DecimalDecision): void {
  for (const c of decision.rewrite) {
    const v = fields[c]!.trim();
    if (COMMA.test(v)) fields[c] = v.replace(/\./g, '').replace(',', '.');
  }
}

/** Rewrites decimal-comma cells of `table` in place when that is the file's mark; returns warnings. */
export function applyDecimalMark(table: RawTable, delimiter: string, asked: DecimalMark | undefined): DecimalDecision {
  const looks = new DecimalLooks(table.header.length);
  for (let r = 0; r < table.rows.length; r++) looks.add(table.rows[r]!, table.lines[r]!);
  const decision = looks.decide(table.header, table.source, delimiter, asked);
  if (decision.rewrite.length > 0) for (const row of table.rows) applyDecision(row, decision);
  return decision;
}
