import { SCAN_KERNEL_WASM } from './scan-kernel';

/**
 * The brute-force scan with a WebAssembly SIMD pre-filter. The kernel (scan-kernel.wat) sums
 * squared distances in f32, sixteen training rows per iteration, and stops at the first row whose
 * approximate distance could beat the current k-th; that row is then measured exactly, in float64
 * in the scalar scan's order, and kept or dropped by the scalar scan's rule. The filter's
 * threshold is widened by a bound on f32 rounding error, so it never drops a row the exact test
 * would keep: the neighbours are identical to the scalar scan's, ties included.
 */

/** The slice of the WebAssembly API used here (the project's lib settings leave it undeclared). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
type WasmModule = { readonly __wasmModule: unique symbol };
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface ScanExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  scan: (q: number, t: number, d: number, g0: number, g1: number, thr: number, out: number) => number;
}

let compiled: WasmModule | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. */
function kernel(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(Buffer.from(SCAN_KERNEL_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Values beyond this could overflow f32 squares; such data takes the scalar scan. */
const MAX_ABS = 1e17;
/** The kernel addresses 32-bit memory; keep well inside it. */
const MAX_BYTES = 2 ** 31;
const PAGE = 65536;

/**
 * Squared distance from the query to one row, summed in groups of four then the tail — the order
 * every scan uses, so equal inputs give equal sums. Stops after a group once the sum reaches
 * `limit` (partial distance elimination): a stopped sum is ≥ limit, and so is the full one.
 */
export function sqDistUpTo(qv: Float64Array, train: Float32Array, base: number, d: number, limit: number): number {
  const d4 = d & ~3;
  let s = 0;
  let c = 0;
  for (; c < d4; c += 4) {
    const a0 = qv[c] - train[base + c];
    const a1 = qv[c + 1] - train[base + c + 1];
    const a2 = qv[c + 2] - train[base + c + 2];
    const a3 = qv[c + 3] - train[base + c + 3];
    s += a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3;
    if (s >= limit) return s;
  }
  for (; c < d; c++) {
    const a = qv[c] - train[base + c];
    s += a * a;
  }
  return s;
}

/** A query's k-list before the scan: no neighbour yet, every distance infinite. */
export function emptyNeighbours(outD: Float64Array, outI: Int32Array, o: number, k: number): void {
  outD.fill(Infinity, o, o + k);
  outI.fill(-1, o, o + k);
}

/** Inserts (s, j) into a query's ascending k-list; an equal distance stays behind the earlier row. */
export function insertNeighbour(outD: Float64Array, outI: Int32Array, o: number, k: number, s: number, j: number): void {
  let p = k - 1;
  while (p > 0 && outD[o + p - 1] > s) {
    outD[o + p] = outD[o + p - 1];
    outI[o + p] = outI[o + p - 1];
    p--;
  }
  outD[o + p] = s;
  outI[o + p] = j;
}

function finiteAndSmall(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!(v <= MAX_ABS && v >= -MAX_ABS)) return false;
  }
  return true;
}

export interface ScanRows {
  train: Float32Array;
  nTrain: number;
  d: number;
}

/** One thread's kernel instance with the training rows laid out in its memory. */
export class SimdScan {
  private readonly f32: Float32Array;
  private readonly nGroups: number;
  private readonly qOff = 0;
  private readonly outOff: number;
  private readonly tOff: number;
  /**
   * Relative slack on the threshold: the f32 sum of d squared differences is within
   * (d + 3)·2⁻²⁴ of the exact value, the float64 reference within far less, and rounding the
   * threshold to f32 costs 2⁻²⁴ more; doubled for margin.
   */
  private readonly slack: number;

  private constructor(
    private readonly rows: ScanRows,
    private readonly exports: ScanExports,
  ) {
    const { train, nTrain: n, d } = rows;
    this.nGroups = Math.ceil(n / 4);
    this.outOff = d * 16;
    this.tOff = Math.ceil((this.outOff + 16) / 64) * 64;
    const bytes = this.tOff + this.nGroups * d * 16;
    const have = exports.memory.buffer.byteLength;
    if (bytes > have) exports.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.f32 = new Float32Array(exports.memory.buffer);
    this.slack = 1 + 2 * (d + 5) * 2 ** -24;
    const tb = this.tOff / 4;
    for (let g = 0; g < this.nGroups; g++) {
      for (let c = 0; c < d; c++) {
        const at = tb + (g * d + c) * 4;
        for (let l = 0; l < 4; l++) {
          const j = g * 4 + l;
          // Padding rows are infinitely far: the exact test never sees them (j >= n is skipped).
          this.f32[at + l] = j < n ? train[j * d + c] : Infinity;
        }
      }
    }
  }

  /**
   * A scanner for these rows, or undefined when the scalar scan must do the job: no WebAssembly
   * SIMD here, non-finite or huge values (f32 would overflow or order NaN differently), or rows
   * too large for 32-bit memory.
   */
  static create(rows: ScanRows, queries: Float32Array): SimdScan | undefined {
    const mod = kernel();
    const { nTrain: n, d } = rows;
    if (!mod || n === 0 || d === 0) return undefined;
    if (Math.ceil(n / 4) * d * 16 + d * 16 + 128 > MAX_BYTES) return undefined;
    if (!finiteAndSmall(rows.train) || !finiteAndSmall(queries)) return undefined;
    const instance = new wasm.Instance(mod, {});
    return new SimdScan(rows, instance.exports as unknown as ScanExports);
  }

  /** Searches queries [q0, q1) of the job and writes their k nearest, like the scalar scan. */
  searchRange(queries: Float32Array, k: number, outD: Float64Array, outI: Int32Array, q0: number, q1: number): void {
    const { train, nTrain: n, d } = this.rows;
    const { f32, nGroups, qOff, outOff, tOff, slack } = this;
    const scan = this.exports.scan;
    const qb = qOff / 4;
    const ob = outOff / 4;
    const qv = new Float64Array(d);
    for (let q = q0; q < q1; q++) {
      const o = q * k;
      emptyNeighbours(outD, outI, o, k);
      for (let c = 0; c < d; c++) {
        const v = queries[q * d + c];
        qv[c] = v;
        f32[qb + c * 4] = v;
        f32[qb + c * 4 + 1] = v;
        f32[qb + c * 4 + 2] = v;
        f32[qb + c * 4 + 3] = v;
      }
      let worst = Infinity;
      for (let g = 0; g < nGroups; g++) {
        // 1e-30 covers f32 underflow of tiny squared differences.
        const thr = worst * slack + 1e-30;
        g = scan(qOff, tOff, d, g, nGroups, thr, outOff);
        if (g >= nGroups) break;
        for (let l = 0; l < 4; l++) {
          const j = g * 4 + l;
          if (j >= n) break;
          if (!(f32[ob + l] <= thr)) continue;
          const s = sqDistUpTo(qv, train, j * d, d, worst);
          if (s >= worst) continue; // equal distance: the earlier training row wins
          insertNeighbour(outD, outI, o, k, s, j);
          worst = outD[o + k - 1];
        }
      }
    }
  }
}
