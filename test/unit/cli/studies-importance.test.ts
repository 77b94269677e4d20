import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FrozenTrial } from '../../../src/core/tuning';
import { openStores } from '../../../src/store/open';
import { RandomSampler } from '../../../src/tuning/samplers/random';
import type { SearchSpace } from '../../../src/tuning/distributions';
import { runCliCaptured } from './run-cli';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SPACE: SearchSpace = {
  'knn.nNeighbors': { type: 'int', low: 1, high: 30, log: true },
  'rf.minSamplesLeaf': { type: 'int', low: 1, high: 8 },
  'knn.weights': { type: 'categorical', choices: ['uniform', 'distance'] },
};

/** A stored study of `n` random trials whose accuracy depends on knn.nNeighbors only (peak at 8). */
async function workspace(n: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-importance-cli-'));
  dirs.push(dir);
  // Where the CLI looks by default.
  mkdirSync(join(dir, '.modelops'));
  const stores = await openStores(join(dir, '.modelops', 'mlflow.db'));
  try {
    await stores.studies.createStudy({
      name: 'knn',
      experimentId: '0',
      direction: 'maximize',
      metric: 'accuracy',
      sampler: 'random',
      pruner: 'none',
      space: JSON.stringify(SPACE),
      settings: '{}',
      runId: 'r0',
      createdTime: 1,
    });
    const sampler = new RandomSampler(11);
    for (let number = 0; number < n; number++) {
      const params = sampler.sample(SPACE, [], 'maximize', number)!;
      const value = 0.9 - 0.05 * Math.log2((params['knn.nNeighbors'] as number) / 8) ** 2;
      const trial: FrozenTrial = { number, state: number % 7 === 6 ? 'PRUNED' : 'COMPLETE', params, value, intermediate: {} };
      await stores.studies.saveTrial('knn', trial);
    }
  } finally {
    await stores.close();
  }
  return dir;
}

describe('modelops studies show --importance', () => {
  test('ranks the param that drives the value first, under both evaluators, as text and as JSON', async () => {
    const dir = await workspace(60);
    const text = await runCliCaptured(dir, ['studies', 'show', 'knn', '--importance']);
    assert.equal(text.code, 0, text.err);
    const rows = text.out.split('\n');
    const header = rows.findIndex((l) => /PARAM\s+PED-ANOVA\s+FANOVA/.test(l));
    assert.ok(header > 0, text.out);
    assert.match(rows[header + 2], /^knn\.nNeighbors\s+\d+\.\d%\s+\d+\.\d%$/);
    const json = await runCliCaptured(dir, ['studies', 'show', 'knn', '--importance', '--json']);
    const imp = (JSON.parse(json.out) as { importance: { param: string; pedAnova: number; fanova: number }[] }).importance;
    assert.deepEqual(imp.map((r) => r.param).sort(), Object.keys(SPACE).sort());
    assert.equal(imp[0].param, 'knn.nNeighbors');
    assert.ok(imp[0].fanova > imp[1].fanova && imp[0].fanova > imp[2].fanova, JSON.stringify(imp));
    const plain = await runCliCaptured(dir, ['studies', 'show', 'knn', '--json']);
    assert.equal((JSON.parse(plain.out) as { importance?: unknown }).importance, undefined);
  });

  test('a study with too few complete trials says so', async () => {
    const dir = await workspace(2);
    const r = await runCliCaptured(dir, ['studies', 'show', 'knn', '--importance']);
    assert.equal(r.code, 1);
    assert.match(r.err, /at least 3 complete trials \(the study has 2\)/);
  });
});
