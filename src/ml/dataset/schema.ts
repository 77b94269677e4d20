import { ModelOpsError } from '../../core/errors';
import { ownCopy } from './columns';
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

export function isMissing(v: string | number | boolean | null | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isNaN(v);
  if (typeof v === 'boolean') return false; // a JSON true/false (serve, pyfunc) is a value
  return missingText(v);
}

/** The missing markers are at most 4 characters: a longer cell needs no lower-casing (most cells). */
function missingText(v: string): boolean {
  let t = v;
  if (t.length > 4) {
    if (!maybeSpace(t.charCodeAt(0)) && !maybeSpace(t.charCodeAt(t.length - 1))) return false;
    t = t.trim();
    if (t.length > 4) return false;
  }
  return MISSING.has(t.trim().toLowerCase());
}

/** A character `trim` might remove (ASCII controls and space, or anything non-ASCII). */
function maybeSpace(c: number): boolean {
  return c <= 32 || c >= 0x80;
}

/**
 * Parses a numeric cell as a spreadsheet writes it (12, -0.5, .5, 1e3): NaN when it is not a decimal
 * number. `Number` reads more than decimals, so what it alone would take is refused: the empty cell
 * (0 to `Number`), hex, octal and binary (`0x10` is text, not 16) and Infinity.
 */
export function parseNumber(v: string | number): number {
  if (typeof v === 'number') return v;
  const s = v.trim();
  if (s === '') return NaN;
  const x = Number(s);
  if (!Number.isFinite(x)) return NaN;
  if (s.length > 1 && s.charCodeAt(0) === 48) {
    const radix = s.charCodeAt(1) | 0x20;
    if (radix === 120 || radix === 111 || radix === 98) return NaN; // 0x, 0o, 0b
  }
  return x;
}

export function parseBoolean(v: string | number | boolean): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v === 0 ? 0 : v === 1 ? 1 : NaN;
  const s = v.trim().toLowerCase();
  if (TRUE.has(s) || s === '1') return 1;
  if (FALSE.has(s) || s === '0') return 0;
  return NaN;
}

/** What one column's cells look like: gathered cell by cell, from a table or a file streamed. */
export class ColumnStats {
  present = 0;
  numeric = 0;
  firstNonNumeric: { line: number; text: string } | undefined;
  /** Distinct trimmed values, up to 1,001 (more than that only says "many"). */
  readonly distinct = new Set<string>();
  boolish = true;

  add(v: string, line: number): void {
    if (isMissing(v)) return;
    this.present++;
    if (!Number.isNaN(parseNumber(v))) this.numeric++;
    else this.firstNonNumeric ??= { line, text: ownCopy(v) };
    if (this.distinct.size <= 1000) {
      const t = v.trim();
      if (!this.distinct.has(t)) this.distinct.add(ownCopy(t));
    }
    if (this.boolish) {
      const l = v.trim().toLowerCase();
      if (!TRUE.has(l) && !FALSE.has(l)) this.boolish = false;
    }
  }
}

/** The columns of a table summarised: what schema inference reads. */
export interface TableSummary {
  source: string;
  header: readonly string[];
  nRows: number;
  stats: readonly ColumnStats[];
  /** Found while reading (a decimal comma read as such). */
  warnings: readonly string[];
}

export function summarizeTable(table: RawTable): TableSummary {
  const stats = table.header.map(() => new ColumnStats());
  for (let r = 0; r < table.rows.length; r++) {
    const row = table.rows[r]!;
    for (let c = 0; c < stats.length; c++) stats[c]!.add(row[c]!, table.lines[r]!);
  }
  return { source: table.source, header: table.header, nRows: table.rows.length, stats, warnings: table.warnings ?? [] };
}

/** The target's column; a file without it is refused from its header. */
export function targetColumn(header: readonly string[], source: string, target: string): number {
  const t = header.indexOf(target);
  if (t < 0)
    throw new ModelOpsError('DATA_INVALID', `${source}: no target column '${target}'; the columns are ${header.join(', ')}`, { location: `${source}:1` });
  return t;
}

/**
 * Infers how each column is used: numeric, categorical or boolean features, id-like and constant
 * columns excluded, the task from the target (numbers with many distinct values → regression).
 */
export function inferSchema(table: RawTable, options: SchemaOptions): InferredSchema {
  targetColumn(table.header, table.source, options.target);
  return schemaFromSummary(summarizeTable(table), options);
}

export function schemaFromSummary(summary: TableSummary, options: SchemaOptions): InferredSchema {
  const { source, header, nRows: n } = summary;
  const targetIndex = targetColumn(header, source, options.target);
  const warnings: string[] = [];
  const excluded: ExcludedColumn[] = [];
  const features: FeatureSpec[] = [];
  for (let c = 0; c < header.length; c++) {
    if (c === targetIndex) continue;
    const name = header[c]!;
    if (options.exclude?.includes(name)) {
      excluded.push({ name, reason: 'excluded by the user' });
      continue;
    }
    const s = summary.stats[c]!;
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
        const first = s.firstNonNumeric!;
        const where = `${source}:${first.line}:${c + 1}`;
        const msg = `${where}: '${first.text}' is not a number in numeric column '${name}'`;
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
  const task = options.task ?? inferTask(summary.stats[targetIndex]!);
  return { features, target: options.target, task, excluded, warnings: [...summary.warnings, ...warnings] };
}

function inferTask(s: ColumnStats): Task {
  if (s.numeric !== s.present) return 'classification';
  let integers = true;
  for (const v of s.distinct) if (!Number.isInteger(parseNumber(v))) integers = false;
  return integers && s.distinct.size <= 20 ? 'classification' : 'regression';
}
