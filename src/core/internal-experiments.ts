import type { Experiment } from './tracking';

/**
 * Experiments the product keeps for itself on a tracking server (the registry's audit ledger, src/store/rest/
 * registry-ledger.ts) carry this tag: views leave them out, `modelops sync` does not copy them as experiments.
 */
export const INTERNAL_EXPERIMENT_TAG = 'modelops.internal';

export function isInternalExperiment(e: Experiment): boolean {
  return e.tags.some((t) => t.key === INTERNAL_EXPERIMENT_TAG);
}
