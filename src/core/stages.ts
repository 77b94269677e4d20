import { ModelOpsError } from './errors';

/**
 * MLflow's model version stages: a closed set, written exactly like this in
 * `model_versions.current_stage`. The one list: the webview protocol checks against it too.
 */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;

export type Stage = (typeof STAGES)[number];

/** The stages `archive_existing_versions` applies to (MLflow's DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS). */
export const ACTIVE_STAGES: readonly Stage[] = ['Staging', 'Production'];

/** MLflow marks deleted versions with this stage so their numbers are never reused; never shown. */
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal';

/** Case-insensitive match to the canonical spelling, as MLflow's `get_canonical_stage`. */
export function canonicalStage(stage: string): Stage {
  const key = stage.trim().toLowerCase();
  const found = STAGES.find((s) => s.toLowerCase() === key);
  if (!found) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`, {
      location: 'stage',
    });
  }
  return found;
}

/** A transition's target stage, refused as MLflow refuses archiving existing versions for a stage that is not active. */
export function transitionTarget(stage: string, archiveExistingVersions: boolean): Stage {
  const target = canonicalStage(stage);
  if (archiveExistingVersions && !ACTIVE_STAGES.includes(target)) {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(', ')}`,
      { location: 'archive_existing_versions' },
    );
  }
  return target;
}

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}
