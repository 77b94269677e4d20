import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatPath, SchemaChecker } from '../../../src/shared/validate';
import { PARAMS_FILE_SCHEMA } from '../../../src/pipeline/params-schema';
import { readParamsFile, resolveMembers } from '../../../src/pipeline/train-options';
import { repoRoot } from '../../repo-paths';
import { assertSchemaAgrees } from '../schema-agreement';

const checker = new SchemaChecker(PARAMS_FILE_SCHEMA);
const schemaSays = (doc: unknown): string[] => checker.check(doc).map((p) => `${formatPath(p.path)}: ${p.message}`);

describe('the JSON Schema of a --params file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modelops-params-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const parserSays = (doc: unknown): string[] => {
    const file = join(dir, `p${n++}.json`);
    writeFileSync(file, JSON.stringify(doc));
    try {
      resolveMembers('rf,knn,tree,dummy', readParamsFile(file), file);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  };

  test('schemas/modelops.params.schema.json is the schema built from the members’ rules, and package.json registers it', () => {
    const file = JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'modelops.params.schema.json'), 'utf8')) as unknown;
    assert.deepEqual(file, JSON.parse(JSON.stringify(PARAMS_FILE_SCHEMA)), 'regenerate it: npm run compile-tests && node scripts/write-schemas.mjs');
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
      contributes: { jsonValidation: { fileMatch: string[]; url: string }[] };
    };
    assert.deepEqual(pkg.contributes.jsonValidation.find((v) => v.url === './schemas/modelops.params.schema.json')?.fileMatch, [
      '*.modelops-params.json',
      'modelops.params.json',
    ]);
  });

  test('the schema and the CLI accept and refuse the same member params', () => {
    const accepted = [
      {},
      {
        $schema: './modelops.params.schema.json',
        rf: { nEstimators: 200, maxFeatures: 'sqrt', maxDepth: null },
        knn: { nNeighbors: 7, weights: 'distance' },
        weights: 'fit',
      },
      { rf: { maxFeatures: 0.5, bootstrap: false }, tree: { minSamplesSplit: 4 }, dummy: {}, engine: 'modelops' },
      { members: [{ type: 'rf', params: { nEstimators: 10, maxFeatures: 3 } }, { type: 'knn' }] },
    ];
    const refused = [
      { forest: {} },
      { rf: { n_estimators: 200 } },
      { rf: { nEstimators: 0 } },
      { rf: { nEstimators: 1.5 } },
      { rf: { maxFeatures: 'half' } },
      { rf: { maxDepth: 0 } },
      { knn: { weights: 'inverse' } },
      { knn: { standardize: 'yes' } },
      { tree: { minSamplesSplit: 1 } },
      { dummy: { strategy: 'prior' } },
      { members: [{ type: 'rf', params: { nEstimators: 1e9 } }] },
    ];
    assertSchemaAgrees(schemaSays, parserSays, accepted, refused);
  });
});
