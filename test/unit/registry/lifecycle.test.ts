import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { Stage } from '../../../src/core/stages';
import { STAGES } from '../../../src/core/stages';
import type { TransitionRequest, TransitionVia } from '../../../src/registry/lifecycle';
import { TRANSITIONS, checkReject, checkTransition, stageAfterValidation } from '../../../src/registry/lifecycle';

function req(from: Stage, to: Stage, via: TransitionVia, extra: Partial<TransitionRequest> = {}): TransitionRequest {
  return { name: 'churn', version: '3', from, to, via, ...extra };
}

function refused(r: TransitionRequest, message: RegExp): void {
  assert.throws(
    () => checkTransition(r),
    (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_STATE' && message.test(e.message),
    `${r.from} → ${r.to} via ${r.via}`,
  );
}

describe('the lifecycle diagram, allowed transitions', () => {
  test('None → Staging when validation passes', () => {
    assert.equal(checkTransition(req('None', 'Staging', 'validation', { validationPassed: true })).to, 'Staging');
  });
  test('Archived → Staging when re-validation passes', () => {
    assert.equal(checkTransition(req('Archived', 'Staging', 'validation', { validationPassed: true })).to, 'Staging');
  });
  test('Staging → None when a re-validation fails', () => {
    assert.equal(checkTransition(req('Staging', 'None', 'validation', { validationPassed: false })).to, 'None');
  });
  test('Staging → Production with an explicit approval and a comment', () => {
    assert.equal(checkTransition(req('Staging', 'Production', 'approval', { approved: true, comment: 'beats v2 on f1' })).to, 'Production');
  });
  test('None, Staging and Production → Archived by archiving', () => {
    for (const from of ['None', 'Staging', 'Production'] as const) assert.equal(checkTransition(req(from, 'Archived', 'archive')).to, 'Archived');
  });
  test('Production → Archived when replaced by a promotion', () => {
    assert.equal(checkTransition(req('Production', 'Archived', 'replaced')).via, 'replaced');
  });
});

describe('the lifecycle diagram, refused transitions say what to do', () => {
  test('None → Production is refused, pointing at validate then promote', () => {
    refused(req('None', 'Production', 'approval', { approved: true, comment: 'x' }), /validate it first \(modelops validate --name churn --version 3\)/);
  });
  test('Archived → Production without re-validation is refused', () => {
    refused(req('Archived', 'Production', 'approval', { approved: true, comment: 'x' }), /without re-validation: run modelops validate/);
  });
  test('Staging → Production without approval is refused', () => {
    refused(req('Staging', 'Production', 'approval'), /needs an explicit approval: add --approve/);
    refused(req('Staging', 'Production', 'approval', { approved: false, comment: 'x' }), /explicit approval/);
  });
  test('an approval without a comment is refused', () => {
    refused(req('Staging', 'Production', 'approval', { approved: true, comment: '  ' }), /needs a comment/);
  });
  test('None → Staging without passing validation is refused', () => {
    refused(req('None', 'Staging', 'validation', { validationPassed: false }), /did not pass validation/);
    refused(req('None', 'Staging', 'archive'), /only by passing validation/);
  });
  test('Production → Staging or None is refused, pointing at archive or replace', () => {
    refused(req('Production', 'Staging', 'archive'), /promote another Staging version/);
    refused(req('Production', 'None', 'validation', { validationPassed: false }), /archive it instead/);
  });
  test('Archived → None is refused', () => {
    refused(req('Archived', 'None', 'validation', { validationPassed: false }), /comes back only through validation/);
  });
  test('moving to the stage a version is already in is refused', () => {
    refused(req('Staging', 'Staging', 'validation', { validationPassed: true }), /already in Staging/);
  });
  test('every pair not in the table is refused', () => {
    const vias: TransitionVia[] = ['validation', 'approval', 'archive', 'replaced'];
    for (const from of STAGES) {
      for (const to of STAGES) {
        for (const via of vias) {
          const allowed = TRANSITIONS.some((r) => r.from === from && r.to === to && r.via === via);
          if (allowed) continue;
          assert.throws(() => checkTransition(req(from, to, via, { validationPassed: to === 'Staging', approved: true, comment: 'c' })), ModelOpsError);
        }
      }
    }
  });
});

describe('validation outcomes and rejection', () => {
  test('a pass lifts None and Archived to Staging; a failure leaves None and Archived where they are', () => {
    assert.equal(stageAfterValidation('None', true), 'Staging');
    assert.equal(stageAfterValidation('Archived', true), 'Staging');
    assert.equal(stageAfterValidation('None', false), 'None');
    assert.equal(stageAfterValidation('Archived', false), 'Archived');
    assert.equal(stageAfterValidation('Staging', false), 'None');
    assert.equal(stageAfterValidation('Production', false), 'Production');
  });
  test('rejection needs a Staging version and a comment', () => {
    checkReject('churn', '3', 'Staging', 'precision too low on the new segment');
    assert.throws(() => checkReject('churn', '3', 'None', 'x'), /only a Staging version under review can be rejected/);
    assert.throws(() => checkReject('churn', '3', 'Staging', ''), /needs a comment/);
  });
});
