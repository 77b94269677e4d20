import type { RawTable } from '../../ml/dataset/csv';
import { isMissing, parseBoolean, parseNumber } from '../../ml/dataset/schema';
import type { ColumnSketch } from '../../ml/drift/sketch';
import type { ColumnExpectation, ColumnType, Expectations } from './pipeline-file';

/**
 * The checks of the new data's columns and target against the expectations of the pipeline file
 * and, where the file says nothing, against the reference model: its signature (columns, types)
 * and its training profile (categories seen, missing share, range of values).
 */
export type CheckOutcome = 'pass' | 'fail' | 'warn' | 'skipped';

export interface DataCheck {
  /** The test: `columns`, `type`, `allowed categories`, `new categories`, `range`, `training range`, `missing values`, `rows`, `target`, `class balance`, `drift`, `dataset drift`. */
  test: string;
  column?: string;
  outcome: CheckOutcome;
  expected: string;
  actual: string;
  message: string;
  /** `file:line:column` of the first offending cell, when there is one. */
  location?: string;
}

/** What the reference says about one column (signature type and required flag, training sketch, known categories). */
export interface ReferenceColumn {
  name: string;
  type?: ColumnType;
  required?: boolean;
  sketch?: ColumnSketch;
  categories?: readonly string[];
}

export const MISSING_TOLERANCE = 0.2;
const SHOW = 3;

const pct = (x: number): string => `${Number((x * 100).toFixed(1))}%`;
const fmt = (x: number): string => String(Number(x.toPrecision(6)));

export function signatureType(type: string): ColumnType {
  return type === 'string' ? 'categorical' : type === 'boolean' ? 'boolean' : 'numeric';
}

function cellAt(table: RawTable, c: number, r: number): string {
  return `${table.source}:${table.lines[r]}:${c + 1}`;
}

interface ColumnScan {
  missing: number;
  /** Rows whose value is not of the expected type. */
  wrongType: number[];
  numbers: { row: number; value: number }[];
  categories: Map<string, number[]>;
}

function scan(table: RawTable, c: number, type: ColumnType): ColumnScan {
  const out: ColumnScan = { missing: 0, wrongType: [], numbers: [], categories: new Map() };
  table.rows.forEach((row, r) => {
    const v = row[c];
    if (v === undefined || isMissing(v)) {
      out.missing++;
      return;
    }
    if (type === 'numeric') {
      const x = parseNumber(v);
      if (Number.isNaN(x)) out.wrongType.push(r);
      else out.numbers.push({ row: r, value: x });
    } else if (type === 'boolean' && Number.isNaN(parseBoolean(v))) out.wrongType.push(r);
    else {
      const k = type === 'boolean' ? (parseBoolean(v) === 1 ? 'true' : 'false') : v.trim();
      const list = out.categories.get(k) ?? [];
      list.push(r);
      out.categories.set(k, list);
    }
  });
  return out;
}

/** Whether most present values of a column are numbers (to suggest a renamed column of the same kind). */
function looksNumeric(table: RawTable, c: number): boolean {
  let present = 0;
  let numbers = 0;
  for (const row of table.rows.slice(0, 1000)) {
    const v = row[c];
    if (v === undefined || isMissing(v)) continue;
    present++;
    if (!Number.isNaN(parseNumber(v))) numbers++;
  }
  return present > 0 && numbers / present >= 0.9;
}

function columnPresence(table: RawTable, ref: ReferenceColumn, required: boolean, unknownColumns: readonly string[]): DataCheck {
  const name = ref.name;
  const numeric = ref.type === undefined ? undefined : ref.type === 'numeric';
  const similar = unknownColumns.filter((u) => numeric === undefined || looksNumeric(table, table.header.indexOf(u)) === numeric);
  const renamed = similar.length > 0 ? `; the new data has ${similar.map((c) => `'${c}'`).join(', ')} instead (renamed?)` : '';
  return {
    test: 'columns',
    column: name,
    outcome: required ? 'fail' : 'warn',
    expected: `column '${name}'`,
    actual: 'absent',
    message: `${table.source}:1: column '${name}' is missing${required ? '' : ' (optional)'}${renamed}`,
    location: `${table.source}:1`,
  };
}

/** Every check of one column that is present in the new data. */
export function checkColumn(table: RawTable, c: number, ref: ReferenceColumn, own: ColumnExpectation | undefined, e: Expectations): DataCheck[] {
  const name = ref.name;
  const type = own?.type ?? ref.type ?? 'categorical';
  const s = scan(table, c, type);
  const n = table.rows.length;
  const checks: DataCheck[] = [];
  const push = (test: string, outcome: CheckOutcome, expected: string, actual: string, message: string, row?: number): void => {
    checks.push({ test, column: name, outcome, expected, actual, message, ...(row !== undefined ? { location: cellAt(table, c, row) } : {}) });
  };
  if (s.wrongType.length > 0) {
    const shown = s.wrongType
      .slice(0, SHOW)
      .map((r) => `'${table.rows[r]![c]}' at ${cellAt(table, c, r)}`)
      .join(', ');
    push(
      'type',
      'fail',
      `${type} values`,
      `${s.wrongType.length} other value(s)`,
      `column '${name}' should hold ${type} values: ${shown}${s.wrongType.length > SHOW ? ', …' : ''}`,
      s.wrongType[0],
    );
  } else push('type', 'pass', `${type} values`, `${type} values`, 'every value has the expected type');
  checks.push(missingCheck(name, s.missing, n, own, e, ref.sketch));
  if (type === 'numeric') checks.push(...rangeChecks(table, c, s, own, e, ref.sketch));
  else checks.push(...categoryChecks(table, c, s, own, e, ref));
  return checks;
}

function missingCheck(
  name: string,
  missing: number,
  n: number,
  own: ColumnExpectation | undefined,
  e: Expectations,
  sketch: ColumnSketch | undefined,
): DataCheck {
  const trained = sketch && sketch.count + sketch.missing > 0 ? sketch.missing / (sketch.count + sketch.missing) : undefined;
  const limit = own?.maxMissing ?? e.maxMissing ?? Math.min(1, (trained ?? 0) + MISSING_TOLERANCE);
  const why =
    own?.maxMissing !== undefined || e.maxMissing !== undefined
      ? 'the pipeline file'
      : trained !== undefined
        ? `training had ${pct(trained)}, + ${pct(MISSING_TOLERANCE)}`
        : 'default';
  const share = n === 0 ? 0 : missing / n;
  const ok = share <= limit;
  return {
    test: 'missing values',
    column: name,
    outcome: ok ? 'pass' : 'fail',
    expected: `≤ ${pct(limit)} missing (${why})`,
    actual: `${pct(share)} (${missing} of ${n})`,
    message: ok ? `${pct(share)} missing` : `column '${name}' is ${pct(share)} missing (${missing} of ${n} rows), more than the ${pct(limit)} allowed`,
  };
}

function rangeChecks(
  table: RawTable,
  c: number,
  s: ColumnScan,
  own: ColumnExpectation | undefined,
  e: Expectations,
  sketch: ColumnSketch | undefined,
): DataCheck[] {
  const name = table.header[c]!;
  const outside = (lo: number, hi: number): { row: number; value: number }[] => s.numbers.filter((x) => x.value < lo || x.value > hi);
  const example = (list: { row: number; value: number }[]): string =>
    list
      .slice(0, SHOW)
      .map((x) => `${fmt(x.value)} at ${cellAt(table, c, x.row)}`)
      .join(', ');
  if (own?.min !== undefined || own?.max !== undefined) {
    const lo = own.min ?? -Infinity;
    const hi = own.max ?? Infinity;
    const bad = outside(lo, hi);
    const expected = `values in [${own.min ?? '−∞'}, ${own.max ?? '∞'}]`;
    if (bad.length === 0) return [{ test: 'range', column: name, outcome: 'pass', expected, actual: 'all inside', message: 'every value is in range' }];
    return [
      {
        test: 'range',
        column: name,
        outcome: 'fail',
        expected,
        actual: `${bad.length} outside`,
        message: `column '${name}': ${bad.length} value(s) outside [${own.min ?? '−∞'}, ${own.max ?? '∞'}]: ${example(bad)}${bad.length > SHOW ? ', …' : ''}`,
        location: cellAt(table, c, bad[0]!.row),
      },
    ];
  }
  if (e.outOfRange === false || sketch?.kind !== 'numeric' || sketch.count === 0 || s.numbers.length === 0) return [];
  const bad = outside(sketch.min, sketch.max);
  const share = bad.length / s.numbers.length;
  const ok = share <= e.outOfRange;
  const expected = `≤ ${pct(e.outOfRange)} outside the training range [${fmt(sketch.min)}, ${fmt(sketch.max)}]`;
  return [
    {
      test: 'training range',
      column: name,
      outcome: ok ? 'pass' : 'fail',
      expected,
      actual: `${pct(share)} outside`,
      message: ok
        ? `${pct(share)} outside the training range`
        : `column '${name}': ${pct(share)} of the values are outside the training range [${fmt(sketch.min)}, ${fmt(sketch.max)}], e.g. ${example(bad)}`,
      ...(bad.length > 0 ? { location: cellAt(table, c, bad[0]!.row) } : {}),
    },
  ];
}

function categoryChecks(table: RawTable, c: number, s: ColumnScan, own: ColumnExpectation | undefined, e: Expectations, ref: ReferenceColumn): DataCheck[] {
  const name = ref.name;
  const explicit = own?.allowed;
  const trained = ref.sketch && ref.sketch.kind !== 'numeric' && ref.sketch.other === 0 ? ref.sketch.categories.map(([v]) => v) : ref.categories;
  const known = explicit ?? trained;
  if (!known) return [];
  const test = explicit ? 'allowed categories' : 'new categories';
  const allowed = new Set(known);
  const unseen = [...s.categories.entries()].filter(([v]) => !allowed.has(v));
  const expected = `${explicit ? 'one of' : 'categories seen in training:'} ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}`;
  if (unseen.length === 0) return [{ test, column: name, outcome: 'pass', expected, actual: `${s.categories.size} categories`, message: 'no other category' }];
  const rows = unseen.reduce((t, [, r]) => t + r.length, 0);
  const list = unseen
    .slice(0, SHOW)
    .map(([v, r]) => `'${v}' (${r.length} row(s), first at ${cellAt(table, c, r[0]!)})`)
    .join(', ');
  const outcome: CheckOutcome = explicit || e.newCategories === 'fail' ? 'fail' : 'warn';
  return [
    {
      test,
      column: name,
      outcome,
      expected,
      actual: `${unseen.length} other categor${unseen.length === 1 ? 'y' : 'ies'}`,
      message: `column '${name}' has ${explicit ? 'categories the pipeline file does not allow' : 'categories the model never saw in training'}: ${list}${unseen.length > SHOW ? ', …' : ''} — ${rows} row(s)`,
      location: cellAt(table, c, unseen[0]![1][0]!),
    },
  ];
}

/** Columns the reference (or the file) expects that the new data lacks, and columns it has that nothing expects. */
export function columnSetChecks(
  table: RawTable,
  expected: readonly ReferenceColumn[],
  own: Record<string, ColumnExpectation>,
  e: Expectations,
  target: string,
): DataCheck[] {
  const header = new Set(table.header);
  const known = new Set([...expected.map((r) => r.name), target]);
  const unknown = table.header.filter((h) => !known.has(h));
  const checks: DataCheck[] = [];
  for (const ref of expected) {
    if (!header.has(ref.name)) checks.push(columnPresence(table, ref, own[ref.name]?.required ?? ref.required ?? true, unknown));
  }
  if (unknown.length > 0) {
    checks.push({
      test: 'columns',
      outcome: e.extraColumns === 'fail' ? 'fail' : 'pass',
      expected: e.extraColumns === 'fail' ? 'no other column' : 'other columns are ignored',
      actual: unknown.join(', '),
      message: `${table.source}:1: ${unknown.length} column(s) the model does not take: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', …' : ''}`,
      location: `${table.source}:1`,
    });
  }
  return checks;
}

/** The target: present on every row; for a classification, its classes and their balance. */
export function targetChecks(table: RawTable, target: string, classification: boolean, e: Expectations): DataCheck[] {
  const t = table.header.indexOf(target);
  if (t < 0)
    return [
      {
        test: 'target',
        column: target,
        outcome: 'fail',
        expected: `target column '${target}'`,
        actual: 'absent',
        message: `${table.source}:1: the target column '${target}' is missing`,
        location: `${table.source}:1`,
      },
    ];
  const s = scan(table, t, classification ? 'categorical' : 'numeric');
  const n = table.rows.length;
  const checks: DataCheck[] = [];
  const bad = s.missing + s.wrongType.length;
  checks.push({
    test: 'target',
    column: target,
    outcome: bad === 0 ? 'pass' : 'fail',
    expected: classification ? 'a label on every row' : 'a number on every row',
    actual: bad === 0 ? `${n} rows` : `${bad} row(s) without one`,
    message: bad === 0 ? 'every row has a target' : `the target '${target}' is missing or invalid on ${bad} of ${n} rows; training needs it on every row`,
  });
  if (!classification) return checks;
  const counts = [...s.categories.entries()].map(([k, rows]) => [k, rows.length] as const).sort((a, b) => b[1] - a[1]);
  const labelled = counts.reduce((a, [, c]) => a + c, 0);
  const shares = counts.map(([k, c]) => `${k} ${pct(c / Math.max(1, labelled))}`).join(', ');
  const cb = e.classBalance;
  const problems: string[] = [];
  if (counts.length < 2) problems.push(`only ${counts.length} class (${shares || 'none'}); nothing to learn`);
  if (cb?.classes) {
    const want = new Set(cb.classes);
    const have = new Set(counts.map(([k]) => k));
    const extra = [...have].filter((k) => !want.has(k));
    const absent = cb.classes.filter((k) => !have.has(k));
    if (extra.length) problems.push(`classes not expected: ${extra.join(', ')}`);
    if (absent.length) problems.push(`expected classes absent: ${absent.join(', ')}`);
  }
  for (const [k, c] of counts) {
    const share = c / Math.max(1, labelled);
    if (cb?.minShare !== undefined && share < cb.minShare) problems.push(`class '${k}' holds ${pct(share)} of the rows, less than ${pct(cb.minShare)}`);
    if (cb?.maxShare !== undefined && share > cb.maxShare) problems.push(`class '${k}' holds ${pct(share)} of the rows, more than ${pct(cb.maxShare)}`);
  }
  const expected = [
    cb?.classes ? `classes ${cb.classes.join(', ')}` : 'at least 2 classes',
    cb?.minShare !== undefined ? `each ≥ ${pct(cb.minShare)}` : '',
    cb?.maxShare !== undefined ? `each ≤ ${pct(cb.maxShare)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  checks.push({
    test: 'class balance',
    column: target,
    outcome: problems.length ? 'fail' : 'pass',
    expected,
    actual: shares,
    message: problems.length ? `target '${target}': ${problems.join('; ')}` : shares,
  });
  return checks;
}
