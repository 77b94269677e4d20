import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Cell, Row } from '../../../../src/ml/dataset/dataset';
import { datasetFromText, frameFromRows, frameToRows } from '../../../../src/ml/dataset/dataset';
import { parseNumber } from '../../../../src/ml/dataset/schema';
import { Ensemble } from '../../../../src/ml/ensemble/ensemble';
import { saveModel } from '../../../../src/ml/ensemble/model-package';
import type { MemberSpec } from '../../../../src/ml/estimators';
import { pythonSkipReason, runPython } from '../../../python';
import { example } from '../../../repo-paths';

/**
 * The pyfunc loader (python/modelops_pyfunc, copied into every model's code/) scores exactly as the
 * TypeScript ensemble: the same labels and the same probabilities (within 1e-9; in practice equal)
 * on every row of the five example datasets plus rows with missing values, unseen and padded
 * categories, booleans and extreme numbers — loaded the way mlflow.pyfunc.load_model loads it.
 */
const skip = pythonSkipReason();
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Case {
  name: string;
  target: string;
  members: MemberSpec[];
  /** Rows beyond the file's own (raw cells as JSON carries them). */
  extra: Row[];
  /** Rewrites the CSV text before training (e.g. adds a boolean column). */
  edit?: (csv: string) => string;
}

const RF: MemberSpec = { type: 'rf', params: { nEstimators: 25 } };

const CASES: Case[] = [
  {
    name: 'iris',
    target: 'species',
    members: [RF, { type: 'knn' }],
    extra: [
      { sepal_length: null, sepal_width: 3.1, petal_length: 5.0, petal_width: null },
      { sepal_length: 1e30, sepal_width: -4, petal_length: 0, petal_width: 2.5 },
    ],
  },
  {
    name: 'wine',
    target: 'cultivar',
    members: [RF, { type: 'knn', params: { nNeighbors: 7, weights: 'distance' } }],
    extra: [{ alcohol: null, proline: 1e-9 }],
  },
  { name: 'breast_cancer', target: 'diagnosis', members: [RF, { type: 'knn' }, { type: 'tree' }, { type: 'dummy' }], extra: [{ mean_radius: 30 }] },
  { name: 'diabetes', target: 'progression', members: [RF, { type: 'knn', params: { weights: 'distance' } }], extra: [{ age: null, bmi: 50, s5: -1 }] },
  {
    name: 'churn',
    target: 'churned',
    members: [RF, { type: 'knn' }],
    // A boolean feature too: yes/no words in the file, JSON true/false when scoring.
    edit: (csv) =>
      csv
        .trim()
        .split('\n')
        .map((l, i) => `${l},${i === 0 ? 'paperless' : i % 3 === 0 ? 'yes' : 'no'}`)
        .join('\n'),
    extra: [
      { plan: 'platinum', region: 'north', tenure_months: 3, monthly_charges: 99.5, support_tickets: 7, age: 41, paperless: true },
      { plan: ' basic ', region: 'NA', tenure_months: null, monthly_charges: 20, support_tickets: 0, age: null, paperless: false },
      { plan: '', region: null, tenure_months: 70, monthly_charges: null, support_tickets: null, age: 18, paperless: true },
      { plan: 'n/a', region: ' west', tenure_months: 0, monthly_charges: 0, support_tickets: 12, age: 99, paperless: false },
    ],
  },
];

/**
 * Rows whose numeric values sit exactly on split thresholds (the forest's edges are float32
 * midpoints between neighbouring training values): they tell `x <= t` from `x < t`.
 */
function edgeRows(rows: Row[], numeric: string[], count = 20): Row[] {
  const mids = new Map(
    numeric.map((n) => {
      const v = [...new Set(rows.map((r) => r[n]).filter((x): x is number => typeof x === 'number'))].sort((a, b) => a - b);
      return [n, v.slice(0, -1).map((a, i) => Math.fround((a + v[i + 1]!) / 2))];
    }),
  );
  return Array.from({ length: count }, (_, k) => ({
    ...rows[k % rows.length],
    ...Object.fromEntries(numeric.map((n) => [n, mids.get(n)![k % Math.max(1, mids.get(n)!.length)] ?? null])),
  }));
}

describe('pyfunc loader', { skip }, () => {
  test('its own unit tests pass (python3 -m unittest in python/)', () => {
    runPython('run_unittests.py', []);
  });

  test('scores iris, wine, breast_cancer, diabetes and churn exactly as the TypeScript model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-pyfunc-'));
    dirs.push(dir);
    const jobs: { model: string; columns: string[]; data: Cell[][] }[] = [];
    const expected: { predictions: (string | number)[]; probabilities?: number[][]; inputs: [string, string][] }[] = [];
    for (const c of CASES) {
      const text = readFileSync(example(`${c.name}.csv`), 'utf8');
      const ds = datasetFromText(c.edit ? c.edit(text) : text, `${c.name}.csv`, { target: c.target });
      const model = await Ensemble.fit(ds.frame, ds.target, ds.schema.features, { members: c.members, seed: 11, threads: 1 });
      const modelDir = join(dir, c.name);
      saveModel(modelDir, model);
      const columns = model.inputNames;
      const kinds = new Map(ds.schema.features.map((f) => [f.name, f.kind]));
      // As JSON carries them: numbers for numeric columns (null when missing), booleans, raw text.
      const cell = (name: string, v: Cell): Cell => {
        if (kinds.get(name) === 'numeric' && typeof v === 'string') return Number.isNaN(parseNumber(v)) ? null : parseNumber(v);
        if (kinds.get(name) === 'boolean' && typeof v === 'string') return ['yes', 'true'].includes(v.trim().toLowerCase());
        return v === undefined ? null : v;
      };
      const own = frameToRows(ds.frame).map((r) => Object.fromEntries(columns.map((n) => [n, cell(n, r[n])])));
      const numeric = columns.filter((n) => kinds.get(n) === 'numeric');
      const rows = [...own, ...edgeRows(own, numeric), ...c.extra.map((r) => Object.fromEntries(columns.map((n) => [n, cell(n, r[n])])))];
      const out = model.predictFrame(frameFromRows(rows, columns));
      jobs.push({ model: modelDir, columns, data: rows.map((r) => columns.map((n) => r[n] ?? null)) });
      expected.push({ ...out, inputs: ds.schema.features.map((f) => [f.name, f.kind === 'numeric' ? 'double' : f.kind === 'boolean' ? 'boolean' : 'string']) });
    }
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    runPython('pyfunc_harness.py', [join(dir, 'jobs.json'), join(dir, 'out.json')]);
    const got = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
      predictions: (string | number)[];
      probabilities: number[][] | null;
      signature: string[][];
      schema: string[][];
    }[];
    CASES.forEach((c, i) => {
      const want = expected[i]!;
      const py = got[i]!;
      assert.deepEqual(py.signature, want.inputs, `${c.name}: the MLmodel signature MLflow reads`);
      assert.deepEqual(py.schema, want.inputs, `${c.name}: the loader checks that signature`);
      assert.equal(py.predictions.length, want.predictions.length, c.name);
      if (want.probabilities) {
        assert.deepEqual(py.predictions, want.predictions, `${c.name}: labels`);
        let worst = 0;
        want.probabilities.forEach((p, r) => p.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - py.probabilities![r]![k]!)))));
        assert.ok(worst <= 1e-9, `${c.name}: probabilities differ by up to ${worst}`);
      } else {
        let worst = 0;
        want.predictions.forEach((x, r) => (worst = Math.max(worst, Math.abs(Number(x) - Number(py.predictions[r])))));
        assert.ok(worst <= 1e-9, `${c.name}: predictions differ by up to ${worst}`);
      }
    });
  });
});
