import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { paramsText, sameTraining, studyBestSettings } from '../../../../src/extension/commands/train-study';
import { parseMemberParams } from '../../../../src/extension/commands/train-settings';
import { openStores } from '../../../../src/store/open';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('Train with these params (from a study)', () => {
  test("the form starts from the study's data, folds, seed and members and the best trial's params; the run is tied to the study", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-train-study-'));
    dirs.push(dir);
    const stores = await openStores(join(dir, 'mlflow.db'));
    try {
      const experimentId = await stores.tracking.createExperiment('tuning');
      const parent = await stores.tracking.createRun({ experimentId });
      await stores.studies.createStudy({
        name: 'iris-species',
        experimentId,
        direction: 'minimize',
        metric: 'log_loss',
        sampler: 'tpe',
        pruner: 'median',
        space: '{}',
        settings: JSON.stringify({
          data: '/d/iris.csv',
          target: 'species',
          cv: 4,
          seed: 9,
          models: ['rf', 'knn'],
          base: { rf: { maxDepth: 5 }, engine: 'js' },
        }),
        runId: parent.info.runId,
        createdTime: 1,
      });
      const params = [
        { 'rf.nEstimators': 100, 'rf.maxFeatures': 'sqrt', 'knn.nNeighbors': 3, weights: 'fit' },
        { 'rf.nEstimators': 250, 'rf.maxFeatures': 'log2', 'knn.nNeighbors': 12, weights: 'equal' },
        { 'rf.nEstimators': 50, 'rf.maxFeatures': 0.5, 'knn.nNeighbors': 1, weights: 'fit' },
      ];
      for (const [i, value] of [0.4, 0.2, 0.3].entries())
        await stores.studies.saveTrial('iris-species', { number: i, state: 'COMPLETE', params: params[i], value, intermediate: {} });
      await stores.studies.saveTrial('iris-species', { number: 3, state: 'PRUNED', params: params[0], value: 0.01, intermediate: { 0: 0.01 } });

      const r = await studyBestSettings(stores, 'iris-species');
      assert.equal(r.trial, 1, 'the lowest log_loss of the COMPLETE trials (a pruned one does not count)');
      assert.deepEqual(
        [r.settings.data, r.settings.target, r.settings.cv, r.settings.seed, r.settings.members, r.settings.experiment, r.settings.runName],
        ['/d/iris.csv', 'species', 4, 9, ['rf', 'knn'], 'tuning', 'iris-species-best'],
      );
      assert.equal(r.settings.params, 'rf.maxDepth=5, rf.nEstimators=250, rf.maxFeatures=log2, knn.nNeighbors=12');
      assert.deepEqual(parseMemberParams(r.settings.params), { rf: { maxDepth: 5, nEstimators: 250, maxFeatures: 'log2' }, knn: { nNeighbors: 12 } });
      assert.deepEqual(r.link, {
        parentRunId: parent.info.runId,
        tags: [
          { key: 'modelops.study', value: 'iris-species' },
          { key: 'modelops.best_of_trial', value: '1' },
        ],
        fixed: { engine: 'js', weights: 'equal' },
      });
      assert.equal(sameTraining(r.settings, { ...r.settings, registerAs: 'm' }), true);
      assert.equal(sameTraining(r.settings, { ...r.settings, params: 'rf.nEstimators=10' }), false);
      await assert.rejects(studyBestSettings(stores, 'nope'), /no study named 'nope'/);
    } finally {
      await stores.close();
    }
  });

  test('params text keeps null as null', () => {
    assert.equal(paramsText({ rf: { maxDepth: null }, tree: { minSamplesLeaf: 2 } }), 'rf.maxDepth=null, tree.minSamplesLeaf=2');
  });
});
