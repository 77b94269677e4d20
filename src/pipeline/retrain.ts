import { resolve } from 'node:path';
import { ModelOpsError } from '../core/errors';
import type { ModelVersion } from '../core/registry';
import type { Run } from '../core/tracking';
import { loadDataset } from '../ml/dataset/dataset';
import { readModelInfo } from '../ml/ensemble/model-package';
import type { MemberSpec, MemberType } from '../ml/estimators';
import { MEMBER_TYPES } from '../ml/estimators';
import type { Stores } from './model-resolve';
import { versionModelDir } from './model-resolve';
import { predict } from './predict';
import type { RegisterResult } from './register';
import { registerModel } from './register';
import { train } from './train';
import type { TrainParamsFile } from './train-options';

export interface RetrainOptions {
  /** Registered model to retrain. */
  name: string;
  /** The new training data (CSV). */
  data: string;
  /** Default: the target the reference version was trained on. */
  target?: string;
  actor: string;
  workspace?: string;
  /** Held-out data for the validation gates (default: the gates file's `data`). */
  holdout?: string;
  signal?: AbortSignal;
  onProgress?: (step: RetrainStep, message: string) => void;
}

export type RetrainStep = 'data' | 'params' | 'train' | 'validate' | 'inference';

export interface RetrainResult {
  /** The version whose lineage gave the target and the params (Production, else the newest). */
  reference: { version: string; runId: string };
  /** The run whose params were reused: the best run of the reference's experiment by the primary metric. */
  paramsFrom: { runId: string; metric: string; value: number | null };
  trainRunId: string;
  registered: RegisterResult;
  /** Scoring a sample of the new data with the new version, when it reached Staging. */
  inference: { rows: number; ok: boolean; message: string } | null;
}

/**
 * Automated retraining, as one call CI can run: check the new data against the model's signature,
 * train with the best known hyperparameters, register and validate (pass → Staging), then score a
 * sample of the new data with the new version.
 */
export async function retrain(stores: Stores, o: RetrainOptions): Promise<RetrainResult> {
  const step = o.onProgress ?? (() => undefined);
  const cancelled = (): void => {
    if (o.signal?.aborted) throw new ModelOpsError('CANCELLED', 'retraining was cancelled');
  };
  const reference = await referenceVersion(stores, o.name);
  const refRun = await stores.tracking.getRun(reference.runId);
  const { dir } = await versionModelDir(stores.tracking, reference);
  const info = readModelInfo(dir);
  const target = o.target ?? info.target;
  const data = resolve(o.workspace ?? process.cwd(), o.data);

  step('data', `checking ${data} against ${o.name} version ${reference.version}`);
  const ds = loadDataset(data, { target, task: info.task === 'regression' ? 'regression' : 'classification' });
  const have = new Set([...ds.schema.features.map((f) => f.name), ...ds.schema.excluded.map((e) => e.name)]);
  const missing = info.signature.inputs.filter((c) => c.name !== undefined && c.required && !have.has(c.name)).map((c) => c.name!);
  if (missing.length > 0) {
    throw new ModelOpsError('DATA_INVALID', `${data}: the new data lacks input column(s) ${missing.join(', ')} that version ${reference.version} of '${o.name}' takes`, {
      location: data,
    });
  }
  cancelled();

  step('params', 'looking up the best known hyperparameters');
  const best = await bestRun(stores, refRun, info.task === 'regression' ? 'r2' : 'accuracy');
  const params = paramsOf(best.run);
  const experiment = await stores.tracking.getExperiment(refRun.info.experimentId);
  cancelled();

  step('train', `training with the params of run ${best.run.info.runId}`);
  const trained = await train(stores.tracking, {
    data,
    target,
    experiment: experiment.name,
    params,
    seed: Number(best.run.data.params.find((p) => p.key === 'seed')?.value ?? 42),
    tags: [{ key: 'modelops.retrain_of', value: `models:/${o.name}/${reference.version}` }],
    ...(o.workspace ? { workspace: o.workspace } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  cancelled();

  step('validate', `registering and validating run ${trained.runId}`);
  const registered = await registerModel(stores, {
    runId: trained.runId,
    name: o.name,
    actor: o.actor,
    description: `retrained on ${data}`,
    validation: { ...(o.workspace ? { workspace: o.workspace } : {}), ...(o.holdout ? { data: o.holdout } : {}) },
  });

  let inference: RetrainResult['inference'] = null;
  if (registered.version.currentStage === 'Staging') {
    step('inference', `scoring the new data with ${o.name} version ${registered.version.version}`);
    try {
      const r = await predict(stores, { model: { kind: 'version', name: o.name, version: registered.version.version }, data, ...(o.workspace ? { cwd: o.workspace } : {}) });
      const ok = r.predictions.length === r.summary.rows;
      inference = { rows: r.summary.rows, ok, message: ok ? `${r.summary.rows} rows scored` : `${r.predictions.length} predictions for ${r.summary.rows} rows` };
    } catch (e) {
      inference = { rows: 0, ok: false, message: (e as Error).message };
    }
  }
  return {
    reference: { version: reference.version, runId: reference.runId },
    paramsFrom: { runId: best.run.info.runId, metric: best.metric, value: best.value },
    trainRunId: trained.runId,
    registered,
    inference,
  };
}

async function referenceVersion(stores: Stores, name: string): Promise<ModelVersion> {
  const [production] = await stores.registry.getLatestVersions(name, ['Production']);
  if (production) return production;
  const newest = (await stores.registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "''")}'`, orderBy: ['version_number DESC'], maxResults: 1 })).items[0];
  if (!newest) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `'${name}' has no versions to retrain from; train and register one first`, { location: name });
  return newest;
}

/** The finished training run of the reference's experiment with the best primary metric (the reference itself when none beats it). */
async function bestRun(stores: Stores, reference: Run, metric: string): Promise<{ run: Run; metric: string; value: number | null }> {
  const page = await stores.tracking.searchRuns({
    experimentIds: [reference.info.experimentId],
    filter: "attributes.status = 'FINISHED'",
    orderBy: [`metrics.${metric} DESC`],
    maxResults: 50,
  });
  const value = (r: Run): number | null => r.data.metrics.find((m) => m.key === metric)?.value ?? null;
  const candidates = page.items.filter((r) => r.data.params.some((p) => p.key === 'models') && value(r) !== null);
  const best = candidates[0];
  if (best && (value(reference) === null || value(best)! > value(reference)!)) return { run: best, metric, value: value(best) };
  return { run: reference, metric, value: value(reference) };
}

/** Rebuilds the params file from a run's flat params (`models`, `rf.nEstimators`, `weights`, ...). */
export function paramsOf(run: Run): TrainParamsFile {
  const p = new Map(run.data.params.map((x) => [x.key, x.value]));
  const types = (p.get('models') ?? 'rf,knn').split(',').filter((t): t is MemberType => MEMBER_TYPES.includes(t as MemberType));
  const parse = (v: string): unknown => {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  };
  const members: MemberSpec[] = types.map((type) => {
    const params: Record<string, unknown> = {};
    let engine: MemberSpec['engine'];
    for (const [k, v] of p) {
      if (!k.startsWith(`${type}.`)) continue;
      const key = k.slice(type.length + 1);
      if (key === 'engine') engine = v as MemberSpec['engine'];
      else params[key] = parse(v);
    }
    return { type, ...(engine ? { engine } : {}), ...(Object.keys(params).length ? { params } : {}) };
  });
  const weights = p.get('weights');
  const parsedWeights = weights === undefined ? undefined : parse(weights);
  return {
    members,
    ...(parsedWeights === 'fit' || parsedWeights === 'equal' || Array.isArray(parsedWeights) ? { weights: parsedWeights as TrainParamsFile['weights'] } : {}),
  };
}
