import { strict as assert } from 'node:assert';

/**
 * A JSON Schema and the code's own parser agree: every `accepted` document passes both, every
 * `refused` one fails both (each `…Says` returns its problems, none for a good document).
 */
export function assertSchemaAgrees(
  schemaSays: (doc: unknown) => string[],
  parserSays: (doc: unknown) => string[],
  accepted: readonly unknown[],
  refused: readonly unknown[],
): void {
  for (const doc of accepted) {
    assert.deepEqual(schemaSays(doc), [], JSON.stringify(doc));
    assert.deepEqual(parserSays(doc), [], JSON.stringify(doc));
  }
  for (const doc of refused) {
    assert.notDeepEqual(schemaSays(doc), [], `the schema accepts ${JSON.stringify(doc)}`);
    assert.notDeepEqual(parserSays(doc), [], `the parser accepts ${JSON.stringify(doc)}`);
  }
}
