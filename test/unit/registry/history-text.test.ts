import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEntry, ModelVersion } from '../../../src/core/registry';
import { modelHistoryText } from '../../../src/registry/history-text';
import type { GateResult, ValidationReport } from '../../../src/registry/report';
import { gatesSummary, validationOutcomeText } from '../../../src/registry/report';

const gate = (outcome: GateResult['outcome']): GateResult => ({
  gate: 'metric',
  name: 'accuracy threshold',
  expected: '>= 0.8',
  actual: '0.9',
  outcome,
  message: '',
});

describe('validation wording', () => {
  test('a gate that did not run is never counted as passed, and no gate run is not "0/0"', () => {
    assert.equal(gatesSummary([gate('pass'), gate('pass')]), '2 of 2 gates passed');
    assert.equal(gatesSummary([gate('pass'), gate('fail'), gate('skipped')]), '1 of 3 gates passed, 1 failed, 1 did not run');
    assert.equal(gatesSummary([gate('skipped')]), 'no gate ran (1 skipped)');
    assert.equal(gatesSummary([]), 'no gate to run');
  });

  test('a demotion says it moved, never that it "stays"', () => {
    assert.equal(validationOutcomeText(false, 'Staging', 'None'), 'failed: moved from Staging back to None');
    assert.equal(validationOutcomeText(false, 'None', 'None'), 'failed: stays in None');
    assert.equal(validationOutcomeText(true, 'None', 'Staging'), 'passed: None → Staging');
  });
});

describe('model history', () => {
  test('lists the versions with their source runs and every audit entry newest first, with actor, comment and report', () => {
    const v = { name: 'churn', version: '1', currentStage: 'Staging', runId: 'run-abc', source: 'runs:/run-abc/model' } as ModelVersion;
    const entry = (id: number, action: AuditEntry['action'], extra: Partial<AuditEntry> = {}): AuditEntry => ({
      id,
      time: Date.UTC(2026, 11, 1, 10, id),
      actor: 'ana',
      action,
      name: 'churn',
      version: '1',
      fromStage: null,
      toStage: null,
      alias: null,
      comment: null,
      reportId: null,
      ...extra,
    });
    const report = { reportId: 'rep12345xyz', passed: false, fromStage: 'Staging', toStage: 'None', gates: [gate('fail')] } as unknown as ValidationReport;
    const text = modelHistoryText(
      'churn',
      [v],
      [
        entry(1, 'register'),
        entry(2, 'validate', { fromStage: 'Staging', toStage: 'None', reportId: 'rep12345xyz' }),
        entry(3, 'reject', { comment: 'loses to the baseline' }),
      ],
      [report],
    );
    assert.match(text, /Version 1 · Staging · source run run-abc/);
    const audit = text.slice(text.indexOf('## Audit trail'));
    assert.ok(audit.indexOf('reject') < audit.indexOf('validate') && audit.indexOf('validate') < audit.indexOf('register'), audit);
    assert.match(audit, /2026-12-01 10:03 UTC · ana · reject version 1 — “loses to the baseline”/);
    assert.match(
      audit,
      /validate version 1 Staging → None\n {2}- report rep12345: validation failed: moved from Staging back to None \(0 of 1 gates passed, 1 failed\)/,
    );
  });
});
