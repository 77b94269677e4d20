import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { BUILTIN_GATES, gatesFor, parseGatesFile } from '../../../src/registry/gates-config';

const FILE = '.modelops/gates.json';

function rejects(json: string, message: RegExp): void {
  assert.throws(
    () => parseGatesFile(json, FILE),
    (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_PARAMETER_VALUE' && message.test(e.message),
  );
}

describe('gates.json', () => {
  test('merges a model entry over the default over the built-ins', () => {
    const file = parseGatesFile(
      JSON.stringify({
        default: { metrics: { accuracy: { threshold: 0.7, greater_is_better: true } }, max_size_mb: 100 },
        models: { churn: { data: 'holdout.csv', latency: { max_ms_per_row: 0.5 } } },
      }),
      FILE,
    );
    const g = gatesFor(file, 'churn');
    assert.equal(g.data, 'holdout.csv');
    assert.deepEqual(g.metrics, { accuracy: { threshold: 0.7, greater_is_better: true } });
    assert.equal(g.max_size_mb, 100);
    assert.deepEqual(g.latency, { max_ms_per_row: 0.5 });
    assert.equal(g.signature, 'compatible');
    assert.deepEqual(gatesFor(file, 'other').smoke_test, BUILTIN_GATES.smoke_test);
  });

  test('names the line and column of a JSON syntax error', () => {
    rejects('{\n  "models": {,\n}', /^\.modelops\/gates\.json:2:\d+: not valid JSON/);
  });

  test('names an unknown field with its path', () => {
    rejects('{"models": {"churn": {"metrcs": {}}}}', /models\.churn\.metrcs: unknown field/);
    rejects(
      '{"models": {"churn": {"metrics": {"f1": {"threshhold": 1, "greater_is_better": true}}}}}',
      /models\.churn\.metrics\.f1\.threshhold: unknown field/,
    );
  });

  test('requires greater_is_better on each metric', () => {
    rejects('{"default": {"metrics": {"f1": {"threshold": 0.5}}}}', /default\.metrics\.f1\.greater_is_better: is required/);
  });

  test('checks value types and ranges', () => {
    rejects('{"default": {"metrics": {"f1": {"threshold": "high", "greater_is_better": true}}}}', /f1\.threshold: must be a number/);
    rejects('{"default": {"metrics": {"f1": {"min_relative_change": 5, "greater_is_better": true}}}}', /between 0 and 1/);
    rejects('{"default": {"signature": "strict"}}', /default\.signature: must be "compatible" or "off"/);
    rejects('{"default": {"smoke_test": {"rows": 0}}}', /smoke_test\.rows: must be a positive integer/);
    rejects('{"default": {"max_size_mb": -1}}', /max_size_mb: must be a positive number/);
    rejects('[]', /must be an object/);
  });
});

describe('gates.json and the metric table', () => {
  test('a gate that maximises a loss or minimises a score is refused, naming the field', () => {
    rejects(
      '{"default": {"metrics": {"log_loss": {"threshold": 0.5, "greater_is_better": true}}}}',
      /default\.metrics\.log_loss\.greater_is_better: log_loss is lower-is-better: set it to false/,
    );
    rejects('{"default": {"metrics": {"accuracy": {"threshold": 0.5, "greater_is_better": false}}}}', /accuracy is higher-is-better: set it to true/);
    rejects('{"default": {"metrics": {"accuracy_std": {"threshold": 0.05, "greater_is_better": true}}}}', /accuracy_std is a spread over the folds/);
  });

  test('a gate on a per-fold metric is refused: its value is the last fold', () => {
    rejects(
      '{"default": {"metrics": {"cv_accuracy": {"threshold": 0.7, "greater_is_better": true}}}}',
      /cv_accuracy holds one value per cross-validation fold.*gate on accuracy/,
    );
  });

  test('the baseline gate is on by default and can be turned off or pointed at a metric', () => {
    assert.deepEqual(BUILTIN_GATES.beats_baseline, {});
    assert.equal(gatesFor(parseGatesFile('{"models": {"m": {"beats_baseline": false}}}', FILE), 'm').beats_baseline, false);
    assert.deepEqual(gatesFor(parseGatesFile('{"default": {"beats_baseline": {"metric": "f1_macro"}}}', FILE), 'm').beats_baseline, { metric: 'f1_macro' });
    rejects('{"default": {"beats_baseline": {"metric": "accuracy_std"}}}', /beats_baseline\.metric: accuracy_std is not a score/);
    rejects('{"default": {"beats_baseline": "yes"}}', /beats_baseline: must be true, false or/);
  });
});
