import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import { checkNesting } from '../../core/json-text';
import type { Column } from '../dataset/columns';
import { columnCells, columnLength, float32Cell, isCoded } from '../dataset/columns';
import type { Cell, Dataset } from '../dataset/dataset';
import { isMissing, parseBoolean, parseNumber } from '../dataset/schema';

/**
 * The training-data profile saved with every model (`training_profile.json` in the model directory):
 * a compact per-column sketch of the data the model was fitted on — never the rows themselves —
 * from which the drift of new data is measured. A numeric column keeps its distinct values with
 * their counts while it has at most MAX_POINTS of them (then the sketch is exact: KS, Wasserstein and
 * the histograms are those of the data), else MAX_POINTS equal-mass quantiles; a categorical column
 * keeps the counts of its MAX_CATEGORIES most frequent values and of the rest.
 */
export const PROFILE_FILE = 'training_profile.json';
export const PROFILE_FORMAT = 'modelops.training-profile/1';
export const MAX_POINTS = 1000;
export const MAX_CATEGORIES = 1000;

export type SketchKind = 'numeric' | 'categorical' | 'boolean';

export interface NumericSketch {
  name: string;
  kind: 'numeric';
  /** Non-missing values. */
  count: number;
  missing: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (NumPy's `std`), what Evidently norms the Wasserstein distance by. */
  std: number;
  /** True when `values`/`weights` are every distinct value with its count. */
  exact: boolean;
  distinct: number;
  values: number[];
  weights: number[];
}

export interface CategoricalSketch {
  name: string;
  kind: 'categorical' | 'boolean';
  count: number;
  missing: number;
  /** [value, count], most frequent first. */
  categories: [string, number][];
  /** Values beyond the kept categories. */
  other: number;
}

export type ColumnSketch = NumericSketch | CategoricalSketch;

export interface TrainingProfile {
  format: typeof PROFILE_FORMAT;
  rows: number;
  target: ColumnSketch;
  columns: ColumnSketch[];
}

/** Hands `take` every cell that is not missing; returns how many were missing. */
function presentCells(cells: ArrayLike<Cell>, take: (v: Cell) => void): number {
  let missing = 0;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (isMissing(v)) missing++;
    else take(v);
  }
  return missing;
}

export function numericValues(cells: ArrayLike<Cell>): { values: Float64Array; missing: number; invalid: number } {
  const out = new Float64Array(cells.length);
  let n = 0;
  let invalid = 0;
  const missing = presentCells(cells, (v) => {
    const x = typeof v === 'boolean' ? (v ? 1 : 0) : parseNumber(v as string | number);
    if (Number.isNaN(x)) invalid++;
    else out[n++] = x;
  });
  return { values: out.slice(0, n), missing, invalid };
}

/** The text of a present categorical cell as the model's encoder sees it; booleans as `true`/`false` (undefined: not a boolean). */
function categoryText(v: Cell, kind: 'categorical' | 'boolean'): string | undefined {
  if (kind !== 'boolean') return String(v).trim();
  const b = parseBoolean(v as string | number | boolean);
  return Number.isNaN(b) ? undefined : b === 1 ? 'true' : 'false';
}

/** The texts of the present cells (see `categoryText`), with the counts of missing and invalid ones. */
export function categoryValues(cells: ArrayLike<Cell>, kind: 'categorical' | 'boolean'): { values: string[]; missing: number; invalid: number } {
  const values: string[] = [];
  let invalid = 0;
  const missing = presentCells(cells, (v) => {
    const t = categoryText(v, kind);
    if (t === undefined) invalid++;
    else values.push(t);
  });
  return { values, missing, invalid };
}

/** `sorted`: the values are in increasing order already (they are then read as they are, not copied). */
export function sketchNumeric(name: string, values: Float64Array, missing: number, sorted = false): NumericSketch {
  const x = sorted ? values : Float64Array.from(values).sort();
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean = n > 0 ? mean / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2;
  // Distinct values counted first: a column of a million distinct floats never builds the point lists.
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || x[i] !== x[i - 1]) distinct++;
  const exact = distinct <= MAX_POINTS;
  const sketch: NumericSketch = {
    name,
    kind: 'numeric',
    count: n,
    missing,
    min: n ? x[0]! : 0,
    max: n ? x[n - 1]! : 0,
    mean,
    std: n ? Math.sqrt(ss / n) : 0,
    exact,
    distinct,
    values: [],
    weights: [],
  };
  if (exact) {
    for (let i = 0; i < n; i++) {
      if (i > 0 && x[i] === x[i - 1]) sketch.weights[sketch.weights.length - 1]!++;
      else {
        sketch.values.push(x[i]!);
        sketch.weights.push(1);
      }
    }
  } else {
    // Equal-mass quantiles: the k-th holds the share 1/MAX_POINTS of the values around rank (k + ½)·n/MAX_POINTS.
    sketch.values = Array.from({ length: MAX_POINTS }, (_, k) => x[Math.min(n - 1, Math.floor(((k + 0.5) * n) / MAX_POINTS))]!);
    sketch.weights = new Array<number>(MAX_POINTS).fill(n / MAX_POINTS);
  }
  return sketch;
}

export function sketchCategorical(name: string, kind: 'categorical' | 'boolean', values: readonly string[], missing: number): CategoricalSketch {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return sketchCounts(name, kind, counts, values.length, missing);
}

function sketchCounts(name: string, kind: 'categorical' | 'boolean', counts: Map<string, number>, count: number, missing: number): CategoricalSketch {
  const all = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = all.slice(0, MAX_CATEGORIES);
  const other = all.slice(MAX_CATEGORIES).reduce((s, [, c]) => s + c, 0);
  return { name, kind, count, missing, categories: kept, other };
}

/**
 * A stored column's sketch, equal to `sketchColumn` of its cells. Float32 and coded columns are read
 * as they are stored: a float32 column is sorted as floats and each run of equal values turned into
 * its decimal once, a coded column is counted by code; neither becomes an array of cells.
 */
/**
 * The buffer a profile's numeric columns are sketched in, one after another: a frame of many large
 * columns is sketched with one column-sized float64 buffer, not fresh ones per column.
 */
export class SketchScratch {
  private f64: Float64Array | undefined;

  constructor(private readonly rows: number) {}

  float64(): Float64Array {
    return (this.f64 ??= new Float64Array(this.rows));
  }
}

export function sketchOfColumn(name: string, kind: SketchKind, col: Column, scratch = new SketchScratch(columnLength(col))): ColumnSketch {
  if (kind === 'numeric' && col instanceof Float32Array) {
    // Sorted in one float64 buffer (the float32 values sort the same widened), then each read in
    // place as the shortest decimal that reads back to it (the text it came from): that keeps the
    // order, so the decimals are sorted too. One buffer: no float32 copy of the column beside it.
    const all = scratch.float64();
    let n = 0;
    for (const v of col) if (!Number.isNaN(v)) all[n++] = v;
    const x = all.subarray(0, n).sort();
    let prev = NaN;
    let cell = NaN;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (v !== prev) cell = float32Cell((prev = v)) as number;
      x[i] = cell;
    }
    return sketchNumeric(name, x, col.length - n, true);
  }
  if (kind === 'categorical' && isCoded(col)) {
    const perCode = new Float64Array(col.levels.length);
    let missing = 0;
    for (const k of col.codes)
      if (k < 0) missing++;
      else perCode[k]!++;
    const counts = new Map<string, number>();
    let count = 0;
    col.levels.forEach((level, k) => {
      const c = perCode[k]!;
      if (c === 0) return;
      if (isMissing(level)) missing += c;
      else {
        const t = String(level).trim();
        counts.set(t, (counts.get(t) ?? 0) + c);
        count += c;
      }
    });
    return sketchCounts(name, 'categorical', counts, count, missing);
  }
  return sketchColumn(name, kind, columnCells(col));
}

export function sketchColumn(name: string, kind: SketchKind, cells: ArrayLike<Cell>): ColumnSketch {
  if (kind === 'numeric') {
    const v = numericValues(cells);
    return sketchNumeric(name, v.values, v.missing + v.invalid);
  }
  // Counted as they come: a million labels make a map of their classes, not a second list of them.
  const counts = new Map<string, number>();
  let count = 0;
  let invalid = 0;
  const missing = presentCells(cells, (v) => {
    const t = categoryText(v, kind);
    if (t === undefined) invalid++;
    else {
      counts.set(t, (counts.get(t) ?? 0) + 1);
      count++;
    }
  });
  return sketchCounts(name, kind, counts, count, missing + invalid);
}

/** The profile of a training set: each feature as the model reads it, and the target. */
export function buildTrainingProfile(
  rows: number,
  features: readonly { name: string; kind: SketchKind; cells: ArrayLike<Cell> }[],
  target: { name: string; kind: SketchKind; cells: ArrayLike<Cell> },
): TrainingProfile {
  return {
    format: PROFILE_FORMAT,
    rows,
    target: sketchColumn(target.name, target.kind, target.cells),
    columns: features.map((f) => sketchColumn(f.name, f.kind, f.cells)),
  };
}

function malformed(file: string, why: string): ModelOpsError {
  return new ModelOpsError('MODEL_INVALID', `${file}: ${why}`, { location: file });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkSketch(c: unknown, file: string, at: string): ColumnSketch {
  if (typeof c !== 'object' || c === null) throw malformed(file, `${at} is not an object`);
  const s = c as Record<string, unknown>;
  if (typeof s.name !== 'string') throw malformed(file, `${at}.name is not a string`);
  if (!isNum(s.count) || !isNum(s.missing)) throw malformed(file, `${at}: count and missing must be numbers`);
  if (s.kind === 'numeric') {
    const values = s.values;
    const weights = s.weights;
    if (!Array.isArray(values) || !Array.isArray(weights) || values.length !== weights.length || !values.every(isNum) || !weights.every(isNum)) {
      throw malformed(file, `${at}: values and weights must be number lists of the same length`);
    }
    for (const k of ['min', 'max', 'mean', 'std', 'distinct'] as const) if (!isNum(s[k])) throw malformed(file, `${at}.${k} is not a number`);
    if (typeof s.exact !== 'boolean') throw malformed(file, `${at}.exact is not true or false`);
    return s as unknown as NumericSketch;
  }
  if (s.kind === 'categorical' || s.kind === 'boolean') {
    const cats = s.categories;
    if (!Array.isArray(cats) || !cats.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && isNum(e[1]))) {
      throw malformed(file, `${at}.categories must be a list of [value, count]`);
    }
    if (!isNum(s.other)) throw malformed(file, `${at}.other is not a number`);
    return s as unknown as CategoricalSketch;
  }
  throw malformed(file, `${at}.kind must be numeric, categorical or boolean`);
}

/** The profile saved in a model directory; undefined for a model saved before profiles were (drift then says so). */
export function readTrainingProfile(dir: string): TrainingProfile | undefined {
  const file = join(dir, PROFILE_FILE);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  checkNesting(text, file, 'MODEL_INVALID');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw malformed(file, `not JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null) throw malformed(file, 'not a training profile');
  const p = doc as Record<string, unknown>;
  if (p.format !== PROFILE_FORMAT) throw malformed(file, `unsupported format '${String(p.format)}' (this version reads ${PROFILE_FORMAT})`);
  if (!isNum(p.rows) || !Array.isArray(p.columns)) throw malformed(file, 'rows and columns are required');
  return {
    format: PROFILE_FORMAT,
    rows: p.rows,
    target: checkSketch(p.target, file, 'target'),
    columns: p.columns.map((c, i) => checkSketch(c, file, `columns[${i}]`)),
  };
}

/** The profile of a loaded training set (its features as the model reads them, and the target). */
export function profileOfDataset(ds: Dataset): TrainingProfile {
  const scratch = new SketchScratch(ds.frame.nRows);
  return {
    format: PROFILE_FORMAT,
    rows: ds.frame.nRows,
    target: targetSketch(ds.target),
    // One column at a time, as stored (numbers as the text they were read from): a large frame is never held twice.
    columns: ds.schema.features.map((f) => {
      const col = ds.frame.columns[f.name];
      return col === undefined ? sketchColumn(f.name, f.kind, []) : sketchOfColumn(f.name, f.kind, col, scratch);
    }),
  };
}

function targetSketch(t: Dataset['target']): ColumnSketch {
  if (t.task === 'classification') return sketchColumn(t.name, 'categorical', t.labels ?? []);
  const values = t.values ?? new Float64Array(0);
  const present = values.filter((v) => !Number.isNaN(v));
  return sketchNumeric(t.name, present, values.length - present.length);
}
