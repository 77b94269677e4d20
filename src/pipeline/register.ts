import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { ModelVersion } from '../core/registry';
import type { Tag } from '../core/tracking';
import { pinTags } from './model-pin';
import type { Mismatch } from './register-match';
import { RegistrationMismatchError, registrationMismatch } from './register-match';
import type { Stores } from './model-resolve';
import type { ValidateOptions, ValidateResult } from './validate';
import { validateModelVersion } from './validate';

export interface RegisterOptions {
  runId: string;
  name: string;
  /** Where the model sits in the run's artifacts; default `model`. */
  artifactPath?: string;
  description?: string;
  tags?: Tag[];
  actor: string;
  /** Register even when the run's target or input columns differ from the model's versions (`--force`). */
  force?: boolean;
  /** Validate at once (the automated registration); default true. */
  validate?: boolean;
  validation?: Omit<ValidateOptions, 'name' | 'version' | 'actor'>;
}

export type { Mismatch };
export { RegistrationMismatchError };

export interface RegisterResult {
  version: ModelVersion;
  /** Present when the version was validated right after registration. */
  validation?: ValidateResult;
}

/**
 * Registers a run's model as a new version (`source` = `runs:/<run_id>/model`, stage None; the
 * registered model is created on first use), then validates it: pass → Staging, fail → stays None.
 */
export async function registerModel(stores: Stores, o: RegisterOptions): Promise<RegisterResult> {
  const artifactPath = (o.artifactPath ?? 'model').replace(/^\/+|\/+$/g, '');
  const run = await stores.tracking.getRun(o.runId); // unknown run → clear error
  const noModel = (): ModelOpsError =>
    new ModelOpsError('MODEL_INVALID', `run ${o.runId} has no model at '${artifactPath}' (no MLmodel file there); train with modelops train first`, {
      location: `runs:/${o.runId}/${artifactPath}`,
    });
  let dir: string;
  try {
    dir = await stores.tracking.artifactLocalPath(o.runId, artifactPath);
  } catch (e) {
    if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') throw noModel();
    throw e;
  }
  if (!existsSync(join(dir, 'MLmodel'))) throw noModel();
  if (run.info.status === 'KILLED' || run.info.status === 'FAILED') {
    throw new ModelOpsError(
      'INVALID_STATE',
      `run ${run.info.runName || o.runId} is ${run.info.status}: only the model of a run that finished can be registered`,
      { location: `runs:/${o.runId}` },
    );
  }
  const mismatch = await registrationMismatch(stores, o.name, dir);
  if (mismatch && !o.force) throw new RegistrationMismatchError(o.name, o.runId, mismatch);
  try {
    await stores.registry.getRegisteredModel(o.name);
  } catch (e) {
    if (!(e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST')) throw e;
    try {
      await stores.registry.createRegisteredModel(o.name);
    } catch (e2) {
      // Another process created it in between: fine.
      if (!(e2 instanceof ModelOpsError && e2.code === 'RESOURCE_ALREADY_EXISTS')) throw e2;
    }
  }
  const version = await stores.registry.createModelVersion({
    name: o.name,
    source: `runs:/${o.runId}/${artifactPath}`,
    runId: o.runId,
    ...(o.description ? { description: o.description } : {}),
    // The approved bytes are pinned: every later load checks them (model-pin.ts).
    tags: [...(o.tags ?? []), ...pinTags(dir)],
    audit: { actor: o.actor, action: 'register', ...(mismatch ? { comment: `registered with force: ${mismatch.text}` } : {}) },
  });
  if (o.validate === false) return { version };
  const validation = await validateModelVersion(stores, { ...(o.validation ?? {}), name: o.name, version: version.version, actor: o.actor });
  return { version: validation.version, validation };
}
