import type { RawTable } from '../ml/dataset/csv';
import { classificationMetrics } from '../ml/metrics/classification';
import { regressionMetrics } from '../ml/metrics/regression';
import type { Evidence, HeldOutFit, SampleRun } from '../registry/gates/gate';
import type { GateSpec } from '../registry/gates/gate-list';
import { GATES } from '../registry/gates/gate-list';
import type { GateResult } from '../registry/report';
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
  return {
    metrics: {
      ...classificationMetrics(
        Int32Array.from(labels, (l) => index.get(l)!),
        proba,
        K,
      ),
    },
    labels,
  };
}

/** The held-out rows checked against the candidate: the target is there, the inputs fit, which labels it never saw. */
function heldOutFit(candidate: ScoringModel, data: HeldOut): HeldOutFit {
  const issues: string[] = [];
  if (!data.table.header.includes(data.target)) issues.push(`has no target column '${data.target}'`);
  issues.push(...checkInput(data.table, candidate.inputs).errors.map((e) => e.message));
  const unknownLabels = new Map<string, number>();
  const t = data.table.header.indexOf(data.target);
  if (t >= 0 && candidate.model.task === 'classification') {
    const known = new Set(candidate.model.classes);
    for (const r of data.table.rows) {
      const l = (r[t] ?? '').trim();
      if (!known.has(l)) unknownLabels.set(l, (unknownLabels.get(l) ?? 0) + 1);
    }
  }
  return { path: data.path, rows: data.table.rows.length, columns: data.table.header.length, target: data.target, issues, unknownLabels };
}

type Measured = Pick<Evidence, 'heldOut' | 'source' | 'metrics' | 'productionMetrics' | 'noSkill'>;

/** Metrics of both versions and of the no-skill baseline on the held-out rows (when they fit). */
function measureHeldOut(input: GateInputs, data: HeldOut): Measured {
  const { candidate, baseline } = input;
  const fit = heldOutFit(candidate, data);
  // Without Production there is nothing to compare with (undefined); with it, null until it has scored.
  const out: Measured = { heldOut: fit, source: 'held-out data', metrics: {}, productionMetrics: baseline ? null : undefined };
  if (fit.issues.length > 0) return out;
  out.metrics = heldOutMetrics(candidate, data);
  const { metrics, labels } = heldOutBaseline(candidate, data);
  const metric =
    candidate.model.task === 'regression'
      ? chooseBaselineMetric(undefined).metric
      : labels && labels.length > 0
        ? chooseBaselineMetric(labels).metric
        : undefined;
  out.noSkill = { metrics, source: 'held-out data', ...(metric ? { metric } : {}) };
  if (baseline) {
    try {
      out.productionMetrics = heldOutMetrics(baseline.model, data);
    } catch (e) {
      fit.productionError = (e as Error).message;
    }
  }
  return out;
}

/** The runs' logged metrics when there are no held-out rows; the training's `baseline_*` metrics are the no-skill scores. */
function measureRunMetrics(input: GateInputs): Measured {
  const logged = input.runMetrics?.candidate ?? {};
  const productionMetrics = input.baseline ? (input.runMetrics?.baseline ?? {}) : undefined;
  const out: Measured = {
    source: 'run metrics',
    metrics: Object.fromEntries(Object.entries(logged).filter(([k]) => !k.startsWith(BASELINE_PREFIX))),
    productionMetrics,
  };
  const noSkill = Object.entries(logged).filter(([k]) => k.startsWith(BASELINE_PREFIX));
  if (noSkill.length > 0) out.noSkill = { metrics: Object.fromEntries(noSkill.map(([k, v]) => [k.slice(BASELINE_PREFIX.length), v])), source: 'run metrics' };
  return out;
}

/** Scores up to `rows` of the sample once, timing it; the run is kept for every gate that asks after. */
function sampler(candidate: ScoringModel, sample: RawTable | undefined, from: SampleRun['from']): (rows: number) => SampleRun | undefined {
  let run: SampleRun | undefined;
  return (rows) => {
    if (!sample) return undefined;
    if (run) return run;
    const table: RawTable = { ...sample, rows: sample.rows.slice(0, rows), lines: sample.lines.slice(0, rows) };
    const checked = checkInput(table, candidate.inputs);
    const base = { rows: table.rows.length, from, predictions: [] };
    if (checked.errors.length > 0) return (run = { ...base, error: checked.errors.map((e) => e.message).join('; ') });
    const started = performance.now();
    try {
      const out = score(candidate, checked.frame);
      const perRowMs = (performance.now() - started) / Math.max(1, table.rows.length);
      run = { ...base, predictions: out.predictions, perRowMs, ...(out.probabilities ? { probabilities: out.probabilities } : {}) };
    } catch (e) {
      run = { ...base, error: `scoring failed: ${(e as Error).message}` };
    }
    return run;
  };
}

/** What every gate reads: the candidate, Production, the metrics of both and the sample scorer. */
export function gatherEvidence(input: GateInputs): Evidence {
  const { candidate, baseline, data } = input;
  const measured = data ? measureHeldOut(input, data) : measureRunMetrics(input);
  return {
    ...measured,
    task: candidate.model.task,
    classes: candidate.model.classes,
    signature: candidate.info.signature,
    inputColumns: candidate.inputs.length,
    ...(baseline ? { production: { version: baseline.version, signature: baseline.model.info.signature } } : {}),
    ...(input.baselineMetric ? { trainedBaselineMetric: input.baselineMetric } : {}),
    sample: sampler(candidate, data?.table ?? input.example, data ? 'held-out rows' : 'input example rows'),
    sizeMb: () => directorySize(candidate.dir) / (1024 * 1024),
  };
}

/** Every gate of GATES on the same evidence, in list order. */
export function runGates(input: GateInputs): GateRun {
  const evidence = gatherEvidence(input);
  const gates = GATES.flatMap((g) => g.evaluate(input.gates, evidence).map((v): GateResult => ({ gate: g.kind, ...v })));
  return { gates, candidateMetrics: evidence.metrics, baselineMetrics: evidence.productionMetrics ?? null, noSkillMetrics: evidence.noSkill?.metrics ?? null };
}
