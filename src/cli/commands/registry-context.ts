import { ModelOpsError } from '../../core/errors';
import type { ModelUri } from '../../core/model-uri';
import { modelUriFromOptions } from '../../core/model-uri';
import type { ModelVersion } from '../../core/registry';
import type { Stores } from '../../pipeline/model-resolve';
import { defaultActor } from '../../registry/actor';
import type { ValidationReport } from '../../registry/report';
import type { CommandContext, OptionSpec } from '../command';
import { formatTable } from '../output';

/** Shared by the registry commands: one store database for tracking and registry, the actor, option readers. */

export async function registryStores(ctx: CommandContext): Promise<Stores> {
  const stores = await ctx.stores();
  return { tracking: stores.tracking, registry: stores.registry };
}

export const actorOption: Record<string, OptionSpec> = {
  actor: { type: 'string', value: '<name>', description: 'who acts, for the audit trail (default $MODELOPS_ACTOR or the OS user)' },
};

export function actorOf(ctx: CommandContext): string {
  const a = ctx.options.actor;
  return typeof a === 'string' && a.trim() !== '' ? a.trim() : defaultActor(ctx.io.env);
}

export function stringOption(ctx: CommandContext, name: string, required: true, command: string): string;
export function stringOption(ctx: CommandContext, name: string, required?: false, command?: string): string | undefined;
export function stringOption(ctx: CommandContext, name: string, required = false, command = ''): string | undefined {
  const v = ctx.options[name];
  if (typeof v === 'string' && v !== '') return v;
  if (required) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${command}: --${name} is required`, { location: name });
  return undefined;
}

export function versionTable(versions: readonly ModelVersion[]): string {
  return formatTable(versions, [
    { header: 'VERSION', value: (v) => v.version, right: true },
    { header: 'STAGE', value: (v) => v.currentStage },
    { header: 'ALIASES', value: (v) => v.aliases.join(',') },
    { header: 'RUN', value: (v) => v.runId },
    {
      header: 'CREATED',
      value: (v) =>
        new Date(v.creationTimestamp)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z'),
    },
    { header: 'DESCRIPTION', value: (v) => v.description, max: 40 },
  ]);
}

export function gateTable(report: ValidationReport): string {
  return formatTable(report.gates, [
    { header: 'GATE', value: (g) => g.name, max: 48 },
    { header: 'EXPECTED', value: (g) => g.expected, max: 44 },
    { header: 'ACTUAL', value: (g) => g.actual, max: 24 },
    { header: 'RESULT', value: (g) => g.outcome.toUpperCase() },
  ]);
}

/** The model a command acts on: --model <uri>, or --name with --stage, --version or --alias (predict, serve). */
export function modelUriOption(ctx: CommandContext): ModelUri {
  const parts = Object.fromEntries(
    (['model', 'name', 'stage', 'version', 'alias'] as const).flatMap((k) => {
      const v = stringOption(ctx, k);
      return v ? [[k, v]] : [];
    }),
  );
  return modelUriFromOptions(parts);
}
