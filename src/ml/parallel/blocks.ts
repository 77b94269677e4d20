/**
 * Work split into blocks that the calling thread and worker threads claim from one shared counter.
 * `control[0]` is the next free block; `control[1 + b]` is block b's state. Whoever runs a block
 * writes only that block's output, so the result never depends on who ran what.
 */
const CLAIMED = 1;
const DONE = 2;

export function newControl(nBlocks: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer((nBlocks + 1) * 4));
}

/** Claims and runs blocks until none is left (the calling thread and every worker run this). */
export function claimBlocks(control: Int32Array, run: (block: number) => void): void {
  const nBlocks = control.length - 1;
  for (;;) {
    const b = Atomics.add(control, 0, 1);
    if (b >= nBlocks) return;
    Atomics.store(control, 1 + b, CLAIMED);
    run(b);
    Atomics.store(control, 1 + b, DONE);
    Atomics.notify(control, 1 + b);
  }
}

/**
 * Waits (Atomics.wait: callers are synchronous) until every block is done. A block still claimed
 * past a generous deadline — a worker that stalled — is redone by `redo` on this thread.
 */
export function awaitBlocks(control: Int32Array, startedAt: number, redo: (block: number) => void, minWaitMs = 10_000): void {
  const nBlocks = control.length - 1;
  const deadline = startedAt + Math.max(minWaitMs, 4 * (performance.now() - startedAt));
  for (let b = 0; b < nBlocks; b++) {
    while (Atomics.load(control, 1 + b) !== DONE) {
      const left = deadline - performance.now();
      if (left <= 0) {
        redo(b);
        break;
      }
      Atomics.wait(control, 1 + b, CLAIMED, left);
    }
  }
}
