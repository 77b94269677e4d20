import { ModelOpsError } from '../../core/errors';
import type { RawTable } from './csv';

/** How a column is used. `id` and `constant` columns are excluded from the features. */
export type ColumnKind = 'numeric' | 'categorical' | 'boolean';
export type Task = 'classification' | 'regression';

export interface FeatureSpec {
  name: string;
  kind: ColumnKind;
}

export interface ExcludedColumn {
  name: string;
  reason: string;
}

export interface InferredSchema {
  features: FeatureSpec[];
  target: string;
  task: Task;
  excluded: ExcludedColumn[];
  /** Non-fatal findings (cells read as missing, ...), for the user. */
  warnings: string[];
}

export interface SchemaOptions {
  target: string;
  /** Force the task; inferred from the target otherwise. */
  task?: Task;
  /** A non-numeric cell in a mostly numeric column is an error instead of a missing value. */
  strict?: boolean;
  /** Columns to drop in addition to the id-like ones. */
  exclude?: string[];
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);
const TRUE = new Set(['true', 'yes', 't', 'y']);
const FALSE = new Set(['false', 'no', 'f', 'n']);
const ID_NAME = /^(id|uuid|guid|key|index)$|(_id|_uuid|_key)$|^id_|Id$|ID$/;

export function isMissing(v: string | number | null | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isNaN(v);
  return MISSING.has(v.trim().toLowerCase());
}

/** A decimal number as a spreadsheet writes it (12, -0.5, .5, 1e3); not hex, octal, binary or Infinity. */
const DECIMAL_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parses a numeric cell; NaN when it is not a decimal number (`0x10` is text, not 16). */
export function parseNumber(v: string | number): number {
  if (typeof v === 'number') return v;
  const s = v.trim();
  if (!DECIMAL_NUMBER.test(s)) return NaN;
  const x = Number(s);
  return Number.isFinite(x) ? x : NaN;
}

export function parseBoolean(v: string | number | boolean): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v === 0 ? 0 : v === 1 ? 1 : NaN;
  const s = v.trim().toLowerCase();
  if (TRUE.has(s) || s === '1') return 1;
  if (FALSE.has(s) || s === '0') return 0;
  return NaN;
}

interface ColumnStats {
  present: number;
  numeric: number;
  firstNonNumeric: number;
  distinct: Set<string>;
  boolish: boolean;
}

function stats(table: RawTable, c: number): ColumnStats {
  const s: ColumnStats = { present: 0, numeric: 0, firstNonNumeric: -1, distinct: new Set(), boolish: true };
  for (let r = 0; r < table.rows.length; r++) {
    const v = table.rows[r][c];
    if (isMissing(v)) continue;
    s.present++;
    if (!Number.isNaN(parseNumber(v))) s.numeric++;
    else if (s.firstNonNumeric < 0) s.firstNonNumeric = r;
    if (s.distinct.size <= 1000) s.distinct.add(v.trim());
    if (s.boolish) {
      const l = v.trim().toLowerCase();
      if (!TRUE.has(l) && !FALSE.has(l)) s.boolish = false;
    }
  }
  return s;
}

/**
 * Infers how each column is used: numeric, categorical or boolean features, id-like and constant
 * columns excluded, the task from the target (numbers with many distinct values → regression).
 */
export function inferSchema(table: RawTable, options: SchemaOptions): InferredSchema {
  const { source, header } = table;
  const targetIndex = header.indexOf(options.target);
  if (targetIndex < 0) {
    throw new ModelOpsError('DATA_INVALID', `${source}: no target column '${options.target}'; the columns are ${header.join(', ')}`, {
      location: `${source}:1`,
    });
  }
  const warnings: string[] = [];
  const excluded: ExcludedColumn[] = [];
  const features: FeatureSpec[] = [];
  const n = table.rows.length;
  for (let c = 0; c < header.length; c++) {
    if (c === targetIndex) continue;
    const name = header[c];
    if (options.exclude?.includes(name)) {
      excluded.push({ name, reason: 'excluded by the user' });
      continue;
    }
    const s = stats(table, c);
    if (s.present === 0) {
      excluded.push({ name, reason: 'every value is missing' });
      continue;
    }
    if (s.distinct.size === 1) {
      excluded.push({ name, reason: 'constant' });
      continue;
    }
    const allNumeric = s.numeric === s.present;
    const mostlyNumeric = s.numeric >= 0.9 * s.present && s.numeric > 0;
    if (ID_NAME.test(name) && (s.distinct.size > 0.5 * s.present || s.distinct.size > 1000)) {
      excluded.push({ name, reason: 'id-like (name and unique values)' });
      continue;
    }
    if (s.boolish && !allNumeric) {
      features.push({ name, kind: 'boolean' });
      continue;
    }
    if (allNumeric || mostlyNumeric) {
      if (!allNumeric) {
        const r = s.firstNonNumeric;
        const where = `${source}:${table.lines[r]}:${c + 1}`;
        const msg = `${where}: '${table.rows[r][c]}' is not a number in numeric column '${name}'`;
        if (options.strict) throw new ModelOpsError('DATA_INVALID', msg, { location: where });
        warnings.push(`${msg}; ${s.present - s.numeric} such cell(s) read as missing`);
      }
      features.push({ name, kind: 'numeric' });
      continue;
    }
    // Text: unique on (almost) every row means an identifier, not a category.
    if (s.distinct.size > 1000 || (n >= 20 && s.distinct.size >= 0.9 * s.present)) {
      excluded.push({ name, reason: 'id-like (a distinct text value on almost every row)' });
      continue;
    }
    features.push({ name, kind: 'categorical' });
  }
  if (features.length === 0) {
    throw new ModelOpsError('DATA_INVALID', `${source}: no usable feature columns (excluded: ${excluded.map((e) => `${e.name}: ${e.reason}`).join('; ')})`, {
      location: source,
    });
  }
  const task = options.task ?? inferTask(table, targetIndex);
  return { features, target: options.target, task, excluded, warnings: [...(table.warnings ?? []), ...warnings] };
}

function inferTask(table: RawTable, c: number): Task {
  const s = stats(table, c);
  if (s.numeric !== s.present) return 'classification';
  let integers = true;
  for (const v of s.distinct) if (!Number.isInteger(parseNumber(v))) integers = false;
  return integers && s.distinct.size <= 20 ? 'classification' : 'regression';
}
