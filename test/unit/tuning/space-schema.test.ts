import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_SPACE } from '../../../src/pipeline/tune-space';
import { checkDocument, formatPath } from '../../../src/shared/validate';
import { parseSearchSpace, SEARCH_SPACE, SPACE_FILE_SCHEMA } from '../../../src/tuning/distributions';
import { repoRoot } from '../../repo-paths';
import { assertSchemaAgrees } from '../schema-agreement';

const schemaSays = (doc: unknown): string[] => checkDocument(SPACE_FILE_SCHEMA, doc).map((p) => `${formatPath(p.path)}: ${p.message}`);
const parserSays = (doc: unknown): string[] => {
  try {
    parseSearchSpace(doc, 'space.json');
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
};

describe('the JSON Schema of a --space file', () => {
  test('schemas/modelops.space.schema.json is the search space check’s schema, and package.json registers it', () => {
    const file = JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'modelops.space.schema.json'), 'utf8')) as unknown;
    assert.deepEqual(file, JSON.parse(JSON.stringify(SPACE_FILE_SCHEMA)), 'regenerate it: npm run compile-tests && node scripts/write-schemas.mjs');
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
      contributes: { jsonValidation: { fileMatch: string[]; url: string }[] };
    };
    assert.deepEqual(pkg.contributes.jsonValidation.find((v) => v.url === './schemas/modelops.space.schema.json')?.fileMatch, [
      '*.modelops-space.json',
      'modelops.space.json',
    ]);
  });

  test('the schema and the parser accept and refuse the same spaces', () => {
    const accepted = [
      { $schema: './modelops.space.schema.json', 'rf.nEstimators': { type: 'int', low: 50, high: 300, step: 50 } },
      { lr: { type: 'float', low: 1e-4, high: 1, log: true }, 'knn.weights': ['uniform', 'distance'] },
      { 'rf.maxDepth': { type: 'categorical', choices: [null, 8, 'x', true] } },
      { a: { type: 'float', low: 0, high: 1, step: 0.25 } },
      ...Object.values(DEFAULT_SPACE),
    ];
    const refused = [
      [],
      {},
      { $schema: 3, a: [1, 2] },
      { a: { type: 'int', low: 1.5, high: 3 } },
      { a: { type: 'int', low: 1, high: 3, step: 0.5 } },
      { a: { type: 'float', low: 0, high: 1, step: 0 } },
      { a: { type: 'float', low: 0, high: 1, log: 'yes' } },
      { a: { type: 'float', low: 0 } },
      { a: { type: 'float', low: '0', high: 1 } },
      { a: { type: 'uniform', low: 0, high: 1 } },
      { a: { type: 'int', low: 0, high: 1, choices: [1] } },
      { a: { type: 'categorical', choices: [1, 2], low: 0 } },
      { a: { type: 'categorical', choices: [] } },
      { a: { type: 'categorical', choices: [1, 1] } },
      { a: { type: 'categorical', choices: [{ x: 1 }] } },
      { a: [] },
      { a: [[1]] },
      { a: 3 },
      { a: null },
    ];
    assertSchemaAgrees(schemaSays, parserSays, accepted, refused);
  });

  test('rules past the schema stay the parser’s, and SEARCH_SPACE is the parser with that schema', () => {
    // JSON Schema cannot compare two fields or forbid a pair: these pass the schema and the parser refuses them.
    for (const doc of [
      { a: { type: 'int', low: 5, high: 1 } },
      { a: { type: 'float', low: 0, high: 1, log: true } },
      { a: { type: 'float', low: 1, high: 2, log: true, step: 0.1 } },
    ]) {
      assert.deepEqual(schemaSays(doc), [], JSON.stringify(doc));
      assert.notDeepEqual(parserSays(doc), [], JSON.stringify(doc));
    }
    assert.deepEqual(SEARCH_SPACE({ $schema: 'x', a: [1, 2] }, 'space.json'), { a: { type: 'categorical', choices: [1, 2] } });
    assert.throws(() => SEARCH_SPACE({ a: { type: 'float', low: 0 } }, 'space.json'), /space\.json: a\.high/);
  });

  test('a schema problem names the parameter and its field', () => {
    assert.deepEqual(schemaSays({ 'knn.nNeighbors': { type: 'int', low: 'one', high: 30 } }), ['["knn.nNeighbors"].low: must be an integer (got "one")']);
  });
});
