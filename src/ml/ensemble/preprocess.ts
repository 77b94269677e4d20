import { ModelOpsError } from '../../core/errors';
import type { Cell, Column } from '../dataset/columns';
import { cellAt, columnLength, isCoded, mapCells, takeColumn } from '../dataset/columns';
import type { Frame } from '../dataset/dataset';
import type { FeatureSpec } from '../dataset/schema';
import { isMissing, parseBoolean, parseNumber } from '../dataset/schema';
import type { Matrix } from '../estimator';

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
      // A typed copy sorted without a comparator: 4–8 bytes a row, where a JS array cost far more.
      const values = numericCells(kind, col).filter((x) => !Number.isNaN(x)).sort();
      return { name: f.name, kind, fill: fillValue(kind, values) };
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
  transform(frame: Frame, rows?: Int32Array): Matrix {
    const n = rows?.length ?? frame.nRows;
    const width = this.outputNames.length;
    const data = new Float32Array(n * width);
    let c = 0;
    for (const s of this.steps) {
      const whole = frame.columns[s.name];
      if (!whole) throw new ModelOpsError('DATA_INVALID', `input has no column '${s.name}'`, { location: s.name });
      const col = rows ? takeColumn(whole, rows) : whole;
      if (s.kind !== 'categorical') {
        const x = numericCells(s.kind, col);
        const off = c * n;
        for (let r = 0; r < n; r++) data[off + r] = Number.isNaN(x[r]!) ? s.fill : x[r]!;
        c++;
        continue;
      }
      const index = new Map(s.categories.map((v, i) => [v, i]));
      const codes = mapCells(col, (v) => {
        const t = text(v);
        return (t === undefined ? undefined : index.get(t)) ?? -1;
      });
      if (s.encoding === 'onehot') {
        for (let r = 0; r < n; r++) if (codes[r]! >= 0) data[(c + codes[r]!) * n + r] = 1; // unknown or missing: all zeros
        c += s.categories.length;
      } else {
        const off = c * n;
        for (let r = 0; r < n; r++) data[off + r] = codes[r]! < 0 ? s.categories.length : codes[r]!; // unknown/missing: one code past the last
        c++;
      }
    }
    return { nRows: n, nCols: width, data };
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
