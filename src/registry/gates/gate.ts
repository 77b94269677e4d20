import type { JsonSchema } from '../../shared/validate';

/**
 * The validation gate extension point. A gate is one file: the `.modelops/gates.json` fields it
 * owns (each with its JSON Schema, its parser and its default) and an `evaluate` that turns the
 * evidence of one validation into verdicts. The list of gates is `gate-list.ts`; the gates spec
 * type, the parser, the JSON Schema and the report are all derived from it.
 *
 * Gates measure nothing themselves: scoring lives in the pipeline (pipeline/validate-gates.ts),
 * which hands every gate the same `Evidence`, so the registry layer stays free of the ML code.
 */

export type GateOutcome = 'pass' | 'fail' | 'skipped';

/** One verdict of a gate, as the report shows it (the report adds the gate's kind). */
export interface GateVerdict {
  /** What was checked, e.g. `accuracy threshold`, `signature vs Production v2`. */
  name: string;
  expected: string;
  actual: string;
  outcome: GateOutcome;
  message: string;
  /** The metric the verdict judged (metric thresholds, the baseline comparison): what the review panel keys on. */
  metric?: string;
}

/** Throws the parse error for `field` (a dotted path under the file). */
export type Bad = (field: string, why: string) => never;

/** One field of a gates spec: its JSON Schema (VS Code's completion), its parser (the CLI's check) and its default. */
export interface GateField<T> {
  schema: JsonSchema;
  /** Checks a present value; `where` is its dotted path, for `bad`. */
  parse(value: unknown, where: string, bad: Bad): T;
  /** The built-in value when neither the file's `default` nor the model's entry gives one. */
  default?: T;
}

export type GateFields<F> = { [K in keyof F]-?: GateField<Exclude<F[K], undefined>> };

export interface Gate<F extends object, K extends string = string> {
  /** The report's `gate` field; stored in reports and read by the review panel, so never renamed. */
  kind: K;
  /** The gates.json fields this gate reads, in the order the parser lists them. */
  fields: GateFields<F>;
  /** The verdicts for this validation, in report order; none when the gate is off. */
  evaluate(config: F, evidence: Evidence): GateVerdict[];
}

export type MetricSource = 'held-out data' | 'run metrics';

export interface SignatureColumns {
  inputs: readonly { name?: string; type: string; required?: boolean }[];
  outputs: readonly { name?: string; type: string }[];
}

/** The held-out CSV as checked against the candidate (before anything was scored on it). */
export interface HeldOutFit {
  path: string;
  rows: number;
  columns: number;
  target: string;
  /** Why the rows cannot be scored (missing target, signature mismatches); empty when they fit. */
  issues: string[];
  /** Rows whose label the candidate never saw, by label (classification). */
  unknownLabels: ReadonlyMap<string, number>;
  /** Production could not score the same rows (then there is no comparison). */
  productionError?: string;
}

/** One scoring of the sample rows, shared by the smoke test and the latency budget. */
export interface SampleRun {
  rows: number;
  from: 'held-out rows' | 'input example rows';
  /** The rows did not fit the signature, or scoring threw: nothing was predicted. */
  error?: string;
  predictions: readonly unknown[];
  probabilities?: readonly (readonly number[])[];
  perRowMs?: number;
}

/** What the pipeline measured for one validation; every gate reads the same evidence. */
export interface Evidence {
  task: string;
  /** The candidate's classes (classification). */
  classes: readonly string[];
  signature: SignatureColumns;
  /** The candidate's named input columns (what a scored CSV must carry). */
  inputColumns: number;
  production?: { version: string; signature: SignatureColumns };
  heldOut?: HeldOutFit;
  /** Where `metrics` come from. */
  source: MetricSource;
  metrics: Record<string, number>;
  /** Production's metrics from the same source; undefined when there is no Production version. */
  productionMetrics?: Record<string, number> | null;
  /**
   * The majority-class / mean baseline: on the held-out rows (with the metric their labels call
   * for, as training chooses it), else as training logged them.
   */
  noSkill?: { metrics: Record<string, number>; metric?: string; source: MetricSource };
  /** The metric training chose for the baseline comparison (run tag `modelops.baseline.metric`). */
  trainedBaselineMetric?: string;
  /**
   * Scores up to `rows` sample rows (held-out rows, else the input example). The first gate to ask
   * scores; later ones reuse that run, so the latency budget is timed on the smoke test's rows.
   * Undefined when there is nothing to score.
   */
  sample(rows: number): SampleRun | undefined;
  /** Megabytes of the candidate's model directory. */
  sizeMb(): number;
}

/** Six significant digits: what the report shows for a measured value. */
export const fmt = (x: number): string => String(Number(x.toPrecision(6)));

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Refuses keys of an object field other than `allowed`. */
export function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string, bad: Bad): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`${where}.${k}`, `unknown field (expected ${allowed.join(', ')})`);
}
