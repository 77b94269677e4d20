import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { Tag } from '../core/tracking';
import { TAG } from '../core/tracking';
import type { Dataset } from '../ml/dataset/dataset';
import { datasetSchemaJson } from '../ml/dataset/profile';
import type { MemberSpec } from '../ml/estimators';
import { ownerTags } from '../store/run-owner';
import { logParams } from '../store/tracking-helpers';
import type { TrackingStore } from '../store/tracking-store';
import { LIMITS } from '../store/validation';
import type { TrainParamsFile } from './train-options';
import { memberParams } from './train-options';

/**
 * What train, tune and the retraining pipeline log the same way: the tags a run starts with, its
 * params, its dataset input. One place, so a trial's run and a training run stay alike (retrain
 * reads a trial's params as a training run's).
 */

/**
 * MLflow refuses a param value longer than this (6,000 characters). A member's params as JSON or a
 * long weights list can pass it; the value is cut rather than the whole run refused.
 */
export const PARAM_VALUE_MAX = LIMITS.paramValueLength;

export function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The experiment of that name (created when missing; `Default` when no name), refusing a deleted one. */
export async function resolveExperiment(store: TrackingStore, name?: string): Promise<string> {
  if (name === undefined || name === '') return '0';
  const found = await store.getExperimentByName(name);
  if (found) {
    if (found.lifecycleStage !== 'active')
      throw new ModelOpsError('INVALID_STATE', `experiment '${name}' is deleted; restore it or pick another name`, { location: name });
    return found.experimentId;
  }
  return store.createExperiment(name);
}

/**
 * The tags a run starts with: what made it, who, and this process as its owner (a run whose
 * process dies is ended FAILED by the next open, store/run-owner.ts). `local` adds MLflow's
 * source type, which top-level runs carry.
 */
export function runTags(source: string, tags: readonly Tag[] = [], local = false): Tag[] {
  return [
    { key: TAG.source, value: source },
    ...(local ? [{ key: TAG.sourceType, value: 'LOCAL' }] : []),
    { key: TAG.user, value: safeUser() },
    ...tags,
    ...ownerTags(),
  ];
}

/** Logs params in as few transactions as MLflow's batch limits allow, each value cut to PARAM_VALUE_MAX. */
export function logRunParams(store: TrackingStore, runId: string, params: Record<string, string>): Promise<void> {
  return logParams(store, runId, Object.fromEntries(Object.entries(params).map(([key, value]) => [key, value.slice(0, PARAM_VALUE_MAX)])));
}

/** The params of a model run (a training run, a tuning trial): the same keys, so either can be retrained from. */
export function modelRunParams(
  ds: Dataset,
  settings: { cv: number; seed: number; weights: TrainParamsFile['weights']; members: MemberSpec[] },
): Record<string, string> {
  const weights = settings.weights ?? 'equal';
  return {
    target: ds.target.name,
    task: ds.target.task,
    cv: String(settings.cv),
    seed: String(settings.seed),
    weights: Array.isArray(weights) ? JSON.stringify(weights) : String(weights),
    features: String(ds.schema.features.length),
    ...memberParams(settings.members),
  };
}

/**
 * Logs the dataset as the run's input (MLflow's `mlflow.data.context` says what it was used for).
 * A training run also gets its schema and profile, which drift checks and the signature read.
 */
export function logDatasetInput(
  store: TrackingStore,
  runId: string,
  ds: Dataset,
  context: 'training' | 'tuning',
  profileExtras?: Record<string, unknown>,
): Promise<void> {
  const training = context === 'training' ? { schema: datasetSchemaJson(ds.schema), profile: JSON.stringify({ ...ds.profile, ...(profileExtras ?? {}) }) } : {};
  return store.logInputs(runId, [
    {
      name: ds.name,
      digest: ds.digest,
      sourceType: 'local',
      source: JSON.stringify({ uri: resolve(ds.source) }),
      ...training,
      tags: [{ key: 'mlflow.data.context', value: context }],
    },
  ]);
}
