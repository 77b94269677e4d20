import { resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import { importOptunaStudy } from '../../pipeline/study-import';
import type { ResumeWith } from '../../pipeline/study-import';
import { checkStoreFor } from '../../pipeline/store-checks';
import { choicesHelp, choicesPlaceholder, DEFAULT_PRUNER, DEFAULT_SAMPLER, PRUNER_NAMES, PRUNERS, SAMPLER_NAMES, SAMPLERS } from '../../tuning/catalogue';
import type { CommandContext, CommandSpec } from '../command';
import { intOption, oneOf, requiredString, TASKS } from '../option-values';

const text = (ctx: CommandContext, name: string): string | undefined => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);

function resumeOptions(ctx: CommandContext): ResumeWith | undefined {
  const data = text(ctx, 'data');
  const target = text(ctx, 'target');
  if (data === undefined && target === undefined) {
    for (const o of ['models', 'cv', 'seed', 'metric', 'task'])
      if (ctx.options[o] !== undefined)
        throw new ModelOpsError('INVALID_PARAMETER_VALUE', `studies import: --${o} describes the data to resume on; give --data and --target with it`, {
          location: o,
        });
    return undefined;
  }
  if (data === undefined || target === undefined)
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      'studies import: --data and --target go together (the data the study scored, to resume it with modelops tune)',
      { location: data === undefined ? 'data' : 'target' },
    );
  const cv = intOption(ctx, 'cv');
  const seed = intOption(ctx, 'seed');
  const metric = text(ctx, 'metric');
  const models = text(ctx, 'models');
  const task = oneOf(ctx, 'task', TASKS);
  return {
    data: resolve(ctx.io.cwd, data),
    target,
    ...(models ? { models } : {}),
    ...(cv !== undefined ? { cv } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(metric ? { metric } : {}),
    ...(task ? { task } : {}),
  };
}

/** `modelops studies import --optuna <file>`: copies an Optuna study into the workspace store. */
export const studiesImportCommand: CommandSpec = {
  path: ['studies', 'import'],
  summary: 'copy a study of an Optuna storage file (SQLite) into the workspace; with --data/--target modelops tune resumes it',
  writes: true,
  options: {
    optuna: {
      type: 'string',
      value: '<file.db>',
      required: true,
      description: 'the Optuna RDB storage file (optuna.create_study(storage="sqlite:///<file.db>")); only read',
    },
    study: { type: 'string', value: '<name>', description: 'the study in the file (needed when it has several)' },
    as: { type: 'string', value: '<name>', description: 'its name in the workspace (default: the Optuna study name)' },
    experiment: { type: 'string', short: 'e', value: '<name>', description: 'experiment of the study run (default: Default)' },
    sampler: {
      type: 'string',
      value: choicesPlaceholder(SAMPLERS),
      choices: SAMPLER_NAMES,
      description: `what a resumed modelops tune samples with — ${choicesHelp(SAMPLERS, DEFAULT_SAMPLER)}`,
    },
    pruner: {
      type: 'string',
      value: choicesPlaceholder(PRUNERS),
      choices: PRUNER_NAMES,
      description: `what a resumed modelops tune prunes with — ${choicesHelp(PRUNERS, DEFAULT_PRUNER)}`,
    },
    data: {
      type: 'string',
      value: '<file.csv>',
      description:
        "the data the study's objective scored (with --target: resumable by modelops tune; its params must be ensemble params such as rf.nEstimators)",
    },
    target: { type: 'string', value: '<column>', description: 'column the study predicted' },
    models: { type: 'string', value: '<rf,knn,...>', description: 'ensemble members the params tune (default rf,knn)' },
    cv: { type: 'string', value: '<k>', int: { min: 0 }, description: 'folds per trial when resumed (default 3)' },
    seed: { type: 'string', value: '<n>', int: { min: 0 }, description: 'seed when resumed (default 42)' },
    metric: { type: 'string', value: '<name>', description: 'the metric the Optuna value is (default accuracy, or r2 for regression)' },
    task: { type: 'string', value: '<classification|regression>', choices: TASKS, description: 'force the task (default: inferred)' },
  },
  async run(ctx) {
    const file = requiredString(ctx, 'optuna');
    const resume = resumeOptions(ctx);
    const experiment = text(ctx, 'experiment');
    await checkStoreFor(await ctx.stores(), { what: 'studies import', write: true, artifacts: { ...(experiment !== undefined ? { experiment } : {}) } });
    const stores = await ctx.stores();
    const result = await importOptunaStudy(stores.tracking, stores.studies, {
      file: resolve(ctx.io.cwd, file),
      ...(text(ctx, 'study') !== undefined ? { study: text(ctx, 'study') } : {}),
      ...(text(ctx, 'as') !== undefined ? { as: text(ctx, 'as') } : {}),
      ...(experiment !== undefined ? { experiment } : {}),
      sampler: oneOf(ctx, 'sampler', SAMPLER_NAMES),
      pruner: oneOf(ctx, 'pruner', PRUNER_NAMES),
      ...(resume ? { resume } : {}),
      onProgress: (m) => ctx.io.stderr.write(`${m}\n`),
    });
    if (ctx.json) return ctx.printJson(result);
    const counts =
      Object.entries(result.counts)
        .map(([s, n]) => `${n} ${s.toLowerCase()}`)
        .join(', ') || 'no trials';
    ctx.print(
      `imported study ${result.study} from ${result.from.file} (Optuna ${result.from.optunaVersion}, study ${result.from.study}): ${counts}${result.skippedWaiting ? `; ${result.skippedWaiting} waiting (never started) not copied` : ''}; run ${result.runId}`,
    );
    if (result.runningAsFailed > 0)
      ctx.print(
        `${result.runningAsFailed} trial(s) running in the file were copied as failed (this copy does not follow the file; the study panel's Open Optuna Study File… does)`,
      );
    ctx.print(
      result.resumeCommand
        ? `resume it with our samplers: ${result.resumeCommand}`
        : 'to resume it with modelops tune, import it again with --data <file.csv> --target <column> (its params must be ensemble params); meanwhile: modelops studies show ' +
            result.study,
    );
  },
};
