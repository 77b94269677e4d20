import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStores } from '../../../src/store/open';
import { example } from '../../repo-paths';
import { runCliCaptured } from './run-cli';

const root = mkdtempSync(join(tmpdir(), 'modelops-move-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function ok(cwd: string, argv: string[]): Promise<string> {
  const r = await runCliCaptured(cwd, argv);
  assert.equal(r.code, 0, `modelops ${argv.join(' ')} in ${cwd}:\n${r.err}`);
  return r.out;
}

/** Every run's stored artifact_uri, as MLflow reads it. */
async function artifactUris(workspace: string): Promise<Map<string, string>> {
  const stores = await openStores(join(workspace, '.modelops', 'mlflow.db'));
  try {
    const runs = await stores.tracking.searchRuns({ experimentIds: ['0', '1'], runViewType: 'ALL' });
    return new Map(runs.items.map((r) => [r.info.runId, r.info.artifactUri]));
  } finally {
    await stores.close();
  }
}

function doctor(out: string): Record<string, string> {
  return JSON.parse(out) as Record<string, string>;
}

describe('a workspace moved or cloned keeps its runs and models', () => {
  const first = join(root, 'first');
  const moved = join(root, 'moved');
  const clone = join(root, 'clone');

  test('models:/ and the run artifacts are found after the folder is renamed; new runs write under the new folder', async () => {
    mkdirSync(first);
    cpSync(example('iris.csv'), join(first, 'iris.csv'));
    await ok(first, ['train', '--data', 'iris.csv', '--target', 'species', '--cv', '2', '--experiment', 'iris', '--register', 'iris']);
    const before = await artifactUris(first);
    renameSync(first, moved);

    await ok(moved, ['predict', '--model', 'models:/iris/1', '--data', 'iris.csv', '--out', 'preds.csv']);
    assert.match(readFileSync(join(moved, 'preds.csv'), 'utf8'), /setosa/);
    assert.equal(doctor(await ok(moved, ['doctor', '--json']))['run artifacts'], `found for all ${before.size} runs`);

    await ok(moved, ['train', '--data', 'iris.csv', '--target', 'species', '--cv', '2', '--experiment', 'iris']);
    const after = await artifactUris(moved);
    const fresh = [...after].filter(([id]) => !before.has(id));
    assert.equal(fresh.length, 1);
    assert.ok(fresh[0]![1].startsWith(join(moved, '.modelops', 'artifacts')), `new run writes under the moved folder: ${fresh[0]![1]}`);
    // What MLflow reads is left as MLflow wrote it: old runs keep their (absolute) locations.
    for (const [id, uri] of before) assert.equal(after.get(id), uri);
  });

  test('a clone reads and writes its own copy, never the original workspace', async () => {
    cpSync(moved, clone, { recursive: true });
    // Break the original's model: the clone must not be reading it.
    for (const exp of readdirSync(join(moved, '.modelops', 'artifacts'))) {
      for (const run of readdirSync(join(moved, '.modelops', 'artifacts', exp))) {
        const mlmodel = join(moved, '.modelops', 'artifacts', exp, run, 'artifacts', 'model', 'MLmodel');
        try {
          writeFileSync(mlmodel, 'broken: [');
        } catch {
          // a run without a model
        }
      }
    }
    await ok(clone, ['predict', '--model', 'models:/iris/1', '--data', 'iris.csv', '--out', 'preds.csv']);
    const before = await artifactUris(clone);
    await ok(clone, ['train', '--data', 'iris.csv', '--target', 'species', '--cv', '2', '--experiment', 'iris']);
    const fresh = [...(await artifactUris(clone))].filter(([id]) => !before.has(id));
    assert.ok(fresh[0]![1].startsWith(join(clone, '.modelops', 'artifacts')), fresh[0]![1]);
  });

  test('doctor names the runs whose artifacts are gone', async () => {
    const uris = await artifactUris(clone);
    const [gone] = [...uris.keys()];
    for (const exp of readdirSync(join(clone, '.modelops', 'artifacts')))
      rmSync(join(clone, '.modelops', 'artifacts', exp, gone!), { recursive: true, force: true });
    rmSync(join(moved, '.modelops'), { recursive: true, force: true }); // nor in the original
    const report = doctor(await ok(clone, ['doctor', '--json']))['run artifacts']!;
    assert.match(report, new RegExp(`^1 of ${uris.size} runs have no artifact folder here`));
    assert.ok(report.includes(gone!), report);
  });
});
