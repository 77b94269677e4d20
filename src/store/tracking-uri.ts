import { ModelOpsError } from '../core/errors';
import { resolveStoreLocation } from './open';
import type { StoreLocation } from './open';

/**
 * Which store an entry point works on, decided one way everywhere (CLI, editor, server): the location given
 * explicitly (`--store`, the editor's `modelops.trackingUri` or its old name `modelops.storePath`), else
 * `MODELOPS_STORE`, else MLflow's own `MLFLOW_TRACKING_URI`, else the workspace file `.modelops/mlflow.db`. The
 * location then decides everything: a path or `sqlite:///` URI is the workspace file, an `http(s)://` URL a tracking
 * server (src/store/open.ts).
 */
export const DEFAULT_STORE = '.modelops/mlflow.db';

export type TrackingUriSource = 'option' | 'setting' | 'MODELOPS_STORE' | 'MLFLOW_TRACKING_URI' | 'default';

export interface TrackingUriChoice {
  uri: string;
  source: TrackingUriSource;
}

export function chooseTrackingUri(given: { uri?: string; source?: 'option' | 'setting' }, env: NodeJS.ProcessEnv): TrackingUriChoice {
  if (given.uri !== undefined && given.uri.trim() !== '') return { uri: given.uri.trim(), source: given.source ?? 'option' };
  if (env.MODELOPS_STORE && env.MODELOPS_STORE.trim() !== '') return { uri: env.MODELOPS_STORE.trim(), source: 'MODELOPS_STORE' };
  if (env.MLFLOW_TRACKING_URI && env.MLFLOW_TRACKING_URI.trim() !== '') return { uri: env.MLFLOW_TRACKING_URI.trim(), source: 'MLFLOW_TRACKING_URI' };
  return { uri: DEFAULT_STORE, source: 'default' };
}

const SOURCE_NAME: Record<TrackingUriSource, string> = {
  option: '--store',
  setting: 'the setting modelops.trackingUri',
  MODELOPS_STORE: 'MODELOPS_STORE',
  MLFLOW_TRACKING_URI: 'MLFLOW_TRACKING_URI',
  default: 'the default store',
};

/** The location of a choice; an unusable one is refused naming where it came from. */
export function locationOf(choice: TrackingUriChoice, cwd: string): StoreLocation {
  try {
    return resolveStoreLocation(choice.uri, cwd);
  } catch (e) {
    if (e instanceof ModelOpsError && choice.source !== 'option' && choice.source !== 'default') {
      throw new ModelOpsError(e.code, `${SOURCE_NAME[choice.source]}: ${e.message}`, { location: choice.source });
    }
    throw e;
  }
}

/** Where the location came from, for messages and `modelops doctor`. */
export function describeSource(source: TrackingUriSource): string {
  return SOURCE_NAME[source];
}
