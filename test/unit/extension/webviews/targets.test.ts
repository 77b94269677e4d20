import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { experimentFromArg, folderFromArgs, runIdsFromArgs, runTargetFromArg, versionFromArg } from '../../../../src/extension/webviews/targets';

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

describe('run explorer command targets', () => {
  test('an experiment node, a run node, { experimentId, folder } or an id open a runs table', () => {
    const experiment = { experimentId: '3', name: 'x', artifactLocation: '', lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0, tags: [] };
    assert.deepEqual(experimentFromArg({ kind: 'experiment', folder: 'file:///a', experiment }), { experimentId: '3', folder: 'file:///a' });
    assert.deepEqual(experimentFromArg({ kind: 'run', folder: 'file:///a', run: { info: { experimentId: '4' } } }), { experimentId: '4', folder: 'file:///a' });
    assert.deepEqual(experimentFromArg({ experimentId: '5' }), { experimentId: '5' });
    assert.deepEqual(experimentFromArg('6'), { experimentId: '6' });
    assert.equal(experimentFromArg(undefined), undefined);
    assert.equal(experimentFromArg('not an id'), undefined);
  });

  test('a run node, a node under a run or { runId, artifact } open the run page at the right place', () => {
    assert.deepEqual(runTargetFromArg({ kind: 'run', folder: 'f', run: { info: { runId: 'r1' } } }), { runId: 'r1', folder: 'f' });
    assert.deepEqual(runTargetFromArg({ kind: 'artifact', folder: 'f', run: { info: { runId: 'r1' } }, path: 'model/MLmodel', isDir: false }), {
      runId: 'r1',
      folder: 'f',
      section: 'artifacts',
      artifact: 'model/MLmodel',
    });
    assert.deepEqual(runTargetFromArg({ kind: 'artifact', run: { info: { runId: 'r1' } }, path: 'model', isDir: true }), { runId: 'r1', section: 'artifacts' });
    assert.deepEqual(runTargetFromArg({ kind: 'runValue', runId: 'r1', group: 'metrics', key: 'acc' }), { runId: 'r1', section: 'metrics', metric: 'acc' });
    assert.deepEqual(runTargetFromArg({ kind: 'runGroup', run: { info: { runId: 'r1' } }, group: 'params' }), { runId: 'r1', section: 'params' });
    assert.deepEqual(runTargetFromArg({ runId: 'r2', artifact: 'a.txt' }), { runId: 'r2', section: 'artifacts', artifact: 'a.txt' });
    assert.deepEqual(runTargetFromArg(' r3 '), { runId: 'r3' });
    assert.equal(runTargetFromArg({}), undefined);
  });
});
