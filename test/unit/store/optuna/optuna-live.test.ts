import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { loadOptunaStudyState } from '../../../../src/extension/webviews/study-data';
import { OptunaStudyStore } from '../../../../src/store/optuna/optuna-study-store';
import { fixture } from '../../../repo-paths';
import { tempDir } from '../helpers/temp';

/** Debian's python3-optuna: the system Python, not whatever python3 is first on PATH. */
const PYTHON = '/usr/bin/python3';

function whyNoOptuna(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = spawnSync(PYTHON, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${PYTHON} cannot import optuna (apt-get install python3-optuna): ${r.stderr.trim().split('\n').at(-1) ?? ''}`;
}

const { dir, cleanup } = tempDir('modelops-optuna-live-');
after(cleanup);

interface Reported {
  trials: { number: number; state: string; params: Record<string, unknown>; value: number | null }[];
  best: { number: number; value: number };
}

const why = whyNoOptuna();
test('the panel follows a study while Optuna writes it, and shows what Optuna reports', { skip: why ?? false, timeout: 120_000 }, async () => {
  const file = join(dir, 'live.db');
  const child = spawn(PYTHON, [fixture('optuna', 'live-writer.py'), file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => String((await lines.next()).value ?? '');
  try {
    assert.equal(await next(), 'ready');
    const store = new OptunaStudyStore(file);
    const first = await loadOptunaStudyState(store, 'live');
    assert.equal(first.detail?.trials.length, 2);
    assert.deepEqual(first.source, { kind: 'optuna', file, optunaVersion: first.source!.optunaVersion });

    // Each change of the file is re-read until the new trials have arrived.
    let stop = (): void => undefined;
    const arrived = new Promise<void>((resolve) => {
      stop = store.onDidChange(() => {
        // A read racing the end of the test (the file removed) is not this test's failure.
        store
          .listStudies()
          .then((list) => (list[0]?.trials === 5 ? resolve() : undefined))
          .catch(() => undefined);
      });
    });
    child.stdin!.write('go\n');
    const reported = JSON.parse(await next()) as Reported;
    await arrived;
    stop();

    const state = await loadOptunaStudyState(store, 'live');
    const d = state.detail!;
    assert.deepEqual(
      d.trials.map((t) => [t.number, t.state, t.params]),
      reported.trials.map((t) => [t.number, t.state, Object.entries(t.params).map(([k, v]) => [k, String(v)])]),
    );
    for (const t of reported.trials)
      if (t.state === 'COMPLETE' || t.state === 'PRUNED') assert.equal(d.trials.find((x) => x.number === t.number)!.value, t.value);
    assert.equal(d.bestTrial, reported.best.number);
    assert.equal(state.studies[0]!.best, reported.best.value);
    store.close();
  } finally {
    child.kill();
  }
});
