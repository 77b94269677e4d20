import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { parsePipelineText } from '../../../../src/pipeline/retraining/pipeline-file';
import { PIPELINE_SCHEMA } from '../../../../src/pipeline/retraining/pipeline-schema';
import { repoRoot } from '../../../repo-paths';

const FILE = '/work/ci/modelops.pipeline.json';

function fails(text: string, message: RegExp, file = FILE): void {
  assert.throws(
    () => parsePipelineText(text, file),
    (e: unknown) => {
      assert.ok(e instanceof ModelOpsError, String(e));
      assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
      assert.match(e.message, message);
      return true;
    },
  );
}

test('a full pipeline file: defaults filled in, paths relative to the file', () => {
  const spec = parsePipelineText(
    JSON.stringify({
      model: 'churn',
      dataset: 'data/new.csv',
      expectations: {
        min_rows: 100,
        max_missing: 0.3,
        columns: { plan: { allowed: ['basic', 'pro'] }, age: { min: 18, max: 100 } },
        class_balance: { min_share: 0.1 },
      },
      drift: { on_drift: 'warn', share: 0.3, columns: { age: { threshold: 0.2, on_drift: 'stop' } } },
      training: { params: { tune: { trials: 5, space: 'space.json', n_jobs: 2, pruner_options: { min_resource: 2 } } }, models: ['rf'], cv: 3, seed: 7 },
      gates: { data: 'holdout.csv', metrics: { f1_macro: { threshold: 0.6, greater_is_better: true } } },
      inference_test: { data: 'sample.csv', rows: 50 },
    }),
    FILE,
  );
  assert.equal(spec.dataset, '/work/ci/data/new.csv');
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T; // the spec's maps have no prototype
  assert.deepEqual(plain(spec.expectations.columns.age), { min: 18, max: 100 });
  assert.equal(spec.expectations.newCategories, 'fail');
  assert.equal(spec.expectations.outOfRange, 0.1);
  assert.deepEqual(plain(spec.drift), { onDrift: 'warn', share: 0.3, columns: { age: { threshold: 0.2, onDrift: 'stop' } } });
  assert.deepEqual(spec.training.params, { kind: 'tune', tune: { trials: 5, space: '/work/ci/space.json', nJobs: 2, prunerOptions: { min_resource: 2 } } });
  assert.deepEqual(spec.gates, { inline: { data: '/work/ci/holdout.csv', metrics: { f1_macro: { threshold: 0.6, greater_is_better: true } } } });
  assert.deepEqual(spec.inferenceTest, { rows: 50, data: '/work/ci/sample.csv' });
});

test('the least a file says: drift stops by default, the best run’s params, 1,000 inference rows', () => {
  const spec = parsePipelineText('model: churn\ndataset: new.csv\n', '/w/modelops.pipeline.yaml');
  assert.equal(spec.drift.onDrift, 'stop');
  assert.equal(spec.drift.share, 0.5);
  assert.deepEqual(spec.training.params, { kind: 'best_run' });
  assert.equal(spec.inferenceTest.rows, 1000);
  assert.equal(spec.gates, undefined);
});

test('mistakes name the file, line, column and field', () => {
  fails(
    '{\n  "model": "churn",\n  "dataset": "a.csv",\n  "drift": { "on_drift": "halt" }\n}',
    /modelops\.pipeline\.json:4:26: drift\.on_drift: must be one of "stop", "warn" \(got "halt"\)/,
  );
  fails(
    '{\n  "model": "churn",\n  "dataset": "a.csv",\n  "expectations": {\n    "columns": { "age": { "max_mising": 0.1 } }\n  }\n}',
    /:5:27: expectations\.columns\.age\.max_mising: unknown field \(expected type, required, allowed, min, max, max_missing\)/,
  );
  fails('{"model": "churn"}', /modelops\.pipeline\.json:1:1: \(top level\): 'dataset' is required/);
  fails('{"model": "churn", "dataset": "a.csv", "expectations": {"max_missing": 1.5}}', /expectations\.max_missing: must be ≤ 1 \(got 1\.5\)/);
  fails('{"model": "churn", "dataset": "a.csv", "training": {"params": {"tune": {"trials": 0}}}}', /training\.params\.tune\.trials: must be ≥ 1 \(got 0\)/);
  fails('{"model": "churn", "dataset": "a.csv", "training": {"params": {"tune": {"n_jobs": 0}}}}', /training\.params\.tune\.n_jobs: must be ≥ 1 \(got 0\)/);
  fails(
    '{"model": "churn", "dataset": "a.csv", "training": {"params": {"tune": {"pruner_options": {"reduction_factor": "x"}}}}}',
    /training\.params\.tune\.pruner_options\.reduction_factor: must be a number/,
  );
  fails(
    '{"model": "churn", "dataset": "a.csv", "training": {"params": "best"}}',
    /training\.params: must be "best_run", \{"study": "<name>"\}, \{"fixed": \{…\} or "params\.json"\} or \{"tune": \{…\}\} \(got "best"\)/,
  );
  fails('{"model": "churn", "dataset": "a.csv", "gates": {"metrics": {"auc": {"threshold": 0.7}}}}', /gates\.metrics\.auc: 'greater_is_better' is required/);
  fails(
    '{"model": "churn", "dataset": "a.csv", "gates": {"metrics": {"auc": {"threshold": 0.7, "greater_is_better": true, "min_relative_change": -1}}}}',
    /gates\.metrics\.auc/,
  );
  fails('{"model": "churn",\n "dataset": }', /modelops\.pipeline\.json:2:\d+: not valid JSON/);
  fails('model: churn\nmodel: other\ndataset: a.csv\n', /modelops\.pipeline\.yaml:2:1: not valid YAML \(Map keys must be unique/, '/w/modelops.pipeline.yaml');
  fails(`${'['.repeat(100)}${']'.repeat(100)}`, /nested 100 levels deep/);
  fails(
    '{"model": "churn", "dataset": "a.csv", "drift": {"columns": {"__proto__": {"threshold": "x"}}}}',
    /drift\.columns\.__proto__\.threshold: must be a number \(got "x"\)/,
  );
});

test('schemas/modelops.pipeline.schema.json (what VS Code checks with) is the schema the CLI checks with', () => {
  const file = JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'modelops.pipeline.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(file, JSON.parse(JSON.stringify(PIPELINE_SCHEMA)), 'regenerate it: npm run compile-tests && node scripts/write-schemas.mjs');
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
    contributes: { jsonValidation: { fileMatch: string[]; url: string }[]; yamlValidation: { fileMatch: string[]; url: string }[] };
  };
  assert.deepEqual(
    pkg.contributes.jsonValidation.filter((v) => v.url === './schemas/modelops.pipeline.schema.json'),
    [{ fileMatch: ['modelops.pipeline.json', '*.modelops.pipeline.json'], url: './schemas/modelops.pipeline.schema.json' }],
  );
  assert.ok(pkg.contributes.yamlValidation.every((v) => v.url === './schemas/modelops.pipeline.schema.json'));
});
