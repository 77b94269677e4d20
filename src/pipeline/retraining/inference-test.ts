import { readCsvFile } from '../../ml/dataset/csv';
import type { RawTable } from '../../ml/dataset/csv';
import type { Stores } from '../model-resolve';
import { resolveModel } from '../model-resolve';
import { checkInput } from '../predict-input';
import { openScoringModel, score } from '../scoring';
import type { CheckOutcome, DataCheck } from './data-checks';
import type { InferenceTestSpec } from './pipeline-file';

/** Step 4's report: the new Staging version, loaded by its URI, scoring the test data. */
export interface InferenceTestReport {
  uri: string;
  version: string;
  data: string;
  rows: number;
  checks: DataCheck[];
  /** Classification: predictions per class; regression: their range. */
  classCounts?: Record<string, number>;
  range?: { min: number; max: number };
  passed: boolean;
}

const check = (test: string, ok: boolean, expected: string, actual: string, message: string): DataCheck => ({
  test,
  outcome: (ok ? 'pass' : 'fail') as CheckOutcome,
  expected,
  actual,
  message,
});

/**
 * Loads `models:/<name>/Staging` (the pin checked, as every load does), makes sure it is the version
 * the pipeline just promoted, scores the first rows of the test data and checks the output: one
 * prediction per row, no NaN, every class one the model (or the file) allows, probabilities that
 * are probabilities, regression values inside the file's range.
 */
export async function inferenceTest(stores: Stores, name: string, version: string, dataset: string, spec: InferenceTestSpec): Promise<InferenceTestReport> {
  const uri = `models:/${name}/Staging`;
  const resolved = await resolveModel(stores, uri);
  const data = spec.data ?? dataset;
  const checks: DataCheck[] = [
    check(
      'model',
      resolved.version?.version === version,
      `${uri} is version ${version}`,
      `version ${resolved.version?.version ?? '?'}`,
      `loaded ${uri} → version ${resolved.version?.version ?? '?'}`,
    ),
  ];
  const model = openScoringModel(resolved.dir);
  const full = readCsvFile(data);
  const table: RawTable = { ...full, rows: full.rows.slice(0, spec.rows), lines: full.lines.slice(0, spec.rows) };
  const input = checkInput(table, model.inputs);
  checks.push(
    check(
      'input schema',
      input.errors.length === 0,
      'the data fits the signature',
      `${input.errors.length} problem(s)`,
      input.errors.map((e) => e.message).join('; ') || 'the data fits the signature',
    ),
  );
  const report: InferenceTestReport = { uri, version, data, rows: table.rows.length, checks, passed: false };
  if (input.errors.length > 0) return report;
  const out = score(model, input.frame);
  const n = table.rows.length;
  checks.push(
    check(
      'output schema',
      out.predictions.length === n,
      `${n} predictions`,
      `${out.predictions.length}`,
      `${out.predictions.length} predictions for ${n} rows`,
    ),
  );
  if (model.model.task === 'classification') classificationChecks(report, out, spec.classes ?? model.model.classes);
  else regressionChecks(report, out.predictions.map(Number), spec);
  report.passed = checks.every((c) => c.outcome !== 'fail');
  return report;
}

function classificationChecks(
  report: InferenceTestReport,
  out: { predictions: (string | number)[]; probabilities?: ArrayLike<number>[] },
  classes: readonly string[],
): void {
  const allowed = new Set(classes);
  const counts: Record<string, number> = {};
  for (const p of out.predictions) counts[String(p)] = (counts[String(p)] ?? 0) + 1;
  report.classCounts = counts;
  const unknown = Object.keys(counts).filter((k) => !allowed.has(k));
  report.checks.push(
    check(
      'class set',
      unknown.length === 0,
      `classes in ${classes.join(', ')}`,
      Object.keys(counts).join(', '),
      unknown.length ? `predictions outside the class set: ${unknown.join(', ')}` : 'every prediction is a known class',
    ),
  );
  const probs = out.probabilities ?? [];
  const bad = probs.findIndex((row) => {
    const values = Array.from(row);
    return values.some((x) => !(x >= 0 && x <= 1)) || Math.abs(values.reduce((a, b) => a + b, 0) - 1) > 1e-6;
  });
  report.checks.push(
    check(
      'probabilities',
      bad < 0,
      'finite, in [0, 1], summing to 1',
      bad < 0 ? 'all' : `row ${bad + 1} is not`,
      bad < 0 ? 'every row’s probabilities are well-formed' : `row ${bad + 1}: the probabilities are NaN, outside [0, 1] or do not sum to 1`,
    ),
  );
}

function regressionChecks(report: InferenceTestReport, values: number[], spec: InferenceTestSpec): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  report.checks.push(
    check(
      'no NaN',
      bad < 0,
      'finite numbers',
      bad < 0 ? 'all finite' : `row ${bad + 1}`,
      bad < 0 ? 'every prediction is a finite number' : `row ${bad + 1}: the prediction is not a finite number`,
    ),
  );
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  report.range = { min, max };
  if (spec.min !== undefined || spec.max !== undefined) {
    const ok = (spec.min === undefined || min >= spec.min) && (spec.max === undefined || max <= spec.max);
    report.checks.push(
      check(
        'value range',
        ok,
        `in [${spec.min ?? '−∞'}, ${spec.max ?? '∞'}]`,
        `[${min}, ${max}]`,
        ok ? 'every prediction is in range' : `predictions range over [${min}, ${max}]`,
      ),
    );
  }
}
