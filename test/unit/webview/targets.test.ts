import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { folderFromArgs, runIdsFromArgs, versionFromArg } from '../../../src/extension/webviews/targets';

const runNode = (runId: string) => ({ kind: 'run', run: { info: { runId } } });

describe('panel command targets', () => {
  test('a multi-selection in the tree compares every selected run, once each', () => {
    assert.deepEqual(runIdsFromArgs([runNode('a'), [runNode('a'), runNode('b'), runNode('a')]]), ['a', 'b']);
  });

  test('a single right-clicked run, run ids and arrays of ids are accepted', () => {
    assert.deepEqual(runIdsFromArgs([runNode('a')]), ['a']);
    assert.deepEqual(runIdsFromArgs(['x', undefined]), ['x']);
    assert.deepEqual(runIdsFromArgs([['x', 'y']]), ['x', 'y']);
  });

  test('the palette passes nothing and gets no runs (the command then asks)', () => {
    assert.deepEqual(runIdsFromArgs([]), []);
    assert.deepEqual(runIdsFromArgs([{ kind: 'experiment' }]), []);
  });

  test('a version node or a name/version pair names the version to review', () => {
    assert.deepEqual(versionFromArg({ kind: 'version', version: { name: 'churn', version: '3', currentStage: 'Staging' } }), { name: 'churn', version: '3' });
    assert.deepEqual(versionFromArg({ name: 'churn', version: 4 }), { name: 'churn', version: '4' });
    assert.equal(versionFromArg('churn'), undefined);
  });

  test('a panel opened on tree items keeps their workspace folder (multi-root); plain ids have none', () => {
    const inB = { ...runNode('b1'), folder: 'file:///ws/beta' };
    assert.equal(folderFromArgs([inB, [inB, { ...runNode('b2'), folder: 'file:///ws/beta' }]]), 'file:///ws/beta');
    assert.equal(folderFromArgs([{ kind: 'version', folder: 'file:///ws/alpha', version: { name: 'm', version: '1' } }]), 'file:///ws/alpha');
    assert.equal(folderFromArgs(['b1', ['b1', 'b2']]), undefined);
    assert.equal(folderFromArgs([]), undefined);
  });
});
