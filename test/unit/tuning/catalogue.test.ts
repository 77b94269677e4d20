import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tuneCommand } from '../../../src/cli/commands/tune';
import { ModelOpsError } from '../../../src/core/errors';
import { PIPELINE_SCHEMA } from '../../../src/pipeline/retraining/pipeline-schema';
import { createPruner, createSampler, DEFAULT_PRUNER, DEFAULT_SAMPLER, PRUNER_NAMES, PRUNERS, SAMPLER_NAMES, SAMPLERS } from '../../../src/tuning/catalogue';

const context = { seed: 7, study: 'catalogue-test' };

describe('sampler and pruner catalogue', () => {
  test('each entry builds the sampler or pruner of its own name; names are unique and the defaults are listed', () => {
    for (const e of SAMPLERS) assert.equal(e.create(context).name, e.name);
    for (const e of PRUNERS) assert.equal(e.create(context).name, e.name);
    assert.equal(new Set(SAMPLER_NAMES).size, SAMPLERS.length);
    assert.equal(new Set(PRUNER_NAMES).size, PRUNERS.length);
    assert.ok(SAMPLER_NAMES.includes(DEFAULT_SAMPLER));
    assert.ok(PRUNER_NAMES.includes(DEFAULT_PRUNER));
  });

  test('an unknown name is refused with the list and where the name came from', () => {
    assert.throws(
      () => createSampler('cmaes', context, "study 'old'"),
      (e: unknown) => e instanceof ModelOpsError && e.message === `study 'old': sampler must be one of ${SAMPLER_NAMES.join(', ')} (got 'cmaes')`,
    );
    assert.throws(
      () => createPruner('patient', context),
      (e: unknown) => e instanceof ModelOpsError && e.message.startsWith('--pruner: pruner must be one of') && e.message.includes("'patient'"),
    );
  });

  test("the CLI's --sampler / --pruner help and the pipeline file's schema are read from the catalogue", () => {
    const options = tuneCommand.options!;
    assert.equal(options.sampler.value, `<${SAMPLER_NAMES.join('|')}>`);
    assert.equal(options.pruner.value, `<${PRUNER_NAMES.join('|')}>`);
    for (const e of SAMPLERS)
      assert.ok(options.sampler.description.includes(`${e.name}${e.name === DEFAULT_SAMPLER ? ' (default)' : ''}: ${e.summary}`), e.name);
    for (const e of PRUNERS) assert.ok(options.pruner.description.includes(`${e.name}${e.name === DEFAULT_PRUNER ? ' (default)' : ''}: ${e.summary}`), e.name);
    const text = JSON.stringify(PIPELINE_SCHEMA);
    assert.ok(
      text.includes(JSON.stringify({ enum: SAMPLER_NAMES, default: DEFAULT_SAMPLER }).slice(0, -1)),
      'the pipeline schema lists the catalogue samplers',
    );
    assert.ok(text.includes(JSON.stringify({ enum: PRUNER_NAMES, default: DEFAULT_PRUNER }).slice(0, -1)), 'and pruners');
  });
});
