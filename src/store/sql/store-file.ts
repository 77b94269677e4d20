import { dirname, join, resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { StoreSchema } from '../schema/inspect';
import type { SqlDatabase } from './sql-database';

/** The SQLite engines a workspace store can run on (DESIGN.md: node:sqlite first, sql.js where it is missing). */
export type EngineName = 'node:sqlite' | 'sql.js';

export interface EngineInfo {
  name: EngineName;
  /** Why this engine runs (for sql.js: why not node:sqlite), for `modelops doctor` and the logs. */
  reason: string;
  /** node:sqlite takes SQLite's own locks; sql.js rewrites the whole file and cannot. */
  safeBesideOtherWriters: boolean;
}

export interface StoreFileOptions {
  /** Create the file (and its folder) when missing. Default true. */
  create?: boolean;
  /** How long a writer waits for the store to be free (other writers, SQLite's locks). Default 30 s. */
  lockTimeoutMs?: number;
  /** sql.js: how long to wait for another SQLite program's hot journal to go away. Default 10 s. */
  journalWaitMs?: number;
  /** Folder under which new experiments' artifacts go. Default `<store folder>/artifacts`. */
  artifactRoot?: string;
}

/**
 * One MLflow store file, opened by one engine. Reads see one committed state; every `write` is one
 * durable transaction (all of `fn` or nothing). `fn` is synchronous and may be run again when the
 * engine has to start over (sql.js, after an outside writer changed the file).
 */
export interface StoreFile {
  /** The store file as given (a symlink stays a symlink). */
  readonly path: string;
  readonly artifactRoot: string;
  readonly engine: EngineInfo;
  /** What the file's MLflow schema is and what this version may do with it. */
  readonly schema: StoreSchema;
  read<T>(fn: (db: SqlDatabase) => T): Promise<T>;
  write<T>(fn: (db: SqlDatabase) => T): Promise<T>;
  /**
   * Called after every change of the file, by this process or another (CLI, MLflow, another
   * window); the file is watched while at least one listener is registered. Returns a disposer.
   */
  onDidChange(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Where artifacts of a store at `storeFile` live by default (MLflow's local layout). */
export function defaultArtifactRoot(storeFile: string): string {
  return join(dirname(resolve(storeFile)), 'artifacts');
}

export function noStore(path: string): ModelOpsError {
  return new ModelOpsError(
    'RESOURCE_DOES_NOT_EXIST',
    `${path}: no store file here (it is created by the first command that writes, e.g. \`modelops experiments create <name>\`)`,
    { location: path },
  );
}
