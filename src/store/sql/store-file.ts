import { dirname, join, resolve } from 'node:path';
import { appendUriPath } from '../../core/artifact-uri';
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
  /**
   * A URI new experiments' artifacts go under instead of the `artifactRoot` folder (MLflow's `--default-artifact-root`
   * given as a URI: `mlflow-artifacts:/`, `file:///srv/a`, `s3://bucket/p`): experiment N gets `<uri>/N`. With
   * `mlflow-artifacts:` (a tracking server's artifact proxy), `artifactRoot` is the folder those URIs name.
   */
  artifactRootUri?: string;
  /**
   * The MLflow workspace (MLflow ≥ 3.10) the product works in. Default $MODELOPS_WORKSPACE, else
   * `default`, the workspace MLflow gives everything made before workspaces existed.
   */
  workspace?: string;
  /** The MLflow release whose schema a NEW store gets ('2.17', '3.0.1'; default the newest known). */
  schema?: string;
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
  /** The workspace its queries are confined to (`default` unless configured). */
  readonly workspace: string;
  read<T>(fn: (db: SqlDatabase) => T): Promise<T>;
  write<T>(fn: (db: SqlDatabase) => T): Promise<T>;
  /**
   * Called after every change of the file, by this process or another (CLI, MLflow, another
   * window); the file is watched while at least one listener is registered. Returns a disposer.
   */
  onDidChange(listener: () => void): () => void;
  /**
   * A schema change (`modelops db upgrade`): the file is copied to `backup` and the copy verified,
   * then `fn` runs in one transaction with foreign keys off — all under the store's write lock,
   * refused at once (STORE_BUSY) while another program holds it. A crash leaves the old store or
   * the new one.
   */
  migrate<T>(backup: string, fn: (db: SqlDatabase) => T): Promise<T>;
  close(): Promise<void>;
}

/** Where artifacts of a store at `storeFile` live by default (MLflow's local layout). */
export function defaultArtifactRoot(storeFile: string): string {
  return join(dirname(resolve(storeFile)), 'artifacts');
}

/** The Default experiment's artifact location in a new store: `<artifactRootUri>/0`, else `<artifactRoot>/0`. */
export function defaultExperimentLocation(storeFile: string, options: StoreFileOptions): string {
  if (options.artifactRootUri) return appendUriPath(options.artifactRootUri, '0');
  return join(resolve(options.artifactRoot ?? defaultArtifactRoot(storeFile)), '0');
}

export function noStore(path: string): ModelOpsError {
  return new ModelOpsError(
    'RESOURCE_DOES_NOT_EXIST',
    `${path}: no store file here (it is created by the first command that writes, e.g. \`modelops experiments create <name>\`)`,
    { location: path },
  );
}

/** The workspace a store works in: as given, else $MODELOPS_WORKSPACE, else `default`. */
export function workspaceOf(options: StoreFileOptions): string {
  const w = (options.workspace ?? process.env.MODELOPS_WORKSPACE ?? '').trim();
  return w === '' ? 'default' : w;
}

/** A workspace other than `default` must exist in the store (MLflow ≥ 3.10 keeps them in `workspaces`). */
export function checkWorkspace(db: SqlDatabase, schema: StoreSchema, workspace: string, file: string): void {
  if (workspace === 'default') return;
  if (!schema.workspaces) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `${file}: workspace '${workspace}' was asked for (MODELOPS_WORKSPACE), but this store's schema (${schema.releases}) has no workspaces; unset it`,
      { location: 'MODELOPS_WORKSPACE' },
    );
  }
  if (!db.get('SELECT 1 FROM workspaces WHERE name = ?', [workspace])) {
    throw new ModelOpsError(
      'RESOURCE_DOES_NOT_EXIST',
      `${file}: there is no workspace '${workspace}' in this store (MODELOPS_WORKSPACE); create it with MLflow, or unset the variable to use 'default'`,
      { location: 'MODELOPS_WORKSPACE' },
    );
  }
}
