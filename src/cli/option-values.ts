import { ModelOpsError } from '../core/errors';
import type { DecimalMark } from '../ml/dataset/decimal';
import type { CommandContext, OptionSpec } from './command';

// The runner checks every option against its spec (option-check.ts) before a command runs; these
// read the checked values. A reader that finds a value its spec cannot have let through is a bug.

/** An integer option (its spec declares `int`), or undefined when absent. */
export function intOption(ctx: CommandContext, name: string): number | undefined {
  const raw = ctx.options[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n))
    throw new ModelOpsError('INTERNAL_ERROR', `--${name} is read as an integer, but its option spec declares no int`, { location: name });
  return n;
}

/** A choice option (its spec declares `choices: allowed`), or undefined when absent. */
export function oneOf<T extends string>(ctx: CommandContext, name: string, allowed: readonly T[]): T | undefined {
  const v = ctx.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T))
    throw new ModelOpsError('INTERNAL_ERROR', `--${name} is read as one of ${allowed.join(', ')}, but its option spec declares other choices`, {
      location: name,
    });
  return v as T;
}

/** A required string option (its spec declares `required`). */
export function requiredString(ctx: CommandContext, name: string): string {
  const v = ctx.options[name];
  if (typeof v !== 'string' || v === '')
    throw new ModelOpsError('INTERNAL_ERROR', `--${name} is read as required, but its option spec does not say so`, { location: name });
  return v;
}

/** `--task`'s choices. */
export const TASKS = ['classification', 'regression'] as const;

export const decimalOption: OptionSpec = {
  type: 'string',
  value: '<.|,>',
  choices: ['.', ','],
  description: "decimal mark of the CSV's numbers (default: detected; a ;-separated file with 5,1 reads as 5.1)",
};

/** `--decimal`: `.` or `,`, else undefined (detect). */
export function decimalMark(ctx: CommandContext): DecimalMark | undefined {
  return oneOf(ctx, 'decimal', ['.', ','] as const);
}
