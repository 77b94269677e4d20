import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = () => void;

let found: Gc | null | undefined;

/**
 * Runs a full garbage collection now. For the rare moment when a large amount of memory was just
 * let go (a training frame's columns, once binned) and an allocation-heavy phase follows: V8 frees
 * large buffers only at a major collection, which the next phase's allocations do not always
 * trigger, so the freed columns would stay resident through the peak. Without access to V8's
 * collector (a runtime that refuses the flag) this does nothing.
 */
export function collectGarbage(): void {
  if (found === undefined) found = findGc();
  found?.();
}

function findGc(): Gc | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Gc;
  try {
    // The flag installs `gc` in contexts made after it is set; this context is left as it was.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : null;
  } catch {
    return null;
  }
}
