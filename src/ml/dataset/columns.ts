/**
 * A frame's columns. Requests and CSV rows give raw cells (`Cell[]`); a loaded dataset keeps its
 * numeric and boolean features as float32 (what the estimators read anyway; NaN = missing) and its
 * categorical ones as codes into a table of distinct texts — a tenth of the memory of one string
 * per cell, which is what lets a 200 MB CSV train in little more than its feature matrix.
 */
export type Cell = string | number | boolean | null | undefined;

/** Category codes: `codes[r]` indexes `levels`, -1 is missing. */
export interface CodedColumn {
  readonly kind: 'coded';
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

export type Column = Cell[] | Float32Array | CodedColumn;

export function isCoded(c: Column): c is CodedColumn {
  return !Array.isArray(c) && !(c instanceof Float32Array);
}

export function columnLength(c: Column): number {
  return isCoded(c) ? c.codes.length : c.length;
}

export function cellAt(c: Column, i: number): Cell {
  if (isCoded(c)) {
    const k = c.codes[i]!;
    return k < 0 ? null : c.levels[k];
  }
  if (c instanceof Float32Array) return float32Cell(c[i]!);
  return c[i];
}

/** A float32 as the shortest decimal that reads back to it (5.1, not 5.099999904632568); NaN is missing. */
export function float32Cell(x: number): number | null {
  if (Number.isNaN(x)) return null;
  // For a normal float32, half an ulp is less than half a unit of the 6th significant digit, so a
  // decimal of at most 6 digits that reads back to x is x rounded to 6 digits: one try settles
  // most cells of a CSV (a profile of a million of them took seconds trying 1, 2, ... digits).
  const normal = Math.abs(x) >= 1.1754943508222875e-38;
  if (normal) {
    const y = Number(x.toPrecision(6));
    if (Math.fround(y) === x) return y;
  }
  for (let p = normal ? 7 : 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

/**
 * `f` of every cell as a number (into `into`, of the column's length, when given). Coded columns
 * call `f` once per distinct text; float32 columns hand `f` their numbers (NaN for missing)
 * without rounding them to text.
 */
export function mapCells<T extends Float64Array | Int32Array = Float64Array>(c: Column, f: (v: Cell) => number, into?: T): T {
  const n = columnLength(c);
  const out = into ?? (new Float64Array(n) as T);
  if (isCoded(c)) {
    const perLevel = c.levels.map(f);
    const missing = f(null);
    for (let i = 0; i < n; i++) {
      const k = c.codes[i]!;
      out[i] = k < 0 ? missing : perLevel[k]!;
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = f(c[i]);
  }
  return out;
}

/** The cells of a column as plain values (a copy). */
export function columnCells(c: Column): Cell[] {
  if (Array.isArray(c)) return [...c];
  const out = new Array<Cell>(columnLength(c));
  for (let i = 0; i < out.length; i++) out[i] = cellAt(c, i);
  return out;
}

/** The rows `index` of a column, in the column's own representation. */
export function takeColumn(c: Column, index: ArrayLike<number>): Column {
  if (Array.isArray(c)) {
    const out = new Array<Cell>(index.length);
    for (let i = 0; i < index.length; i++) out[i] = c[index[i]!];
    return out;
  }
  if (c instanceof Float32Array) {
    const out = new Float32Array(index.length);
    for (let i = 0; i < index.length; i++) out[i] = c[index[i]!]!;
    return out;
  }
  const codes = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) codes[i] = c.codes[index[i]!]!;
  return { kind: 'coded', codes, levels: c.levels };
}

export function sliceColumn(c: Column, from: number, to: number): Column {
  if (Array.isArray(c) || c instanceof Float32Array) return c.slice(from, to);
  return { kind: 'coded', codes: c.codes.slice(from, to), levels: c.levels };
}

/** A growing float32 column (doubles its buffer; `done()` trims it). */
export class Float32Builder {
  private data: Float32Array;
  private n = 0;

  /** `capacity`: the number of rows when known (no growing, no copy at the end). */
  constructor(capacity = 1024) {
    this.data = new Float32Array(Math.max(1, capacity));
  }

  push(x: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = x;
  }

  done(): Float32Array {
    return this.n === this.data.length ? this.data : this.data.slice(0, this.n);
  }
}

/** A growing coded column: texts interned as they come. */
export class CodedBuilder {
  private codes: Int32Array;
  private n = 0;
  private readonly index = new Map<string, number>();
  private readonly levels: string[] = [];

  constructor(capacity = 1024) {
    this.codes = new Int32Array(Math.max(1, capacity));
  }

  /** `text` undefined: missing. */
  push(text: string | undefined): void {
    if (this.n === this.codes.length) {
      const bigger = new Int32Array(this.codes.length * 2);
      bigger.set(this.codes);
      this.codes = bigger;
    }
    let k = -1;
    if (text !== undefined) {
      k = this.index.get(text) ?? -1;
      if (k < 0) {
        k = this.levels.length;
        const own = ownCopy(text);
        this.levels.push(own);
        this.index.set(own, k);
      }
    }
    this.codes[this.n++] = k;
  }

  done(): CodedColumn {
    return { kind: 'coded', codes: this.n === this.codes.length ? this.codes : this.codes.slice(0, this.n), levels: this.levels };
  }
}

/**
 * A string that keeps nothing else alive. A field cut from a megabyte chunk of a streamed file can
 * be a view into the chunk; kept in a long-lived table (a category, a distinct value) it would keep
 * the whole chunk in memory. Used only when a new value is stored, so the copy is rare.
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
