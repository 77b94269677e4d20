import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelOpsError } from '../../../src/core/errors';
import { parseMessage } from '../../../src/shared/protocol';
import { compareContract, compareStateCheck } from '../../../src/shared/compare-protocol';
import { promotionStateCheck } from '../../../src/shared/promotion-protocol';
import { aReview, aRun, aState, HOSTILE_NAME } from '../../webview/builders';

describe('webview protocol', () => {
  test('a request envelope keeps its id, method and params', () => {
    assert.deepEqual(parseMessage({ kind: 'request', id: 4, method: 'compare/openArtifacts', params: { runId: 'x' } }), {
      kind: 'request',
      id: 4,
      method: 'compare/openArtifacts',
      params: { runId: 'x' },
    });
  });

  test('a message without a kind is rejected with the path of the field', () => {
    assert.throws(
      () => parseMessage({ method: 'x' }),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'BAD_REQUEST' && /message\.kind/.test(e.message),
    );
  });

  test('a request without an id is rejected', () => {
    assert.throws(() => parseMessage({ kind: 'request', method: 'x', params: {} }), /message\.id/);
  });

  test('state round-trips through JSON unchanged, hostile names included', () => {
    const state = aState([aRun({ runId: 'a', runName: HOSTILE_NAME })]);
    assert.deepEqual(compareStateCheck(JSON.parse(JSON.stringify(state)), 'state'), state);
  });

  test('state with a non-numeric metric names the offending field', () => {
    const bad = JSON.parse(JSON.stringify(aState([aRun({ runId: 'a' })])));
    bad.runs[0].metrics[0].value = '0.9';
    assert.throws(() => compareStateCheck(bad, 'state'), /state\.runs\[0\]\.metrics\[0\]\.value: expected a finite number/);
  });

  test('unknown fields are dropped rather than passed on', () => {
    const params = compareContract.requests['compare/openArtifacts'].params({ runId: 'a', __proto__: { polluted: true }, extra: 1 }, 'params');
    assert.deepEqual(Object.keys(params), ['runId']);
  });

  test('a promotion review validates, and a bad stage is refused', () => {
    const state = { status: 'ready', review: aReview() };
    assert.deepEqual(promotionStateCheck(JSON.parse(JSON.stringify(state)), 's'), state);
    const bad = JSON.parse(JSON.stringify(state));
    bad.review.candidate.version.stage = 'Prod';
    assert.throws(() => promotionStateCheck(bad, 's'), /s\.review\.candidate\.version\.stage: expected one of None\|Staging\|Production\|Archived/);
  });
});
