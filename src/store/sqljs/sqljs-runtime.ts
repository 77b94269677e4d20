import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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

export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!runtime) {
    runtime = (async () => {
      let wasmBinary: Uint8Array;
      try {
        wasmBinary = readFileSync(wasmPath());
      } catch (e) {
        throw new ModelOpsError('INTERNAL_ERROR', `cannot load sql.js's sql-wasm.wasm: ${(e as Error).message}`, { cause: e });
      }
      return initSqlJs({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer });
    })();
    runtime.catch(() => {
      runtime = undefined;
    });
  }
  return runtime;
}
