import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { parseFilter } from '../../../../src/store/search/filter-parser';

test('a filter of 2,000 conditions, or longer than 20,000 characters, gets a clear error instead of a crash', () => {
  const long = Array.from({ length: 2000 }, (_, i) => `metrics.m${i} > 0`).join(' AND ');
  assert.throws(
    () => parseFilter(long),
    (e: unknown) => e instanceof ModelOpsError && /characters long; at most 20000 are read/.test(e.message),
  );
  const many = Array.from({ length: 300 }, (_, i) => `metrics.m${i} > 0`).join(' AND ');
  assert.throws(
    () => parseFilter(many),
    (e: unknown) => e instanceof ModelOpsError && /more than 200 conditions/.test(e.message),
  );
  assert.equal(parseFilter(Array.from({ length: 200 }, (_, i) => `metrics.m${i} > 0`).join(' AND ')).length, 200);
});
