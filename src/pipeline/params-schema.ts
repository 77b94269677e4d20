import type { JsonSchema } from '../shared/validate';
import type { MemberType } from '../ml/estimators';
import { MEMBER_TYPES } from '../ml/estimators';
import { MEMBER_PARAMS } from '../ml/member-params';

/**
 * The JSON Schema of a `--params` file (train-options.ts's TrainParamsFile), built from the rules
 * the members' params are checked with (ml/member-params.ts). VS Code checks
 * `*.modelops-params.json` files with it (`schemas/modelops.params.schema.json`, registered in
 * package.json; a unit test keeps that file equal to this object). The mljs engine takes a subset
 * of these names; the CLI refuses the rest when `engine` is `mljs`.
 */
type Rule = (typeof MEMBER_PARAMS)[MemberType][string];

function ruleSchema(rule: Rule): JsonSchema {
  switch (rule.kind) {
    case 'int':
      return { type: rule.nullable ? ['integer', 'null'] : 'integer', minimum: rule.min, maximum: rule.max };
    case 'number':
      return { type: 'number', ...(rule.minExclusive ? { exclusiveMinimum: rule.min } : { minimum: rule.min }), maximum: rule.max };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { enum: rule.values };
    case 'maxFeatures':
      return {
        description: "'sqrt', 'log2', a fraction of the features in (0, 1], a whole number of features, or null (all).",
        anyOf: [{ enum: ['sqrt', 'log2', null] }, { type: 'number', exclusiveMinimum: 0, maximum: 1 }, { type: 'integer', minimum: 1, maximum: 100_000 }],
      };
  }
}

function memberParamsSchema(type: MemberType): JsonSchema {
  const rules = MEMBER_PARAMS[type];
  return {
    type: 'object',
    additionalProperties: false,
    description: `${type} parameters (camelCase).`,
    properties: Object.fromEntries(Object.entries(rules).map(([k, r]) => [k, ruleSchema(r)])),
  };
}

const engine: JsonSchema = { enum: ['modelops', 'mljs'], description: 'The estimators’ implementation (default modelops).' };

export const PARAMS_FILE_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'ModelOps training params',
  description: 'Member parameters and ensemble settings for `modelops train --params` (and a pipeline file’s `training.params.fixed`).',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    members: {
      type: 'array',
      minItems: 1,
      description: 'The ensemble’s members explicitly (instead of --models and the per-type params below).',
      items: {
        oneOf: MEMBER_TYPES.map((t) => ({
          title: `{"type": "${t}"}`,
          type: 'object',
          additionalProperties: false,
          required: ['type'],
          properties: { type: { const: t }, engine, params: memberParamsSchema(t) },
        })),
      },
    },
    engine,
    weights: {
      description: 'Soft-voting weights: equal (default), fit on validation rows, or one non-negative number per member.',
      anyOf: [{ enum: ['equal', 'fit'] }, { type: 'array', items: { type: 'number', minimum: 0 }, minItems: 1 }],
    },
    ...Object.fromEntries(MEMBER_TYPES.map((t) => [t, memberParamsSchema(t)])),
  },
};
