import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { AuditEntry } from '../../../src/core/registry';
import { standingRejection } from '../../../src/registry/review-state';

function entry(action: AuditEntry['action'], version: string, time: number, comment?: string): AuditEntry {
  return {
    id: time,
    time,
    actor: 'raj',
    action,
    name: 'churn',
    version,
    fromStage: null,
    toStage: null,
    alias: null,
    comment: comment ?? null,
    reportId: null,
  };
}

test('a rejection stands until the version is validated again', () => {
  const trail = [entry('register', '2', 1), entry('validate', '2', 2), entry('reject', '2', 3, 'recall too low'), entry('alias_set', '2', 4)];
  assert.deepEqual(standingRejection(trail, '2'), { by: 'raj', at: 3, comment: 'recall too low' });
  assert.equal(standingRejection([...trail, entry('validate', '2', 5)], '2'), undefined);
  assert.equal(standingRejection(trail, '1'), undefined, 'another version is not rejected');
  assert.equal(standingRejection([entry('register', '2', 1)], '2'), undefined);
});
