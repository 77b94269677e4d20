import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { ValidationReport } from '../../../src/registry/report';
import { VALIDATION_REPORT } from '../../../src/registry/report';
import { parseStored } from '../../../src/shared/validate';

const report: ValidationReport = {
  reportId: 'r-1',
  name: 'churn',
  version: '3',
  createdAt: 1700000000000,
  actor: 'ana',
  passed: false,
  fromStage: 'None',
  toStage: 'None',
  baseline: { version: '2', runId: 'abc' },
  data: { path: 'holdout.csv', rows: 120, target: 'churned' },
  candidateMetrics: { accuracy: 0.91, roc_auc: Number.NaN },
  baselineMetrics: null,
  gates: [{ gate: 'metric', name: 'accuracy threshold', expected: '≥ 0.95', actual: '0.91', outcome: 'fail', message: 'too low', metric: 'accuracy' }],
};

describe('a stored validation report, read through its check', () => {
  test('comes back as it was written (a NaN metric, stored as null, reads as NaN)', () => {
    const back = parseStored(VALIDATION_REPORT, JSON.stringify(report), 'validation report r-1');
    assert.deepEqual(back, report);
    assert.ok(Number.isNaN(back.candidateMetrics.roc_auc));
  });

  test('a malformed one is refused naming the report and the field', () => {
    const bad = (doc: unknown, field: string): void =>
      assert.throws(
        () => parseStored(VALIDATION_REPORT, JSON.stringify(doc), 'validation report r-1'),
        (e: unknown) => e instanceof ModelOpsError && e.code === 'STORE_CORRUPT' && e.message.includes(`validation report r-1${field}`),
      );
    bad({ ...report, gates: [{ ...report.gates[0], outcome: 'maybe' }] }, '.gates[0].outcome');
    bad({ ...report, gates: [{ ...report.gates[0], gate: 'vibes' }] }, '.gates[0].gate');
    bad({ ...report, passed: 'yes' }, '.passed');
    bad({ ...report, data: { path: 'x.csv' } }, '.data.rows');
    bad({ ...report, candidateMetrics: { accuracy: '0.9' } }, '.candidateMetrics.accuracy');
  });
});
