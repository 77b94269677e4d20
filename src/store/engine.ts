import { ModelOpsError } from '../core/errors';
import { readNativeSnapshot } from './native/native-snapshot';
import { NativeStoreFile } from './native/native-store';
import { loadNodeSqlite } from './native/node-sqlite';
import type { SqlDatabase } from './sql/sql-database';
import type { EngineName, StoreFile, StoreFileOptions } from './sql/store-file';
import { readSqljsSnapshot } from './sqljs/sqljs-snapshot';
import { SqljsStoreFile } from './sqljs/sqljs-store';

/** `auto` (node:sqlite where the runtime has it, else sql.js), or one forced by MODELOPS_STORE_ENGINE / modelops.storeEngine. */
export type EngineChoice = 'auto' | 'sqlite' | 'sqljs';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'sqlite', 'sqljs'];

export interface EngineOptions {
  /** Default: $MODELOPS_STORE_ENGINE, else auto. */
  engine?: EngineChoice | string;
}

export function engineChoice(value: string | undefined): EngineChoice {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'auto';
  if ((ENGINE_CHOICES as readonly string[]).includes(v)) return v as EngineChoice;
  throw new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `unknown store engine '${value}' (MODELOPS_STORE_ENGINE or modelops.storeEngine): use ${ENGINE_CHOICES.join(', ')}`,
    {
      location: 'MODELOPS_STORE_ENGINE',
    },
  );
}

/** Which engine a store would open with here, and why (what `modelops doctor` prints). */
export function resolveEngine(choice: EngineChoice): { name: EngineName; reason: string } {
  if (choice === 'sqljs') return { name: 'sql.js', reason: 'chosen with MODELOPS_STORE_ENGINE / modelops.storeEngine = sqljs' };
  const native = loadNodeSqlite();
  if (native.module) return { name: 'node:sqlite', reason: `Node ${process.versions.node} has node:sqlite` };
  if (choice === 'sqlite') {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `the store engine 'sqlite' was asked for, but ${native.why ?? 'node:sqlite is missing'}; use auto or sqljs`,
      {
        location: 'MODELOPS_STORE_ENGINE',
      },
    );
  }
  return { name: 'sql.js', reason: native.why ?? 'node:sqlite is missing' };
}

/** Opens a store file with the engine chosen (the only code that names the engines). */
export async function openStoreFile(path: string, options: StoreFileOptions & EngineOptions = {}): Promise<StoreFile> {
  const choice = engineChoice(options.engine ?? process.env.MODELOPS_STORE_ENGINE);
  const engine = resolveEngine(choice);
  if (engine.name === 'node:sqlite') return NativeStoreFile.open(path, loadNodeSqlite().module!, options);
  return SqljsStoreFile.open(path, options, engine.reason);
}

/**
 * Reads one committed state of an SQLite file that is not a store (an Optuna study file) with
 * the engine chosen: read-only, nothing written, no lock held after `fn` returns.
 */
export async function readSqliteSnapshot<T>(path: string, fn: (db: SqlDatabase) => T, options: EngineOptions = {}): Promise<T> {
  const engine = resolveEngine(engineChoice(options.engine ?? process.env.MODELOPS_STORE_ENGINE));
  if (engine.name === 'node:sqlite') return readNativeSnapshot(path, loadNodeSqlite().module!, fn);
  return readSqljsSnapshot(path, fn);
}
