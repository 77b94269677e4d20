import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { columnDrift } from '../../../../src/ml/drift/column-drift';
import { chisquare, jensenShannon, wassersteinDistance } from '../../../../src/ml/drift/distances';
import { ks2samp } from '../../../../src/ml/drift/ks';
import { sketchCategorical, sketchNumeric } from '../../../../src/ml/drift/sketch';
import { Rng } from '../../../../src/ml/random';
import { pythonSkipReason, runPython } from '../../../python';

/**
 * The drift statistics agree with SciPy's (Debian's python3-scipy) on seeded samples within 1e-9:
 * ks_2samp, chisquare, wasserstein_distance and jensenshannon themselves, and whole columns
 * through the training sketch (Evidently's binning, PSI and test choice, computed in NumPy).
 */
const skip = pythonSkipReason(['numpy', 'scipy']);
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TOLERANCE = 1e-9;
function close(ours: number, scipy: number, what: string): void {
  if (ours === scipy) return;
  assert.ok(Math.abs(ours - scipy) <= TOLERANCE * Math.max(1, Math.abs(scipy)), `${what}: ours ${ours}, SciPy ${scipy} (|Δ| ${Math.abs(ours - scipy)})`);
}

const rng = new Rng(20240518);
const normal = (n: number, mean = 0, sd = 1, decimals?: number): number[] =>
  Array.from({ length: n }, () => {
    const x = mean + sd * rng.normal();
    return decimals === undefined ? x : Number(x.toFixed(decimals));
  });
const ints = (n: number, k: number): number[] => Array.from({ length: n }, () => rng.int(k));
const pick = (n: number, values: string[], weights: number[]): string[] =>
  Array.from({ length: n }, () => {
    let u = rng.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < values.length; i++) if ((u -= weights[i]!) < 0) return values[i]!;
    return values[values.length - 1]!;
  });

interface Case {
  name: string;
  input: Record<string, unknown>;
  check(scipy: Record<string, number | number[]>): void;
}

const cases: Case[] = [];
function ksCase(name: string, a: number[], b: number[], method?: string): void {
  cases.push({
    name,
    input: { kind: 'ks', a, b, ...(method ? { method } : {}) },
    check: (s) => {
      const r = ks2samp(a, b);
      close(r.statistic, s.statistic as number, `${name} statistic`);
      close(r.pvalue, s.pvalue as number, `${name} p-value`);
    },
  });
}
ksCase('ks equal sizes, shifted', normal(200), normal(200, 0.3));
ksCase('ks unequal sizes, same distribution', normal(300), normal(457));
ksCase('ks with ties (integers)', ints(150, 10), ints(220, 10));
ksCase('ks tiny samples', normal(7), normal(10, 0.5));
ksCase('ks 1000 vs 5000, one decimal', normal(1000, 0, 1, 1), normal(5000, 0.05, 1, 1));
ksCase('ks far apart (tiny p)', normal(400), normal(600, 1.5));
ksCase('ks identical samples', [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]);
ksCase('ks 1000 vs 20000 (exact)', normal(1000, 0, 1, 2), normal(20000, 0.02, 1, 2), 'exact');

function chiCase(name: string, observed: number[], expected: number[]): void {
  cases.push({
    name,
    input: { kind: 'chisquare', observed, expected },
    check: (s) => {
      const r = chisquare(observed, expected);
      close(r.statistic, s.statistic as number, `${name} statistic`);
      close(r.pvalue, s.pvalue as number, `${name} p-value`);
    },
  });
}
chiCase('chisquare 4 categories', [48, 32, 11, 9], [45, 35, 12.5, 7.5]);
chiCase(
  'chisquare 12 categories',
  ints(12, 40).map((x) => x + 5),
  [],
);
// Same totals on both sides (SciPy checks them): scale the expected counts.
{
  const last = cases[cases.length - 1]!;
  const obs = last.input.observed as number[];
  const raw = obs.map((o, i) => o + ((i % 3) - 1) * 2 + 0.5);
  const k = obs.reduce((a, b) => a + b, 0) / raw.reduce((a, b) => a + b, 0);
  last.input.expected = raw.map((e) => e * k);
  const expected = last.input.expected as number[];
  last.check = (s) => {
    const r = chisquare(obs, expected);
    close(r.statistic, s.statistic as number, 'chisquare 12 categories statistic');
    close(r.pvalue, s.pvalue as number, 'chisquare 12 categories p-value');
  };
}
chiCase('chisquare strong shift (tiny p)', [400, 100, 500], [333.3333333333333, 333.3333333333333, 333.33333333333337]);

function wCase(name: string, u: number[], v: number[], uw?: number[], vw?: number[]): void {
  cases.push({
    name,
    input: { kind: 'wasserstein', u, v, ...(uw ? { uw } : {}), ...(vw ? { vw } : {}) },
    check: (s) => close(wassersteinDistance(u, v, uw, vw), s.distance as number, name),
  });
}
wCase('wasserstein unweighted', normal(500), normal(800, 0.4, 2));
wCase('wasserstein with ties', ints(300, 7), ints(200, 9));
wCase(
  'wasserstein weighted',
  normal(60),
  normal(90, 1),
  ints(60, 5).map((x) => x + 1),
  ints(90, 3).map((x) => x + 0.5),
);

function jsCase(name: string, p: number[], q: number[]): void {
  cases.push({ name, input: { kind: 'jensenshannon', p, q }, check: (s) => close(jensenShannon(p, q), s.distance as number, name) });
}
jsCase('jensenshannon dense', [0.1, 0.4, 0.2, 0.3], [0.25, 0.25, 0.3, 0.2]);
jsCase('jensenshannon with zeros', [0.5, 0.5, 0, 0], [0, 0.2, 0.3, 0.5]);
jsCase(
  'jensenshannon unnormalised',
  ints(10, 100),
  ints(10, 100).map((x) => x + 1),
);

function numericColumn(name: string, ref: number[], cur: number[]): void {
  cases.push({
    name,
    input: { kind: 'column', numeric: true, ref, cur },
    check: (s) => {
      const d = columnDrift(sketchNumeric('x', Float64Array.from(ref), 0), Float64Array.from(cur));
      close(d.psi, s.psi as number, `${name} PSI`);
      (s.reference as number[]).forEach((x, i) => close(d.histogram.reference[i]!, x, `${name} reference share ${i}`));
      (s.current as number[]).forEach((x, i) => close(d.histogram.current[i]!, x, `${name} current share ${i}`));
      if (d.test === 'ks') close(d.score, s.ks_pvalue as number, `${name} KS p-value`);
      else if (d.test === 'wasserstein') close(d.score, s.wasserstein_normed as number, `${name} normed Wasserstein`);
      else assert.fail(`${name}: unexpected test ${d.test}`);
    },
  });
}
numericColumn('column: 800 reference values → KS', normal(800, 50, 10, 1), normal(600, 52, 10, 1));
numericColumn('column: 3000 reference values → Wasserstein', normal(3000, 50, 10, 1), normal(2500, 55, 12, 1));
numericColumn('column: few distinct values → one bin per value', ints(900, 12), ints(700, 14));

function categoricalColumn(name: string, ref: string[], cur: string[]): void {
  cases.push({
    name,
    input: { kind: 'column', numeric: false, ref, cur },
    check: (s) => {
      const d = columnDrift(sketchCategorical('c', 'categorical', ref, 0), cur);
      close(d.psi, s.psi as number, `${name} PSI`);
      if (d.test === 'chisquare') close(d.score, s.chisquare_pvalue as number, `${name} chi-squared p-value`);
      else close(d.score, s.jensenshannon as number, `${name} Jensen–Shannon`);
    },
  });
}
categoricalColumn(
  'column: 700 categorical values → chi-squared',
  pick(700, ['basic', 'plus', 'pro'], [5, 3, 2]),
  pick(500, ['basic', 'plus', 'pro'], [4, 4, 2]),
);
categoricalColumn(
  'column: 2000 categorical values → Jensen–Shannon',
  pick(2000, ['n', 's', 'e', 'w'], [3, 3, 2, 2]),
  pick(1500, ['n', 's', 'e', 'w'], [2, 2, 3, 3]),
);
categoricalColumn('column: a new category → chi-squared p = 0', pick(600, ['basic', 'plus'], [1, 1]), pick(400, ['basic', 'plus', 'enterprise'], [2, 2, 1]));

describe('drift statistics beside SciPy', { skip }, () => {
  let results: Record<string, number | number[]>[] = [];
  test('SciPy computes every case', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-drift-'));
    dirs.push(dir);
    const file = join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify(cases.map((c) => c.input)));
    results = JSON.parse(runPython('drift_reference.py', [file])) as typeof results;
    assert.equal(results.length, cases.length);
  });
  cases.forEach((c, i) => test(`${c.name} agrees within 1e-9`, () => c.check(results[i]!)));
});
