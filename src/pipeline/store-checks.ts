import { ModelOpsError } from '../core/errors';
import type { Stores } from '../store/open';
import { RestTrackingStore } from '../store/rest/rest-tracking-store';

/**
 * What a command needs of its store, checked before any work is done (a training that cannot be registered, or whose
 * model cannot be stored, is refused before it trains, not after): that a server answers and accepts the
 * credentials, serves the model registry, and keeps the experiment's artifacts somewhere this client can write (the
 * artifact proxy, or a folder this machine shares); that a workspace store may be written.
 */
export interface StoreNeeds {
  /** What is being done, for the message (`train --register`). */
  what: string;
  write?: boolean;
  registry?: boolean;
  /** The experiment (by name; default the Default experiment) whose artifacts will be written. */
  artifacts?: { experiment?: string };
}

function refuse(message: string, location: string): never {
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', message, { location });
}

export async function checkStoreFor(stores: Stores, needs: StoreNeeds): Promise<void> {
  if (stores.location.kind === 'sqlite') {
    const readOnly = stores.file?.schema.readOnly;
    if (needs.write && readOnly) refuse(`${needs.what}: ${readOnly}`, stores.location.path);
    return;
  }
  const url = stores.location.url;
  // Unreachable, 401, 403, not an MLflow server: each its own clear error, from the first request.
  await stores.tracking.searchExperiments({ maxResults: 1 });
  if (needs.registry) {
    try {
      await stores.registry.searchRegisteredModels({ maxResults: 1 });
    } catch (e) {
      if (e instanceof ModelOpsError && (e.code === 'ENDPOINT_NOT_FOUND' || e.code === 'RESOURCE_DOES_NOT_EXIST')) {
        refuse(`${needs.what} needs MLflow's model registry, which ${url} does not serve (${e.message})`, url);
      }
      throw e;
    }
  }
  if (needs.artifacts) await checkArtifacts(stores, needs.what, needs.artifacts.experiment);
}

async function checkArtifacts(stores: Stores, what: string, experimentName: string | undefined): Promise<void> {
  const named = experimentName ? await stores.tracking.getExperimentByName(experimentName) : undefined;
  // A new experiment gets the server's default root, as the Default experiment did.
  const experiment = named ?? (await stores.tracking.getExperiment('0').catch(() => undefined));
  if (!experiment || !(stores.tracking instanceof RestTrackingStore)) return;
  const problem = await stores.tracking.artifactRootProblem(experiment.artifactLocation);
  if (problem)
    refuse(`${what}: experiment '${experiment.name}' keeps its artifacts at ${experiment.artifactLocation}, ${problem}`, experiment.artifactLocation);
}
