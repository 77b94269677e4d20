import { ModelOpsError } from '../../core/errors';
import type { Cell, Frame } from '../dataset/dataset';
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

function numericValue(kind: 'numeric' | 'boolean', v: Cell): number {
  if (isMissing(v)) return NaN;
  if (kind === 'boolean') return parseBoolean(v as string | number | boolean);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return parseNumber(v as string | number);
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

  static fit(frame: Frame, features: FeatureSpec[]): Preprocessor {
    const steps: Step[] = features.map((f): Step => {
      const col = frame.columns[f.name];
      if (!col) throw new ModelOpsError('DATA_INVALID', `preprocessing: column '${f.name}' is missing`, { location: f.name });
      if (f.kind === 'categorical') {
        const counts = new Map<string, number>();
        for (const v of col) {
          const s = text(v);
          if (s !== undefined) counts.set(s, (counts.get(s) ?? 0) + 1);
        }
        const categories = [...counts.entries()]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .slice(0, MAX_CATEGORIES)
          .map((e) => e[0]);
        return { name: f.name, kind: 'categorical', encoding: categories.length <= ONE_HOT_MAX ? 'onehot' : 'ordinal', categories };
      }
      const values: number[] = [];
      for (const v of col) {
        const x = numericValue(f.kind, v);
        if (!Number.isNaN(x)) values.push(x);
      }
      values.sort((a, b) => a - b);
      let fill = 0;
      if (values.length > 0) {
        if (f.kind === 'boolean') {
          const ones = values.filter((x) => x === 1).length;
          fill = ones * 2 > values.length ? 1 : 0;
        } else {
          const m = values.length >> 1;
          fill = values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
        }
      }
      return { name: f.name, kind: f.kind, fill };
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

  transform(frame: Frame): Matrix {
    const n = frame.nRows;
    const width = this.outputNames.length;
    const data = new Float32Array(n * width);
    let c = 0;
    for (const s of this.steps) {
      const col = frame.columns[s.name];
      if (!col) throw new ModelOpsError('DATA_INVALID', `input has no column '${s.name}'`, { location: s.name });
      if (s.kind !== 'categorical') {
        const off = c * n;
        for (let r = 0; r < n; r++) {
          const x = numericValue(s.kind, col[r]);
          data[off + r] = Number.isNaN(x) ? s.fill : x;
        }
        c++;
      } else if (s.encoding === 'onehot') {
        const index = new Map(s.categories.map((v, i) => [v, i]));
        for (let r = 0; r < n; r++) {
          const t = text(col[r]);
          const i = t === undefined ? undefined : index.get(t);
          if (i !== undefined) data[(c + i) * n + r] = 1; // unknown or missing: all zeros
        }
        c += s.categories.length;
      } else {
        const index = new Map(s.categories.map((v, i) => [v, i]));
        const off = c * n;
        for (let r = 0; r < n; r++) {
          const t = text(col[r]);
          const i = t === undefined ? undefined : index.get(t);
          data[off + r] = i === undefined ? s.categories.length : i; // unknown/missing: one code past the last
        }
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
