import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { checkMemberParams } from '../../../src/ml/member-params';
import { resolveMembers } from '../../../src/pipeline/train-options';

const refused = (fn: () => unknown, message: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_PARAMETER_VALUE' && message.test(e.message));

test('a snake_case or misspelt parameter is refused with the right spelling, not recorded and ignored', () => {
  refused(
    () => resolveMembers('rf,knn', { rf: { n_estimators: 200 } }),
    /rf: unknown parameter 'n_estimators' — did you mean 'nEstimators'\? \(it takes nEstimators, maxDepth/,
  );
  refused(() => resolveMembers('knn', { knn: { n_neighbors: 7 } }), /did you mean 'nNeighbors'/);
  refused(() => resolveMembers('knn', { knn: { nNeighbours: 7 } }), /did you mean 'nNeighbors'/);
  refused(() => resolveMembers('dummy', { members: [{ type: 'dummy', params: { strategy: 'x' } }] }), /dummy: unknown parameter 'strategy' \(it takes none\)/);
});

test('values out of range are refused with the range before any training', () => {
  refused(() => resolveMembers('rf', { rf: { nEstimators: 1e9 } }), /rf\.nEstimators must be an integer from 1 to 5000, got 1000000000/);
  refused(() => resolveMembers('rf', { rf: { nEstimators: 2.5 } }), /rf\.nEstimators must be an integer/);
  refused(() => resolveMembers('rf', { rf: { maxDepth: 0 } }), /rf\.maxDepth must be an integer from 1 to 1000 \(or null: no limit\)/);
  refused(() => resolveMembers('rf', { rf: { maxFeatures: 'half' } }), /rf\.maxFeatures must be 'sqrt', 'log2', a fraction/);
  refused(() => resolveMembers('knn', { knn: { weights: 'gaussian' } }), /knn\.weights must be one of 'uniform', 'distance'/);
  refused(() => resolveMembers('knn', { knn: { nNeighbors: '5' } }), /knn\.nNeighbors must be an integer/);
  refused(() => checkMemberParams({ type: 'rf', engine: 'mljs', params: { maxFeatures: 'sqrt' } }), /rf\.maxFeatures must be a number in \(0, 1\]/);
});

test("the parameters each member takes pass, including null and the forest's feature choices", () => {
  const specs = resolveMembers('rf,knn,tree', {
    rf: { nEstimators: 200, maxDepth: null, maxFeatures: 'log2', bootstrap: false },
    knn: { nNeighbors: 7, weights: 'distance' },
    tree: { maxDepth: 4 },
  });
  assert.deepEqual(
    specs.map((s) => s.type),
    ['rf', 'knn', 'tree'],
  );
  for (const maxFeatures of ['sqrt', 0.5, 3, null]) resolveMembers('rf', { rf: { maxFeatures } });
  const proto = Object.create(null) as Record<string, unknown>;
  proto.__proto__ = 1;
  refused(() => checkMemberParams({ type: 'rf', params: proto }), /unknown parameter '__proto__'/);
});
