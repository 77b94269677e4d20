import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import type { Run } from '../../../../src/core/tracking';
import {
  defaultSettings,
  inFormTerms,
  parseIntField,
  parseMemberParams,
  rememberedSettings,
  settingsFromRun,
} from '../../../../src/extension/commands/train-settings';

function trainedRun(params: Record<string, string>, source = JSON.stringify({ uri: '/ws/churn.csv' })): Run {
  return {
    info: {
      runId: 'r1',
      runName: 'r',
      experimentId: '1',
      userId: 'me',
      status: 'FINISHED',
      startTime: 0,
      endTime: 1,
      artifactUri: '/tmp/a',
      lifecycleStage: 'active',
    },
    data: { metrics: [], params: Object.entries(params).map(([key, value]) => ({ key, value })), tags: [] },
    inputs: [{ name: 'churn', digest: 'd', sourceType: 'local', source, tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
  };
}

describe('training form settings', () => {
  test('member parameters are typed as member.name=value and become the params file the CLI reads', () => {
    assert.deepEqual(parseMemberParams('rf.nEstimators=200, knn.weights=distance; rf.bootstrap=false, tree.maxDepth=null'), {
      rf: { nEstimators: 200, bootstrap: false },
      knn: { weights: 'distance' },
      tree: { maxDepth: null },
    });
    assert.deepEqual(parseMemberParams(''), {});
    assert.throws(() => parseMemberParams('nEstimators 200'), /^ModelOpsError: Member parameters: 'nEstimators 200' is not member\.name=value/);
    assert.throws(() => parseMemberParams('dummy.x=1'), /Member parameters: 'dummy' has no parameters/);
  });

  test('CV folds and Seed are checked as typed, the error naming the field and the range', () => {
    assert.equal(parseIntField('cv', ' 3 '), 3);
    assert.equal(parseIntField('cv', '0'), 0);
    assert.throws(() => parseIntField('cv', '101'), /^ModelOpsError: CV folds: give a whole number from 0 to 100 \(got '101'\)$/);
    assert.throws(() => parseIntField('cv', '2.5'), /CV folds/);
    assert.throws(() => parseIntField('seed', ''), /^ModelOpsError: Seed: /);
  });

  test("the pipeline's errors are said in the form's words: the field to change, never a CLI flag", () => {
    const rare = new ModelOpsError('DATA_INVALID', "churn.csv: class 'x' has 2 row(s), fewer than the 5 cross-validation folds: use a smaller --cv", {
      location: 'cv',
    });
    const said = inFormTerms(rare) as ModelOpsError;
    assert.equal(said.message, "CV folds: churn.csv: class 'x' has 2 row(s), fewer than the 5 cross-validation folds: use a smaller CV folds");
    assert.equal(said.code, 'DATA_INVALID');
    assert.match((inFormTerms(new ModelOpsError('DATA_INVALID', "target 'customer_id' … like an id", { location: 'target' })) as Error).message, /^Target: /);
    assert.match(
      (inFormTerms(new ModelOpsError('INVALID_PARAMETER_VALUE', 'rf.nEstimators must be …', { location: 'rf.nEstimators' })) as Error).message,
      /^Member parameters: rf\.nEstimators/,
    );
    assert.match((inFormTerms(new ModelOpsError('INVALID_PARAMETER_VALUE', 'models: unknown model', { location: 'models' })) as Error).message, /^Members: /);
    const other = new ModelOpsError('CANCELLED', 'Training cancelled', { location: 'abc123' });
    assert.equal(inFormTerms(other), other);
  });

  test('remembered settings keep only what still makes sense (a hand-edited or older value is dropped, not trusted)', () => {
    assert.deepEqual(rememberedSettings({ cv: 3, seed: 7, members: ['rf', 'bogus'], task: 'regression', params: 'rf.nEstimators=10', baselineRun: true }), {
      cv: 3,
      seed: 7,
      members: ['rf'],
      task: 'regression',
      params: 'rf.nEstimators=10',
      baselineRun: true,
    });
    assert.deepEqual(rememberedSettings({ cv: -1, seed: 1.5, members: [], task: 'x' }), {});
    assert.deepEqual(rememberedSettings(undefined), {});
  });

  test('Train Again reads the data, target, task, members, cv, seed and member parameters from the run', () => {
    const run = trainedRun({
      target: 'churned',
      task: 'classification',
      cv: '3',
      seed: '9',
      models: 'rf,knn',
      'rf.nEstimators': '200',
      'rf.engine': 'native',
      'knn.nNeighbors': '7',
    });
    assert.deepEqual(settingsFromRun(run, 'churn'), {
      ...defaultSettings('/ws/churn.csv', 'churned', 'churn', ['rf', 'knn']),
      task: 'classification',
      cv: 3,
      seed: 9,
      params: 'rf.nEstimators=200, knn.nNeighbors=7',
    });
    assert.equal(settingsFromRun(trainedRun({ models: 'rf' }), 'x'), undefined, 'no target: not a ModelOps training');
    assert.equal(settingsFromRun(trainedRun({ target: 'y' }, 'not json'), 'x'), undefined, 'no readable data source');
  });
});
