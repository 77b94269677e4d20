import * as assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { ModelOpsError } from '../../../../src/core/errors';
import type { StudyRecord } from '../../../../src/core/tuning';
import type { SettingsMemory } from '../../../../src/extension/commands/train-form';
import { recallTuneSettings, rememberTuneSettings, studySettings, TUNE, tuneForm } from '../../../../src/extension/commands/tune-form';
import type { TuneSettings } from '../../../../src/extension/commands/tune-settings';
import { DEFAULT_TUNE_SETTINGS, describeTuneField, tuneArgs, tuneOptionsOf } from '../../../../src/extension/commands/tune-settings';
import type { Ui } from '../../../../src/extension/ui';
import { PRUNER_NAMES, SAMPLER_NAMES } from '../../../../src/tuning/catalogue';

/** Answers the form's prompts in order; records the titles asked, the labels offered and the errors said. */
function scripted(answers: (string | undefined)[]): { ui: Ui; errors: string[]; offered: { title: string; labels: string[] }[] } {
  const errors: string[] = [];
  const offered: { title: string; labels: string[] }[] = [];
  const next = (title: string): string | undefined => {
    assert.ok(answers.length > 0, `unexpected prompt ${title}`);
    return answers.shift();
  };
  const ui: Ui = {
    pickOne: async (items, o) => {
      offered.push({ title: o.title, labels: items.map((i) => i.label) });
      const a = next(o.title);
      return a === undefined ? undefined : (items.find((i) => i.label === a) ?? assert.fail(`no ${a} in ${o.title}: ${items.map((i) => i.label).join(', ')}`));
    },
    pickMany: async () => undefined,
    pickFolder: async () => undefined,
    input: async (o) => next(o.title),
    confirm: async () => false,
    info: async () => undefined,
    error: async (m) => {
      errors.push(m);
      return undefined;
    },
  };
  return { ui, errors, offered };
}

const what = { csv: 'churn.csv' };

/** A stored study minimising log_loss with the random sampler, no pruner and 5 folds. */
const logLossStudy = (name: string): StudyRecord => ({
  name,
  experimentId: '0',
  direction: 'minimize',
  metric: 'log_loss',
  sampler: 'random',
  pruner: 'none',
  space: '{}',
  settings: JSON.stringify({ cv: 5 }),
  runId: 'r',
  createdTime: 0,
});
const START = { ...DEFAULT_TUNE_SETTINGS, study: 'churn-churned' };

describe('Tune form', () => {
  test('every option can be changed before Tune; the sampler and pruner picks are the catalogue, the current one first', async () => {
    const { ui, offered } = scripted([
      'Trials',
      '35',
      'Sampler',
      'random',
      'Pruner',
      'hyperband',
      'Metric',
      'f1_macro',
      'Direction',
      'maximize',
      'Timeout',
      '600',
      'CV folds',
      '5',
      'Parallel trials',
      '2',
      'Train the best',
      'Yes',
      TUNE,
    ]);
    const s = await tuneForm(ui, START, what);
    assert.deepEqual(s, {
      trials: 35,
      sampler: 'random',
      pruner: 'hyperband',
      prunerOptions: {},
      metric: 'f1_macro',
      direction: 'maximize',
      timeoutS: 600,
      cv: 5,
      nJobs: 2,
      trainBest: true,
      space: '',
      study: 'churn-churned',
    });
    const samplerPick = offered.find((o) => o.title === 'Sampler')!;
    assert.deepEqual([...samplerPick.labels].sort(), [...SAMPLER_NAMES].sort());
    assert.equal(samplerPick.labels[0], 'tpe-multivariate', 'the current sampler first, so Enter keeps it');
    assert.deepEqual([...offered.find((o) => o.title === 'Pruner')!.labels].sort(), [...PRUNER_NAMES].sort());
    assert.deepEqual(offered[0].labels, [
      TUNE,
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
    ]);
    assert.deepEqual(tuneOptionsOf(s!, '/ws'), {
      trials: 35,
      sampler: 'random',
      pruner: 'hyperband',
      metric: 'f1_macro',
      direction: 'maximize',
      timeoutMs: 600_000,
      cv: 5,
      nJobs: 2,
      trainBest: true,
    });
  });

  test("the search space is the default ranges, one of the folder's space files, a new file (written and opened) or a typed path", async () => {
    let made = 0;
    const ctx = {
      ...what,
      spaceFiles: ['spaces/wide.modelops-space.json', 'modelops.space.json'],
      newSpaceFile: async (): Promise<string> => {
        made++;
        return 'search.modelops-space.json';
      },
    };
    const pick = async (answers: string[], start = START): Promise<{ space: string; labels: string[] }> => {
      const { ui, offered } = scripted(['Search space', ...answers, TUNE]);
      const s = await tuneForm(ui, start, ctx);
      return { space: s!.space, labels: offered.find((o) => o.title === 'Search space')!.labels };
    };
    const wide = await pick(['spaces/wide.modelops-space.json']);
    assert.equal(wide.space, 'spaces/wide.modelops-space.json');
    assert.deepEqual(wide.labels, ['default', 'spaces/wide.modelops-space.json', 'modelops.space.json', 'New search space file…', 'Another file…']);
    assert.equal((await pick(['New search space file…'])).space, 'search.modelops-space.json');
    assert.equal(made, 1);
    assert.equal((await pick(['Another file…', ' /abs/s.json '])).space, '/abs/s.json');
    const again = await pick(['default'], { ...START, space: 'modelops.space.json' });
    assert.equal(again.space, '');
    assert.equal(again.labels[1], 'default', 'the current file first, so Enter keeps it');
    assert.deepEqual(tuneOptionsOf({ ...DEFAULT_TUNE_SETTINGS, space: 'spaces/wide.modelops-space.json' }, '/ws').space, '/ws/spaces/wide.modelops-space.json');
    assert.equal(tuneOptionsOf({ ...DEFAULT_TUNE_SETTINGS, space: '/abs/s.json' }, '/ws').space, '/abs/s.json');
    assert.deepEqual(tuneArgs({ space: 'x.json' }), { space: 'x.json' });
    assert.throws(() => tuneArgs({ space: 3 }), /space: must be the path of a search space JSON file/);
  });

  test('another study name continues that study from its own settings, or starts a new one; the Tune line says which', async () => {
    const other = logLossStudy('other');
    const ctx = { ...what, studies: [other] };
    const run = async (answers: string[]): Promise<{ s: TuneSettings; tuneLine: string | undefined }> => {
      const { ui, offered } = scripted(['Study', ...answers, TUNE]);
      const descriptions: string[] = [];
      const wrapped: Ui = { ...ui, pickOne: async (items, o) => (descriptions.push(String(items[0]?.description)), ui.pickOne(items, o)) };
      const s = (await tuneForm(wrapped, START, ctx))!;
      assert.ok(offered.length > 0);
      return { s, tuneLine: descriptions.at(-1) };
    };
    const continued = await run(['other']);
    assert.deepEqual(
      [continued.s.study, continued.s.metric, continued.s.direction, continued.s.cv, continued.s.sampler, continued.s.pruner],
      ['other', 'log_loss', 'minimize', 5, 'random', 'none'],
    );
    assert.equal(continued.tuneLine, '20 trials of study other (continued)');
    const fresh = await run([' fresh ']);
    assert.deepEqual([fresh.s.study, fresh.s.metric, fresh.s.cv], ['fresh', '', 3]);
    assert.equal(fresh.tuneLine, '20 trials of study fresh (new)');
    const blank = await run(['  ']);
    assert.equal(blank.s.study, 'churn-churned', 'an empty name keeps the current one');
  });

  test('a value the form refuses is said with the field, and the form comes back with the old one; dismissing it runs nothing', async () => {
    const tooMany = String(availableParallelism() * 2 + 1);
    const { ui, errors } = scripted(['Trials', '0', 'CV folds', 'three', 'Parallel trials', tooMany, TUNE]);
    const s = await tuneForm(ui, START, what);
    assert.equal(s!.trials, 20);
    assert.equal(s!.cv, 3);
    assert.equal(s!.nJobs, 1);
    assert.deepEqual(errors, [
      "Trials: must be an integer ≥ 1 (got '0')",
      "CV folds: must be an integer ≥ 0 (got 'three')",
      `Parallel trials: must be an integer from 1 to ${availableParallelism() * 2} (twice the cores) (got '${tooMany}')`,
    ]);
    assert.equal(await tuneForm(scripted([undefined]).ui, START, what), undefined);
  });

  test('the defaults are the CLI’s, so the default options pass nothing tune() would not default to', () => {
    assert.deepEqual(tuneOptionsOf(DEFAULT_TUNE_SETTINGS, '/ws'), { trials: 20, sampler: 'tpe-multivariate', pruner: 'median', cv: 3, trainBest: false });
  });

  test('the last settings are remembered; a remembered value this version does not know is dropped, not used', async () => {
    const store = new Map<string, unknown>();
    const memory: SettingsMemory = { get: (k) => store.get(k), update: async (k, v) => void store.set(k, v) };
    await rememberTuneSettings(memory, { ...START, pruner: 'successive-halving', trials: 7, space: 'wide.modelops-space.json' });
    const recalled = recallTuneSettings(memory);
    assert.deepEqual([recalled.study, recalled.space], [undefined, undefined], "the study and its space are the CSV's, not remembered");
    assert.deepEqual({ ...recalled, study: '', space: '' }, { ...DEFAULT_TUNE_SETTINGS, pruner: 'successive-halving', trials: 7 });
    store.set('modelops.tuneForm', { sampler: 'cmaes', trials: -1, cv: 4 });
    assert.deepEqual(recallTuneSettings(memory), { cv: 4 });
  });

  test("Edit in a table… opens the current space in the editor: a used space is the Tune's (not remembered), a saved one is its file", async () => {
    const edited = { 'knn.nNeighbors': { type: 'int' as const, low: 2, high: 9 } };
    const opened: TuneSettings[] = [];
    let answer: { space: typeof edited; file?: string } | undefined = { space: edited };
    const ctx = {
      ...what,
      editSpace: async (s: TuneSettings) => {
        opened.push(s);
        return answer;
      },
    };
    const { ui, offered } = scripted(['Search space', 'Edit in a table…', TUNE]);
    const used = (await tuneForm(ui, START, ctx))!;
    assert.deepEqual(used.editedSpace, edited);
    assert.equal(used.space, '');
    assert.equal(offered.find((o) => o.title === 'Search space')!.labels[0], 'default', 'the current choice first');
    assert.ok(offered.find((o) => o.title === 'Search space')!.labels.includes('Edit in a table…'));
    assert.deepEqual(tuneOptionsOf(used, '/ws').space, edited);
    assert.equal(describeTuneField(used, 'space'), 'edited in the table (1 param, not saved)');
    // Opened again, the editor starts from the edited space; the table is now the current choice.
    const again = scripted(['Search space', 'Edit in a table…', TUNE]);
    answer = { space: edited, file: 'mine.modelops-space.json' };
    const saved = (await tuneForm(again.ui, used, ctx))!;
    assert.deepEqual(opened[1].editedSpace, edited);
    assert.equal(again.offered.find((o) => o.title === 'Search space')!.labels[0], 'Edit in a table…');
    assert.equal(saved.space, 'mine.modelops-space.json');
    assert.equal('editedSpace' in saved, false);
    // A closed editor changes nothing; another pick drops the edited space.
    answer = undefined;
    assert.deepEqual(await tuneForm(scripted(['Search space', 'Edit in a table…', TUNE]).ui, used, ctx), used);
    const other = (await tuneForm(scripted(['Search space', 'default', TUNE]).ui, used, ctx))!;
    assert.equal('editedSpace' in other, false);
    const store = new Map<string, unknown>();
    await rememberTuneSettings({ get: (k) => store.get(k), update: async (k, v) => void store.set(k, v) }, used);
    assert.equal('editedSpace' in (store.get('modelops.tuneForm') as object), false, 'an edited space is not remembered');
  });

  test("the pruner's options are picked one by one, shown with value and range, checked as on the CLI; another pruner drops them", async () => {
    const hb = { ...START, pruner: 'hyperband' as const };
    const { ui, errors, offered } = scripted([
      'Pruner options',
      'reduction_factor',
      '1',
      'Pruner options',
      'reduction_factor',
      '2',
      'Pruner options',
      'max_resource',
      '3',
      'Pruner options',
      'bootstrap_count',
      '1',
      TUNE,
    ]);
    const s = await tuneForm(ui, hb, what);
    assert.deepEqual(s!.prunerOptions, { reduction_factor: 2, max_resource: 3, bootstrap_count: 1 });
    assert.deepEqual(errors, ['Pruner options (hyperband): reduction_factor must be an integer ≥ 2 (got "1")']);
    const pick = offered.find((o) => o.title === 'Pruner options (hyperband)')!;
    assert.deepEqual(pick.labels, ['min_resource', 'max_resource', 'reduction_factor', 'bootstrap_count', 'Reset to defaults']);
    assert.deepEqual(tuneOptionsOf(s!, '/ws').prunerOptions, { reduction_factor: 2, max_resource: 3, bootstrap_count: 1 });
    // A bootstrap with R auto is refused by the rule between them, naming both.
    const auto = scripted(['Pruner options', 'max_resource', 'auto', TUNE]);
    const kept = await tuneForm(auto.ui, s!, what);
    assert.deepEqual(kept!.prunerOptions, s!.prunerOptions);
    assert.deepEqual(auto.errors, ['Pruner options (hyperband): bootstrap_count must be 0 when max_resource is auto (got 1)']);
    const other = await tuneForm(scripted(['Pruner', 'median', TUNE]).ui, s!, what);
    assert.deepEqual(other!.prunerOptions, {});
    const reset = await tuneForm(scripted(['Pruner options', 'Reset to defaults', TUNE]).ui, s!, what);
    assert.deepEqual(reset!.prunerOptions, {});
    const none = scripted(['Pruner options', TUNE]);
    assert.deepEqual((await tuneForm(none.ui, { ...START, pruner: 'none' }, what))!.prunerOptions, {});
  });

  test("an existing study's own pruner options are the form's start; remembered or given ones must suit their pruner", () => {
    const record = { ...logLossStudy('s'), pruner: 'median', settings: JSON.stringify({ cv: 5, prunerOptions: { n_startup_trials: 2, n_warmup_steps: 0 } }) };
    assert.deepEqual(studySettings(record).prunerOptions, { n_startup_trials: 2, n_warmup_steps: 0 });
    assert.equal(studySettings({ ...record, settings: JSON.stringify({ prunerOptions: { n_startup_trials: 'x' } }) }).prunerOptions, undefined);
    assert.deepEqual(tuneArgs({ pruner: 'median', prunerOptions: { n_warmup_steps: 1 } }).prunerOptions, { n_warmup_steps: 1 });
    assert.throws(() => tuneArgs({ pruner: 'median', prunerOptions: { reduction_factor: 3 } }), /prunerOptions: must be the pruner's parameters/);
    assert.throws(() => tuneArgs({ prunerOptions: { n_warmup_steps: 1 } }), /given with the pruner/);
  });

  test("an existing study's own sampler, pruner, metric, direction and folds are the form's start", () => {
    const record = logLossStudy('s');
    assert.deepEqual(studySettings(record), { sampler: 'random', pruner: 'none', metric: 'log_loss', direction: 'minimize', cv: 5 });
    assert.deepEqual(studySettings(undefined), {});
  });

  test("a caller's args settle options; a bad one is refused by name", () => {
    assert.deepEqual(tuneArgs({ trials: 3, pruner: 'hyperband' }), { trials: 3, pruner: 'hyperband' });
    assert.throws(
      () => tuneArgs({ trials: 0 }),
      (e: unknown) => e instanceof ModelOpsError && e.message === 'trials: must be an integer ≥ 1 (got 0)',
    );
    assert.throws(
      () => tuneArgs({ sampler: 'cmaes' }),
      (e: unknown) => e instanceof ModelOpsError && e.message.startsWith('sampler: must be one of tpe'),
    );
  });
});
