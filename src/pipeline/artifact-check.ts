import { ModelOpsError } from '../core/errors';
import type { ViewType } from '../core/tracking';
import type { TrackingStore } from '../store/tracking-store';
import { allPages } from '../core/paging';

export interface MissingArtifacts {
  /** Runs looked at (active and deleted, every experiment). */
  runs: number;
  /** Runs whose artifact folder is found neither where it was written nor under the store's folder now. */
  missing: { runId: string; experimentId: string; artifactUri: string }[];
}

/**
 * Runs whose artifacts cannot be found: after a workspace moved, a location under the old folder is
 * found under the new one (store/sqlite/artifacts.ts `relocated`); what is left here is really gone
 * (deleted, or kept outside the workspace that moved). A run that never logged an artifact has no
 * folder either, and is listed too: MLflow creates none for it.
 */
export async function findMissingArtifacts(tracking: TrackingStore): Promise<MissingArtifacts> {
  const out: MissingArtifacts = { runs: 0, missing: [] };
  for (const experimentId of await allExperimentIds(tracking, 'ALL')) {
    const runs = await allPages((pageToken) => tracking.searchRuns({ experimentIds: [experimentId], runViewType: 'ALL', maxResults: 1000, pageToken }));
    for (const run of runs) {
      out.runs++;
      if (!(await artifactsFound(tracking, run.info.runId))) out.missing.push({ runId: run.info.runId, experimentId, artifactUri: run.info.artifactUri });
    }
  }
  return out;
}

/** Every experiment's id, page after page. */
export async function allExperimentIds(tracking: TrackingStore, viewType: ViewType): Promise<string[]> {
  const experiments = await allPages((pageToken) => tracking.searchExperiments({ viewType, maxResults: 1000, pageToken }));
  return experiments.map((e) => e.experimentId);
}

async function artifactsFound(tracking: TrackingStore, runId: string): Promise<boolean> {
  try {
    await tracking.artifactLocalPath(runId, '');
    return true;
  } catch (e) {
    if (e instanceof ModelOpsError && (e.code === 'RESOURCE_DOES_NOT_EXIST' || e.code === 'STORE_IO')) return false;
    throw e;
  }
}
