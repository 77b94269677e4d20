import { ModelOpsError } from '../../core/errors';
import type { ModelVersion } from '../../core/registry';
import type { TrainingProfile } from '../../ml/drift/sketch';
import { readTrainingProfile } from '../../ml/drift/sketch';
import { readModelInfo } from '../../ml/ensemble/model-package';
import type { Stores } from '../model-resolve';
import { versionModelDir } from '../model-resolve';
import { openScoringModel } from '../scoring';
import type { ReferenceColumn } from './data-checks';
import { signatureType } from './data-checks';

/** A registered version the new data is compared with: its signature, its task and its training profile. */
export interface ReferenceModel {
  name: string;
  version: string;
  stage: string;
  runId: string;
  task: string;
  target: string;
  classes: string[];
  columns: ReferenceColumn[];
  /** Undefined for a model saved before training profiles were (drift then says the reference is missing). */
  profile?: TrainingProfile;
}

/** The versions the pipeline compares with: the signature's (Production, else the newest) and drift's (Production only). */
export async function findReferences(stores: Stores, name: string): Promise<{ schema?: ModelVersion; production?: ModelVersion }> {
  let production: ModelVersion | undefined;
  try {
    [production] = await stores.registry.getLatestVersions(name, ['Production']);
  } catch (e) {
    if (e instanceof ModelOpsError && e.code === 'RESOURCE_DOES_NOT_EXIST') return {}; // the first run creates the model
    throw e;
  }
  if (production) return { schema: production, production };
  const newest = (
    await stores.registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "''")}'`, orderBy: ['version_number DESC'], maxResults: 1 })
  ).items[0];
  return newest ? { schema: newest } : {};
}

export async function loadReference(stores: Stores, version: ModelVersion): Promise<ReferenceModel> {
  const { dir } = await versionModelDir(stores.tracking, version);
  const info = readModelInfo(dir);
  const profile = readTrainingProfile(dir);
  const sketches = new Map((profile?.columns ?? []).map((c) => [c.name, c]));
  // Without a profile, a one-hot encoded column's categories still come from the model itself.
  const categories = profile ? undefined : new Map(openScoringModel(dir).inputs.map((c) => [c.name, c.categories]));
  const columns = info.signature.inputs
    .filter((c): c is typeof c & { name: string } => c.name !== undefined)
    .map((c): ReferenceColumn => {
      const sketch = sketches.get(c.name);
      const cats = categories?.get(c.name);
      return {
        name: c.name,
        type: signatureType(c.type),
        required: c.required !== false,
        ...(sketch ? { sketch } : {}),
        ...(cats ? { categories: cats } : {}),
      };
    });
  return {
    name: version.name,
    version: version.version,
    stage: version.currentStage,
    runId: version.runId,
    task: info.task,
    target: info.target,
    classes: info.classes,
    columns,
    ...(profile ? { profile } : {}),
  };
}
