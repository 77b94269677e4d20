import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { StudyRecord, StudyStore } from '../../../src/core/tuning';

/**
 * The behaviour every StudyStore must have (`studyStoreContract(label, open)`). A store that keeps a study in its
 * parent run (a tracking server's) gives `parentRun`, which makes a real run to be that parent; `reopen` gives a
 * second client of the same store (another machine on the same server).
 */
export type OpenStudies = () => Promise<{ studies: StudyStore; close(): Promise<void>; parentRun?: () => Promise<string>; reopen?: () => Promise<StudyStore> }>;

const PARENT = 'ab2e0308cf1d42a4b1def1b4a1c4033f';

const study = (name: string, direction: StudyRecord['direction'] = 'maximize', runId: string = PARENT): StudyRecord => ({
  name,
  experimentId: '0',
  direction,
  metric: 'accuracy',
  sampler: 'tpe',
  pruner: 'median',
  space: '{"rf.nEstimators":{"type":"int","low":10,"high":200}}',
  settings: '{"data":"iris.csv"}',
  runId,
  createdTime: 1_700_000_000_000,
});

export function studyStoreContract(label: string, open: OpenStudies): void {
  describe(`study store contract (${label})`, () => {
    test('a created study is found with its settings and no trials; an unknown one is undefined', async () => {
      const { studies, close, parentRun } = await open();
      const runId = parentRun ? await parentRun() : PARENT;
      await studies.createStudy(study('s1', 'maximize', runId));
      const got = await studies.getStudy('s1');
      assert.deepEqual(got, { study: study('s1', 'maximize', runId), trials: [] });
      assert.equal(await studies.getStudy('nope'), undefined);
      await close();
    });

    test('a second study under the same name is refused with RESOURCE_ALREADY_EXISTS', async () => {
      const { studies, close, parentRun } = await open();
      await studies.createStudy(study('dup', 'maximize', parentRun ? await parentRun() : PARENT));
      await assert.rejects(
        studies.createStudy(study('dup', 'maximize', parentRun ? await parentRun() : PARENT)),
        (e) => e instanceof ModelOpsError && e.code === 'RESOURCE_ALREADY_EXISTS',
      );
      await close();
    });

    test('trials are saved, replaced by number, and come back in order with their params, values and intermediates', async () => {
      const { studies, close, parentRun } = await open();
      await studies.createStudy(study('t', 'maximize', parentRun ? await parentRun() : PARENT));
      await studies.saveTrial('t', { number: 1, state: 'RUNNING', params: { 'rf.nEstimators': 50 }, intermediate: {}, startTime: 2 });
      await studies.saveTrial('t', {
        number: 0,
        state: 'COMPLETE',
        params: { 'rf.nEstimators': 10, kind: 'gini', on: true, none: null },
        value: 0.9,
        intermediate: { 0: 0.8, 1: 0.9 },
        runId: 'r0',
        startTime: 1,
        endTime: 3,
      });
      await studies.saveTrial('t', {
        number: 1,
        state: 'PRUNED',
        params: { 'rf.nEstimators': 50 },
        value: 0.5,
        intermediate: { 0: 0.5 },
        startTime: 2,
        endTime: 4,
      });
      const reason = 'fit failed: <b>x</b> \u0000 ключ'.repeat(3);
      await studies.saveTrial('t', { number: 2, state: 'FAIL', params: {}, intermediate: {}, failReason: reason });
      const got = await studies.getStudy('t');
      assert.deepEqual(
        got?.trials.map((x) => [x.number, x.state, x.value, x.params, x.intermediate, x.runId, x.failReason]),
        [
          [0, 'COMPLETE', 0.9, { 'rf.nEstimators': 10, kind: 'gini', on: true, none: null }, { 0: 0.8, 1: 0.9 }, 'r0', undefined],
          [1, 'PRUNED', 0.5, { 'rf.nEstimators': 50 }, { 0: 0.5 }, undefined, undefined],
          [2, 'FAIL', undefined, {}, {}, undefined, reason],
        ],
      );
      await close();
    });

    test('a second client of the same store finds the study and its trials, and continues it', async () => {
      const first = await open();
      const runId = first.parentRun ? await first.parentRun() : PARENT;
      await first.studies.createStudy(study('shared', 'maximize', runId));
      await first.studies.saveTrial('shared', { number: 0, state: 'COMPLETE', params: { k: 3 }, value: 0.7, intermediate: { 0: 0.7 } });
      const second = first.reopen ? await first.reopen() : first.studies;
      const seen = await second.getStudy('shared');
      assert.deepEqual(
        seen?.trials.map((t) => [t.number, t.state, t.value]),
        [[0, 'COMPLETE', 0.7]],
      );
      await second.saveTrial('shared', { number: 1, state: 'COMPLETE', params: { k: 5 }, value: 0.8, intermediate: {} });
      assert.deepEqual(
        (await first.studies.getStudy('shared'))?.trials.map((t) => t.number),
        [0, 1],
      );
      await first.close();
    });

    test('the list gives each study with trial counts and the best complete value in its direction', async () => {
      const { studies, close, parentRun } = await open();
      await studies.createStudy({ ...study('max', 'maximize', parentRun ? await parentRun() : PARENT), createdTime: 1 });
      await studies.createStudy({ ...study('min', 'minimize', parentRun ? await parentRun() : PARENT), createdTime: 2 });
      for (const [name, values] of [
        ['max', [0.2, 0.9, 0.5]],
        ['min', [0.2, 0.9, 0.1]],
      ] as const) {
        for (const [i, v] of values.entries())
          await studies.saveTrial(name, { number: i, state: i === 2 ? 'PRUNED' : 'COMPLETE', params: {}, value: v, intermediate: {} });
      }
      const list = await studies.listStudies();
      const byName = new Map(list.map((s) => [s.name, s]));
      assert.deepEqual([byName.get('max')?.trials, byName.get('max')?.complete, byName.get('max')?.best], [3, 2, 0.9]);
      assert.deepEqual([byName.get('min')?.trials, byName.get('min')?.complete, byName.get('min')?.best], [3, 2, 0.2]);
      await close();
    });
  });
}
