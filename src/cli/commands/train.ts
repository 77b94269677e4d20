import type { TrainProgress, TrainResult } from '../../pipeline/train';
import { checkStoreFor } from '../../pipeline/store-checks';
import { train } from '../../pipeline/train';
import { DEFAULT_GATES_PATH, gatesFor, loadGatesFile } from '../../registry/gates-config';
import type { CommandSpec } from '../command';
import { decimalMark, decimalOption, intOption, oneOf, requiredString, TASKS } from '../option-values';
import { formatNumber, formatTable } from '../output';
import { printRegistration, registerAfterTraining } from './register';
import { baselineSentence } from '../../pipeline/train-baseline';
import { compareMetricKeys, isBetter, metricMeaning } from '../../core/metric-meaning';

/** Each score with its spread over the folds and the baseline's value on the same folds (metric-meaning.ts decides which is which). */
function summaryTable(result: TrainResult): string {
  const keys = Object.keys(result.metrics)
    .filter((k) => ['score', 'member'].includes(metricMeaning(k).kind))
    .sort(compareMetricKeys);
  const rows = keys.map((k) => ({
    k,
    mean: result.metrics[k],
    std: result.metrics[`${k}_std`],
    base: result.baselineMetrics[k],
    run: result.baseline?.metrics[k],
  }));
  const better = (r: (typeof rows)[number]): string => {
    if (r.base === undefined || r.mean === undefined || metricMeaning(r.k).direction === undefined) return '';
    return isBetter(r.k, r.mean, r.base) ? '' : ' (not better)';
  };
  return formatTable(rows, [
    { header: 'METRIC', value: (r) => r.k },
    { header: 'MEAN', value: (r) => formatNumber(r.mean), right: true },
    { header: 'STD', value: (r) => (r.std === undefined ? '' : formatNumber(r.std)), right: true },
    { header: 'BASELINE', value: (r) => (r.base === undefined ? '' : `${formatNumber(r.base)}${better(r)}`), right: true },
    ...(result.baseline
      ? [{ header: 'BASELINE RUN', value: (r: (typeof rows)[number]) => (r.run === undefined ? '' : formatNumber(r.run)), right: true }]
      : []),
  ]);
}

/** `modelops train`: cross-validated ensemble training logged as one run. */
export const trainCommand: CommandSpec = {
  path: ['train'],
  loadsData: true,
  summary: 'train an ensemble (random forest + kNN) on a CSV file and log it as a run',
  writes: true,
  options: {
    data: { type: 'string', value: '<file.csv>', required: true, description: 'training data (CSV with a header row)' },
    target: { type: 'string', value: '<column>', required: true, description: 'column to predict' },
    experiment: { type: 'string', short: 'e', value: '<name>', description: 'experiment name (created if missing; default: Default)' },
    models: { type: 'string', value: '<rf,knn,...>', description: 'ensemble members: rf, knn, tree, dummy (default rf,knn)' },
    cv: { type: 'string', value: '<k>', int: { min: 0, max: 100 }, description: 'cross-validation folds (default 5; 0 = one 80/20 split)' },
    seed: { type: 'string', value: '<n>', int: {}, description: 'random seed (default 42)' },
    params: { type: 'string', value: '<file.json>', description: 'member parameters, e.g. {"rf": {"nEstimators": 200}, "weights": "fit"}' },
    baseline: { type: 'boolean', description: 'also log a majority-class / mean baseline run' },
    'run-name': { type: 'string', value: '<name>', description: 'run name (default: generated)' },
    task: { type: 'string', value: '<classification|regression>', choices: TASKS, description: 'force the task (default: inferred from the target)' },
    delimiter: { type: 'string', value: '<char>', description: 'CSV delimiter (default: detected)' },
    decimal: decimalOption,
    strict: { type: 'boolean', description: 'fail on a non-numeric cell in a numeric column instead of treating it as missing' },
    exclude: { type: 'string', value: '<col,...>', description: 'columns to leave out' },
    threads: { type: 'string', value: '<n>', int: { min: 1 }, description: 'worker threads for the forest (default: all cores for large data)' },
    register: { type: 'string', value: '<model>', description: 'register the model as a new version of <model> and validate it (pass → Staging)' },
    force: { type: 'boolean', description: "with --register: register even when the target or input columns differ from <model>'s versions" },
  },
  async run(ctx) {
    const data = requiredString(ctx, 'data');
    const target = requiredString(ctx, 'target');
    const task = oneOf(ctx, 'task', TASKS);
    const { resolve } = await import('node:path');
    const abs = (p: string): string => resolve(ctx.io.cwd, p);
    const register = typeof ctx.options.register === 'string' ? ctx.options.register : undefined;
    const experiment = typeof ctx.options.experiment === 'string' ? ctx.options.experiment : undefined;
    // Refused before training, not after: a registry the server lacks, artifacts it keeps out of reach, bad gates.
    await checkStoreFor(await ctx.stores(), {
      what: register ? 'train --register' : 'train',
      write: true,
      registry: register !== undefined,
      artifacts: { ...(experiment ? { experiment } : {}) },
    });
    if (register) gatesFor(loadGatesFile(resolve(ctx.io.cwd, DEFAULT_GATES_PATH)), register);
    const store = await ctx.trackingStore();
    let last = '';
    const result = await train(store, {
      data: abs(data),
      target,
      experiment: typeof ctx.options.experiment === 'string' ? ctx.options.experiment : undefined,
      models: typeof ctx.options.models === 'string' ? ctx.options.models : undefined,
      cv: intOption(ctx, 'cv'),
      seed: intOption(ctx, 'seed'),
      params: typeof ctx.options.params === 'string' ? abs(ctx.options.params) : undefined,
      baseline: ctx.options.baseline === true,
      runName: typeof ctx.options['run-name'] === 'string' ? ctx.options['run-name'] : undefined,
      task,
      delimiter: typeof ctx.options.delimiter === 'string' ? ctx.options.delimiter : undefined,
      decimal: decimalMark(ctx),
      strict: ctx.options.strict === true,
      exclude: typeof ctx.options.exclude === 'string' ? ctx.options.exclude.split(',').map((s) => s.trim()) : undefined,
      threads: intOption(ctx, 'threads'),
      workspace: ctx.io.cwd,
      signal: ctx.signal,
      onProgress: (p: TrainProgress) => {
        // One line per step; the per-tree counters "(12/100)" are not worth a line each.
        const step = p.message.replace(/ \(\d+\/\d+\)$/, '');
        if (step !== last) ctx.io.stderr.write(`[${String(Math.round(p.fraction * 100)).padStart(3)}%] ${step}\n`);
        last = step;
      },
    });
    for (const w of result.warnings) ctx.io.stderr.write(`warning: ${w}\n`);
    const registered = typeof ctx.options.register === 'string' ? await registerAfterTraining(ctx, result.runId, ctx.options.register) : undefined;
    if (ctx.json) {
      ctx.printJson(registered ? { ...result, registered } : result);
      return registered?.validation?.report.passed === false ? 1 : 0;
    }
    ctx.print(`run ${result.runId} (experiment ${result.experimentId}, ${result.task})`);
    ctx.print(summaryTable(result));
    if (result.baselineComparison)
      ctx.print(
        `against the ${result.task === 'classification' ? 'majority-class' : 'mean'} baseline: ${baselineSentence(result.baselineComparison)} (${result.baselineComparison.metric}: ${result.baselineComparison.reason})`,
      );
    if (result.baseline) ctx.print(`baseline run ${result.baseline.runId}`);
    return registered ? printRegistration(ctx, registered) : 0;
  },
};
