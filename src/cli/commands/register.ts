import { ModelOpsError } from '../../core/errors';
import type { RegisterResult } from '../../pipeline/register';
import { registerModel } from '../../pipeline/register';
import type { ValidateResult } from '../../pipeline/validate';
import { validateModelVersion } from '../../pipeline/validate';
import type { CommandContext, CommandSpec, OptionSpec } from '../command';
import { requiredString } from '../option-values';
import { actorOf, actorOption, gateTable, registryStores, stringOption } from './registry-context';

/** `modelops register` and `modelops validate`: registration, then the validation gates. */

export const validationOptions: Record<string, OptionSpec> = {
  gates: { type: 'string', value: '<file.json>', description: 'gates file (default .modelops/gates.json)' },
  data: { type: 'string', value: '<holdout.csv>', description: 'held-out data to score the candidate and Production on (overrides the gates file)' },
};

function validationSettings(ctx: CommandContext): { workspace: string; signal: AbortSignal; gatesPath?: string; data?: string } {
  const gates = stringOption(ctx, 'gates');
  const data = stringOption(ctx, 'data');
  return { workspace: ctx.io.cwd, signal: ctx.signal, ...(gates ? { gatesPath: gates } : {}), ...(data ? { data } : {}) };
}

/** Prints a validation result; exit code 1 when a gate failed, so CI can stop on it. */
export function printValidation(ctx: CommandContext, v: ValidateResult): number {
  const r = v.report;
  ctx.print(`validation of ${r.name} version ${r.version}: ${r.passed ? 'PASSED' : 'FAILED'} — ${r.fromStage} → ${r.toStage}`);
  ctx.print(r.baseline ? `compared with Production version ${r.baseline.version}` : 'no Production version to compare with');
  if (r.data) ctx.print(`held-out data: ${r.data.path} (${r.data.rows} rows)`);
  ctx.print(gateTable(r));
  for (const g of r.gates.filter((x) => x.outcome === 'fail')) ctx.print(`  FAIL ${g.name}: ${g.message}`);
  ctx.print(`report ${r.reportId}${v.artifacts.length ? ` (logged as ${v.artifacts.join(', ')})` : ''}`);
  return r.passed ? 0 : 1;
}

export const registerCommand: CommandSpec = {
  path: ['register'],
  summary: "register a run's model as a new version, then validate it (pass → Staging)",
  writes: true,
  options: {
    run: { type: 'string', value: '<run-id>', required: true, description: 'the run whose model to register' },
    name: { type: 'string', value: '<model>', required: true, description: 'registered model name (created on first use)' },
    'artifact-path': { type: 'string', value: '<path>', description: "the model's path in the run's artifacts (default model)" },
    description: { type: 'string', value: '<text>', description: 'version description' },
    'no-validate': { type: 'boolean', description: 'register only; validate later with modelops validate' },
    force: { type: 'boolean', description: "register even when the run's target or input columns differ from the model's versions" },
    ...validationOptions,
    ...actorOption,
  },
  async run(ctx) {
    const runId = requiredString(ctx, 'run');
    const name = requiredString(ctx, 'name');
    const stores = await registryStores(ctx);
    const artifactPath = stringOption(ctx, 'artifact-path');
    const description = stringOption(ctx, 'description');
    const result = await registerModel(stores, {
      runId,
      name,
      actor: actorOf(ctx),
      validate: ctx.options['no-validate'] !== true,
      force: ctx.options.force === true,
      validation: validationSettings(ctx),
      ...(artifactPath ? { artifactPath } : {}),
      ...(description ? { description } : {}),
    });
    if (ctx.json) {
      ctx.printJson(result);
      return result.validation && !result.validation.report.passed ? 1 : 0;
    }
    ctx.print(`registered ${name} version ${result.version.version} from runs:/${runId}/${artifactPath ?? 'model'}`);
    return result.validation ? printValidation(ctx, result.validation) : 0;
  },
};

export const validateCommand: CommandSpec = {
  path: ['validate'],
  loadsData: true,
  summary: 'run the validation gates on a version (default: the newest unvalidated one); pass → Staging',
  writes: true,
  options: {
    name: { type: 'string', value: '<model>', description: 'registered model (default: the only one in the store)' },
    version: { type: 'string', value: '<n>', description: 'version to validate (default: newest unvalidated version in None)' },
    ...validationOptions,
    ...actorOption,
  },
  async run(ctx) {
    const stores = await registryStores(ctx);
    let name = stringOption(ctx, 'name');
    if (!name) {
      const models = (await stores.registry.searchRegisteredModels({ maxResults: 2 })).items;
      if (models.length !== 1) {
        throw new ModelOpsError(
          'INVALID_PARAMETER_VALUE',
          models.length === 0 ? 'validate: no registered models yet' : 'validate: several registered models; give --name',
          {
            location: 'name',
          },
        );
      }
      name = models[0]!.name;
    }
    const version = stringOption(ctx, 'version');
    const result = await validateModelVersion(stores, { name, actor: actorOf(ctx), ...validationSettings(ctx), ...(version ? { version } : {}) });
    if (ctx.json) {
      ctx.printJson(result);
      return result.report.passed ? 0 : 1;
    }
    return printValidation(ctx, result);
  },
};

/** The `modelops train ... --register <name>` hook: register the new run's model and validate it at once. */
export async function registerAfterTraining(ctx: CommandContext, runId: string, name: string): Promise<RegisterResult> {
  // Not validationSettings(): train's --data is the training file, never the held-out data.
  return registerModel(await registryStores(ctx), {
    runId,
    name,
    actor: actorOf(ctx),
    force: ctx.options.force === true,
    validation: { workspace: ctx.io.cwd, signal: ctx.signal },
  });
}

/** Prints what `--register` did; exit code 1 when the new version failed validation (it stays in None). */
export function printRegistration(ctx: CommandContext, r: RegisterResult): number {
  ctx.print(`registered ${r.version.name} version ${r.version.version} from runs:/${r.version.runId}/model`);
  return r.validation ? printValidation(ctx, r.validation) : 0;
}
