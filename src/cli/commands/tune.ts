import { resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { Direction, FrozenTrial, ParamValue, StudyRecord } from '../../core/tuning';
import type { ParamImportance } from '../../tuning/importance/param-importances';
import { paramImportances } from '../../tuning/importance/param-importances';
import { choicesHelp, choicesPlaceholder, DEFAULT_PRUNER, DEFAULT_SAMPLER, PRUNER_NAMES, PRUNERS, SAMPLER_NAMES, SAMPLERS } from '../../tuning/catalogue';
import { describePrunerOptions, prunerOptionPairs, prunerParams, resolvePrunerOptions } from '../../tuning/pruner-options';
import { storedJson, storedPrunerOptions, storedSpace } from '../../pipeline/study-json';
import { tune } from '../../pipeline/tune';
import { checkStoreFor } from '../../pipeline/store-checks';
import type { CommandContext, CommandSpec } from '../command';
import { intOption, oneOf, requiredString, TASKS } from '../option-values';

const DIRECTIONS: readonly Direction[] = ['maximize', 'minimize'];
import { formatNumber, formatTable } from '../output';

const paramsText = (p: Record<string, ParamValue>): string =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v === null ? 'none' : String(v)}`)
    .join(' ');

function trialLine(t: FrozenTrial, metric: string, best: FrozenTrial | undefined): string {
  const value = t.value === undefined ? '' : ` ${metric}=${formatNumber(t.value)}`;
  const star = best && best.number === t.number ? ' (best)' : '';
  const why = t.state === 'FAIL' && t.failReason !== undefined ? `  — ${t.failReason}` : '';
  return `trial ${t.number} ${t.state.toLowerCase()}${value}${star}  ${paramsText(t.params)}${why}`;
}

/** `modelops tune`: an Optuna-style study over the ensemble's hyperparameters. */
export const tuneCommand: CommandSpec = {
  path: ['tune'],
  loadsData: true,
  summary: `tune hyperparameters (samplers ${SAMPLER_NAMES.join(' / ')}; pruners ${PRUNER_NAMES.join(' / ')}); trials are nested runs; a study resumes by name`,
  writes: true,
  options: {
    data: { type: 'string', value: '<file.csv>', required: true, description: 'training data (CSV with a header row)' },
    target: { type: 'string', value: '<column>', required: true, description: 'column to predict' },
    study: { type: 'string', value: '<name>', description: 'study name (default <data>-<target>); an existing study is continued' },
    experiment: { type: 'string', short: 'e', value: '<name>', description: 'experiment of a new study (default: Default)' },
    trials: { type: 'string', value: '<n>', int: { min: 1 }, description: 'trials to run now (default 20)' },
    timeout: { type: 'string', value: '<seconds>', description: 'start no trial after this long' },
    sampler: {
      type: 'string',
      value: choicesPlaceholder(SAMPLERS),
      choices: SAMPLER_NAMES,
      description: `how params are chosen — ${choicesHelp(SAMPLERS, DEFAULT_SAMPLER)}`,
    },
    pruner: {
      type: 'string',
      value: choicesPlaceholder(PRUNERS),
      choices: PRUNER_NAMES,
      description: `which trials stop early — ${choicesHelp(PRUNERS, DEFAULT_PRUNER)}`,
    },
    'pruner-option': {
      type: 'string',
      multiple: true,
      value: '<key=value>',
      description: `a pruner parameter by Optuna's name, repeatable (a resumed study keeps its own) — ${prunerOptionsHelp()}`,
    },
    space: {
      type: 'string',
      value: '<file.json>',
      description: 'search space, e.g. {"rf.nEstimators": {"type": "int", "low": 50, "high": 300, "step": 50}, "knn.weights": ["uniform", "distance"]}',
    },
    metric: { type: 'string', value: '<name>', description: 'metric to optimise (default accuracy, or r2 for regression)' },
    direction: { type: 'string', value: '<maximize|minimize>', choices: DIRECTIONS, description: 'default: minimize for rmse, mae, log_loss; else maximize' },
    models: { type: 'string', value: '<rf,knn,...>', description: 'ensemble members (default rf,knn)' },
    params: { type: 'string', value: '<file.json>', description: 'fixed member parameters (sampled ones override them)' },
    cv: { type: 'string', value: '<k>', int: { min: 0 }, description: 'folds per trial (default 3)' },
    seed: { type: 'string', value: '<n>', int: { min: 0 }, description: 'random seed for the sampler and the folds (default 42)' },
    'train-best': { type: 'boolean', description: 'then train the best params as a full run with a model (registerable)' },
    task: { type: 'string', value: '<classification|regression>', choices: TASKS, description: 'force the task (default: inferred)' },
    threads: { type: 'string', value: '<n>', int: { min: 1 }, description: 'worker threads for the forest' },
    'n-jobs': {
      type: 'string',
      value: '<n>',
      int: { min: 1 },
      description: 'trials run at once, each on a worker thread (default 1; at most twice the cores; not stored with the study)',
    },
  },
  async run(ctx) {
    const data = requiredString(ctx, 'data');
    const target = requiredString(ctx, 'target');
    const abs = (p: string): string => resolve(ctx.io.cwd, p);
    await checkStoreFor(await ctx.stores(), {
      what: 'tune',
      write: true,
      artifacts: { ...(typeof ctx.options.experiment === 'string' ? { experiment: ctx.options.experiment } : {}) },
    });
    const store = await ctx.trackingStore();
    const studies = (await ctx.stores()).studies;
    const timeout = ctx.options.timeout;
    if (timeout !== undefined && !(Number(timeout) > 0))
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--timeout must be a positive number of seconds, got '${String(timeout)}'`, { location: 'timeout' });
    const result = await tune(store, studies, {
      data: abs(data),
      target,
      study: typeof ctx.options.study === 'string' ? ctx.options.study : undefined,
      experiment: typeof ctx.options.experiment === 'string' ? ctx.options.experiment : undefined,
      trials: intOption(ctx, 'trials'),
      timeoutMs: timeout === undefined ? undefined : Number(timeout) * 1000,
      sampler: oneOf(ctx, 'sampler', SAMPLER_NAMES),
      pruner: oneOf(ctx, 'pruner', PRUNER_NAMES),
      ...prunerOptionsOf(ctx),
      space: typeof ctx.options.space === 'string' ? abs(ctx.options.space) : undefined,
      metric: typeof ctx.options.metric === 'string' ? ctx.options.metric : undefined,
      direction: oneOf<Direction>(ctx, 'direction', DIRECTIONS),
      models: typeof ctx.options.models === 'string' ? ctx.options.models : undefined,
      params: typeof ctx.options.params === 'string' ? abs(ctx.options.params) : undefined,
      cv: intOption(ctx, 'cv'),
      seed: intOption(ctx, 'seed'),
      trainBest: ctx.options['train-best'] === true,
      task: oneOf(ctx, 'task', TASKS),
      threads: intOption(ctx, 'threads'),
      nJobs: intOption(ctx, 'n-jobs'),
      signal: ctx.signal,
      onProgress: (m) => ctx.io.stderr.write(`${m}\n`),
      onTrial: (t, best, metric) => ctx.io.stderr.write(`${trialLine(t, metric, best)}\n`),
    });
    if (ctx.json) {
      ctx.printJson(result);
      return 0;
    }
    ctx.print(
      `study ${result.study} (run ${result.runId}, experiment ${result.experimentId}): ${result.trials.length} trial(s), ${result.sampler} sampler, ${result.pruner} pruner`,
    );
    if (!result.best) {
      ctx.print('no trial completed');
      return 1;
    }
    ctx.print(`best: trial ${result.best.number}, ${result.metric} ${formatNumber(result.best.value)} (run ${result.best.runId ?? '?'})`);
    ctx.print(
      formatTable(Object.entries(result.best.params), [
        { header: 'PARAM', value: ([k]) => k },
        { header: 'BEST', value: ([, v]) => (v === null ? 'none' : String(v)), right: true },
      ]),
    );
    if (result.bestRun)
      ctx.print(`trained the best params as run ${result.bestRun.runId} (register it: modelops register --run ${result.bestRun.runId} --name <model>)`);
    return 0;
  },
};

/** `median: n_startup_trials (5), …; hyperband: …`: the parameters each pruner takes, with Optuna's defaults. */
function prunerOptionsHelp(): string {
  return PRUNER_NAMES.filter((n) => prunerParams(n).length)
    .map(
      (n) =>
        `${n}: ${prunerParams(n)
          .map((p) => `${p.name} (${String(p.default)})`)
          .join(', ')}`,
    )
    .join('; ');
}

function prunerOptionsOf(ctx: CommandContext): { prunerOptions?: Record<string, string> } {
  const texts = ctx.options['pruner-option'];
  if (texts === undefined) return {};
  return { prunerOptions: prunerOptionPairs(Array.isArray(texts) ? texts : [String(texts)]) };
}

/** `modelops studies list|show`: the tuning studies in the store. */
export const studyCommands: CommandSpec[] = [
  {
    path: ['studies', 'list'],
    summary: 'list tuning studies with their trial counts and best values',
    async run(ctx) {
      const studies = (await ctx.stores()).studies;
      const list = await studies.listStudies();
      if (ctx.json)
        return ctx.printJson({
          studies: list.map((study) => ({ ...study, ...storedJson(study) })),
        });
      if (list.length === 0) return ctx.print('no studies (start one with modelops tune --data <file.csv> --target <column>)');
      ctx.print(
        formatTable(list, [
          { header: 'STUDY', value: (s) => s.name },
          { header: 'METRIC', value: (s) => `${s.metric} (${s.direction === 'maximize' ? 'max' : 'min'})` },
          { header: 'SAMPLER', value: (s) => s.sampler },
          { header: 'TRIALS', value: (s) => String(s.trials), right: true },
          { header: 'COMPLETE', value: (s) => String(s.complete), right: true },
          { header: 'BEST', value: (s) => (s.best === undefined ? '' : formatNumber(s.best)), right: true },
          { header: 'RUN', value: (s) => s.runId },
        ]),
      );
    },
  },
  {
    path: ['studies', 'show'],
    summary: "a study's trials: state, value, params, run (--importance: which params matter)",
    args: '<study>',
    options: {
      importance: { type: 'boolean', description: "also rank the params by importance over the complete trials (PED-ANOVA and fANOVA, Optuna's evaluators)" },
    },
    async run(ctx) {
      const name = ctx.args[0];
      if (!name) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'studies show: missing <study>', { location: 'study' });
      const studies = (await ctx.stores()).studies;
      const found = await studies.getStudy(name);
      if (!found) throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `no study named '${name}' (see modelops studies list)`, { location: name });
      const importance = ctx.options.importance === true ? studyImportances(found.study, found.trials) : undefined;
      if (ctx.json)
        return ctx.printJson({
          ...found.study,
          ...storedJson(found.study),
          trials: found.trials,
          ...(importance ? { importance } : {}),
        });
      const { study, trials } = found;
      const sign = study.direction === 'maximize' ? -1 : 1;
      const best = trials.filter((t) => t.state === 'COMPLETE' && t.value !== undefined).sort((a, b) => sign * (a.value! - b.value!))[0];
      ctx.print(`study ${study.name}: ${study.metric} (${study.direction}), ${study.sampler} sampler, ${study.pruner} pruner, run ${study.runId}`);
      const pruning = studyPrunerOptions(study);
      if (pruning) ctx.print(`pruner options: ${pruning}`);
      ctx.print(
        formatTable(trials, [
          { header: 'TRIAL', value: (t) => String(t.number), right: true },
          { header: 'STATE', value: (t) => t.state },
          {
            header: study.metric.toUpperCase(),
            value: (t) => (t.value === undefined ? '' : formatNumber(t.value)) + (best && t.number === best.number ? ' *' : ''),
            right: true,
          },
          { header: 'PARAMS', value: (t) => paramsText(t.params), max: 80 },
          { header: 'RUN', value: (t) => t.runId ?? '' },
        ]),
      );
      for (const t of trials) if (t.state === 'FAIL' && t.failReason !== undefined) ctx.print(`trial ${t.number} failed: ${t.failReason}`);
      if (importance) printImportances(ctx, importance);
    },
  },
];

/** The parameters the study's pruner ran with (defaults for a study stored before they were); undefined for a pruner without any. */
function studyPrunerOptions(study: StudyRecord): string | undefined {
  if (prunerParams(study.pruner).length === 0) return undefined;
  const stored = storedPrunerOptions(study);
  const o = resolvePrunerOptions(study.pruner, stored ?? {}, `study '${study.name}' pruner options`);
  return `${describePrunerOptions(o)}${stored ? '' : " (Optuna's defaults: stored before the options were)"}`;
}

/** Importances of a stored study; its space was validated when the study was created. */
function studyImportances(study: StudyRecord, trials: FrozenTrial[]): ParamImportance[] {
  const space = storedSpace(study);
  return paramImportances(space, trials, study.direction);
}

function printImportances(ctx: CommandContext, rows: ParamImportance[]): void {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  ctx.print('');
  ctx.print("parameter importance (share of the complete trials' variation, each evaluator sums to 100%):");
  ctx.print(
    formatTable(rows, [
      { header: 'PARAM', value: (r) => r.param },
      { header: 'PED-ANOVA', value: (r) => pct(r.pedAnova), right: true },
      { header: 'FANOVA', value: (r) => pct(r.fanova), right: true },
    ]),
  );
}
