import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Run, RunStatus } from '../../../../src/core/tracking';
import {
  BEST_TRIAL_ICON,
  formatMetric,
  formatUtc,
  isBestTrial,
  parentRunId,
  PRUNED_ICON,
  runContextValue,
  runDescription,
  runIcon,
  runLabel,
  runTooltipMarkdown,
  STATUS_ICON,
  studyOfRun,
  trialDescription,
  trialState,
} from '../../../../src/extension/views/run-format';

function aRun(
  o: { name?: string; status?: RunStatus; metrics?: Record<string, number>; params?: Record<string, string>; parent?: string; model?: boolean } = {},
): Run {
  const tags = [];
  if (o.parent) tags.push({ key: 'mlflow.parentRunId', value: o.parent });
  if (o.model) tags.push({ key: 'mlflow.log-model.history', value: '[{"artifact_path":"model"}]' });
  return {
    info: {
      runId: '0123456789abcdef0123456789abcdef',
      runName: o.name ?? '',
      experimentId: '1',
      userId: 'me',
      status: o.status ?? 'FINISHED',
      startTime: Date.UTC(2026, 0, 2, 3, 4, 5),
      endTime: Date.UTC(2026, 0, 2, 3, 4, 7),
      artifactUri: '/tmp/a',
      lifecycleStage: 'active',
    },
    data: {
      metrics: Object.entries(o.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
      params: Object.entries(o.params ?? {}).map(([key, value]) => ({ key, value })),
      tags,
    },
    inputs: [],
  };
}

describe('run formatting for the Experiments tree', () => {
  test('labels a run by its name, else by the start of its id', () => {
    assert.equal(runLabel(aRun({ name: 'forest-knn-1' })), 'forest-knn-1');
    assert.equal(runLabel(aRun()), '01234567');
  });

  test('describes a finished run by its primary metric with four decimals', () => {
    assert.equal(runDescription(aRun({ metrics: { accuracy: 0.953333 } }), 'accuracy'), 'accuracy 0.9533');
  });

  test('flags a primary metric that does not beat the baseline logged beside it, and only then', () => {
    // churn.csv: the ensemble's accuracy 0.7554 against the majority class's 0.7674.
    assert.equal(runDescription(aRun({ metrics: { accuracy: 0.7554, baseline_accuracy: 0.7674 } }), 'accuracy'), 'accuracy 0.7554 (baseline 0.7674)');
    assert.equal(runDescription(aRun({ metrics: { roc_auc: 0.69, baseline_roc_auc: 0.5 } }), 'roc_auc'), 'roc_auc 0.6900');
    // Lower is better: an rmse above the mean's is the loss.
    assert.equal(runDescription(aRun({ metrics: { rmse: 2.5, baseline_rmse: 2.1 } }), 'rmse'), 'rmse 2.5000 (baseline 2.1000)');
    assert.equal(runDescription(aRun({ metrics: { rmse: 1.5, baseline_rmse: 2.1 } }), 'rmse'), 'rmse 1.5000');
  });

  test('offers Register only on a finished run that logged a model (context value run.model)', () => {
    assert.equal(runContextValue(aRun({ model: true }), false), 'run.model');
    assert.equal(runContextValue(aRun({ model: true, status: 'KILLED' }), false), 'run');
    assert.equal(runContextValue(aRun({ model: true, status: 'FAILED' }), false), 'run');
    assert.equal(runContextValue(aRun(), false), 'run');
    assert.equal(runContextValue(aRun({ model: true }), true), 'run.deleted');
  });

  test('says the status of a run that has not finished', () => {
    assert.equal(runDescription(aRun({ status: 'RUNNING' }), 'accuracy'), 'running');
    assert.equal(runDescription(aRun({ status: 'FAILED', metrics: { accuracy: 0.5 } }), 'accuracy'), 'accuracy 0.5000 · failed');
  });

  test('shows NaN, integers and extreme values readably', () => {
    assert.equal(formatMetric('loss', Number.NaN), 'loss NaN');
    assert.equal(formatMetric('n', 3), 'n 3');
    assert.equal(formatMetric('big', 1.7976931348623157e308), 'big 1.798e+308');
    assert.equal(formatMetric('missing', undefined), '');
  });

  test('the tooltip lists params and metrics and escapes markdown in names', () => {
    const md = runTooltipMarkdown(aRun({ name: 'a*b', params: { n_estimators: '100' }, metrics: { accuracy: 0.9 }, parent: 'p1' }));
    assert.match(md, /\*\*a\\\*b\*\*/);
    assert.match(md, /\| n\\_estimators \| 100 \|/);
    assert.match(md, /\| accuracy \| 0\\\.9000 \|/);
    assert.match(md, /Parent run `p1`/);
    assert.match(md, /2\.0 s/);
  });

  test('the tooltip of a run with many metrics lists a screenful and says where the rest are', () => {
    const metrics = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${String(i).padStart(2, '0')}`, i]));
    const md = runTooltipMarkdown(aRun({ metrics }));
    assert.match(md, /\| m14 \| 14 \|/);
    assert.doesNotMatch(md, /\| m15 \|/);
    assert.match(md, /…and 25 more metrics: expand the run or open its page\./);
  });

  test('finds the parent of a nested trial run', () => {
    assert.equal(parentRunId(aRun({ parent: 'abc' })), 'abc');
    assert.equal(parentRunId(aRun()), undefined);
  });
});

test('a start time no Date can hold reads "invalid time" instead of breaking the tooltip', () => {
  assert.equal(formatUtc(9e15), 'invalid time');
  assert.equal(formatUtc(Date.UTC(2026, 11, 1, 10, 0, 0)), '2026-12-01 10:00:00 UTC');
});

describe('tuning trials in the tree', () => {
  const trial = (number: number, state: string | undefined, accuracy: number): Run => {
    const r = aRun({ name: `s-trial-${number}`, metrics: { accuracy }, parent: 'p'.repeat(32) });
    r.data.tags.push({ key: 'modelops.study', value: 's' }, { key: 'modelops.trial', value: String(number) });
    if (state) r.data.tags.push({ key: 'modelops.trial_state', value: state });
    return r;
  };
  const study = (best?: string): Run => {
    const r = aRun({ name: 's' });
    if (best !== undefined) r.data.tags.push({ key: 'modelops.best_trial', value: best });
    return r;
  };

  test('a pruned trial has its own icon and says pruned; a complete one keeps the FINISHED tick', () => {
    const pruned = trial(3, 'PRUNED', 0.7);
    assert.equal(trialState(pruned), 'PRUNED');
    assert.deepEqual(runIcon(pruned, false), PRUNED_ICON);
    assert.notDeepEqual(PRUNED_ICON, STATUS_ICON.FINISHED);
    assert.equal(trialDescription(pruned, 'accuracy', false), 'accuracy 0.7000 · pruned');
    const complete = trial(4, 'COMPLETE', 0.8);
    assert.deepEqual(runIcon(complete, false), STATUS_ICON.FINISHED);
    assert.equal(trialDescription(complete, 'accuracy', false), 'accuracy 0.8000');
    assert.match(runTooltipMarkdown(pruned), /Trial 3 of study s · pruned/);
  });

  test('the trial the study names best is marked; a pruned or other trial, or a study still running, is not', () => {
    assert.equal(isBestTrial(study('4'), trial(4, 'COMPLETE', 0.8)), true);
    assert.equal(isBestTrial(study('4'), trial(5, 'COMPLETE', 0.9)), false);
    assert.equal(isBestTrial(study('3'), trial(3, 'PRUNED', 0.7)), false);
    assert.equal(isBestTrial(study(), trial(4, 'COMPLETE', 0.8)), false);
    assert.deepEqual(runIcon(trial(4, 'COMPLETE', 0.8), true), BEST_TRIAL_ICON);
    assert.equal(trialDescription(trial(4, 'COMPLETE', 0.8), 'accuracy', true), 'accuracy 0.8000 · best trial');
    // A run that is not a trial is unchanged.
    assert.equal(trialState(aRun()), undefined);
    assert.deepEqual(runIcon(aRun({ status: 'FAILED' }), false), STATUS_ICON.FAILED);
  });
});

test("a study's own run is run.study (Open Study is offered on it); its trials and other runs are not", () => {
  const study = aRun({ name: 'tune-s' });
  study.data.tags.push({ key: 'modelops.study', value: 's' });
  assert.equal(runContextValue(study, false), 'run.study');
  assert.equal(studyOfRun(study), 's');
  const t = aRun({ name: 's-trial-0', parent: 'p'.repeat(32) });
  t.data.tags.push({ key: 'modelops.study', value: 's' }, { key: 'modelops.trial', value: '0' });
  assert.equal(runContextValue(t, false), 'run');
  assert.equal(studyOfRun(t), undefined);
  assert.equal(runContextValue(aRun(), false), 'run');
});
