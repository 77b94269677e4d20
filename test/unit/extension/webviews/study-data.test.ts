import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FrozenTrial } from '../../../../src/core/tuning';
import { loadStudyState, optimisationHistory } from '../../../../src/extension/webviews/study-data';
import { studyStateCheck } from '../../../../src/shared/study-protocol';
import { openStores } from '../../../../src/store/open';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SPACE = { x: { type: 'float', low: 0, high: 1 }, junk: { type: 'int', low: 1, high: 9 } };
const trial = (number: number, state: FrozenTrial['state'], value?: number): FrozenTrial => ({
  number,
  state,
  params: { x: number / 20, junk: 1 + ((number * 7) % 9) },
  ...(value !== undefined ? { value } : {}),
  intermediate: {},
  startTime: 1000,
  endTime: 1000 + 10 * number,
  runId: `run${number}`,
});

describe('study panel data', () => {
  test('history keeps COMPLETE values only and the best so far in the study direction', () => {
    const h = optimisationHistory(
      [trial(2, 'COMPLETE', 0.5), trial(0, 'COMPLETE', 0.7), trial(1, 'PRUNED', 0.9), trial(3, 'FAIL'), trial(4, 'COMPLETE', 0.8)],
      'maximize',
    );
    assert.deepEqual(h, { numbers: [0, 1, 2, 3, 4], values: [0.7, null, 0.5, null, 0.8], best: [0.7, 0.7, 0.7, 0.7, 0.8] });
    assert.deepEqual(optimisationHistory([trial(0, 'COMPLETE', 3), trial(1, 'COMPLETE', 1)], 'minimize').best, [3, 1]);
  });

  test('reads the store: the study list, the newest study by default, trials, best, importances; a valid protocol message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-study-data-'));
    dirs.push(dir);
    const stores = await openStores(join(dir, 'mlflow.db'));
    try {
      for (const [name, created] of [
        ['old', 1],
        ['new', 2],
      ] as const) {
        await stores.studies.createStudy({
          name,
          experimentId: '0',
          direction: 'maximize',
          metric: 'accuracy',
          sampler: 'tpe',
          pruner: 'median',
          space: JSON.stringify(SPACE),
          settings: '{}',
          runId: `parent-${name}`,
          createdTime: created,
        });
      }
      for (let i = 0; i < 30; i++)
        await stores.studies.saveTrial(
          'new',
          trial(i, i % 4 === 3 ? 'PRUNED' : i === 29 ? 'RUNNING' : 'COMPLETE', i % 4 === 3 || i === 29 ? undefined : 1 - (i / 20 - 0.6) ** 2),
        );
      const state = await loadStudyState(stores.studies, undefined);
      assert.deepEqual(studyStateCheck(state, 'state'), state, 'the state passes the protocol check unchanged');
      assert.deepEqual(state.studies.map((s) => s.name).sort(), ['new', 'old']);
      const d = state.detail!;
      assert.equal(d.study.name, 'new');
      assert.equal(d.trials.length, 30);
      assert.equal(d.bestTrial, 12, 'x = 0.6 is best');
      assert.deepEqual(d.trials[12].params, [
        ['x', '0.6'],
        ['junk', String(1 + ((12 * 7) % 9))],
      ]);
      assert.equal(d.trials[12].durationMs, 120);
      assert.equal(d.importance[0].param, 'x', JSON.stringify(d.importance));
      const other = await loadStudyState(stores.studies, 'old');
      assert.equal(other.detail?.study.name, 'old');
      assert.match(other.detail?.importanceNote ?? '', /at least 3 complete trials/);
      assert.equal((await loadStudyState(stores.studies, 'gone')).detail?.study.name, 'new', 'an unknown name falls back to the newest');
    } finally {
      await stores.close();
    }
    assert.equal((await loadStudyState(undefined, undefined)).status, 'error');
  });
});
