// Writes the JSON Schemas VS Code checks the user's files with (`contributes.jsonValidation`) from
// the objects the CLI checks with: schemas/modelops.pipeline.schema.json from
// src/pipeline/retraining/pipeline-schema.ts, schemas/modelops.gates.schema.json from
// src/registry/gates-schema.ts (built from the gates themselves), schemas/modelops.params.schema.json
// from src/pipeline/params-schema.ts, schemas/modelops.space.schema.json from the search space's check
// (src/tuning/distributions.ts). Unit tests keep each file equal to its object;
// run after `npm run compile-tests`: node scripts/write-schemas.mjs
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const schemas = {
  'modelops.pipeline.schema.json': require('../out/src/pipeline/retraining/pipeline-schema.js').PIPELINE_SCHEMA,
  'modelops.gates.schema.json': require('../out/src/registry/gates-schema.js').GATES_FILE_SCHEMA,
  'modelops.params.schema.json': require('../out/src/pipeline/params-schema.js').PARAMS_FILE_SCHEMA,
  'modelops.space.schema.json': require('../out/src/tuning/distributions.js').SPACE_FILE_SCHEMA,
};
for (const [name, schema] of Object.entries(schemas)) {
  writeFileSync(new URL(`../schemas/${name}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`schemas/${name} written`);
}
