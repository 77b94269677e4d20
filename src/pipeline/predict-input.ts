import { dict } from '../core/dict';
import type { RawTable } from '../ml/dataset/csv';
import type { Frame } from '../ml/dataset/dataset';
import { isMissing, parseBoolean, parseNumber } from '../ml/dataset/schema';

/** One input column of a model signature (MLflow column spec), plus the categories seen in training. */
export interface InputColumn {
  name: string;
  /** MLflow's column types: double, float, long, integer, boolean, string, ... */
  type: string;
  /** MLflow's `required` (default true). */
  required?: boolean;
  /** Training categories of a string column, when the model knows them. */
  categories?: readonly string[];
}

/** A problem found in the input, located at `file:line:column` (column 1-based), or at the header. */
export interface InputIssue {
  kind: 'missing_column' | 'extra_column' | 'wrong_type' | 'missing_value' | 'unseen_category';
  column: string;
  /** Data rows (1-based, header excluded) where it occurs; empty for column-level issues. */
  rows: number[];
  /** How many rows in all (rows lists at most the first few). */
  count: number;
  location: string;
  message: string;
}

export interface CheckedInput {
  /** The model's input columns as raw cells, ready for `predictFrame`. */
  frame: Frame;
  /** Fatal: the input cannot be scored. */
  errors: InputIssue[];
  /** Scored anyway: extra columns ignored, missing values imputed, unseen categories encoded as unknown. */
  notes: InputIssue[];
}

const NUMERIC = new Set(['double', 'float', 'long', 'integer']);
const SHOW_ROWS = 5;

/** Missing input columns (errors, unless optional) and columns the model does not read (notes), at the header line. */
function headerIssues(table: RawTable, inputs: readonly InputColumn[], index: Map<string, number>, errors: InputIssue[], notes: InputIssue[]): void {
  const header = `${table.source}:1`;
  const wanted = new Set(inputs.map((c) => c.name));
  for (const c of inputs) {
    if (!index.has(c.name) && c.required !== false) {
      errors.push({
        kind: 'missing_column',
        column: c.name,
        rows: [],
        count: 0,
        location: header,
        message: `${header}: missing column '${c.name}' (${c.type}); the model needs ${inputs.map((i) => i.name).join(', ')}`,
      });
    }
  }
  for (const h of table.header) {
    if (!wanted.has(h.trim())) {
      notes.push({ kind: 'extra_column', column: h, rows: [], count: 0, location: header, message: `${header}: column '${h}' is not a model input; ignored` });
    }
  }
}

/**
 * Checks a CSV table against the model's input columns before anything is scored or written:
 * missing columns and cells of the wrong type are errors; extra columns, missing values and
 * categories unseen in training are notes. Every issue names its file, line and column.
 */
export function checkInput(table: RawTable, inputs: readonly InputColumn[]): CheckedInput {
  const errors: InputIssue[] = [];
  const notes: InputIssue[] = [];
  const index = new Map(table.header.map((h, i) => [h.trim(), i]));
  headerIssues(table, inputs, index, errors, notes);
  const columns: Frame['columns'] = dict();
  const n = table.rows.length;
  for (const c of inputs) {
    const i = index.get(c.name);
    if (i === undefined) {
      columns[c.name] = new Array(n).fill(null);
      continue;
    }
    const cells = new Array<string | null>(n);
    const bad: number[] = [];
    const missing: number[] = [];
    const unseen = new Map<string, number[]>();
    const known = c.categories && c.categories.length > 0 ? new Set(c.categories) : undefined;
    const numeric = NUMERIC.has(c.type);
    const boolean = c.type === 'boolean';
    for (let r = 0; r < n; r++) {
      const v = table.rows[r]![i];
      // Fast path for the common case, a plain number in a numeric column.
      if (numeric && v !== undefined && v !== '' && Number.isFinite(Number(v))) {
        cells[r] = v;
        continue;
      }
      if (v === undefined || isMissing(v)) {
        cells[r] = null;
        missing.push(r);
        continue;
      }
      cells[r] = v;
      if (numeric && Number.isNaN(parseNumber(v))) bad.push(r);
      else if (boolean && Number.isNaN(parseBoolean(v))) bad.push(r);
      else if (known && !numeric && !boolean && !known.has(v.trim())) {
        const list = unseen.get(v.trim()) ?? [];
        list.push(r);
        unseen.set(v.trim(), list);
      }
    }
    columns[c.name] = cells;
    const at = (r: number): string => `${table.source}:${table.lines[r]}:${i + 1}`;
    // Where the rows are: the first few (1-based), how many, and the first one's place in the file.
    const found = (rows: number[]) => ({ column: c.name, rows: rows.slice(0, SHOW_ROWS).map((r) => r + 1), count: rows.length, location: at(rows[0]!) });
    const more = (rows: number[]): string => (rows.length > SHOW_ROWS ? ', …' : '');
    if (bad.length > 0) {
      const shown = bad.slice(0, SHOW_ROWS).map((r) => `'${table.rows[r]![i]}' at ${at(r)}`);
      errors.push({
        kind: 'wrong_type',
        ...found(bad),
        message: `column '${c.name}' expects ${c.type}: ${bad.length} value(s) are not ${numeric ? 'numbers' : 'true/false'}: ${shown.join(', ')}${more(bad)}`,
      });
    }
    if (missing.length > 0) {
      const required = c.required !== false;
      notes.push({
        kind: 'missing_value',
        ...found(missing),
        message: `column '${c.name}': ${missing.length} missing value(s) (${missing.slice(0, SHOW_ROWS).map(at).join(', ')}${more(missing)}); ${required ? 'imputed as in training' : 'optional'}`,
      });
    }
    for (const [value, rows] of unseen) {
      notes.push({
        kind: 'unseen_category',
        ...found(rows),
        message: `column '${c.name}': category '${value}' was not seen in training (${rows.length} row(s): ${rows.slice(0, SHOW_ROWS).map(at).join(', ')}${more(rows)}); scored as an unknown category`,
      });
    }
  }
  return { frame: { nRows: n, columns }, errors, notes };
}
