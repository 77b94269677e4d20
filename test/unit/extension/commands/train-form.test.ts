import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FormContext } from '../../../../src/extension/commands/train-form';
import { trainForm } from '../../../../src/extension/commands/train-form';
import { defaultSettings } from '../../../../src/extension/commands/train-settings';
import type { Ui } from '../../../../src/extension/ui';

/** Answers the form's prompts in order and records the errors said. */
function scripted(answers: (string | string[] | undefined)[]): { ctx: FormContext; errors: string[]; titles: string[] } {
  const errors: string[] = [];
  const titles: string[] = [];
  const next = (title: string) => {
    titles.push(title);
    assert.ok(answers.length > 0, `unexpected prompt ${title}`);
    return answers.shift();
  };
  const ui: Ui = {
    pickOne: async (items, o) => {
      const a = next(o.title);
      return a === undefined
        ? undefined
        : (items.find((i) => i.label === a) ?? assert.fail(`no ${String(a)} in ${o.title}: ${items.map((i) => i.label).join(', ')}`));
    },
    pickMany: async (items, o) => {
      const a = next(o.title);
      return a === undefined ? undefined : items.filter((i) => (a as string[]).includes(i.label));
    },
    pickFolder: async () => undefined,
    input: async (o) => next(o.title) as string | undefined,
    confirm: async () => false,
    info: async () => undefined,
    error: async (m) => {
      errors.push(m);
      return undefined;
    },
  };
  const ctx: FormContext = {
    ui,
    header: () => ['customer_id', 'tenure', 'churned'],
    pickCsv: async () => '/ws/other.csv',
    experiments: async () => ['Default', 'churn'],
    models: async () => ['churn'],
  };
  return { ctx, errors, titles };
}

const start = defaultSettings('/ws/churn.csv', 'churned', 'Default', ['rf', 'knn']);

describe('training form', () => {
  test('every setting can be changed before Train; nothing is asked after it', async () => {
    const { ctx } = scripted([
      'CV folds',
      '3',
      'Seed',
      '7',
      'Members',
      ['rf'],
      'Member parameters',
      'rf.nEstimators=50',
      'Task',
      'classification',
      'Experiment',
      'New experiment…',
      'churn-v2',
      'Run name',
      'first try',
      'Baseline run',
      'Also log a separate baseline run',
      'Register as',
      'churn',
      'Train',
    ]);
    assert.deepEqual(await trainForm(ctx, start), {
      ...start,
      cv: 3,
      seed: 7,
      members: ['rf'],
      params: 'rf.nEstimators=50',
      task: 'classification',
      experiment: 'churn-v2',
      runName: 'first try',
      baselineRun: true,
      registerAs: 'churn',
    });
  });

  test('a refused value is said naming the field, and the form comes back with the old value', async () => {
    const { ctx, errors } = scripted(['CV folds', 'ten', 'Member parameters', 'rf.n_estimators=5', 'Train']);
    const s = await trainForm(ctx, start);
    assert.equal(s?.cv, 5);
    assert.equal(s?.params, '');
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /^CV folds: give a whole number from 0 to 100/);
    assert.match(errors[1]!, /^Member parameters: .*nEstimators/);
  });

  test('dismissing the form (or a field) trains nothing', async () => {
    assert.equal(await trainForm(scripted([undefined]).ctx, start), undefined);
    const { ctx } = scripted(['Seed', undefined, 'Train']);
    assert.equal((await trainForm(ctx, start))?.seed, 42, 'Escape in a field keeps its value');
  });

  test('changing Data asks for the target of the new CSV', async () => {
    const { ctx, titles } = scripted(['Data', 'tenure', 'Train']);
    const s = await trainForm(ctx, start);
    assert.equal(s?.data, '/ws/other.csv');
    assert.equal(s?.target, 'tenure');
    assert.ok(titles.includes('Target column of other.csv'));
  });
});
