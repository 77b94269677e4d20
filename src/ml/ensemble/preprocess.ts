import { ModelOpsError } from '../../core/errors';
import type { Cell, Column } from '../dataset/columns';
import { cellAt, columnLength, isCoded, mapCells, takeColumn } from '../dataset/columns';
import type { Frame } from '../dataset/dataset';
import type { FeatureSpec } from '../dataset/schema';
import { isMissing, parseBoolean, parseNumber } from '../dataset/schema';
import type { ColumnSource, Matrix } from '../estimator';

/** One-hot up to this many categories; beyond, categories are ordinal codes by frequency. */
const ONE_HOT_MAX = 12;
/** Categories kept per column (most frequent); rarer ones share the "unknown" encoding. */
const MAX_CATEGORIES = 64;

interface NumericStep {
  name: string;
  kind: 'numeric' | 'boolean';
  /** Imputed for missing cells: the training median (numeric) or most frequent value (boolean). */
  fill: number;
}

interface CategoricalStep {
  name: string;
  kind: 'categorical';
  encoding: 'onehot' | 'ordinal';
  /** Training categories, most frequent first. */
  categories: string[];
}

type Step = NumericStep | CategoricalStep;

export interface PreprocessorJSON {
  steps: Step[];
}

/** A numeric or boolean column's values (NaN: missing); a float32 column as it is, with no copy. */
function numericCells(kind: 'numeric' | 'boolean', col: Column): Float32Array | Float64Array {
  if (kind === 'numeric' && col instanceof Float32Array) return col;
  return mapCells(col, (v) => numericValue(kind, v));
}

function numericValue(kind: 'numeric' | 'boolean', v: Cell): number {
  if (isMissing(v)) return NaN;
  if (kind === 'boolean') return parseBoolean(v as string | number | boolean);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return parseNumber(v as string | number);
}

/** Reused sort buffers: one per element type, allocated on first need (a large file's fit allocates no copy per column). */
class SortScratch {
  private f32: Float32Array | undefined;
  private f64: Float64Array | undefined;

  constructor(private readonly n: number) {}

  /**
   * The present (non-NaN) values, sorted. A float32 column sorts in a float32 buffer (half the
   * memory; the order and the values are the same as in float64, where float32 values are exact).
   */
  presentSorted(x: Float32Array | Float64Array): Float32Array | Float64Array {
    const scratch = x instanceof Float32Array ? (this.f32 ??= new Float32Array(this.n)) : (this.f64 ??= new Float64Array(this.n));
    let n = 0;
    for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!)) scratch[n++] = x[i]!;
    return scratch.subarray(0, n).sort();
  }
}

/** The training median (numeric) or most frequent value (boolean) of the present values, sorted. */
function fillValue(kind: 'numeric' | 'boolean', values: Float32Array | Float64Array): number {
  if (values.length === 0) return 0;
  if (kind === 'boolean') {
    let ones = 0;
    for (const x of values) if (x === 1) ones++;
    return ones * 2 > values.length ? 1 : 0;
  }
  const m = values.length >> 1;
  return values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

/** How often each present text occurs (trimmed); coded columns count codes, then texts. */
function textCounts(col: Column): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (v: Cell, k: number): void => {
    const s = text(v);
    if (s !== undefined) counts.set(s, (counts.get(s) ?? 0) + k);
  };
  if (isCoded(col)) {
    const perCode = new Float64Array(col.levels.length);
    for (const k of col.codes) if (k >= 0) perCode[k]!++;
    for (let k = 0; k < col.levels.length; k++) if (perCode[k]! > 0) add(col.levels[k], perCode[k]!);
  } else {
    for (let i = 0; i < columnLength(col); i++) add(cellAt(col, i), 1);
  }
  return counts;
}

/** Each cell's index in the step's categories (-1: unknown or missing), as int32: half a float64 column. */
function categoryCodes(s: CategoricalStep, col: Column): Int32Array {
  const index = new Map(s.categories.map((v, i) => [v, i]));
  return mapCells(
    col,
    (v) => {
      const t = text(v);
      return (t === undefined ? undefined : index.get(t)) ?? -1;
    },
    new Int32Array(columnLength(col)),
  );
}

function text(v: Cell): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return isMissing(s) ? undefined : s;
}

/**
 * Turns raw cells into the float32 matrix the estimators read. Fitted on the training rows only:
 * medians / most frequent values for imputation, the category lists for encoding.
 */
export class Preprocessor {
  private constructor(private readonly steps: Step[]) {}

  /** `rows`: the frame's rows to fit on (all when absent), taken a column at a time so the frame is never copied whole. */
  static fit(frame: Frame, features: FeatureSpec[], rows?: Int32Array): Preprocessor {
    const scratch = new SortScratch(rows ? rows.length : frame.nRows);
    const steps: Step[] = features.map((f): Step => {
      const whole = frame.columns[f.name];
      if (!whole) throw new ModelOpsError('DATA_INVALID', `preprocessing: column '${f.name}' is missing`, { location: f.name });
      const col = rows ? takeColumn(whole, rows) : whole;
      if (f.kind === 'categorical') {
        const categories = [...textCounts(col).entries()]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .slice(0, MAX_CATEGORIES)
          .map((e) => e[0]);
        return { name: f.name, kind: 'categorical', encoding: categories.length <= ONE_HOT_MAX ? 'onehot' : 'ordinal', categories };
      }
      const kind = f.kind;
      // Sorted typed values without a comparator: 4 bytes a row for float32 columns (8 for float64), where a JS array cost far more.
      return {
        name: f.name,
        kind,
        fill: fillValue(kind, scratch.presentSorted(numericCells(kind, col))),
      };
    });
    return new Preprocessor(steps);
  }

  /** Names of the output columns (one per one-hot category). */
  get outputNames(): string[] {
    const out: string[] = [];
    for (const s of this.steps) {
      if (s.kind === 'categorical' && s.encoding === 'onehot') for (const c of s.categories) out.push(`${s.name}=${c}`);
      else out.push(s.name);
    }
    return out;
  }

  /** For each output column, the input column it comes from (to fold importances back). */
  get outputSources(): string[] {
    const out: string[] = [];
    for (const s of this.steps) {
      if (s.kind === 'categorical' && s.encoding === 'onehot') for (let i = 0; i < s.categories.length; i++) out.push(s.name);
      else out.push(s.name);
    }
    return out;
  }

  get inputs(): { name: string; kind: Step['kind'] }[] {
    return this.steps.map((s) => ({ name: s.name, kind: s.kind }));
  }

  /** The matrix of the frame's `rows` (all when absent), a column at a time: no copy of the frame. */
  transform(frame: Frame, rows?: Int32Array, into?: Float32Array): Matrix {
    const source = this.columns(frame, rows);
    const n = source.nRows;
    // `into`, when large enough: a caller scoring chunk after chunk reuses one buffer.
    const data = into && into.length >= n * source.nCols ? into.subarray(0, n * source.nCols) : new Float32Array(n * source.nCols);
    // Each column is written straight into its place in the matrix: no copy per column.
    for (let c = 0; c < source.nCols; c++) {
      const place = data.subarray(c * n, (c + 1) * n);
      const col = source.column(c, place);
      if (col !== place) place.set(col);
    }
    return { nRows: n, nCols: source.nCols, data };
  }

  /**
   * The same matrix's columns made one at a time on demand, so an estimator that reads a column at
   * a time (the forest bins it) never holds the whole float32 matrix beside the frame.
   * `onReleased`, when given: each input column is removed from the frame once its last output
   * column is made (a reader that reads every output once, in order, leaves the frame empty and
   * never holds it whole), and it is called after each removal, told whether that was the last.
   */
  columns(frame: Frame, rows?: Int32Array, onReleased?: (last: boolean) => void): ColumnSource {
    const n = rows?.length ?? frame.nRows;
    const outputs = this.outputPlan();
    const lastOutput = new Map<Step, number>();
    outputs.forEach((o, c) => lastOutput.set(o.step, c));
    const cellsOf = (s: Step): Column => {
      const whole = frame.columns[s.name];
      if (!whole) throw new ModelOpsError('DATA_INVALID', `input has no column '${s.name}'`, { location: s.name });
      return rows ? takeColumn(whole, rows) : whole;
    };
    // One-hot outputs of a step come one after another: its codes are computed once for all of them.
    let cached: { step: CategoricalStep; codes: Int32Array } | undefined;
    const codesOf = (s: CategoricalStep): Int32Array => {
      if (cached?.step !== s) cached = { step: s, codes: categoryCodes(s, cellsOf(s)) };
      return cached.codes;
    };
    const column = (c: number, into?: Float32Array): Float32Array => {
      const out = outputColumn(c, into ?? new Float32Array(n));
      const s = outputs[c]!.step;
      if (onReleased && lastOutput.get(s) === c) {
        delete frame.columns[s.name];
        if (cached?.step === s) cached = undefined;
        onReleased(c === outputs.length - 1);
      }
      return out;
    };
    const outputColumn = (c: number, out: Float32Array): Float32Array => {
      const { step: s, category } = outputs[c]!;
      if (s.kind !== 'categorical') {
        const whole = frame.columns[s.name];
        // A float32 column is read in place, through `rows`: no copy of it per output column.
        if (s.kind === 'numeric' && whole instanceof Float32Array) {
          for (let r = 0; r < n; r++) {
            const v = whole[rows ? rows[r]! : r]!;
            out[r] = Number.isNaN(v) ? s.fill : v;
          }
          return out;
        }
        const x = numericCells(s.kind, cellsOf(s));
        for (let r = 0; r < n; r++) out[r] = Number.isNaN(x[r]!) ? s.fill : x[r]!;
        return out;
      }
      const codes = codesOf(s);
      if (s.encoding === 'onehot')
        for (let r = 0; r < n; r++) out[r] = codes[r] === category ? 1 : 0; // unknown or missing: all zeros
      else for (let r = 0; r < n; r++) out[r] = codes[r]! < 0 ? s.categories.length : codes[r]!; // unknown/missing: one code past the last
      return out;
    };
    return { nRows: n, nCols: outputs.length, column };
  }

  /** Each output column's step and, for one-hot outputs, the category it flags. */
  private outputPlan(): { step: Step; category: number }[] {
    const out: { step: Step; category: number }[] = [];
    for (const s of this.steps) {
      if (s.kind === 'categorical' && s.encoding === 'onehot') s.categories.forEach((_, k) => out.push({ step: s, category: k }));
      else out.push({ step: s, category: -1 });
    }
    return out;
  }

  toJSON(): PreprocessorJSON {
    return { steps: this.steps };
  }

  static fromJSON(json: PreprocessorJSON): Preprocessor {
    if (!json || !Array.isArray(json.steps)) throw new ModelOpsError('MODEL_INVALID', 'ensemble payload: preprocessing steps are missing');
    for (const s of json.steps) {
      const ok =
        typeof s.name === 'string' &&
        ((s.kind === 'categorical' && Array.isArray(s.categories) && (s.encoding === 'onehot' || s.encoding === 'ordinal')) ||
          ((s.kind === 'numeric' || s.kind === 'boolean') && typeof s.fill === 'number'));
      if (!ok) throw new ModelOpsError('MODEL_INVALID', `ensemble payload: malformed preprocessing step ${JSON.stringify(s).slice(0, 80)}`);
    }
    return new Preprocessor(json.steps);
  }
}
