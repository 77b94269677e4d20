import type { JsonSchema } from '../shared/validate';
import { GATE_FIELDS } from './gates/gate-list';

/**
 * The JSON Schema of `.modelops/gates.json`, assembled from the gates' own field schemas
 * (registry/gates/). VS Code completes and checks the file with it
 * (`schemas/modelops.gates.schema.json`, registered in package.json; a unit test keeps that file
 * equal to this object). The CLI parses with the gates' parsers, which also refuse what a schema
 * cannot say (a threshold that contradicts what its metric means).
 */

/** One model's gates: every gate's fields. A pipeline file's inline `gates` is this too. */
export const GATE_SPEC_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(GATE_FIELDS.map(([name, field]) => [name, field.schema])),
};

export const GATES_FILE_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'ModelOps validation gates',
  description:
    'The gates a registered model version must pass to reach Staging (`modelops validate`, "ModelOps: Validate Version"): `default` for every model, `models` per registered model name, each entry merged field by field over `default`.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    default: { $ref: '#/definitions/gates' },
    models: { type: 'object', description: 'Gates per registered model name.', additionalProperties: { $ref: '#/definitions/gates' } },
  },
  definitions: { gates: GATE_SPEC_SCHEMA },
};
