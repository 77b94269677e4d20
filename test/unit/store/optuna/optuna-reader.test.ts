import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import { openStores } from '../../../../src/store/open';
import type { OptunaStudy } from '../../../../src/store/optuna/optuna-reader';
import { readOptunaFile } from '../../../../src/store/optuna/optuna-reader';
import { frozenTrial, OptunaStudyStore } from '../../../../src/store/optuna/optuna-study-store';
import { fixture } from '../../../repo-paths';
import { ENGINE_NAME, ENGINES } from '../helpers/engines';
import { copyStore, withFile } from '../helpers/schemas';
import { tempDir } from '../helpers/temp';

const FILE = fixture('optuna', 'optuna-3.1.db');

/** What Optuna 3.1 itself reported of the fixture (make-fixture.py): the reference the reader is held to. */
interface Expected {
  optuna: string;
  studies: {
    name: string;
    directions: string[];
    trials: {
      number: number;
      state: string;
      params: Record<string, unknown>;
      values: (number | string)[] | null;
      intermediate: Record<string, number | string>;
    }[];
    best?: { number: number; value: number | string; params: Record<string, unknown> };
  }[];
}
const expected = JSON.parse(readFileSync(fixture('optuna', 'optuna-3.1.expected.json'), 'utf8')) as Expected;

/** make-fixture.py writes NaN and ±inf as words (JSON has no such numbers). */
const num = (v: number | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));

const { dir, cleanup } = tempDir('modelops-optuna-');
after(cleanup);

for (const engine of ENGINES) {
  const opts = { engine };
  describe(`Optuna storage reader (${ENGINE_NAME[engine]})`, () => {
    test('reads every study of a multi-study file with the trials, states, params, values and intermediate values Optuna reports', async () => {
      const file = await readOptunaFile(FILE, opts);
      assert.equal(file.schema.libraryVersion, expected.optuna);
      assert.equal(file.schema.revision, 'v3.0.0.d');
      assert.deepEqual(
        file.studies.map((s) => s.name),
        expected.studies.map((s) => s.name),
      );
      for (const want of expected.studies) {
        const got = file.studies.find((s) => s.name === want.name)!;
        assert.deepEqual(
          got.directions,
          want.directions.map((d) => d.toLowerCase()),
          want.name,
        );
        assert.equal(got.trials.length, want.trials.length, want.name);
        for (const wt of want.trials) {
          const t = got.trials.find((x) => x.number === wt.number)!;
          const at = `${want.name} #${wt.number}`;
          assert.equal(t.state, wt.state, at);
          assert.deepEqual(t.params, wt.params, at);
          assert.deepEqual(t.values, wt.values === null ? undefined : wt.values.map(num), at);
          assert.deepEqual(t.intermediate, Object.fromEntries(Object.entries(wt.intermediate).map(([k, v]) => [Number(k), num(v)])), at);
        }
      }
    });

    test('covers every Optuna trial state, and each trial as ours keeps its number, state and value', async () => {
      const ensemble = (await readOptunaFile(FILE, { ...opts, study: 'ensemble' })).studies[0]!;
      assert.deepEqual(new Set(ensemble.trials.map((t) => t.state)), new Set(['COMPLETE', 'PRUNED', 'FAIL', 'RUNNING', 'WAITING']));
      const pruned = ensemble.trials.find((t) => t.state === 'PRUNED')!;
      // Optuna 3 stores a pruned trial's last intermediate value as its value, as we do.
      const steps = Object.keys(pruned.intermediate).map(Number);
      assert.ok(steps.length > 0);
      assert.deepEqual(pruned.values, [pruned.intermediate[Math.max(...steps)]]);
      assert.equal(frozenTrial(pruned).value, pruned.values![0]);
      assert.equal(frozenTrial({ ...pruned, values: undefined }).value, pruned.values![0]);
      const done = ensemble.trials.find((t) => t.state === 'COMPLETE')!;
      assert.ok(done.startTime! <= done.endTime!);
      assert.equal(frozenTrial(done).value, done.values![0]);
      assert.equal(frozenTrial(ensemble.trials.find((t) => t.state === 'FAIL')!).value, undefined);
    });

    test('maps current and Optuna 2 distributions to ours', async () => {
      const [br, old] = ['branin', 'old-distributions'].map(async (study) => (await readOptunaFile(FILE, { ...opts, study })).studies[0]!) as [
        Promise<OptunaStudy>,
        Promise<OptunaStudy>,
      ];
      const d = (await br).trials[0]!.distributions;
      assert.deepEqual(d, {
        x: { type: 'float', low: -5, high: 10, log: false },
        y: { type: 'float', low: 0, high: 15, log: false },
        lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
        q: { type: 'float', low: 0, high: 2, log: false, step: 0.5 },
      });
      const o = (await old).trials[0]!;
      assert.deepEqual(o.distributions, {
        u: { type: 'float', low: 0, high: 1, log: false },
        lu: { type: 'float', low: 0.001, high: 1, log: true },
        du: { type: 'float', low: 0, high: 1, log: false, step: 0.25 },
        iu: { type: 'int', low: 1, high: 9, log: false, step: 2 },
        ilu: { type: 'int', low: 1, high: 64, log: true },
        c: { type: 'categorical', choices: [true, false, 1.5, 's', null] },
      });
      assert.deepEqual(o.params, { u: 0.25, lu: 0.01, du: 0.5, iu: 3, ilu: 8, c: null });
      const ens = (await readOptunaFile(FILE, { ...opts, study: 'ensemble' })).studies[0]!.trials[0]!.distributions;
      assert.deepEqual(ens['rf.nEstimators'], { type: 'int', low: 50, high: 300, log: false, step: 50 });
      assert.deepEqual(ens['knn.nNeighbors'], { type: 'int', low: 1, high: 30, log: true });
      assert.deepEqual(ens['rf.maxDepth'], { type: 'categorical', choices: [null, 6, 12] });
    });

    test("the read-only store gives the panel Optuna's best value and refuses writes", async () => {
      const store = new OptunaStudyStore(FILE, opts);
      const list = await store.listStudies();
      for (const want of expected.studies.filter((s) => s.best && Number.isFinite(num(s.best.value)))) {
        const s = list.find((x) => x.name === want.name)!;
        assert.equal(s.best, num(want.best!.value), want.name);
        assert.equal(s.direction, want.directions[0]!.toLowerCase());
      }
      assert.equal(list.find((s) => s.name === 'ensemble')!.trials, expected.studies.find((s) => s.name === 'ensemble')!.trials.length);
      await assert.rejects(store.saveTrial(), /read-only.*studies import --optuna/);
      store.close();
    });

    test('never writes the file', async () => {
      const copy = copyStore(FILE, join(dir, `${engine}-untouched.db`));
      const before = readFileSync(copy);
      const mtime = statSync(copy).mtimeMs;
      await readOptunaFile(copy, opts);
      await new OptunaStudyStore(copy, opts).listStudies();
      assert.deepEqual(readFileSync(copy), before);
      assert.equal(statSync(copy).mtimeMs, mtime);
    });

    test('refuses a file that is not Optuna storage, naming it', async () => {
      const text = join(dir, `${engine}-notes.db`);
      writeFileSync(text, 'these are not the tables you are looking for\n'.repeat(20));
      await assert.rejects(readOptunaFile(text, opts), (e: unknown) => e instanceof ModelOpsError && e.message.startsWith(`${text}: not an SQLite database`));
      const mlflow = join(dir, `${engine}-mlflow.db`);
      const s = await openStores(mlflow, { engine });
      await s.close();
      await assert.rejects(
        readOptunaFile(mlflow, opts),
        (e: unknown) => e instanceof ModelOpsError && e.message.startsWith(`${mlflow}: not an Optuna storage file (it is an MLflow store`),
      );
      const partial = copyStore(FILE, join(dir, `${engine}-partial.db`));
      await withFile(partial, (db) => db.exec('DROP TABLE trial_values'), true);
      await assert.rejects(
        readOptunaFile(partial, opts),
        new RegExp(`^ModelOpsError: ${partial.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not an Optuna storage file \\(it has no trial_values table\\)`),
      );
      await assert.rejects(readOptunaFile(join(dir, 'missing.db'), opts), /missing\.db: no such file/);
    });

    test('refuses a schema revision it does not know, and a study the file lacks', async () => {
      const future = copyStore(FILE, join(dir, `${engine}-future.db`));
      await withFile(future, (db) => db.exec("UPDATE alembic_version SET version_num = 'v9.0.0.a'"), true);
      await assert.rejects(
        readOptunaFile(future, opts),
        (e: unknown) => e instanceof ModelOpsError && e.code === 'STORE_UNSUPPORTED_SCHEMA' && e.message.includes(future) && e.message.includes("'v9.0.0.a'"),
      );
      await assert.rejects(
        readOptunaFile(FILE, { ...opts, study: 'nope' }),
        /no Optuna study named 'nope' \(the file has ensemble, branin, old-distributions, two-objectives\)/,
      );
    });

    test("a failed trial's reason, where Optuna 2 kept it (the fail_reason system attribute), is read; one not a JSON string is ignored", async () => {
      const old = copyStore(FILE, join(dir, `${engine}-fail-reason.db`));
      const reason = "Trial 5 failed because of the following error: ValueError('a failing trial')";
      await withFile(
        old,
        (db) => {
          const id = (n: number): number =>
            Number(db.get("SELECT trial_id FROM trials t JOIN studies s USING (study_id) WHERE s.study_name = 'ensemble' AND t.number = ?", [n])?.trial_id);
          db.run("INSERT INTO trial_system_attributes (trial_id, key, value_json) VALUES (?, 'fail_reason', ?)", [id(5), JSON.stringify(reason)]);
          db.run("INSERT INTO trial_system_attributes (trial_id, key, value_json) VALUES (?, 'fail_reason', '{not json')", [id(2)]);
        },
        true,
      );
      const trials = (await readOptunaFile(old, { ...opts, study: 'ensemble' })).studies[0]!.trials;
      assert.equal(trials.find((t) => t.number === 5)?.state, 'FAIL');
      assert.equal(frozenTrial(trials.find((t) => t.number === 5)!).failReason, reason);
      assert.equal(trials.find((t) => t.number === 2)?.failReason, undefined);
    });

    test('a bad distribution is refused naming the file, study, trial and param', async () => {
      const bad = copyStore(FILE, join(dir, `${engine}-bad-dist.db`));
      await withFile(
        bad,
        (db) => db.exec(`UPDATE trial_params SET distribution_json = '{"name": "BetaDistribution", "attributes": {}}' WHERE param_name = 'x'`),
        true,
      );
      await assert.rejects(
        readOptunaFile(bad, opts),
        (e: unknown) =>
          e instanceof ModelOpsError && e.message.startsWith(`${bad}: study 'branin', trial 0: x: unknown Optuna distribution 'BetaDistribution'`),
      );
    });
  });
}
