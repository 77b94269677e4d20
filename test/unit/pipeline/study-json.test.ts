import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import type { StudyRecord } from '../../../src/core/tuning';
import { storedJson, storedSettings, storedSpace } from '../../../src/pipeline/study-json';

const settings = { data: '/w/iris.csv', digest: 'abc', target: 'species', cv: 3, seed: 42, models: ['rf', 'knn'], base: { rf: { nEstimators: 10 } } };
const aStudy = (over: Partial<StudyRecord>): StudyRecord => ({
  name: 'iris-study',
  experimentId: '0',
  direction: 'maximize',
  metric: 'accuracy',
  sampler: 'tpe',
  pruner: 'median',
  space: JSON.stringify({ 'rf.nEstimators': { type: 'int', low: 10, high: 50 } }),
  settings: JSON.stringify(settings),
  runId: 'r1',
  createdTime: 0,
  ...over,
});

function refusedNaming(f: () => unknown, ...mentions: string[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ModelOpsError, String(e));
    assert.equal(e.code, 'STORE_CORRUPT');
    for (const m of mentions) assert.ok(e.message.includes(m), `${e.message} should name ${m}`);
    return true;
  });
}

describe('the JSON a stored study keeps, read through its checks', () => {
  test('good settings and space come back typed, as written', () => {
    assert.deepEqual(storedSettings(aStudy({})), settings);
    assert.deepEqual(storedSpace(aStudy({})), { 'rf.nEstimators': { type: 'int', low: 10, high: 50, log: false } });
    // An Optuna study imported without --data keeps only what it knows.
    const viewOnly = { target: 'none', models: [], importedFrom: { source: 'optuna', file: '/x.db' } };
    assert.deepEqual(storedSettings(aStudy({ settings: JSON.stringify(viewOnly) })), viewOnly);
  });

  test('a malformed stored settings value is refused naming the study and the field', () => {
    refusedNaming(() => storedSettings(aStudy({ settings: JSON.stringify({ ...settings, cv: 'three' }) })), "study 'iris-study' settings.cv", 'integer');
    refusedNaming(() => storedSettings(aStudy({ settings: JSON.stringify({ ...settings, models: ['rf', 'svm'] }) })), "study 'iris-study' settings.models[1]");
    refusedNaming(() => storedSettings(aStudy({ settings: JSON.stringify({ ...settings, target: undefined }) })), "study 'iris-study' settings.target");
    refusedNaming(() => storedSettings(aStudy({ settings: JSON.stringify({ ...settings, base: [] }) })), "study 'iris-study' settings.base");
    refusedNaming(() => storedSettings(aStudy({ settings: '{"cv": 3' })), "study 'iris-study' settings", 'cannot be read');
  });

  test('a malformed stored space is refused naming the study and the parameter', () => {
    refusedNaming(
      () => storedSpace(aStudy({ space: JSON.stringify({ 'rf.nEstimators': { type: 'int', low: 'ten', high: 50 } }) })),
      "study 'iris-study' search space",
      'rf.nEstimators.low',
    );
    refusedNaming(() => storedJson(aStudy({ settings: '[]' })), "study 'iris-study' settings");
  });
});
