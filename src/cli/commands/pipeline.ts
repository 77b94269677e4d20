import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import { retrain } from '../../pipeline/retrain';
import { checkStoreFor } from '../../pipeline/store-checks';
import type { PipelineSpec } from '../../pipeline/retraining/pipeline-file';
import { findPipelineFile, PIPELINE_FILE_NAMES, readPipelineFile } from '../../pipeline/retraining/pipeline-file';
import { STEP_TITLES } from '../../pipeline/retraining/pipeline-report';
import type { PipelineEvent, PipelineResult } from '../../pipeline/retraining/run-pipeline';
import { runPipeline } from '../../pipeline/retraining/run-pipeline';
import type { CommandContext, CommandSpec, OptionSpec } from '../command';
import { oneOf } from '../option-values';
import { formatTable } from '../output';
import { actorOf, actorOption, stringOption } from './registry-context';

/**
 * `modelops pipeline run [file]` and its shorthand `modelops retrain`: the retraining pipeline for
 * CI. Exit codes: 0 promoted to Staging (or a dry run that passes), 3 data validation failed,
 * 4 the gates (or the inference test) failed, 1 bad input, 2 internal error.
 */
const STEP_NUMBER = { data_validation: 1, train: 2, validate: 3, inference_test: 4 } as const;

const common: Record<string, OptionSpec> = {
  'dry-run': { type: 'boolean', description: 'run the data checks (and resolve the params) and write nothing' },
  data: { type: 'string', value: '<file.csv>', description: 'new training data (replaces the file’s dataset)' },
  report: { type: 'string', value: '<file.md|.html|.json>', description: 'also write the report here' },
  ...actorOption,
};

function progress(ctx: CommandContext): (e: PipelineEvent) => void {
  let lastFraction = -1;
  return (e) => {
    const head = `[${STEP_NUMBER[e.step]}/4 ${STEP_TITLES[e.step].toLowerCase()}]`;
    if (e.kind === 'progress' && e.fraction !== undefined) {
      // Training reports often: a line per tenth is enough for a CI log.
      const tenth = Math.floor(e.fraction * 10);
      if (tenth === lastFraction) return;
      lastFraction = tenth;
    }
    ctx.io.stderr.write(`${head} ${e.kind === 'end' ? `${e.status}: ` : ''}${e.message}\n`);
  };
}

function print(ctx: CommandContext, r: PipelineResult): number {
  const rep = r.report;
  if (ctx.json) {
    ctx.printJson({ ...rep, ...(r.files ? { reportFiles: r.files } : {}) });
    return rep.exitCode;
  }
  ctx.print(
    formatTable(rep.steps, [
      { header: 'STEP', value: (s) => `${STEP_NUMBER[s.step]}. ${STEP_TITLES[s.step]}` },
      { header: 'STATUS', value: (s) => s.status.toUpperCase() },
      { header: 'RUN', value: (s) => s.runId ?? '' },
      { header: 'SUMMARY', value: (s) => s.summary, max: 100 },
    ]),
  );
  const problems = [...rep.dataValidation.checks, ...(rep.inference?.checks ?? [])].filter((c) => c.outcome === 'fail' || c.outcome === 'warn');
  for (const c of problems) ctx.print(`${c.outcome === 'fail' ? 'FAIL' : 'WARN'} ${c.test}${c.column ? ` (${c.column})` : ''}: ${c.message}`);
  for (const g of rep.validation?.gates.filter((x) => x.outcome === 'fail') ?? [])
    ctx.print(`FAIL gate ${g.name}: expected ${g.expected}, actual ${g.actual} — ${g.message}`);
  ctx.print(rep.summary);
  if (r.files) ctx.print(`report: ${r.files.markdown}\n        ${r.files.html}`);
  return rep.exitCode;
}

function writeReport(ctx: CommandContext, r: PipelineResult): void {
  const out = stringOption(ctx, 'report');
  if (!out) return;
  const path = resolve(ctx.io.cwd, out);
  const text = /\.html?$/i.test(path) ? r.html : /\.json$/i.test(path) ? `${JSON.stringify(r.report, null, 2)}\n` : r.markdown;
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--report: cannot write ${path} (${(e as Error).message})`, { location: path });
  }
}

function pipelineFile(ctx: CommandContext): string {
  const given = ctx.args[0];
  if (given) return resolve(ctx.io.cwd, given);
  const found = findPipelineFile(ctx.io.cwd);
  if (!found)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `no pipeline file given and none in ${ctx.io.cwd} (looked for ${PIPELINE_FILE_NAMES.join(', ')})`, {
      location: ctx.io.cwd,
    });
  return found;
}

async function runFile(ctx: CommandContext, file: string): Promise<number> {
  const spec: PipelineSpec = readPipelineFile(file);
  const data = stringOption(ctx, 'data');
  if (data) spec.dataset = resolve(ctx.io.cwd, data);
  const stores = await ctx.stores();
  // A server that cannot keep the registry or the new model's artifacts refuses before the data is even read.
  if (ctx.options['dry-run'] !== true) await checkStoreFor(stores, { what: 'pipeline run', write: true, registry: true, artifacts: {} });
  const r = await runPipeline({ tracking: stores.tracking, registry: stores.registry, studies: stores.studies }, spec, {
    actor: actorOf(ctx),
    workspace: ctx.io.cwd,
    dryRun: ctx.options['dry-run'] === true,
    signal: ctx.signal,
    onEvent: progress(ctx),
  });
  writeReport(ctx, r);
  return print(ctx, r);
}

export const pipelineRunCommand: CommandSpec = {
  path: ['pipeline', 'run'],
  loadsData: true,
  args: '[file]',
  summary: `run a retraining pipeline file (default ./${PIPELINE_FILE_NAMES[0]}): data validation and drift → train → validate → Staging → inference test; exit 0 Staging, 3 data invalid, 4 gates failed`,
  writes: true,
  options: common,
  run: (ctx) => runFile(ctx, pipelineFile(ctx)),
};

/** `modelops retrain`: a pipeline file (given, or found in the folder), or the defaults with --name and --data. */
export const retrainCommand: CommandSpec = {
  path: ['retrain'],
  loadsData: true,
  args: '[file]',
  summary: 'shorthand for pipeline run; without a file: --name m --data new.csv, every default (drift stops it)',
  writes: true,
  options: {
    name: { type: 'string', value: '<model>', description: 'registered model to retrain (without a pipeline file)' },
    target: { type: 'string', value: '<column>', description: 'target column (default: the model’s)' },
    holdout: { type: 'string', value: '<file.csv>', description: 'held-out data for the gates (default: the gates file’s data)' },
    'on-drift': { type: 'string', value: 'stop|warn', choices: ['stop', 'warn'], description: 'what drift against Production does (default stop)' },
    ...common,
  },
  async run(ctx) {
    const name = stringOption(ctx, 'name');
    if (!name) {
      if (ctx.args[0] || findPipelineFile(ctx.io.cwd)) return runFile(ctx, pipelineFile(ctx));
      throw new ModelOpsError(
        'INVALID_PARAMETER_VALUE',
        `retrain: give a pipeline file, or --name <model> and --data <file.csv> (no ${PIPELINE_FILE_NAMES[0]} in ${ctx.io.cwd})`,
        { location: 'name' },
      );
    }
    const onDrift = oneOf(ctx, 'on-drift', ['stop', 'warn'] as const);
    const target = stringOption(ctx, 'target');
    const holdout = stringOption(ctx, 'holdout');
    const stores = await ctx.stores();
    await checkStoreFor(stores, { what: 'retrain', write: true, registry: true, artifacts: {} });
    const r = await retrain(
      { tracking: stores.tracking, registry: stores.registry, studies: stores.studies },
      {
        name,
        data: stringOption(ctx, 'data', true, 'retrain'),
        actor: actorOf(ctx),
        workspace: ctx.io.cwd,
        dryRun: ctx.options['dry-run'] === true,
        signal: ctx.signal,
        onEvent: progress(ctx),
        ...(target ? { target } : {}),
        ...(holdout ? { holdout } : {}),
        ...(onDrift ? { onDrift } : {}),
      },
    );
    writeReport(ctx, r);
    return print(ctx, r);
  },
};

export const pipelineCommands: readonly CommandSpec[] = [pipelineRunCommand, retrainCommand];
