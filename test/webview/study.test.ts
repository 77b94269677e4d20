import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StudyDetail, StudyState, TrialRow } from '../../src/shared/study-protocol';
import { fromWide } from '../../src/shared/validate';
import { HOSTILE_NAME, seeded } from './builders';
import type { Fixture } from './harness';
import { Harness } from './harness';

/** Param names a user (or an attacker's space file) could give a study. */
const HOSTILE_PARAMS = [HOSTILE_NAME, '__proto__', 'constructor', '=HYPERLINK("http://evil.example","x")', 'ключ.日本'];
const STATES: TrialRow['state'][] = ['COMPLETE', 'COMPLETE', 'PRUNED', 'COMPLETE', 'FAIL'];

const FOLDS = 5;

/** Complete trials report every fold, pruned ones stop after the second (their value is the last one). */
function intermediateOf(trials: TrialRow[]): StudyDetail['intermediate'] {
  const reporting = trials.filter((t) => t.state === 'COMPLETE' || t.state === 'PRUNED');
  return {
    steps: Array.from({ length: FOLDS }, (_, i) => i),
    lines: reporting.map((t) => ({
      number: t.number,
      state: t.state,
      values: Array.from({ length: FOLDS }, (_, f) => (t.state === 'PRUNED' && f > 1 ? null : fromWide(t.value!) - 0.02 * (FOLDS - 1 - f))),
    })),
  };
}

/** The first (hostile) param is categorical, the third log-scaled, the others numeric. */
function plotsOf(trials: TrialRow[]): StudyDetail['plots'] {
  const complete = trials.filter((t) => t.state === 'COMPLETE');
  return {
    numbers: complete.map((t) => t.number),
    values: complete.map((t) => fromWide(t.value!)),
    params: HOSTILE_PARAMS.map((name, j) =>
      j === 0
        ? { name, scale: 'categorical' as const, min: 0, max: 1, categories: [HOSTILE_NAME, '<b>other</b>'], positions: complete.map((t) => t.number % 2) }
        : {
            name,
            scale: j === 2 ? ('log' as const) : ('numeric' as const),
            min: 0.001,
            max: 10,
            categories: [],
            positions: complete.map((t) => Math.max(0.001, Number(t.params[j][1]))),
          },
    ),
  };
}

/** `n` trials, the last one RUNNING; the best value is 0.99 at trial 776 when n > 776. */
function aStudyState(n: number): StudyState {
  const rand = seeded(17);
  const trials: TrialRow[] = Array.from({ length: n }, (_, i) => {
    const state = i === n - 1 ? 'RUNNING' : STATES[i % STATES.length];
    const row: TrialRow = { number: i, state, params: HOSTILE_PARAMS.map((p, j) => [p, j === 0 ? HOSTILE_NAME : (rand() * 10).toFixed(3)]) };
    if (state === 'COMPLETE' || state === 'PRUNED') row.value = i === 776 ? 0.99 : 0.5 + rand() * 0.4;
    if (state !== 'RUNNING') row.durationMs = 1000 + i;
    if (state === 'FAIL') row.failReason = `fit failed: ${HOSTILE_NAME}`;
    return row;
  });
  let best: number | null = null;
  const values = trials.map((t) => (t.state === 'COMPLETE' ? fromWide(t.value!) : null));
  const bests = values.map((v) => (best = v !== null && (best === null || v > best) ? v : best));
  const bestTrial = trials.filter((t) => t.state === 'COMPLETE').sort((a, b) => fromWide(b.value!) - fromWide(a.value!))[0]?.number ?? null;
  const summary = {
    name: HOSTILE_NAME,
    metric: 'accuracy',
    direction: 'maximize' as const,
    sampler: 'tpe',
    pruner: 'median',
    trials: n,
    complete: values.filter((v) => v !== null).length,
    runId: 'r'.repeat(32),
    ...(bestTrial !== null ? { best: trials[bestTrial].value! } : {}),
  };
  return {
    status: 'ready',
    studies: [summary, { ...summary, name: 'other-study', trials: 3, complete: 1 }],
    detail: {
      study: summary,
      trials,
      bestTrial,
      history: { numbers: trials.map((t) => t.number), values, best: bests },
      importance: HOSTILE_PARAMS.map((param, i) => ({ param, pedAnova: [0.6, 0.2, 0.1, 0.06, 0.04][i], fanova: [0.7, 0.1, 0.1, 0.05, 0.05][i] })),
      intermediate: intermediateOf(trials),
      plots: plotsOf(trials),
    },
  };
}

const fixtureFor = (state: StudyState, extra: Partial<Fixture> = {}): Fixture => ({
  initial: { kind: 'notification', method: 'study/state', params: state },
  ...extra,
});

describe('study panel in Chromium', () => {
  let harness: Harness;
  before(async () => {
    harness = await Harness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  test('1,000 trials with hostile param names: states with distinct icons, the best trial, history and importances, all as text', async () => {
    const panel = await harness.open('study', fixtureFor(aStudyState(1000)));
    await panel.page.waitForSelector('[data-testid="trials"]');
    await panel.waitFor(`document.body.dataset.chart === 'drawn'`);
    assert.equal(await panel.page.locator('[data-testid="trials"] tbody tr').count(), 1000);
    // Every state is shown, each with its own icon.
    const icons = await panel.page.$$eval('td.state', (cells) =>
      Object.fromEntries(cells.map((c) => [c.getAttribute('data-state'), c.querySelector('.state-icon')?.textContent ?? ''])),
    );
    assert.deepEqual(Object.keys(icons).sort(), ['COMPLETE', 'FAIL', 'PRUNED', 'RUNNING']);
    assert.equal(new Set(Object.values(icons)).size, 4, JSON.stringify(icons));
    assert.match((await panel.page.textContent('section[aria-label="Trials"] h2')) ?? '', /Trials \(1000: 600 complete, 200 pruned, 199 fail, 1 running\)/);
    // The best trial: marked in the table, its params listed.
    assert.equal(await panel.page.getAttribute('tr.best', 'data-trial'), '776');
    assert.match((await panel.page.textContent('[data-testid="best"] h2')) ?? '', /Best trial: #776, accuracy 0\.99/);
    const bestParams = await panel.page.$$eval('[data-testid="best"] .best-params th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(bestParams, HOSTILE_PARAMS);
    const importance = await panel.page.$$eval('[data-testid="importance"] tbody th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(importance, HOSTILE_PARAMS);
    assert.match((await panel.page.textContent('[data-testid="importance"] tbody tr:first-child')) ?? '', /60\.0%.*70\.0%/);
    // Intermediate values: a line per reporting trial, each pruned one marked where it stopped.
    assert.equal(await panel.page.getAttribute('[data-testid="intermediate-chart"] canvas', 'data-marks'), '800');
    assert.equal(await panel.page.getAttribute('[data-testid="intermediate-chart"] canvas', 'data-pruned'), '200');
    assert.match((await panel.page.textContent('[data-testid="intermediate"] h2')) ?? '', /per fold/);
    // A slice plot per param, titled with its name as text, a point per complete trial.
    const slices = await panel.page.$$eval('[data-testid="slice"]', (figs) =>
      figs.map((f) => [f.querySelector('figcaption')?.textContent, f.querySelector('canvas')?.getAttribute('data-marks')]),
    );
    assert.deepEqual(
      slices,
      HOSTILE_PARAMS.map((p) => [p, '600']),
    );
    // The contour: the two most important params first; choosing another redraws it.
    const options = await panel.page.$$eval('[data-testid="contour-x"] vscode-option', (os) => os.map((o) => o.textContent));
    assert.deepEqual(options, HOSTILE_PARAMS);
    assert.equal(await panel.page.textContent('[data-testid="contour-chart"] figcaption'), `__proto__ against ${HOSTILE_NAME}`);
    assert.equal(await panel.page.getAttribute('[data-testid="contour-chart"] canvas', 'data-marks'), '600');
    await panel.page.$eval('[data-testid="contour-y"]', (d) => {
      (d as unknown as { value: string }).value = 'ключ.日本';
      d.dispatchEvent(new Event('change'));
    });
    await panel.waitFor(`document.querySelector('[data-testid="contour-chart"] figcaption').textContent.startsWith('ключ.日本 against')`);
    // Parallel coordinates: an axis per param and one for the value, a line per complete trial.
    const parallel = await panel.page.$eval('[data-testid="parallel-chart"] canvas', (c) => [c.getAttribute('data-marks'), c.getAttribute('data-labels')]);
    assert.equal(parallel[0], '600');
    const labels = JSON.parse(parallel[1] ?? '[]') as string[];
    assert.equal(labels.length, HOSTILE_PARAMS.length + 1);
    assert.equal(labels.at(-1), 'accuracy');
    // Hostile strings are text: nothing they name was created or run.
    assert.match((await panel.page.textContent('h1')) ?? '', /<img src=x onerror=alert\(1\)>/);
    assert.equal(await panel.page.locator('img, script:not([src])').count(), 0);
    assert.match((await panel.page.textContent('tr[data-trial="3"] td.params')) ?? '', /__proto__=\d/);
    // A failed trial says why, as text, in its row and its tooltip.
    assert.equal(await panel.page.textContent('tr[data-trial="4"] .fail-reason'), `fit failed: ${HOSTILE_NAME}`);
    assert.equal(await panel.page.getAttribute('tr[data-trial="4"] td.state', 'title'), `fit failed: ${HOSTILE_NAME}`);
    assert.deepEqual(panel.dialogs, []);
    assert.deepEqual(await panel.cspViolations(), []);
    assert.deepEqual(panel.errors, []);
    await panel.screenshot('study-dark');
    await panel.close();
  });

  test("the best trial's Train and Register ask the host for the study by name; Register without a model says why and is disabled", async () => {
    const base = aStudyState(20);
    const withModel: StudyState = {
      ...base,
      detail: { ...base.detail!, actions: { registerRun: { runId: 'b'.repeat(32), runName: `${HOSTILE_NAME}-best`, trial: base.detail!.bestTrial! } } },
    };
    const panel = await harness.open('study', fixtureFor(withModel, { replies: { 'study/registerBest': { message: 'Registered <b>it</b>' } } }));
    await panel.page.waitForSelector('[data-testid="register-best"]');
    assert.equal(await panel.page.getAttribute('[data-testid="register-best"]', 'disabled'), null);
    assert.match((await panel.page.textContent('[data-testid="register-best"]')) ?? '', new RegExp(`Register model of #${base.detail!.bestTrial}`));
    await panel.page.click('[data-testid="train-best"]');
    await panel.page.click('[data-testid="register-best"]');
    await panel.waitFor(`document.querySelector('[data-testid="status"]').textContent.includes('Registered')`);
    const asked = (await panel.posted()).filter((m) => m.kind === 'request').map((m) => [m.method, m.params]);
    assert.deepEqual(asked, [
      ['study/trainBest', { name: HOSTILE_NAME }],
      ['study/registerBest', { name: HOSTILE_NAME }],
    ]);
    assert.equal(await panel.page.locator('b').count(), 0, "the host's message is text");

    const note = "Trial #3's run has no model <i>x</i>";
    await panel.deliver({
      kind: 'notification',
      method: 'study/state',
      params: { ...base, detail: { ...base.detail!, actions: { registerNote: note, trainNote: 'no data <i>y</i>' } } },
    });
    await panel.waitFor(`!!document.querySelector('[data-testid="register-note"]')`);
    assert.equal(await panel.page.textContent('[data-testid="register-note"]'), note);
    assert.equal(await panel.page.textContent('[data-testid="train-note"]'), 'no data <i>y</i>');
    assert.notEqual(await panel.page.getAttribute('[data-testid="register-best"]', 'disabled'), null);
    assert.notEqual(await panel.page.getAttribute('[data-testid="train-best"]', 'disabled'), null);
    await panel.page.click('[data-testid="register-best"]', { force: true });
    assert.equal((await panel.posted()).filter((m) => m.kind === 'request').length, 2, 'a disabled button asks nothing');
    assert.equal(await panel.page.locator('i').count(), 0);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test("an Optuna study's ±inf values show as ∞ in the list, the table and the best trial; the history chart leaves them out", async () => {
    const base = aStudyState(20);
    const d = base.detail!;
    const trials = d.trials.map((t) =>
      t.number === 0 ? { ...t, state: 'COMPLETE' as const, value: 'inf' as const } : t.number === 3 ? { ...t, value: '-inf' as const } : t,
    );
    const values = d.history.values.map((v, i) => (i === 0 ? ('inf' as const) : i === 3 ? ('-inf' as const) : v));
    const study = { ...d.study, best: 'inf' as const };
    const state: StudyState = {
      ...base,
      studies: [study, base.studies[1]],
      detail: { ...d, study, trials, bestTrial: 0, history: { ...d.history, values, best: values.map(() => 'inf' as const) } },
    };
    const panel = await harness.open('study', fixtureFor(state));
    await panel.waitFor(`document.body.dataset.chart === 'drawn'`);
    assert.equal(await panel.page.textContent('tr[data-trial="0"] td:nth-child(3)'), '∞');
    assert.equal(await panel.page.textContent('tr[data-trial="3"] td:nth-child(3)'), '−∞');
    assert.match((await panel.page.textContent('[data-testid="best"] h2')) ?? '', /Best trial: #0, accuracy ∞/);
    assert.match((await panel.page.textContent('[data-testid="studies"]')) ?? '', /∞/);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('a store change delivers trials live; choosing another study asks the host for it', async () => {
    const panel = await harness.open('study', fixtureFor(aStudyState(10)), 'light');
    await panel.page.waitForSelector('[data-testid="trials"]');
    assert.equal(await panel.page.locator('[data-testid="trials"] tbody tr').count(), 10);
    await panel.deliver({ kind: 'notification', method: 'study/state', params: aStudyState(12) });
    await panel.waitFor(`document.querySelectorAll('[data-testid="trials"] tbody tr').length === 12`);
    assert.equal(await panel.page.getAttribute('tr[data-trial="11"] td.state', 'data-state'), 'RUNNING');
    assert.equal(await panel.page.getAttribute('tr[data-trial="9"] td.state', 'data-state'), 'FAIL');
    await panel.page.click('tr[data-study="other-study"] a');
    const select = (await panel.posted()).find((m) => m.method === 'study/select');
    assert.deepEqual(select?.params, { name: 'other-study' });
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test("an Optuna file's study is shown read-only with its waiting trials, and offers no action", async () => {
    const base = aStudyState(6);
    const trials: TrialRow[] = [
      ...base.detail!.trials.slice(0, 5).map((t) => ({ ...t, runId: 'r'.repeat(32) })),
      { number: 5, state: 'WAITING', params: [['x', '1']] },
    ];
    const state: StudyState = {
      ...base,
      detail: { ...base.detail!, trials },
      source: { kind: 'optuna', file: '/work/optuna <b>studies</b>.db', optunaVersion: '3.1.0' },
    };
    const panel = await harness.open('study', fixtureFor(state));
    await panel.page.waitForSelector('[data-testid="trials"]');
    assert.match(
      (await panel.page.textContent('[data-testid="subtitle"]')) ?? '',
      /Optuna 3\.1\.0 study file \/work\/optuna <b>studies<\/b>\.db · read-only, updates as Optuna writes it/,
    );
    assert.equal(await panel.page.getAttribute('tr[data-trial="5"] td.state', 'data-state'), 'WAITING');
    const icons = await panel.page.$$eval('td.state', (cells) => [
      ...new Set(cells.map((c) => `${c.getAttribute('data-state')}:${c.querySelector('.state-icon')?.textContent ?? ''}`)),
    ]);
    assert.equal(new Set(icons.map((i) => i.split(':')[1])).size, icons.length, icons.join(' '));
    assert.match((await panel.page.textContent('section[aria-label="Trials"] h2')) ?? '', /1 waiting/);
    assert.equal(await panel.page.locator('[data-testid="best"] vscode-button, [data-testid="best"] button').count(), 0, 'no Open Run, Train or Register');
    // The plots are there, read-only; Optuna's intermediate values are by step, not by fold.
    assert.match((await panel.page.textContent('[data-testid="intermediate"] h2')) ?? '', /by step/);
    assert.equal(await panel.page.locator('[data-testid="slice"]').count(), HOSTILE_PARAMS.length);
    assert.equal(await panel.page.locator('b').count(), 0);
    // Kept across a window reload, so the panel comes back on the same file.
    assert.deepEqual(await panel.page.evaluate('window.__saved'), { name: base.detail!.study.name, file: '/work/optuna <b>studies</b>.db' });
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });

  test('no study yet says how to start one', async () => {
    const panel = await harness.open(
      'study',
      fixtureFor({ status: 'ready', studies: [], detail: null, message: 'No studies yet: run ModelOps: Tune Hyperparameters… (or modelops tune).' }),
    );
    await panel.page.waitForSelector('[data-testid="empty"]');
    assert.match((await panel.page.textContent('[data-testid="empty"]')) ?? '', /Tune Hyperparameters/);
    assert.deepEqual(panel.errors, []);
    await panel.close();
  });
});
