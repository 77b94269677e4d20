import { ModelOpsError } from '../core/errors';
import type { Json } from '../core/mlflow-wire';
import type { RegistryStore } from '../store/registry-store';
import type { TrackingStore } from '../store/tracking-store';
import type { ArtifactFiles } from './artifact-files';
import type { Fields } from './fields';
import type { LogBatchQueue } from './log-batch-queue';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** What a handler has to work with: the stores, who is asking, and the server's own parts. */
export interface RouteContext {
  tracking: TrackingStore;
  registry: RegistryStore | undefined;
  /** The caller, for the audit trail: basic-auth user, token name, or `api`. */
  actor: string;
  /** Whether the server checked the caller's credentials (else `actor` is `api`). */
  authenticated: boolean;
  /** MLflow's own rule for stage changes (any stage to any other), instead of the product's lifecycle: tests of the REST store only. */
  openTransitions: boolean;
  method: Method;
  /** The caller's connection (group commit waits for the clients active lately). */
  client: object;
  batches: LogBatchQueue;
  /** The artifact proxy's folder; undefined with --no-serve-artifacts. */
  artifacts: ArtifactFiles | undefined;
  /** Relative artifact locations resolve against this folder (MLflow: the server's working directory). */
  cwd: string;
}

export interface Route {
  methods: readonly Method[];
  handle(c: RouteContext, f: Fields): Promise<Json>;
}

export type Routes = ReadonlyMap<string, Route>;

export function registryOf(c: RouteContext): RegistryStore {
  if (!c.registry) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', 'This server does not serve the model registry');
  return c.registry;
}

/** A handler whose answer is MLflow's empty message. */
export async function done(p: Promise<unknown>): Promise<Json> {
  await p;
  return {};
}
