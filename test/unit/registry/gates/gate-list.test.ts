import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import type { Bad } from '../../../../src/registry/gates/gate';
import { GATES } from '../../../../src/registry/gates/gate-list';
import { BUILTIN_GATES, parseGateSpec } from '../../../../src/registry/gates-config';

const bad: Bad = (field, why) => {
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${field}: ${why}`);
};

describe('the gate list', () => {
  test('every gate has its own kind and owns its own fields, each with a schema and a parser', () => {
    const kinds = GATES.map((g) => g.kind);
    assert.equal(new Set(kinds).size, kinds.length, `duplicate kinds: ${kinds.join(', ')}`);
    const fields = GATES.flatMap((g) => Object.keys(g.fields));
    assert.equal(new Set(fields).size, fields.length, `a field owned by two gates: ${fields.join(', ')}`);
    for (const g of GATES) {
      for (const [name, f] of Object.entries(g.fields)) {
        assert.equal(typeof f.parse, 'function', `${g.kind}.${name}`);
        assert.ok(f.schema.description || f.schema.oneOf || f.schema.enum, `${g.kind}.${name} has a schema that says what it is`);
      }
    }
  });

  test('the built-in gates are each field’s default: metrics none, signature compatible, smoke test 100 rows, beats the baseline', () => {
    assert.deepEqual(BUILTIN_GATES, { metrics: {}, signature: 'compatible', smoke_test: { rows: 100 }, beats_baseline: {} });
  });

  test('a field’s default passes its own parser', () => {
    for (const g of GATES) {
      for (const [name, f] of Object.entries(g.fields)) {
        if (f.default === undefined) continue;
        assert.doesNotThrow(() => f.parse(f.default, name, bad), `${g.kind}.${name}`);
      }
    }
  });

  test('a gate that is off gives no verdict, and an unknown field names every gate field', () => {
    assert.throws(
      () => parseGateSpec({ smoke: true }, 'p.json', 'gates'),
      (e: unknown) =>
        e instanceof ModelOpsError &&
        /gates\.smoke: unknown field \(expected one of data, target, metrics, beats_baseline, signature, smoke_test, latency, max_size_mb\)/.test(e.message),
    );
    const spec = { ...BUILTIN_GATES, ...parseGateSpec({ smoke_test: false, beats_baseline: false, signature: 'off' }, 'p.json', 'gates') };
    const evidence = {
      task: 'classification',
      classes: [],
      signature: { inputs: [], outputs: [] },
      inputColumns: 0,
      source: 'run metrics' as const,
      metrics: {},
      sample: () => undefined,
      sizeMb: () => 0,
    };
    assert.deepEqual(
      GATES.flatMap((g) => g.evaluate(spec, evidence)),
      [],
    );
  });
});
