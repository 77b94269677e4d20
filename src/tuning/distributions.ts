import { ModelOpsError } from '../core/errors';
import type { ParamValue } from '../core/tuning';
import type { Check, JsonSchema } from '../shared/validate';
import { declared } from '../shared/validate';

export type { ParamValue } from '../core/tuning';

/**
 * Search-space distributions, as Optuna's: floats and ints (optionally log-scaled or stepped) and
 * categorical choices. A search space maps a parameter name (`rf.maxDepth`, `knn.nNeighbors`,
 * `weights`) to its distribution.
 */
export type Distribution =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: ParamValue[] };

export type SearchSpace = Record<string, Distribution>;

function fail(where: string, why: string): never {
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${where}: ${why}`, { location: where });
}

function parseOne(v: unknown, where: string): Distribution {
  // Shorthand: a list is a categorical choice.
  if (Array.isArray(v)) v = { type: 'categorical', choices: v };
  if (typeof v !== 'object' || v === null) fail(where, 'expected an object like {"type": "int", "low": 1, "high": 10} or a list of choices');
  const o = v as Record<string, unknown>;
  // A categorical takes only its choices, a range only its bounds, log and step (as the schema says).
  const known = new Set(o.type === 'categorical' ? ['type', 'choices'] : ['type', 'low', 'high', 'log', 'step']);
  for (const k of Object.keys(o)) if (!known.has(k)) fail(`${where}.${k}`, `unknown key (known: ${[...known].join(', ')})`);
  if (o.type === 'categorical') {
    const choices = o.choices;
    if (!Array.isArray(choices) || choices.length === 0) fail(`${where}.choices`, 'expected a non-empty list');
    for (const c of choices) {
      if (c !== null && typeof c !== 'number' && typeof c !== 'string' && typeof c !== 'boolean')
        fail(`${where}.choices`, `choices must be numbers, strings, booleans or null (got ${JSON.stringify(c)})`);
    }
    if (new Set(choices.map((c) => JSON.stringify(c))).size !== choices.length) fail(`${where}.choices`, 'choices must be distinct');
    return { type: 'categorical', choices: choices as ParamValue[] };
  }
  if (o.type !== 'int' && o.type !== 'float') fail(`${where}.type`, `expected "int", "float" or "categorical" (got ${JSON.stringify(o.type)})`);
  const low = o.low;
  const high = o.high;
  if (typeof low !== 'number' || !Number.isFinite(low)) fail(`${where}.low`, 'expected a finite number');
  if (typeof high !== 'number' || !Number.isFinite(high)) fail(`${where}.high`, 'expected a finite number');
  if (low > high) fail(where, `low (${low}) is greater than high (${high})`);
  const log = o.log === undefined ? false : o.log;
  if (typeof log !== 'boolean') fail(`${where}.log`, 'expected true or false');
  if (log && low <= 0) fail(`${where}.low`, `a log-scaled range needs low > 0 (got ${low})`);
  const step = o.step;
  if (step !== undefined && (typeof step !== 'number' || !(step > 0))) fail(`${where}.step`, 'expected a positive number');
  if (step !== undefined && log) fail(where, 'step and log cannot be combined (as in Optuna)');
  if (o.type === 'int') {
    if (!Number.isInteger(low) || !Number.isInteger(high)) fail(where, 'an int range needs integer low and high');
    if (step !== undefined && !Number.isInteger(step)) fail(`${where}.step`, 'an int step must be an integer');
    return { type: 'int', low, high, log, ...(step !== undefined ? { step } : {}) };
  }
  return { type: 'float', low, high, log, ...(step !== undefined ? { step } : {}) };
}

/** Validates a search space read from JSON; errors name the file and the parameter. */
export function parseSearchSpace(v: unknown, where: string): SearchSpace {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'expected a JSON object mapping parameter names to distributions');
  // Param names come from files (an Optuna study's too): fromEntries defines each one, so `__proto__` is a param, not the prototype.
  const entries: [string, Distribution][] = [];
  for (const [name, d] of Object.entries(v)) {
    // A file may name its schema for the editor; it is no parameter.
    if (name === '$schema') {
      if (typeof d !== 'string') fail(`${where}: $schema`, 'expected a string');
      continue;
    }
    entries.push([name, parseOne(d, `${where}: ${name}`)]);
  }
  const out: SearchSpace = Object.fromEntries(entries);
  if (Object.keys(out).length === 0) fail(where, 'the search space is empty');
  return out;
}

export function isNumeric(d: Distribution): d is Extract<Distribution, { type: 'int' | 'float' }> {
  return d.type !== 'categorical';
}

/** Snaps a number onto the distribution's grid (int rounding, step) and into its range. */
export function snap(d: Extract<Distribution, { type: 'int' | 'float' }>, x: number): number {
  let v = x;
  if (d.step !== undefined) v = d.low + Math.round((v - d.low) / d.step) * d.step;
  if (d.type === 'int') v = Math.round(v);
  // Float steps accumulate rounding: keep the decimals the step has.
  if (d.type === 'float' && d.step !== undefined) v = Number(v.toPrecision(12));
  const top = d.step !== undefined ? d.low + Math.floor((d.high - d.low) / d.step + 1e-9) * d.step : d.high;
  return Math.min(top, Math.max(d.low, v));
}

export function contains(d: Distribution, v: ParamValue): boolean {
  if (d.type === 'categorical') return d.choices.some((c) => c === v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (v < d.low - 1e-12 || v > d.high + 1e-12) return false;
  if (d.type === 'int' && !Number.isInteger(v)) return false;
  return true;
}

/** Every value of a finite distribution (categorical, int, stepped float), for the grid sampler. */
export function gridValues(d: Distribution, where: string): ParamValue[] {
  if (d.type === 'categorical') return d.choices;
  const step = d.step ?? (d.type === 'int' ? 1 : undefined);
  if (step === undefined) fail(where, 'the grid sampler needs choices, an int range or a float step');
  const n = Math.floor((d.high - d.low) / step + 1e-9) + 1;
  if (n > 10_000) fail(where, `${n} grid values; give a larger step`);
  return Array.from({ length: n }, (_, i) => snap(d, d.low + i * step));
}

const CHOICES: JsonSchema = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  description: 'Distinct numbers, strings, booleans or null.',
  items: { type: ['number', 'string', 'boolean', 'null'] },
};

function rangeSchema(type: 'int' | 'float'): JsonSchema {
  const bound: JsonSchema = { type: type === 'int' ? 'integer' : 'number' };
  return {
    title: `{"type": "${type}", "low": …, "high": …}`,
    type: 'object',
    additionalProperties: false,
    required: ['type', 'low', 'high'],
    properties: {
      type: { const: type },
      low: { ...bound, description: 'The smallest value (> 0 with log).' },
      high: { ...bound, description: 'The largest value (≥ low).' },
      log: { type: 'boolean', description: 'Sample on a log scale (not with step).' },
      step:
        type === 'int'
          ? { type: 'integer', minimum: 1, description: 'The grid step.' }
          : { type: 'number', exclusiveMinimum: 0, description: 'The grid step.' },
    },
  };
}

/**
 * The search space as one check: `parseSearchSpace` with the JSON Schema of the `--space` file
 * (`schemas/modelops.space.schema.json`). The schema says each distribution's shape; the rules it
 * cannot say (low ≤ high, a log range above 0, no step with log) are the parser's, and
 * test/unit/tuning/space-schema.test.ts keeps the two refusing the same documents otherwise.
 */
export const SEARCH_SPACE: Check<SearchSpace> = declared(
  {
    type: 'object',
    minProperties: 1,
    properties: { $schema: { type: 'string' } },
    additionalProperties: {
      description: "A distribution (Optuna's): an int or float range, a categorical, or a list of choices.",
      oneOf: [
        { title: 'a list of choices', ...CHOICES },
        {
          title: '{"type": "categorical", "choices": […]}',
          type: 'object',
          additionalProperties: false,
          required: ['type', 'choices'],
          properties: { type: { const: 'categorical' }, choices: CHOICES },
        },
        rangeSchema('int'),
        rangeSchema('float'),
      ],
    },
  },
  parseSearchSpace,
);

/** The `--space` file's JSON Schema, as VS Code checks `*.modelops-space.json` with it. */
export const SPACE_FILE_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'ModelOps search space',
  description: 'What `modelops tune --space` searches: parameter names (`<member>.<param>`, `weights`, `engine`) mapped to distributions.',
  ...SEARCH_SPACE.schema,
};
