/** The typed arrays handed to worker threads. */
export type SharedTyped = Uint8Array | Int32Array | Float32Array | Float64Array;

/**
 * `a` in a SharedArrayBuffer, so every worker thread reads the same memory instead of a copy each:
 * `a` itself when it is already shared, else a copy made by `make` over a new shared buffer.
 */
export function inSharedMemory<T extends SharedTyped>(a: T, make: (b: SharedArrayBuffer) => T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = make(new SharedArrayBuffer(a.byteLength));
  // Copied as bytes: the same element type on both sides, whatever T is.
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return out;
}
