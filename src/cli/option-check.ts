import { ModelOpsError } from '../core/errors';
import type { CommandSpec, OptionSpec, OptionValue } from './command';

/**
 * What a command's option spec declares — required, integer (with bounds) and choice options —
 * checked once here, before the command runs, with one wording for every command. Commands then
 * read the values as given (option-values.ts).
 */
export function checkOptionValues(command: CommandSpec, values: Record<string, OptionValue>): void {
  const where = command.path.join(' ');
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    const v = values[name];
    if (v === undefined || v === '') {
      if (spec.required)
        throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: --${name}${spec.value ? ` ${spec.value}` : ''} is required`, { location: name });
      continue;
    }
    for (const one of Array.isArray(v) ? v : [v]) checkOne(name, spec, one);
  }
}

function checkOne(name: string, spec: OptionSpec, v: string | boolean): void {
  if (typeof v !== 'string') return;
  if (spec.int) {
    const n = Number(v);
    const { min = -Infinity, max = Infinity } = spec.int;
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--${name} must be an integer${bounds(min, max)}, got '${v}'`, { location: name });
    }
  }
  if (spec.choices && !spec.choices.includes(v)) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `--${name} must be one of ${spec.choices.join(', ')}, got '${v}'`, { location: name });
  }
}

function bounds(min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return ` from ${min} to ${max}`;
  if (min > -Infinity) return ` ≥ ${min}`;
  return max < Infinity ? ` ≤ ${max}` : '';
}
