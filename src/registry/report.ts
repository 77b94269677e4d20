/** The validation report: every gate with what was expected, what was found, and the verdict. */

import type { GateOutcome, GateVerdict } from './gates/gate';
import type { GateKind } from './gates/gate-list';
import { GATES } from './gates/gate-list';
import type { Check } from '../shared/validate';
import { arr, bool, literal, nullable, num, numOrNaN, obj, record, str } from '../shared/validate';

/** One verdict in a stored report: the gate's kind (registry/gates/gate-list.ts) and what it found. */
export interface GateResult extends GateVerdict {
  gate: GateKind;
}

export interface ValidationReport {
  /** Stable id, referenced from the audit trail. */
  reportId: string;
  name: string;
  version: string;
  createdAt: number;
  actor: string;
  /** True when no gate failed (skipped gates do not fail a report). */
  passed: boolean;
  fromStage: string;
  toStage: string;
  /** The Production version the candidate was compared with, if any. */
  baseline: { version: string; runId: string } | null;
  /** The held-out data both were scored on. */
  data: { path: string; rows: number; target: string } | null;
  candidateMetrics: Record<string, number>;
  /** Production's metrics on the same data (MLflow's "baseline model"). */
  baselineMetrics: Record<string, number> | null;
  /** The majority-class / mean baseline's metrics on the same data; absent in reports made before it was recorded. */
  noSkillMetrics?: Record<string, number> | null;
  gates: GateResult[];
}

/** A metric map as stored (a metric that could not be computed is NaN, which JSON writes as null). */
const metricMap = record(numOrNaN);

const gateResult: Check<GateResult> = obj(
  {
    gate: literal(...GATES.map((g): GateKind => g.kind)),
    name: str,
    expected: str,
    actual: str,
    outcome: literal<GateOutcome>('pass', 'fail', 'skipped'),
    message: str,
  },
  { metric: str },
);

/** A report as the registry stores it, checked when it is read back (the field is named when one is malformed). */
export const VALIDATION_REPORT: Check<ValidationReport> = obj(
  {
    reportId: str,
    name: str,
    version: str,
    createdAt: num,
    actor: str,
    passed: bool,
    fromStage: str,
    toStage: str,
    baseline: nullable(obj({ version: str, runId: str })),
    data: nullable(obj({ path: str, rows: num, target: str })),
    candidateMetrics: metricMap,
    baselineMetrics: nullable(metricMap),
    gates: arr(gateResult, 1000),
  },
  { noSkillMetrics: nullable(metricMap) },
);

/**
 * What a validation did, in words: `passed: None → Staging`, `failed: moved from Staging back to
 * None`, `failed: stays in None`. A demotion is never said to "stay".
 */
export function validationOutcomeText(passed: boolean, fromStage: string, toStage: string): string {
  const verdict = passed ? 'passed' : 'failed';
  if (fromStage === toStage) return `${verdict}: stays in ${toStage}`;
  if (!passed) return `${verdict}: moved from ${fromStage} back to ${toStage}`;
  return `${verdict}: ${fromStage} → ${toStage}`;
}

/** `3 of 4 gates passed, 1 did not run`: a gate that was skipped is never counted as passed. */
export function gatesSummary(gates: readonly GateResult[]): string {
  const n = (o: GateOutcome): number => gates.filter((g) => g.outcome === o).length;
  const ran = gates.length - n('skipped');
  if (ran === 0) return gates.length === 0 ? 'no gate to run' : `no gate ran (${gates.length} skipped)`;
  const failed = n('fail') > 0 ? `, ${n('fail')} failed` : '';
  const skipped = n('skipped') > 0 ? `, ${n('skipped')} did not run` : '';
  return `${n('pass')} of ${gates.length} gates passed${failed}${skipped}`;
}

export function reportPassed(gates: readonly GateResult[]): boolean {
  return gates.every((g) => g.outcome !== 'fail');
}

/** A plain-text rendering for the CLI and the `validation_report.txt` artifact. */
export function formatReport(r: ValidationReport): string {
  const lines = [
    `Validation of ${r.name} version ${r.version}: ${r.passed ? 'PASSED' : 'FAILED'} (${r.fromStage} → ${r.toStage})`,
    r.baseline ? `Compared with Production version ${r.baseline.version}` : 'No Production version to compare with',
  ];
  if (r.data) lines.push(`Held-out data: ${r.data.path} (${r.data.rows} rows, target ${r.data.target})`);
  for (const g of r.gates) {
    const mark = g.outcome === 'pass' ? 'PASS' : g.outcome === 'fail' ? 'FAIL' : 'SKIP';
    lines.push(`  [${mark}] ${g.name}: expected ${g.expected}, actual ${g.actual}${g.outcome === 'pass' ? '' : ` — ${g.message}`}`);
  }
  lines.push(`Report id: ${r.reportId}`);
  return lines.join('\n') + '\n';
}
