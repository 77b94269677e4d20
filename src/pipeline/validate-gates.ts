import type { RawTable } from '../ml/dataset/csv';
import { classificationMetrics } from '../ml/metrics/classification';
import { regressionMetrics } from '../ml/metrics/regression';
import type { GateSpec } from '../registry/gates-config';
import { evaluateMetric } from '../registry/metric-threshold';
import type { GateResult } from '../registry/report';
import { signatureGate } from '../registry/signature-gate';
import { greaterIsBetter, isBetter } from '../core/metric-meaning';
import { checkInput } from './predict-input';
import { BASELINE_PREFIX, chooseBaselineMetric } from './train-baseline';
import type { ScoringModel } from './scoring';
import { directorySize, score } from './scoring';

/** Held-out rows with their true target, shared by the candidate and Production. */
export interface HeldOut {
  path: string;
  table: RawTable;
  target: string;
}

export interface GateInputs {
  gates: GateSpec;
  candidate: ScoringModel;
  baseline?: { model: ScoringModel; version: string };
  data?: HeldOut;
  /** Rows for the smoke test when there is no held-out data (the model's `input_example.json`). */
  example?: RawTable;
  /** Metrics logged by the runs, used when no held-out data is configured. */
  runMetrics?: { candidate: Record<string, number>; baseline?: Record<string, number> };
  /** The metric the candidate's training chose for its baseline comparison (run tag `modelops.baseline.metric`). */
  baselineMetric?: string;
}

export interface GateRun {
  gates: GateResult[];
  candidateMetrics: Record<string, number>;
  baselineMetrics: Record<string, number> | null;
  /** The majority-class / mean baseline's scores the candidate was compared with (held-out rows, or as training logged them). */
  noSkillMetrics: Record<string, number> | null;
}

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** Scores a model on held-out rows and computes the task's metrics (scikit-learn definitions). */
export function heldOutMetrics(m: ScoringModel, data: HeldOut): Record<string, number> {
  const checked = checkInput(data.table, m.inputs);
  if (checked.errors.length > 0) throw new Error(checked.errors.map((e) => e.message).join('; '));
  const out = score(m, checked.frame);
  const t = data.table.header.indexOf(data.target);
  const truth = data.table.rows.map((r) => (r[t] ?? '').trim());
  if (m.model.task === 'regression') {
    const metrics = regressionMetrics(Float64Array.from(truth.map(Number)), Float64Array.from(out.predictions.map(Number)));
    return { ...metrics };
  }
  const classes = m.model.classes;
  const index = new Map(classes.map((c, i) => [c, i]));
  const keep: number[] = [];
  truth.forEach((label, i) => {
    if (index.has(label)) keep.push(i);
  });
  const k = classes.length;
  const proba = new Float64Array(keep.length * k);
  keep.forEach((row, j) => proba.set(out.probabilities![row]!, j * k));
  const metrics = classificationMetrics(Int32Array.from(keep.map((i) => index.get(truth[i]!)!)), proba, k);
  return { ...metrics };
}

/**
 * The no-skill baseline on the held-out rows: their own class frequencies (or mean) for every row —
 * a slightly generous baseline, since it knows the held-out balance the model could not.
 */
function heldOutBaseline(m: ScoringModel, data: HeldOut): { metrics: Record<string, number>; labels?: string[] } {
  const t = data.table.header.indexOf(data.target);
  const truth = data.table.rows.map((r) => (r[t] ?? '').trim());
  if (m.model.task === 'regression') {
    const y = Float64Array.from(truth.map(Number));
    const mean = y.reduce((a, b) => a + b, 0) / Math.max(1, y.length);
    return { metrics: { ...regressionMetrics(y, new Float64Array(y.length).fill(mean)) } };
  }
  const index = new Map(m.model.classes.map((c, i) => [c, i]));
  const labels = truth.filter((l) => index.has(l));
  const K = m.model.classes.length;
  const prior = new Array<number>(K).fill(0);
  for (const l of labels) prior[index.get(l)!]! += 1 / labels.length;
  const proba = new Float64Array(labels.length * K);
  for (let j = 0; j < labels.length; j++) proba.set(prior, j * K);
  return { metrics: { ...classificationMetrics(Int32Array.from(labels, (l) => index.get(l)!), proba, K) }, labels };
}

/** "Beats the baseline": strictly better than the majority class / the mean on the metric chosen for the target. */
function baselineGate(
  chosen: string | undefined,
  candidate: ScoringModel,
  metrics: Record<string, number>,
  noSkill: { metrics: Record<string, number>; labels?: string[]; source: string } | undefined,
): GateResult {
  const what = candidate.model.task === 'regression' ? 'the mean baseline' : 'the majority-class baseline';
  const metric = chosen ?? (noSkill?.source === 'held-out data' ? chooseBaselineMetric(candidate.model.task === 'regression' ? undefined : noSkill.labels).metric : undefined);
  const value = metric === undefined ? undefined : metrics[metric];
  const base = metric === undefined ? undefined : noSkill?.metrics[metric];
  const name = `beats ${what}${metric ? ` (${metric}, ${noSkill?.source ?? 'run metrics'})` : ''}`;
  if (metric === undefined || value === undefined || base === undefined || !Number.isFinite(value) || !Number.isFinite(base)) {
    return {
      gate: 'baseline',
      name,
      expected: `better than ${what}`,
      actual: 'no baseline score',
      outcome: 'skipped',
      message: 'the run logged no baseline score (trained before ModelOps logged one, or not by modelops train); set "data" in .modelops/gates.json to score the baseline on held-out rows',
    };
  }
  const ok = isBetter(metric, value, base);
  const op = greaterIsBetter(metric) === false ? '<' : '>';
  return {
    gate: 'baseline',
    name,
    expected: `${op} ${fmt(base)}`,
    actual: fmt(value),
    outcome: ok ? 'pass' : 'fail',
    message: ok ? `${metric} ${fmt(value)} ${op} ${fmt(base)} of ${what}` : `${metric} ${fmt(value)} does not beat ${what}'s ${fmt(base)}: the model has not learnt more than the class balance (or the mean)`,
  };
}

export function runGates(input: GateInputs): GateRun {
  const results: GateResult[] = [];
  const { gates, candidate, baseline, data } = input;
  let candidateMetrics: Record<string, number> = {};
  let baselineMetrics: Record<string, number> | null = null;
  /** The majority-class / mean baseline's scores: on the held-out rows, else as the training logged them. */
  let noSkill: { metrics: Record<string, number>; labels?: string[]; source: string } | undefined;

  // Data: the held-out rows must carry the target and fit the candidate's signature.
  if (data) {
    const issues: string[] = [];
    if (!data.table.header.includes(data.target)) issues.push(`has no target column '${data.target}'`);
    const checked = checkInput(data.table, candidate.inputs);
    issues.push(...checked.errors.map((e) => e.message));
    // Rows whose label the candidate never saw cannot be scored as right or wrong: say so.
    let unknown = '';
    const t = data.table.header.indexOf(data.target);
    if (t >= 0 && candidate.model.task === 'classification') {
      const known = new Set(candidate.model.classes);
      const labels = new Map<string, number>();
      for (const r of data.table.rows) {
        const l = (r[t] ?? '').trim();
        if (!known.has(l)) labels.set(l, (labels.get(l) ?? 0) + 1);
      }
      const count = [...labels.values()].reduce((a, b) => a + b, 0);
      if (count > 0) unknown = `; ${count} row(s) with labels the model never saw (${[...labels.keys()].slice(0, 5).map((l) => `'${l}'`).join(', ')}) are left out of the metrics`;
    }
    results.push({
      gate: 'data',
      name: 'held-out data fits the candidate',
      expected: `a CSV with ${candidate.inputs.length} input columns and '${data.target}'`,
      actual: `${data.table.rows.length} rows, ${data.table.header.length} columns`,
      outcome: issues.length === 0 ? 'pass' : 'fail',
      message: issues.length === 0 ? `${data.path} fits${unknown}` : `${data.path} ${issues.join('; ')}`,
    });
    if (issues.length === 0) {
      candidateMetrics = heldOutMetrics(candidate, data);
      noSkill = { ...heldOutBaseline(candidate, data), source: 'held-out data' };
      if (baseline) {
        try {
          baselineMetrics = heldOutMetrics(baseline.model, data);
        } catch (e) {
          results.push({
            gate: 'data',
            name: `held-out data fits Production v${baseline.version}`,
            expected: 'Production scores the same rows',
            actual: 'it cannot',
            outcome: 'fail',
            message: (e as Error).message,
          });
        }
      }
    }
  } else if (input.runMetrics) {
    candidateMetrics = input.runMetrics.candidate;
    baselineMetrics = input.runMetrics.baseline ?? (baseline ? {} : null);
    const logged = Object.entries(candidateMetrics).filter(([k]) => k.startsWith(BASELINE_PREFIX));
    if (logged.length > 0) noSkill = { metrics: Object.fromEntries(logged.map(([k, v]) => [k.slice(BASELINE_PREFIX.length), v])), source: 'run metrics' };
    candidateMetrics = Object.fromEntries(Object.entries(candidateMetrics).filter(([k]) => !k.startsWith(BASELINE_PREFIX)));
  }

  // Metric thresholds, MLflow's MetricThreshold semantics, against Production when there is one.
  const source = data ? 'held-out data' : 'run metrics';
  for (const [metric, threshold] of Object.entries(gates.metrics)) {
    const baseValue = baseline ? (baselineMetrics?.[metric] ?? null) : undefined;
    for (const c of evaluateMetric(metric, threshold, candidateMetrics[metric], baseValue)) {
      results.push({
        gate: 'metric',
        name: `${metric} ${c.check.replace(/_/g, ' ')} (${source})`,
        expected: c.expected,
        actual: c.actual === null ? 'missing' : fmt(c.actual),
        outcome: c.outcome,
        message: c.message,
      });
    }
  }

  if (gates.beats_baseline !== false) results.push(baselineGate(gates.beats_baseline.metric ?? input.baselineMetric, candidate, candidateMetrics, noSkill));

  // Signature compatibility with Production.
  if (gates.signature === 'compatible') {
    if (baseline) results.push(signatureGate(baseline.model.info.signature, candidate.info.signature, baseline.version));
    else {
      results.push({
        gate: 'signature',
        name: 'signature compatible with Production',
        expected: 'the inputs Production accepts',
        actual: `${candidate.inputs.length} inputs`,
        outcome: 'skipped',
        message: 'no Production version yet',
      });
    }
  }

  // Smoke test: score a sample and check every answer is well-formed; time it for the latency budget.
  const sample = data?.table ?? input.example;
  const sampleRows = gates.smoke_test === false ? Math.min(sample?.rows.length ?? 0, 1000) : gates.smoke_test.rows;
  let perRowMs: number | undefined;
  if (sample && (gates.smoke_test !== false || gates.latency)) {
    const table: RawTable = { ...sample, rows: sample.rows.slice(0, sampleRows), lines: sample.lines.slice(0, sampleRows) };
    const checked = checkInput(table, candidate.inputs);
    let problem = checked.errors.map((e) => e.message).join('; ');
    let n = 0;
    if (!problem) {
      const started = performance.now();
      try {
        const out = score(candidate, checked.frame);
        perRowMs = (performance.now() - started) / Math.max(1, table.rows.length);
        n = out.predictions.length;
        const classes = new Set(candidate.model.classes);
        if (n !== table.rows.length) problem = `${n} predictions for ${table.rows.length} rows`;
        else if (candidate.model.task === 'classification') {
          const bad = out.predictions.findIndex((p) => !classes.has(String(p)));
          const badP = (out.probabilities ?? []).findIndex((p) => Math.abs(p.reduce((a, b) => a + b, 0) - 1) > 1e-6 || p.some((x) => !(x >= 0 && x <= 1)));
          if (bad >= 0) problem = `row ${bad + 1}: prediction '${String(out.predictions[bad])}' is not a known class`;
          else if (badP >= 0) problem = `row ${badP + 1}: probabilities do not sum to 1`;
        } else {
          const bad = out.predictions.findIndex((p) => !Number.isFinite(Number(p)));
          if (bad >= 0) problem = `row ${bad + 1}: prediction is not a finite number`;
        }
      } catch (e) {
        problem = `scoring failed: ${(e as Error).message}`;
      }
    }
    if (gates.smoke_test !== false) {
      results.push({
        gate: 'smoke_test',
        name: `inference smoke test on ${table.rows.length} ${data ? 'held-out rows' : 'input example rows'}`,
        expected: 'one well-formed prediction per row',
        actual: problem ? 'failed' : `${n} predictions`,
        outcome: problem ? 'fail' : 'pass',
        message: problem || 'every prediction is well-formed',
      });
    }
  } else if (gates.smoke_test !== false) {
    results.push({
      gate: 'smoke_test',
      name: 'inference smoke test',
      expected: 'held-out rows to score',
      actual: 'no held-out data and no input example',
      outcome: 'skipped',
      message: 'set "data" in .modelops/gates.json or pass --data to run it',
    });
  }

  if (gates.latency) {
    const budget = gates.latency.max_ms_per_row;
    results.push({
      gate: 'latency',
      name: 'latency budget',
      expected: `<= ${fmt(budget)} ms per row`,
      actual: perRowMs === undefined ? 'not measured' : `${fmt(perRowMs)} ms per row`,
      outcome: perRowMs === undefined ? 'skipped' : perRowMs <= budget ? 'pass' : 'fail',
      message: perRowMs === undefined ? 'no held-out rows to time' : `${fmt(perRowMs)} ms per row on ${sampleRows} rows`,
    });
  }
  if (gates.max_size_mb !== undefined) {
    const mb = directorySize(candidate.dir) / (1024 * 1024);
    results.push({
      gate: 'size',
      name: 'model size budget',
      expected: `<= ${fmt(gates.max_size_mb)} MB`,
      actual: `${fmt(mb)} MB`,
      outcome: mb <= gates.max_size_mb ? 'pass' : 'fail',
      message: `the model directory holds ${fmt(mb)} MB`,
    });
  }
  return { gates: results, candidateMetrics, baselineMetrics, noSkillMetrics: noSkill?.metrics ?? null };
}
