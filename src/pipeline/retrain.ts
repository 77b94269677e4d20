import { resolve } from 'node:path';
import type { DriftAction } from './retraining/pipeline-file';
import { defaultPipeline } from './retraining/pipeline-file';
import type { PipelineEvent, PipelineResult, PipelineStores } from './retraining/run-pipeline';
import { runPipeline } from './retraining/run-pipeline';

export interface RetrainOptions {
  /** Registered model to retrain. */
  name: string;
  /** The new training data (CSV), relative to `workspace`. */
  data: string;
  /** Default: the target the reference version was trained on. */
  target?: string;
  actor: string;
  workspace?: string;
  /** Held-out data for the validation gates (default: the gates file's `data`). */
  holdout?: string;
  /** What drift does (default stop). */
  onDrift?: DriftAction;
  dryRun?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: PipelineEvent) => void;
}

/**
 * `modelops retrain`: the retraining pipeline (retraining/run-pipeline.ts) with every default and
 * no pipeline file — the data checked against the model's signature and training profile, drift
 * against Production stopping it, the best known params, the workspace's gates, the inference test.
 */
export async function retrain(stores: PipelineStores, o: RetrainOptions): Promise<PipelineResult> {
  const workspace = resolve(o.workspace ?? process.cwd());
  const spec = defaultPipeline({
    model: o.name,
    dataset: resolve(workspace, o.data),
    ...(o.target ? { target: o.target } : {}),
    ...(o.holdout ? { holdout: resolve(workspace, o.holdout) } : {}),
    ...(o.onDrift ? { onDrift: o.onDrift } : {}),
  });
  return runPipeline(stores, spec, {
    actor: o.actor,
    workspace,
    ...(o.dryRun ? { dryRun: true } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
}
