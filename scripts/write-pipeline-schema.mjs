// Writes schemas/modelops.pipeline.schema.json from src/pipeline/retraining/pipeline-schema.ts (the
// one the CLI validates with), for VS Code's `contributes.jsonValidation`. A unit test keeps the two
// equal; run after `npm run compile-tests`: node scripts/write-pipeline-schema.mjs
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PIPELINE_SCHEMA } = require('../out/src/pipeline/retraining/pipeline-schema.js');
writeFileSync(new URL('../schemas/modelops.pipeline.schema.json', import.meta.url), `${JSON.stringify(PIPELINE_SCHEMA, null, 2)}\n`);
console.log('schemas/modelops.pipeline.schema.json written');
