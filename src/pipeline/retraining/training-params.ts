import { ModelOpsError } from '../../core/errors';
import type { Run } from '../../core/tracking';
import type { FrozenTrial, StudyStore } from '../../core/tuning';
import type { MemberSpec, MemberType } from '../../ml/estimators';
import { MEMBER_TYPES } from '../../ml/estimators';
import type { TrackingStore } from '../../store/tracking-store';
import type { TrainParamsFile } from '../train-options';
import { readParamsFile } from '../train-options';
import { storedSettings } from '../study-json';
import { tune } from '../tune';
import type { TrainingSpec } from './pipeline-file';

/** The params step 2 trains with, and where they came from (for the report). */
export interface ResolvedParams {
  params: TrainParamsFile;
  models?: MemberType[];
  seed: number;
  cv?: number;
  /** `the best run of experiment churn (accuracy 0.81)`, `trial 7 of study churn-tpe`, … */
  from: string;
  fromRunId?: string;
  study?: string;
}

export interface ParamsContext {
  tracking: TrackingStore;
  studies?: StudyStore;
  /** The reference version's run (best_run searches its experiment). */
  referenceRun?: Run;
  task: string;
  dataset: string;
  target: string;
  experiment: string;
  model: string;
  /** The pipeline file, named in errors. */
  where: string;
  /** Dry run: nothing is tuned, the plan is described. */
  dryRun: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

const seedOf = (run: Run): number | undefined => {
  const v = run.data.params.find((p) => p.key === 'seed')?.value;
  return v !== undefined && Number.isInteger(Number(v)) ? Number(v) : undefined;
};

export async function resolveTrainingParams(spec: TrainingSpec, ctx: ParamsContext): Promise<ResolvedParams> {
  const p = spec.params;
  const common = { ...(spec.models ? { models: spec.models } : {}), ...(spec.cv !== undefined ? { cv: spec.cv } : {}) };
  if (p.kind === 'fixed') {
    const params = typeof p.params === 'string' ? readParamsFile(p.params) : p.params;
    return { ...common, params, seed: spec.seed ?? 42, from: typeof p.params === 'string' ? `the params file ${p.params}` : 'the params in the pipeline file' };
  }
  if (p.kind === 'best_run') {
    if (!ctx.referenceRun) {
      throw new ModelOpsError(
        'INVALID_PARAMETER_VALUE',
        `${ctx.where}: training.params: "best_run" needs a registered version of '${ctx.model}' to start from; give fixed params ({"fixed": {…}}) or tune first ({"tune": {…}}) for the first run`,
        {
          location: `${ctx.where}#training.params`,
        },
      );
    }
    const best = await bestRun(ctx.tracking, ctx.referenceRun, ctx.task === 'regression' ? 'r2' : 'accuracy');
    const value = best.value === null ? 'n/a' : String(Number(best.value.toPrecision(4)));
    return {
      ...common,
      params: paramsOf(best.run),
      seed: spec.seed ?? seedOf(best.run) ?? 42,
      from: `the best run of the experiment (${best.metric} ${value})`,
      fromRunId: best.run.info.runId,
    };
  }
  const studies = ctx.studies;
  if (!studies)
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `${ctx.where}: training.params: this store keeps no tuning studies (a remote MLflow server); use "best_run" or fixed params`,
      { location: `${ctx.where}#training.params` },
    );
  if (p.kind === 'study') return fromStudy(studies, ctx, p.study, spec);
  const study = p.tune.study ?? `${ctx.model}-pipeline`;
  if (ctx.dryRun)
    return { ...common, params: {}, seed: spec.seed ?? 42, from: `a study '${study}' of ${p.tune.trials} trial(s), tuned first (not run in a dry run)`, study };
  const tuned = await tune(ctx.tracking, studies, {
    data: ctx.dataset,
    target: ctx.target,
    study,
    experiment: ctx.experiment,
    trials: p.tune.trials,
    ...(p.tune.timeoutS !== undefined ? { timeoutMs: p.tune.timeoutS * 1000 } : {}),
    ...(p.tune.space !== undefined ? { space: p.tune.space } : {}),
    ...(p.tune.sampler ? { sampler: p.tune.sampler } : {}),
    ...(p.tune.pruner ? { pruner: p.tune.pruner } : {}),
    ...(p.tune.metric ? { metric: p.tune.metric } : {}),
    ...(p.tune.cv !== undefined ? { cv: p.tune.cv } : {}),
    ...(p.tune.prunerOptions ? { prunerOptions: p.tune.prunerOptions, prunerOptionsSource: `${ctx.where}: training.params.tune.pruner_options` } : {}),
    ...(p.tune.nJobs !== undefined ? { nJobs: p.tune.nJobs } : {}),
    ...(spec.models ? { models: spec.models } : {}),
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (m) => ctx.onProgress?.(m),
  });
  return fromStudy(studies, ctx, tuned.study, spec);
}

function bestTrial(trials: readonly FrozenTrial[], direction: string): FrozenTrial | undefined {
  const done = trials.filter((t) => t.state === 'COMPLETE' && typeof t.value === 'number' && t.runId);
  return done.sort((a, b) => (direction === 'minimize' ? a.value! - b.value! : b.value! - a.value!))[0];
}

async function fromStudy(studies: StudyStore, ctx: ParamsContext, name: string, spec: TrainingSpec): Promise<ResolvedParams> {
  const found = await studies.getStudy(name);
  if (!found)
    throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `${ctx.where}: training.params: there is no tuning study '${name}' (modelops studies list shows them)`, {
      location: `${ctx.where}#training.params.study`,
    });
  const best = bestTrial(found.trials, found.study.direction);
  if (!best)
    throw new ModelOpsError('INVALID_STATE', `${ctx.where}: training.params: study '${name}' has no completed trial yet`, {
      location: `${ctx.where}#training.params.study`,
    });
  const run = await ctx.tracking.getRun(best.runId!);
  const settings = storedSettings(found.study);
  return {
    ...(spec.models ? { models: spec.models } : {}),
    params: paramsOf(run),
    seed: spec.seed ?? settings.seed ?? 42,
    ...(spec.cv !== undefined ? { cv: spec.cv } : {}),
    from: `trial ${best.number} of study '${name}' (${found.study.metric} ${Number(best.value!.toPrecision(4))})`,
    fromRunId: run.info.runId,
    study: name,
  };
}

/** The finished training run of the reference's experiment with the best primary metric (the reference itself when none beats it). */
async function bestRun(tracking: TrackingStore, reference: Run, metric: string): Promise<{ run: Run; metric: string; value: number | null }> {
  const page = await tracking.searchRuns({
    experimentIds: [reference.info.experimentId],
    filter: "attributes.status = 'FINISHED'",
    orderBy: [`metrics.${metric} DESC`],
    maxResults: 50,
  });
  const value = (r: Run): number | null => r.data.metrics.find((m) => m.key === metric)?.value ?? null;
  // A baseline (majority class / mean) is a yardstick, never the params to retrain with.
  const trainable = (r: Run): boolean => {
    const models = r.data.params.find((p) => p.key === 'models')?.value;
    return models !== undefined && models !== 'dummy' && !r.data.tags.some((t) => t.key === 'modelops.baseline_for');
  };
  const candidates = page.items.filter((r) => trainable(r) && value(r) !== null);
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
