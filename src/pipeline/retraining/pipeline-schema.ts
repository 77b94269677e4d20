import type { JsonSchema } from '../../shared/validate';
import { DEFAULT_PRUNER, DEFAULT_SAMPLER, PRUNER_NAMES, PRUNERS, SAMPLER_NAMES, SAMPLERS } from '../../tuning/catalogue';
import { SEARCH_SPACE } from '../../tuning/distributions';
import { GATE_SPEC_SCHEMA } from '../../registry/gates-schema';

/**
 * The JSON Schema of `modelops.pipeline.json` / `.yaml`. VS Code completes and checks the file
 * with it (`schemas/modelops.pipeline.schema.json`, registered in package.json; a unit test keeps
 * that file equal to this object) and the CLI validates with the same schema (`checkDocument` in shared/validate.ts).
 */
const share = (description: string): JsonSchema => ({ type: 'number', minimum: 0, maximum: 1, description });
const csvPath = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });

const columnExpectation: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'What this column of the new data must hold. Replaces the defaults taken from the reference model for this column.',
  properties: {
    type: { enum: ['numeric', 'categorical', 'boolean'], description: 'The column’s type: numbers, text categories or true/false.' },
    required: { type: 'boolean', default: true, description: 'The column must be present (default true).' },
    allowed: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      uniqueItems: true,
      description: 'The categories allowed; any other value fails the check.',
    },
    min: { type: 'number', description: 'Smallest allowed value (numeric columns).' },
    max: { type: 'number', description: 'Largest allowed value (numeric columns).' },
    max_missing: share('Largest share of missing values allowed in this column (0–1).'),
  },
};

const driftColumn: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    threshold: {
      type: 'number',
      minimum: 0,
      description:
        'Replaces the test’s default threshold: a p-value for KS / chi-squared (drift below it, default 0.05), a distance for Wasserstein / Jensen–Shannon (drift at or above it, default 0.1).',
    },
    on_drift: { enum: ['stop', 'warn'], description: '`stop`: this column drifting stops the pipeline by itself, whatever the share of drifted columns.' },
    ignore: { type: 'boolean', description: 'Leave this column out of the drift check.' },
  },
};

const tune: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Tune first (an Optuna-style study, resumable), then train its best params.',
  properties: {
    trials: { type: 'integer', minimum: 1, default: 20, description: 'Trials to run in this pipeline run.' },
    timeout_s: { type: 'number', exclusiveMinimum: 0, description: 'Stop tuning after this many seconds.' },
    study: { type: 'string', minLength: 1, description: 'Study name (default `<model>-pipeline`); an existing study continues.' },
    space: {
      description: 'Search space: a JSON file (relative to the pipeline file) or the space itself.',
      oneOf: [
        { title: 'a search space file path', type: 'string', minLength: 1 },
        // The --space file's own shape (tuning/distributions.ts).
        { title: 'the search space', ...SEARCH_SPACE.schema },
      ],
    },
    sampler: {
      enum: [...SAMPLER_NAMES],
      default: DEFAULT_SAMPLER,
      description: `How each trial's params are chosen: ${SAMPLERS.map((e) => `\`${e.name}\` ${e.summary}`).join('; ')}.`,
    },
    pruner: {
      enum: [...PRUNER_NAMES],
      default: DEFAULT_PRUNER,
      description: `Which trials stop early, after a fold: ${PRUNERS.map((e) => `\`${e.name}\` ${e.summary}`).join('; ')}.`,
    },
    pruner_options: {
      type: 'object',
      additionalProperties: { type: 'number' },
      description:
        "The pruner's parameters by Optuna's names (`reduction_factor`, `min_resource`, …), as `modelops tune --pruner-option`; checked against the pruner's ranges. Unset: a continued study's own, else Optuna's defaults.",
    },
    metric: { type: 'string', minLength: 1, description: 'Metric to optimise (default accuracy, or r2 for regression).' },
    cv: { type: 'integer', minimum: 0, default: 3, description: 'Folds per trial.' },
    n_jobs: {
      type: 'integer',
      minimum: 1,
      default: 1,
      description: 'Trials in flight at once, each on a worker thread (`modelops tune --n-jobs`); at most twice the cores.',
    },
  },
};

const params: JsonSchema = {
  description: 'Where the training params come from (default `best_run`).',
  oneOf: [
    {
      title: '"best_run"',
      const: 'best_run',
      description: 'The params of the best finished run of the model’s experiment by its primary metric (accuracy or r2).',
    },
    {
      title: '{"study": "<name>"}',
      type: 'object',
      additionalProperties: false,
      required: ['study'],
      properties: { study: { type: 'string', minLength: 1, description: 'The best trial’s params of this tuning study.' } },
    },
    {
      title: '{"fixed": {…} or "params.json"}',
      type: 'object',
      additionalProperties: false,
      required: ['fixed'],
      properties: {
        fixed: {
          type: ['object', 'string'],
          description: 'The params file format of `modelops train --params` (e.g. {"rf": {"nEstimators": 200}, "knn": {"nNeighbors": 7}}), or its path.',
        },
      },
    },
    { title: '{"tune": {…}}', type: 'object', additionalProperties: false, required: ['tune'], properties: { tune } },
  ],
};

const gates: JsonSchema = {
  description:
    'Validation gates: a gates file (relative to the pipeline file), or one model’s gates inline (merged over the workspace’s .modelops/gates.json entry).',
  oneOf: [
    { title: 'a gates file path', type: 'string', minLength: 1 },
    // The same fields as an entry of .modelops/gates.json, from the gates themselves (registry/gates/).
    { title: 'gates inline', ...GATE_SPEC_SCHEMA },
  ],
};

export const PIPELINE_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'ModelOps retraining pipeline',
  description:
    'Data validation and drift → train → validate and promote to Staging → inference test. Run it with `modelops pipeline run` or "ModelOps: Run Retraining Pipeline".',
  type: 'object',
  additionalProperties: false,
  required: ['model', 'dataset'],
  properties: {
    $schema: { type: 'string' },
    model: { type: 'string', minLength: 1, description: 'The registered model to retrain (created on the first run).' },
    dataset: csvPath('The new training data (CSV), relative to this file.'),
    target: { type: 'string', minLength: 1, description: 'Target column (default: the registered model’s).' },
    experiment: { type: 'string', minLength: 1, description: 'Experiment of the pipeline’s runs (default: the reference version’s).' },
    expectations: {
      type: 'object',
      additionalProperties: false,
      description: 'What the new data must look like. Without it, the data is checked against the reference model’s signature and training profile.',
      properties: {
        min_rows: { type: 'integer', minimum: 1, description: 'Fewest data rows accepted.' },
        max_missing: share('Largest share of missing values in any column (default: the training data’s share + 0.2).'),
        new_categories: {
          enum: ['fail', 'warn'],
          default: 'fail',
          description: 'A category the reference model never saw in training: fail (default) or warn.',
        },
        out_of_range: {
          oneOf: [
            { title: 'false', const: false },
            {
              title: '{"max_share": s}',
              type: 'object',
              additionalProperties: false,
              required: ['max_share'],
              properties: { max_share: share('Largest share of values outside the training range (default 0.1).') },
            },
          ],
          description: 'Numeric values outside the range seen in training: the share allowed, or false to skip this check.',
        },
        extra_columns: { enum: ['allow', 'fail'], default: 'allow', description: 'Columns the model does not take.' },
        columns: { type: 'object', additionalProperties: columnExpectation, description: 'Per-column expectations, by column name.' },
        class_balance: {
          type: 'object',
          additionalProperties: false,
          description: 'The target’s classes (classification).',
          properties: {
            min_share: share('Every class must hold at least this share of the rows.'),
            max_share: share('No class may hold more than this share of the rows.'),
            classes: { type: 'array', items: { type: 'string' }, minItems: 2, uniqueItems: true, description: 'The exact set of classes expected.' },
          },
        },
      },
    },
    drift: {
      type: 'object',
      additionalProperties: false,
      description: 'Drift against the training data of the current Production version (Evidently’s default tests).',
      properties: {
        on_drift: { enum: ['stop', 'warn'], default: 'stop', description: 'What a drifted dataset does: stop the pipeline (default) or warn and go on.' },
        share: share('The dataset drifts when at least this share of its columns drift (default 0.5).'),
        columns: { type: 'object', additionalProperties: driftColumn, description: 'Per-column thresholds and actions, by column name.' },
      },
    },
    training: {
      type: 'object',
      additionalProperties: false,
      properties: {
        params,
        models: {
          type: 'array',
          items: { enum: ['rf', 'knn', 'tree', 'dummy'] },
          minItems: 1,
          uniqueItems: true,
          description: 'Ensemble members (with fixed params or tuning; default rf, knn).',
        },
        cv: { type: 'integer', minimum: 0, default: 5, description: 'Cross-validation folds (0 or 1: one 20% held-out split).' },
        seed: { type: 'integer', minimum: 0, description: 'Seed (default: the params’ run’s, else 42).' },
      },
    },
    gates,
    inference_test: {
      type: 'object',
      additionalProperties: false,
      description: 'Scoring the new Staging version, loaded by its models:/ URI.',
      properties: {
        data: csvPath('CSV to score (default: the dataset).'),
        rows: { type: 'integer', minimum: 1, default: 1000, description: 'Rows scored at most.' },
        classes: {
          type: 'array',
          items: { type: 'string' },
          minItems: 1,
          uniqueItems: true,
          description: 'Classes a prediction may be (default: the model’s).',
        },
        min: { type: 'number', description: 'Smallest prediction allowed (regression).' },
        max: { type: 'number', description: 'Largest prediction allowed (regression).' },
      },
    },
  },
};
