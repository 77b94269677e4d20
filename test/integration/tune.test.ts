import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpsApi } from '../../src/extension/api';
import { bestModelRun } from '../../src/extension/webviews/study-data';
import type { TrainResult } from '../../src/pipeline/train';
import type { TuneResult } from '../../src/pipeline/tune';
import { DEFAULT_SPACE } from '../../src/pipeline/tune';
import { bestTrialOf } from '../../src/tuning/trial';
import { openStores } from '../../src/store/open';
import { activateExtension } from './helpers';
import { removeStore, scriptUi, storeFile, waitFor, workspaceDir } from './fixtures';
import type { ScriptedUi } from './fixtures';
import { childrenOf } from './trees';

const COMMAND = 'modelops.tuneHyperparameters';
const STUDY = 'iris-species';

/** The store file as another process (the CLI) sees it: the study, its trials and their runs. */
async function readStudy(): Promise<{
  listed: { name: string; trials: number; runId: string }[];
  trials: { number: number; state: string; runId?: string; runStatus?: string; parent?: string }[];
  studyRunStatus?: string;
}> {
  const db = await openStores(storeFile());
  try {
    const { studies, tracking } = db;
    const listed = await studies.listStudies();
    const found = await studies.getStudy(STUDY);
    const trials = [];
    for (const t of found?.trials ?? []) {
      const run = t.runId ? await tracking.getRun(t.runId) : undefined;
      trials.push({
        number: t.number,
        state: t.state,
        runId: t.runId,
        runStatus: run?.info.status,
        parent: run?.data.tags.find((x) => x.key === 'mlflow.parentRunId')?.value,
      });
    }
    const studyRunStatus = found ? (await tracking.getRun(found.study.runId)).info.status : undefined;
    return { listed, trials, studyRunStatus };
  } finally {
    await db.close();
  }
}

suite('tune hyperparameters from the editor', function () {
  // Each test runs real trials (cross-validated forests) on a shared 2-core machine: a limit for
  // a hung host, not a timing assertion.
  this.timeout(240_000);
  let api: ModelOpsApi;
  let ui: ScriptedUi;
  let restore: () => void;
  const iris = () => vscode.Uri.file(join(workspaceDir(), 'iris.csv'));

  suiteSetup(async () => {
    api = await activateExtension();
    ({ ui, restore } = scriptUi(api));
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  suiteTeardown(async () => {
    restore();
    removeStore();
    await vscode.commands.executeCommand('modelops.refresh');
  });

  test('Tune Hyperparameters asks for the CSV, the target and whether to train the best, runs 3 trials as nested runs of the study, and says the best', async () => {
    ui.prompts.length = 0;
    ui.answers = ['iris.csv', 'species', 'No'];
    const logged = api.log.recent().length;
    const result = await vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, undefined, { trials: 3 });
    assert.ok(result, `tuning failed: ${JSON.stringify(ui.messages)}`);
    assert.deepEqual(ui.answers, [], 'every quick pick was asked');
    assert.deepEqual(ui.prompts, ['Tune hyperparameters on which CSV?', 'Target column of iris.csv', 'Then train the best params as a full run?']);
    assert.equal(result.study, STUDY);
    assert.equal(result.trials.length, 3);
    assert.equal(result.bestRun, undefined, 'the best params were not trained');
    assert.ok(result.best, 'a trial completed');

    const done = ui.messages.find((m) => m.level === 'info' && m.text.startsWith(`Study ${STUDY}:`));
    assert.ok(done, JSON.stringify(ui.messages));
    assert.match(done.text, /^Study iris-species: best accuracy 0\.\d+ \(trial [0-2]\)\.$/);
    assert.deepEqual(done.actions, ['Open Study', 'Show Runs']);

    const trialLines = api.log
      .recent()
      .slice(logged)
      .filter((l) => l.startsWith('tune.trial '));
    assert.equal(trialLines.length, 3, 'one output line per trial');
    assert.match(trialLines[0] ?? '', /study=iris-species trial=0 state=(complete|pruned|fail)/);

    const stored = await readStudy();
    assert.deepEqual(
      stored.listed.map((s) => [s.name, s.trials, s.runId]),
      [[STUDY, 3, result.runId]],
    );
    assert.deepEqual(
      stored.trials.map((t) => t.number),
      [0, 1, 2],
    );
    for (const t of stored.trials) {
      assert.ok(t.runId, `trial ${t.number} has a run`);
      assert.equal(t.parent, result.runId, `trial ${t.number}'s run is nested under the study's run`);
      assert.notEqual(t.runStatus, 'RUNNING');
    }
    assert.equal(stored.studyRunStatus, 'FINISHED');

    // The store's watcher refreshes the tree: the study's run with its trials under it.
    const trials = await waitFor('the study run with its 3 trials in the Experiments view', async () => {
      const runs = await childrenOf(api.experiments, ['Default']);
      const study = runs.find((r) => r.node.kind === 'run' && r.node.run.info.runId === result.runId);
      if (!study) return undefined;
      // Under a run: its nested runs (the trials), then its params, metrics and artifacts.
      const children = (await childrenOf(api.experiments, ['Default', study.label])).filter((r) => r.node.kind === 'run');
      return children.length === 3 ? children : undefined;
    });
    assert.deepEqual(trials.map((r) => r.label).sort(), ['iris-species-trial-0', 'iris-species-trial-1', 'iris-species-trial-2']);
  });

  test('without a number of trials the Tune form lists every option (trials, sampler, pruner, metric, …); dismissing it runs nothing', async () => {
    ui.answers = ['species', undefined];
    ui.offered.length = 0;
    assert.equal(await vscode.commands.executeCommand(COMMAND, iris()), undefined);
    assert.deepEqual(ui.offered.at(-1), {
      title: 'Tune hyperparameters on iris.csv',
      labels: [
        'Tune',
        'Trials',
        'Sampler',
        'Pruner',
        'Pruner options',
        'Metric',
        'Direction',
        'Timeout',
        'CV folds',
        'Parallel trials',
        'Train the best',
        'Search space',
        'Study',
      ],
    });
    assert.deepEqual(ui.answers, []);
    assert.equal((await readStudy()).trials.length, 3, 'no trial was run');
  });

  test("nJobs 2 runs the trials two at a time on the bundle's tune worker, each a finished nested run of its study", async () => {
    ui.answers = ['species'];
    const logged = api.log.recent().length;
    const result = await vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, iris(), {
      trials: 3,
      nJobs: 2,
      study: 'iris-parallel',
      pruner: 'none',
      trainBest: false,
    });
    assert.ok(result, `tuning failed: ${JSON.stringify(ui.messages)}`);
    assert.deepEqual(ui.answers, []);
    const said = api.log.recent().slice(logged);
    assert.ok(
      said.some((l) => l.includes('2 trials at a time on worker threads')),
      said.join('\n'),
    );
    assert.deepEqual(
      result.trials.map((t) => [t.number, t.state]),
      [
        [0, 'COMPLETE'],
        [1, 'COMPLETE'],
        [2, 'COMPLETE'],
      ],
    );
    const db = await openStores(storeFile());
    try {
      for (const t of result.trials) {
        const run = await db.tracking.getRun(t.runId!);
        assert.equal(run.info.status, 'FINISHED');
        assert.equal(run.data.tags.find((x) => x.key === 'mlflow.parentRunId')?.value, result.runId);
      }
    } finally {
      await db.close();
    }
  });

  test('the form writes and opens a search space file, and a study of another name runs on it', async () => {
    const file = join(workspaceDir(), 'search.modelops-space.json');
    rmSync(file, { force: true });
    ui.answers = ['species', 'Search space', 'New search space file…', 'Study', 'iris-own-space', 'Trials', '1', 'Tune'];
    try {
      const result = await vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, iris());
      assert.ok(result, JSON.stringify(ui.messages));
      assert.deepEqual(ui.answers, []);
      assert.deepEqual([result.study, result.resumed, result.trials.length], ['iris-own-space', false, 1]);
      const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(written).sort(), Object.keys({ ...DEFAULT_SPACE.rf, ...DEFAULT_SPACE.knn }).sort());
      assert.ok(
        vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === file)),
        'the new file is open to edit',
      );
      const db = await openStores(storeFile());
      try {
        const stored = (await db.studies.getStudy('iris-own-space'))!.study;
        assert.deepEqual(Object.keys(JSON.parse(stored.space) as object).sort(), Object.keys(written).sort(), "the study's space is the file's");
      } finally {
        await db.close();
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(file, { force: true });
    }
  });

  test("Edit in a table… opens the search space editor; a refused space is said, a saved one is the file a study runs on, with the form's pruner options", async () => {
    const file = join(workspaceDir(), 'table.modelops-space.json');
    rmSync(file, { force: true });
    ui.answers = ['species', 'Pruner options', 'n_warmup_steps', '1', 'Search space', 'Edit in a table…', 'Study', 'iris-table', 'Trials', '1', 'Tune'];
    const before = api.log.recent().length;
    const running = vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, iris());
    try {
      await waitFor('the space editor to be shown', () => api.spaceEditors().some((e) => e.shown), 60_000);
      assert.ok(
        api.log
          .recent()
          .slice(before)
          .some((l) => l.startsWith('webview.ready panel=space')),
        'the page did the ready handshake',
      );
      const editor = api.spaceEditors()[0];
      const refused = await editor.use({ 'nope.x': [1] });
      assert.equal(refused.outcome, 'refused');
      assert.match(refused.message, /'nope\.x' names no tunable member/);
      const saved = await editor.save('table.modelops-space.json', { 'knn.nNeighbors': { type: 'int', low: 1, high: 9 } });
      assert.deepEqual(saved, { outcome: 'saved', message: 'Saved as table.modelops-space.json.' });
      const result = await running;
      assert.ok(result, JSON.stringify(ui.messages));
      assert.deepEqual(ui.answers, []);
      assert.deepEqual([result.study, result.trials.length], ['iris-table', 1]);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { 'knn.nNeighbors': { type: 'int', low: 1, high: 9, log: false } });
      assert.deepEqual(api.spaceEditors(), [], 'the editor closed');
      const db = await openStores(storeFile());
      try {
        const stored = (await db.studies.getStudy('iris-table'))!.study;
        assert.deepEqual(Object.keys(JSON.parse(stored.space) as object), ['knn.nNeighbors']);
        assert.deepEqual((JSON.parse(stored.settings) as { prunerOptions: unknown }).prunerOptions, { n_startup_trials: 5, n_warmup_steps: 1 });
      } finally {
        await db.close();
      }
    } finally {
      for (const e of api.spaceEditors()) e.cancel();
      await running.then(undefined, () => undefined);
      rmSync(file, { force: true });
    }
  });

  test("Show Runs selects the study's run in the Experiments view; the study continues from the explorer's CSV", async () => {
    ui.answers = ['species'];
    ui.actionAnswers = ['Show Runs'];
    const result = await vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, iris(), { trials: 1, trainBest: false });
    assert.ok(result, JSON.stringify(ui.messages));
    assert.equal(result.resumed, true);
    assert.deepEqual(
      result.trials.map((t) => t.number),
      [0, 1, 2, 3],
    );
    const selected = await waitFor('the study run selected', () => {
      const node = api.experimentsSelection()[0];
      return node?.kind === 'run' ? node : undefined;
    }).catch((e: unknown) => {
      throw new Error(`${String(e)}\nmessages: ${JSON.stringify(ui.messages.slice(-3))}\nlog: ${api.log.recent().slice(-15).join('\n')}`);
    });
    assert.equal(selected.run.info.runId, result.runId);
    assert.equal(selected.hasChildren, true);
  });

  test('Open Study shows the study in its panel, and trials a running study writes arrive in it', async () => {
    const logged = api.log.recent().length;
    const since = () => api.log.recent().slice(logged);
    const trials = (await readStudy()).trials.length;
    const opened = await vscode.commands.executeCommand<string | undefined>('modelops.openStudy', { study: STUDY });
    assert.equal(opened, STUDY);
    await waitFor(
      'the study sent to the panel',
      () => since().some((l) => l.startsWith(`webview.state panel=study status=ready study=${STUDY} trials=${trials}`)),
      60_000,
    );
    ui.answers = ['species'];
    const result = await vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, iris(), { trials: 1, trainBest: false });
    assert.ok(result, JSON.stringify(ui.messages));
    await waitFor(
      'the new trial in the panel',
      () => since().some((l) => l.startsWith(`webview.state panel=study status=ready study=${STUDY} trials=${trials + 1}`)),
      60_000,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test("the study panel's Train with these params trains the best trial as a full run of the study, which its Register then finds", async () => {
    const before = await openStores(storeFile());
    const found = await before.studies.getStudy(STUDY).finally(() => before.close());
    assert.ok(found);
    const best = bestTrialOf(found.trials, found.study.direction);
    assert.ok(best, 'the study has a best trial');
    ui.answers = ['Train'];
    const trained = await vscode.commands.executeCommand<TrainResult | undefined>('modelops.trainAgain', { study: STUDY });
    assert.ok(trained, JSON.stringify(ui.messages.slice(-3)));
    assert.match(ui.offered.at(-1)?.title ?? '', /^Train an ensemble on iris\.csv/);
    const db = await openStores(storeFile());
    try {
      const run = await db.tracking.getRun(trained.runId);
      const tag = (k: string) => run.data.tags.find((t) => t.key === k)?.value;
      assert.deepEqual([tag('mlflow.parentRunId'), tag('modelops.study'), tag('modelops.best_of_trial')], [found.study.runId, STUDY, String(best.number)]);
      // The same member params as the trial's own run logged (that run cross-validated them).
      const paramsOf = async (id: string) => Object.fromEntries((await db.tracking.getRun(id)).data.params.map((p) => [p.key, p.value]));
      const [full, trial] = [await paramsOf(trained.runId), await paramsOf(best.runId!)];
      for (const k of Object.keys(best.params)) assert.equal(full[k], trial[k], k);
      assert.deepEqual(await bestModelRun(db.tracking, found.study, best), { runId: trained.runId, runName: `${STUDY}-best`, trial: best.number });
    } finally {
      await db.close();
    }
  });

  test('a cancelled tuning leaves the study resumable and no trial RUNNING once it continues', async () => {
    ui.answers = ['species'];
    const logged = api.log.recent().length;
    const pending = vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, iris(), { trials: 20, trainBest: false });
    // Cancel once a trial of this session has finished, so the study really was under way.
    await waitFor(
      'a trial of the new session',
      () =>
        api.log
          .recent()
          .slice(logged)
          .some((l) => l.startsWith('tune.trial ')),
      180_000,
    );
    api.cancelRunningCommands();
    assert.equal(await pending, undefined, 'a cancelled command resolves to nothing');
    assert.ok(
      api.log
        .recent()
        .slice(logged)
        .some((l) => l.startsWith(`command.cancelled id=${COMMAND}`)),
      'logged as cancelled',
    );
    assert.equal(ui.messages.filter((m) => m.level === 'error').length, 0, 'cancelling is not an error');
    const cancelled = await readStudy();
    assert.equal(cancelled.studyRunStatus, 'KILLED');
    assert.ok(cancelled.trials.length > 5 && cancelled.trials.length < 25, `${cancelled.trials.length} trials`);

    ui.answers = ['species'];
    const resumed = await vscode.commands.executeCommand<TuneResult | undefined>(COMMAND, iris(), { trials: 1, trainBest: false });
    assert.ok(resumed, JSON.stringify(ui.messages));
    const after = await readStudy();
    assert.equal(after.trials.length, cancelled.trials.length + 1);
    assert.deepEqual(
      after.trials.filter((t) => t.state === 'RUNNING' || t.runStatus === 'RUNNING'),
      [],
      'no trial is left RUNNING',
    );
    assert.equal(after.studyRunStatus, 'FINISHED');
  });
});
