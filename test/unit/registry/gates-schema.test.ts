import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatPath, SchemaChecker } from '../../../src/shared/validate';
import { PIPELINE_SCHEMA } from '../../../src/pipeline/retraining/pipeline-schema';
import { GATE_FIELDS } from '../../../src/registry/gates/gate-list';
import { parseGatesFile } from '../../../src/registry/gates-config';
import { GATE_SPEC_SCHEMA, GATES_FILE_SCHEMA } from '../../../src/registry/gates-schema';
import { repoRoot } from '../../repo-paths';
import { assertSchemaAgrees } from '../schema-agreement';

const checker = new SchemaChecker(GATES_FILE_SCHEMA);
const schemaSays = (doc: unknown): string[] => checker.check(doc).map((p) => `${formatPath(p.path)}: ${p.message}`);
const parserSays = (doc: unknown): string[] => {
  try {
    parseGatesFile(JSON.stringify(doc), 'gates.json');
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
};
const model = (spec: unknown): unknown => ({ models: { churn: spec } });

describe('the JSON Schema of .modelops/gates.json', () => {
  test('schemas/modelops.gates.schema.json (what VS Code checks with) is the schema built from the gates, and package.json registers it', () => {
    const file = JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'modelops.gates.schema.json'), 'utf8')) as unknown;
    assert.deepEqual(file, JSON.parse(JSON.stringify(GATES_FILE_SCHEMA)), 'regenerate it: npm run compile-tests && node scripts/write-schemas.mjs');
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
      contributes: { jsonValidation: { fileMatch: string[]; url: string }[] };
    };
    assert.deepEqual(pkg.contributes.jsonValidation.find((v) => v.url === './schemas/modelops.gates.schema.json')?.fileMatch, ['**/.modelops/gates.json']);
  });

  test('it has every gate field, and a pipeline file’s inline gates are the same fields', () => {
    assert.deepEqual(
      Object.keys(GATE_SPEC_SCHEMA.properties ?? {}),
      GATE_FIELDS.map(([name]) => name),
    );
    const inline = PIPELINE_SCHEMA.properties?.gates?.oneOf?.find((o) => o.title === 'gates inline');
    assert.deepEqual(inline?.properties, GATE_SPEC_SCHEMA.properties);
    assert.equal(inline?.additionalProperties, false);
  });

  test('the schema and the CLI’s parser accept and refuse the same files', () => {
    const accepted = [
      {},
      { $schema: './schema.json', default: { metrics: { accuracy: { threshold: 0.7, greater_is_better: true } } } },
      model({
        data: 'h.csv',
        target: 'y',
        signature: 'off',
        smoke_test: true,
        latency: { max_ms_per_row: 0.5 },
        max_size_mb: 50,
        beats_baseline: { metric: 'roc_auc' },
      }),
      model({ smoke_test: false, beats_baseline: false, metrics: { log_loss: { min_relative_change: 0.02, greater_is_better: false } } }),
      model({ smoke_test: { rows: 5 }, beats_baseline: true, metrics: { f1_macro: { min_absolute_change: 0.01, greater_is_better: true } } }),
    ];
    const refused = [
      [],
      { defaults: {} },
      { models: [] },
      model({ metrcs: {} }),
      model({ data: '' }),
      model({ target: 3 }),
      model({ signature: 'strict' }),
      model({ smoke_test: { rows: 0 } }),
      model({ smoke_test: { rows: 1.5 } }),
      model({ smoke_test: { row: 5 } }),
      model({ smoke_test: 'yes' }),
      model({ latency: {} }),
      model({ latency: { max_ms_per_row: 0 } }),
      model({ latency: { max_ms_per_row: 1, p99: 2 } }),
      model({ max_size_mb: -1 }),
      model({ beats_baseline: { metric: '' } }),
      model({ beats_baseline: { metric: 'roc_auc', by: 1 } }),
      model({ metrics: { accuracy: 0.8 } }),
      model({ metrics: { accuracy: { threshold: 0.8 } } }),
      model({ metrics: { accuracy: { threshold: '0.8', greater_is_better: true } } }),
      model({ metrics: { accuracy: { threshhold: 0.8, greater_is_better: true } } }),
      model({ metrics: { accuracy: { min_absolute_change: 0, greater_is_better: true } } }),
      model({ metrics: { accuracy: { min_relative_change: 1.5, greater_is_better: true } } }),
    ];
    assertSchemaAgrees(schemaSays, parserSays, accepted, refused);
  });

  test('what only the parser can refuse: a threshold that contradicts its metric, a threshold with no bound, a baseline metric that is not a score', () => {
    const parserOnly = [
      model({ metrics: { log_loss: { threshold: 0.5, greater_is_better: true } } }),
      model({ metrics: { cv_accuracy: { threshold: 0.5, greater_is_better: true } } }),
      model({ metrics: { accuracy: { greater_is_better: true } } }),
      model({ beats_baseline: { metric: 'accuracy_std' } }),
    ];
    for (const doc of parserOnly) {
      assert.deepEqual(schemaSays(doc), [], JSON.stringify(doc));
      assert.notDeepEqual(parserSays(doc), [], JSON.stringify(doc));
    }
  });
});
