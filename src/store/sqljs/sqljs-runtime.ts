import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { ModelOpsError } from '../../core/errors';

let runtime: Promise<SqlJsStatic> | undefined;

/**
 * sql.js's wasm, loaded from bytes (`wasmBinary`) so no fetch/locateFile magic is involved: from
 * `sql-wasm.wasm` beside the bundle (`dist/`, where esbuild.mjs copies it), else from the package
 * (tests run from `out/`).
 */
function wasmPath(): string {
  const besideBundle = join(__dirname, 'sql-wasm.wasm');
  if (existsSync(besideBundle)) return besideBundle;
  // createRequire: resolved at run time, so the bundler leaves it alone.
  return createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm');
}

/**
 * Runs `compile` with V8's baseline wasm compiler (Liftoff) alone, then lets the optimising one back
 * in. Compiling SQLite's ~700 KB module otherwise costs about 35 MB of peak memory for optimised
 * code most of it never runs; afterwards the functions that turn hot are still optimised as usual
 * (measured on Node 20: peak 88 → 54 MB for opening a store, the same query speed). Only code
 * quality is affected, never behaviour; a process started with --liftoff-only keeps it.
 */
async function withBaselineCompiler<T>(compile: () => Promise<T>): Promise<T> {
  if (process.execArgv.includes('--liftoff-only')) return compile();
  setFlagsFromString('--liftoff-only');
  try {
    return await compile();
  } finally {
    setFlagsFromString('--no-liftoff-only');
  }
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!runtime) {
    runtime = (async () => {
      let wasmBinary: Uint8Array;
      try {
        wasmBinary = readFileSync(wasmPath());
      } catch (e) {
        throw new ModelOpsError('INTERNAL_ERROR', `cannot load sql.js's sql-wasm.wasm: ${(e as Error).message}`, { cause: e });
      }
      const bytes = wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer;
      return withBaselineCompiler(() => initSqlJs({ wasmBinary: bytes }));
    })();
    runtime.catch(() => {
      runtime = undefined;
    });
  }
  return runtime;
}
