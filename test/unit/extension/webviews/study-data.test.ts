import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FrozenTrial, StudyRecord } from '../../../../src/core/tuning';
import { intermediateValues, plotData } from '../../../../src/extension/webviews/study-plots';
import { bestModelRun, loadStudyState, optimisationHistory } from '../../../../src/extension/webviews/study-data';
import { studyStateCheck } from '../../../../src/shared/study-protocol';
import { openStores } from '../../../../src/store/open';
import { OptunaStudyStore } from '../../../../src/store/optuna/optuna-study-store';
import { fixture } from '../../../repo-paths';

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

describe('study panel: infinite values (an Optuna study)', () => {
  test('history and best carry ±inf as words; the best of a minimised study is the -inf trial', () => {
    const h = optimisationHistory(
      [trial(0, 'COMPLETE', 1), trial(1, 'COMPLETE', -Infinity), trial(2, 'COMPLETE', Infinity), trial(3, 'COMPLETE', NaN)],
      'minimize',
    );
    assert.deepEqual(h, { numbers: [0, 1, 2, 3], values: [1, '-inf', 'inf', null], best: [1, '-inf', '-inf', '-inf'] });
  });

  test("Optuna 3.1's file: the -inf trial is the best, as Optuna reports, and the state crosses the protocol", async () => {
    const store = new OptunaStudyStore(fixture('optuna', 'optuna-3.1.db'));
    try {
      const state = await loadStudyState(store, 'old-distributions');
      assert.deepEqual(studyStateCheck(state, 'state'), state, 'the state passes the protocol check unchanged');
      assert.deepEqual(JSON.parse(JSON.stringify(state)), state, 'and survives JSON (postMessage) unchanged');
      const d = state.detail!;
      assert.equal(d.bestTrial, 1, 'Optuna 3.1 reports trial 1 (value -inf) as best');
      assert.deepEqual(
        d.trials.map((t) => t.value),
        [1, '-inf', 0.5],
      );
      assert.equal(state.studies.find((s) => s.name === 'old-distributions')?.best, '-inf');
      assert.deepEqual(d.plots.numbers, [0, 2], 'the plots take finite values only');
    } finally {
      store.close();
    }
  });
});

describe("study panel: the best trial's Train and Register", () => {
  async function aStudy(settings: Record<string, unknown>) {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-study-actions-'));
    dirs.push(dir);
    const stores = await openStores(join(dir, 'mlflow.db'));
    const parent = await stores.tracking.createRun({ experimentId: '0', runName: 'study-run' });
    const record = {
      name: 's',
      experimentId: '0',
      direction: 'maximize' as const,
      metric: 'accuracy',
      sampler: 'tpe',
      pruner: 'median',
      space: JSON.stringify(SPACE),
      settings: JSON.stringify(settings),
      runId: parent.info.runId,
      createdTime: 1,
    };
    await stores.studies.createStudy(record);
    // Trial 2 is the best; trial runs hold no model (they only cross-validate).
    for (const [n, v] of [
      [0, 0.5],
      [1, 0.6],
      [2, 0.9],
      [3, 0.7],
    ] as const) {
      const run = await stores.tracking.createRun({ experimentId: '0', parentRunId: parent.info.runId });
      await stores.studies.saveTrial('s', { ...trial(n, 'COMPLETE', v), runId: run.info.runId });
    }
    const model = join(dir, 'MLmodel');
    writeFileSync(model, 'flavors: {}\n');
    /** A full run of trial `n`, nested and tagged as tune --train-best makes it. */
    const fullRun = async (n: number, withModel = true, status: 'FINISHED' | 'FAILED' = 'FINISHED'): Promise<string> => {
      const run = await stores.tracking.createRun({
        experimentId: '0',
        parentRunId: parent.info.runId,
        runName: `s-best-${n}`,
        tags: [
          { key: 'modelops.study', value: 's' },
          { key: 'modelops.best_of_trial', value: String(n) },
        ],
      });
      if (withModel) await stores.tracking.logArtifact(run.info.runId, model, 'model');
      await stores.tracking.updateRun(run.info.runId, { status, endTime: Date.now() });
      return run.info.runId;
    };
    return { stores, record, fullRun };
  }

  test('Register says why when the best trial has no model, and finds the full run of that trial (not of another) once there is one', async () => {
    const { stores, record, fullRun } = await aStudy({ data: '/data/iris.csv', target: 'species', cv: 3, seed: 7, models: ['rf', 'knn'], base: {} });
    try {
      const first = await loadStudyState(stores.studies, 's', stores.tracking);
      assert.deepEqual(studyStateCheck(first, 'state'), first, 'the state with actions passes the protocol check unchanged');
      assert.equal(first.detail?.bestTrial, 2);
      assert.equal(first.detail?.actions?.trainNote, undefined, 'a study with data can be trained');
      assert.equal(first.detail?.actions?.registerRun, undefined);
      assert.match(first.detail?.actions?.registerNote ?? '', /Trial #2's run has no model.*Train with these params/);
      // A full run of another trial, one without a model and a failed one are not the best trial's model.
      await fullRun(1);
      await fullRun(2, false);
      await fullRun(2, true, 'FAILED');
      assert.match((await loadStudyState(stores.studies, 's', stores.tracking)).detail?.actions?.registerNote ?? '', /has no model/);
      const runId = await fullRun(2);
      const after = (await loadStudyState(stores.studies, 's', stores.tracking)).detail?.actions;
      assert.deepEqual(after, { registerRun: { runId, runName: 's-best-2', trial: 2 } });
      const found = await stores.studies.getStudy('s');
      assert.deepEqual(await bestModelRun(stores.tracking, record, found!.trials[2]), { runId, runName: 's-best-2', trial: 2 });
      assert.equal((await loadStudyState(stores.studies, 's')).detail?.actions, undefined, 'no actions without the tracking store (an Optuna file)');
    } finally {
      await stores.close();
    }
  });

  test('a study imported without data says it cannot be trained', async () => {
    const { stores } = await aStudy({ target: 'none (imported from Optuna without --data)', models: [], importedFrom: 'x.db' });
    try {
      const actions = (await loadStudyState(stores.studies, 's', stores.tracking)).detail?.actions;
      assert.match(actions?.trainNote ?? '', /records no training data \(imported from Optuna without --data\)/);
      assert.match(actions?.registerNote ?? '', /has no model/);
    } finally {
      await stores.close();
    }
  });
});

describe('study panel: the plots', () => {
  const record = (space: unknown): StudyRecord => ({
    name: 's',
    experimentId: '0',
    direction: 'minimize',
    metric: 'rmse',
    sampler: 'tpe',
    pruner: 'median',
    space: JSON.stringify(space),
    settings: '{}',
    runId: 'r',
    createdTime: 1,
  });
  const t = (
    number: number,
    state: FrozenTrial['state'],
    params: FrozenTrial['params'],
    value?: number,
    intermediate: Record<number, number> = {},
  ): FrozenTrial => ({
    number,
    state,
    params,
    ...(value !== undefined ? { value } : {}),
    intermediate,
  });

  test('intermediate values: every step any trial reported, a line per reporting trial in number order, null where it reported nothing', () => {
    const data = intermediateValues([
      t(2, 'PRUNED', {}, 0.4, { 0: 0.5, 1: 0.4 }),
      t(0, 'COMPLETE', {}, 0.3, { 0: 0.35, 1: 0.32, 2: 0.3 }),
      t(1, 'FAIL', {}),
      t(3, 'RUNNING', {}, undefined, { 0: 0.6 }),
      t(4, 'COMPLETE', {}, 0.2, { 1: Number.NaN, 2: 0.2 }),
    ]);
    assert.deepEqual(data, {
      steps: [0, 1, 2],
      lines: [
        { number: 0, state: 'COMPLETE', values: [0.35, 0.32, 0.3] },
        { number: 2, state: 'PRUNED', values: [0.5, 0.4, null] },
        { number: 3, state: 'RUNNING', values: [0.6, null, null] },
        { number: 4, state: 'COMPLETE', values: [null, null, 0.2] },
      ],
    });
    assert.deepEqual(intermediateValues([t(0, 'COMPLETE', {}, 1)]), { steps: [], lines: [] });
  });

  test("plots: complete trials only; numeric axes span the space's range (log when it is), categories in the space's order, hostile names kept", () => {
    const space = {
      x: { type: 'float', low: 0.5, high: 2 },
      lr: { type: 'float', low: 1e-4, high: 1, log: true },
      // Computed: a literal `__proto__:` key would set the prototype instead.
      ['__proto__']: { type: 'categorical', choices: ['b', null, 'a'] },
    };
    const plots = plotData(record(space), [
      t(3, 'COMPLETE', { x: 1, lr: 0.01, ['__proto__']: 'a' }, 0.7),
      t(1, 'COMPLETE', { x: 3, lr: 0.1, ['__proto__']: null }, 0.5),
      t(2, 'PRUNED', { x: 1.5, lr: 0.5, ['__proto__']: 'b' }, 0.1),
      t(4, 'COMPLETE', { x: 0.7, lr: 0.2, ['__proto__']: 'zzz', '<img src=x>': 5 }, 0.9),
      t(5, 'FAIL', { x: 1 }),
    ]);
    assert.deepEqual(plots.numbers, [1, 3, 4]);
    assert.deepEqual(plots.values, [0.5, 0.7, 0.9]);
    assert.deepEqual(
      plots.params.map((p) => p.name),
      ['x', 'lr', '__proto__', '<img src=x>'],
    );
    const [x, lr, cat, extra] = plots.params;
    assert.deepEqual(x, { name: 'x', scale: 'numeric', min: 0.5, max: 3, categories: [], positions: [3, 1, 0.7] }, 'a value outside the space widens the axis');
    assert.deepEqual([lr.scale, lr.min, lr.max, lr.positions], ['log', 1e-4, 1, [0.1, 0.01, 0.2]]);
    assert.deepEqual(cat, { name: '__proto__', scale: 'categorical', min: 0, max: 3, categories: ['b', 'none', 'a', 'zzz'], positions: [1, 2, 3] });
    assert.deepEqual(
      extra,
      { name: '<img src=x>', scale: 'numeric', min: 5, max: 5, categories: [], positions: [null, null, 5] },
      'a param outside the space: its kind from its values',
    );
    const empty = plotData(record({}), [t(0, 'RUNNING', { a: 'x' })]);
    assert.deepEqual(empty, { numbers: [], values: [], params: [] });
  });
});
