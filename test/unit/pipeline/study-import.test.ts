import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../src/core/errors';
import { importOptunaStudy, RUNNING_IN_OPTUNA } from '../../../src/pipeline/study-import';
import { FAIL_REASON_TAG } from '../../../src/core/tuning';
import { tune } from '../../../src/pipeline/tune';
import type { Stores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';
import { readOptunaFile } from '../../../src/store/optuna/optuna-reader';
import { parseSearchSpace } from '../../../src/tuning/distributions';
import { runCliCaptured } from '../cli/run-cli';
import { example, fixture } from '../../repo-paths';

const FILE = fixture('optuna', 'optuna-3.1.db');
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'modelops-import-test-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const stores = (dir: string): Promise<Stores> => openStores(join(dir, 'mlflow.db'));
const IRIS = { data: example('iris.csv'), target: 'species', models: 'rf,knn' };

describe('studies import --optuna', () => {
  test("copies a study's trials and search space; modelops tune resumes it with our sampler, numbering on from Optuna's", async () => {
    const before = readFileSync(FILE);
    const optuna = (await readOptunaFile(FILE, { study: 'ensemble' })).studies[0]!;
    const s = await stores(tempDir());
    const r = await importOptunaStudy(s.tracking, s.studies, { file: FILE, study: 'ensemble', resume: IRIS });
    const waiting = optuna.trials.filter((t) => t.state === 'WAITING').length;
    const running = optuna.trials.filter((t) => t.state === 'RUNNING').length;
    assert.ok(waiting > 0 && running > 0);
    assert.equal(r.skippedWaiting, waiting);
    assert.equal(r.runningAsFailed, running);
    assert.equal(r.counts.COMPLETE, optuna.trials.filter((t) => t.state === 'COMPLETE').length);
    assert.equal(r.counts.PRUNED, optuna.trials.filter((t) => t.state === 'PRUNED').length);
    assert.equal(r.counts.FAIL, optuna.trials.filter((t) => t.state === 'FAIL').length + running);
    assert.equal(r.direction, 'maximize');
    assert.equal(r.metric, 'accuracy');
    assert.match(
      r.resumeCommand!,
      /^modelops tune --study ensemble --data \S+iris\.csv --target species --models rf,knn --cv 3 --seed 42 --metric accuracy --direction maximize$/,
    );

    const stored = (await s.studies.getStudy('ensemble'))!;
    assert.deepEqual(parseSearchSpace(JSON.parse(stored.study.space), 'space'), optuna.trials[0]!.distributions);
    const copied = optuna.trials.filter((t) => t.state !== 'WAITING');
    assert.deepEqual(
      stored.trials.map((t) => t.number),
      copied.map((t) => t.number),
    );
    for (const t of copied) {
      const ours = stored.trials.find((x) => x.number === t.number)!;
      assert.deepEqual(ours.params, t.params);
      if (t.state === 'COMPLETE') assert.equal(ours.value, t.values![0]);
      const run = await s.tracking.getRun(ours.runId!);
      assert.equal(run.data.tags.find((x) => x.key === 'mlflow.parentRunId')?.value, r.runId);
      assert.equal(run.data.tags.find((x) => x.key === 'modelops.trial_state')?.value, ours.state);
      // A trial still RUNNING in Optuna is failed here, saying why, on the trial and its run.
      if (t.state === 'RUNNING') assert.equal(ours.failReason, RUNNING_IN_OPTUNA);
      assert.equal(run.data.tags.find((x) => x.key === FAIL_REASON_TAG)?.value, ours.failReason);
    }

    const resumed = await tune(s.tracking, s.studies, { ...IRIS, models: ['rf', 'knn'], study: 'ensemble', trials: 2, pruner: 'none' });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.sampler, 'tpe-multivariate');
    const last = Math.max(...copied.map((t) => t.number));
    const fresh = resumed.trials.filter((t) => t.number > last);
    assert.deepEqual(
      fresh.map((t) => t.number),
      [last + 1, last + 2],
    );
    assert.equal(resumed.trials.length, copied.length + 2);
    const space = parseSearchSpace(JSON.parse(stored.study.space), 'space');
    for (const t of fresh) assert.deepEqual(Object.keys(t.params).sort(), Object.keys(space).sort());
    assert.equal((await s.studies.getStudy('ensemble'))!.trials.length, copied.length + 2);
    await s.close();
    assert.deepEqual(readFileSync(FILE), before, 'the Optuna file is only read');
  });

  test('refuses what a ModelOps study cannot hold, before writing anything', async () => {
    const s = await stores(tempDir());
    const refused = async (options: Parameters<typeof importOptunaStudy>[2], message: RegExp): Promise<void> => {
      await assert.rejects(importOptunaStudy(s.tracking, s.studies, options), (e: unknown) => e instanceof ModelOpsError && message.test(e.message));
    };
    await refused({ file: FILE }, /the file has 4 studies \(ensemble, branin, old-distributions, two-objectives\); choose one with --study <name>/);
    await refused({ file: FILE, study: 'two-objectives' }, /study 'two-objectives': a study of 2 objectives/);
    await refused({ file: FILE, study: 'branin', resume: IRIS }, /study 'branin': param 'x' is not one modelops tune sets/);
    assert.deepEqual(await s.studies.listStudies(), []);
    assert.equal((await s.tracking.searchRuns({ experimentIds: ['0'] })).items.length, 0);
    await importOptunaStudy(s.tracking, s.studies, { file: FILE, study: 'branin' });
    await refused({ file: FILE, study: 'branin' }, /a study named 'branin' is in the workspace already; import under another name with --as <name>/);
    const again = await importOptunaStudy(s.tracking, s.studies, { file: FILE, study: 'branin', as: 'branin-2' });
    assert.equal(again.study, 'branin-2');
    await s.close();
  });

  test('the CLI imports for viewing, shows it, and tune says why a study imported without its data cannot resume', async () => {
    const dir = tempDir();
    const r = await runCliCaptured(dir, ['studies', 'import', '--optuna', FILE, '--study', 'old-distributions']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /imported study old-distributions from \S+optuna-3\.1\.db \(Optuna 3\.1\.0, study old-distributions\): 3 complete; run \w+/);
    assert.match(r.out, /import it again with --data <file\.csv> --target <column>/);
    const show = await runCliCaptured(dir, ['studies', 'show', 'old-distributions', '--json']);
    assert.equal(show.code, 0, show.err);
    const shown = JSON.parse(show.out) as { trials: { params: Record<string, unknown> }[]; settings: { importedFrom: { source: string } } };
    assert.equal(shown.settings.importedFrom.source, 'optuna');
    assert.deepEqual(shown.trials[0]!.params, { u: 0.25, lu: 0.01, du: 0.5, iu: 3, ilu: 8, c: null });
    const notOurs = await runCliCaptured(dir, ['tune', '--study', 'old-distributions', '--data', IRIS.data, '--target', 'species', '--trials', '1']);
    assert.equal(notOurs.code, 1);
    assert.match(notOurs.err, /search space: unknown parameter 'u'/);
    assert.equal((await runCliCaptured(dir, ['studies', 'import', '--optuna', FILE, '--study', 'ensemble', '--as', 'ens-view'])).code, 0);
    const noData = await runCliCaptured(dir, ['tune', '--study', 'ens-view', '--data', IRIS.data, '--target', 'species', '--trials', '1']);
    assert.equal(noData.code, 1);
    assert.match(noData.err, /study 'ens-view' was run with target none \(imported from Optuna without --data\), not species/);
    const half = await runCliCaptured(dir, ['studies', 'import', '--optuna', FILE, '--data', IRIS.data]);
    assert.equal(half.code, 1);
    assert.match(half.err, /--data and --target go together/);
    const none = await runCliCaptured(dir, ['studies', 'import']);
    assert.match(none.err, /--optuna <file\.db> is required/);
  });
});
