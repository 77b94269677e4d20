/**
 * The buffer sql.js's in-memory file system (Emscripten MEMFS) keeps the database file in, held
 * by us too, so a commit is written to disk straight from it instead of through `db.export()`.
 *
 * Why: `export()` copies every page through SQLite's backup API into a freshly allocated buffer,
 * and on these machines first-touching fresh memory costs ~3 ms/MB (page faults in the VM), 50×
 * a warm copy; the headroom reload (see database.ts) did that twice more. Measured on a store
 * growing 14→50 MB, these copies were two thirds of a buffered-metrics flush.
 *
 * How: MEMFS stores a new file's data with `data.slice()` (its "simple first write" path). An
 * ImageBuffer's `slice` returns a view of itself, so MEMFS writes the file into our memory. Nothing
 * relies on that blindly: after every commit `committed()` checks the buffer's own SQLite header —
 * the file change counter must have advanced by exactly one (rollback-journal mode bumps it once
 * per write transaction) and the page count must match SQLite's — and returns undefined otherwise
 * (MEMFS replaced the buffer when the file outgrew it or was truncated by a rollback, or a future
 * sql.js copies differently); the caller then falls back to `export()`.
 */
export class ImageBuffer extends Uint8Array {
  override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
    return this.subarray(start, end) as Uint8Array<ArrayBuffer>;
  }
}

/** A new ImageBuffer holding `bytes` followed by `headroom` zero bytes (left untouched until used). */
export function imageWithHeadroom(bytes: Uint8Array, headroom: number): ImageBuffer {
  const buffer = new ImageBuffer(bytes.length + headroom);
  buffer.set(bytes);
  return buffer;
}

function header(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function pageSizeOf(v: DataView): number {
  const raw = v.getUint16(16);
  return raw === 1 ? 65536 : raw;
}

export class LiveImage {
  private counter: number;

  /** `buffer` must be the array the Database was opened on; call after opening (and migrating). */
  constructor(readonly buffer: ImageBuffer) {
    this.counter = buffer.length >= 100 ? header(buffer).getUint32(24) : -1;
  }

  /**
   * After a committed write transaction: the database bytes as MEMFS now holds them (a view of the
   * buffer, valid until the next write), or undefined when the buffer is provably not the file.
   */
  committed(pageCount: number): Uint8Array | undefined {
    const b = this.buffer;
    if (b.length < 100 || this.counter < 0) return undefined;
    const v = header(b);
    const counter = v.getUint32(24);
    if (counter !== (this.counter + 1) >>> 0 || v.getUint32(92) !== counter || v.getUint32(28) !== pageCount) return undefined;
    const bytes = pageCount * pageSizeOf(v);
    if (bytes > b.length) return undefined;
    this.counter = counter;
    return b.subarray(0, bytes);
  }
}
