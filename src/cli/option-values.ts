import { ModelOpsError } from '../core/errors';
import type { DecimalMark } from '../ml/dataset/decimal';
import type { CommandContext, OptionSpec } from './command';

/** An integer option (≥ `min` when given), or undefined when absent. */
export function intOption(ctx: CommandContext, name: string, min = -Infinity): number | undefined {
  const raw = ctx.options[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--${name} must be an integer${min > -Infinity ? ` ≥ ${min}` : ''}, got '${String(raw)}'`, { location: name });
  }
  return n;
}

/** A string option restricted to `allowed`, or undefined when absent. */
export function oneOf<T extends string>(ctx: CommandContext, name: string, allowed: readonly T[]): T | undefined {
  const v = ctx.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--${name} must be one of ${allowed.join(', ')}, got '${String(v)}'`, { location: name });
  return v as T;
}

export const decimalOption: OptionSpec = { type: 'string', value: '<.|,>', description: "decimal mark of the CSV's numbers (default: detected; a ;-separated file with 5,1 reads as 5.1)" };

/** `--decimal`: `.` or `,`, else undefined (detect). */
export function decimalMark(ctx: CommandContext): DecimalMark | undefined {
  const v = ctx.options.decimal;
  if (v === undefined) return undefined;
  if (v === '.' || v === ',') return v;
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--decimal must be . or , (got '${String(v)}')`, { location: 'decimal' });
}
