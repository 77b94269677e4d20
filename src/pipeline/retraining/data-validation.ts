import { ModelOpsError } from '../../core/errors';
import type { RawTable } from '../../ml/dataset/csv';
import { computeDigest } from '../../ml/dataset/profile';
import type { ColumnDrift } from '../../ml/drift/column-drift';
import { P_VALUE_TESTS, TEST_LABELS } from '../../ml/drift/column-drift';
import type { DatasetDrift } from '../../ml/drift/dataset-drift';
import { datasetDrift } from '../../ml/drift/dataset-drift';
import type { DataCheck, ReferenceColumn } from './data-checks';
import { checkColumn, columnSetChecks, targetChecks } from './data-checks';
import type { DriftPolicy, PipelineSpec } from './pipeline-file';
import type { ReferenceModel } from './reference';

/** Step 1's report: what the new data was checked against, every check, and the drift measured. */
export interface DataValidationReport {
  data: { path: string; rows: number; columns: number; digest: string };
  target: string;
  /** The version whose signature and profile the columns were checked against (Production, else the newest). */
  reference: { name: string; version: string; stage: string; runId: string } | null;
  /** The Production version drift was measured against, and whether it had a training profile. */
  driftReference: { version: string; runId: string; profile: boolean } | null;
  checks: DataCheck[];
  drift: DatasetDrift | null;
  passed: boolean;
}

export interface DataValidationInput {
  spec: PipelineSpec;
  target: string;
  /** The new data, or why it could not be read as a CSV. */
  table: RawTable | ModelOpsError;
  schemaRef?: ReferenceModel;
  production?: ReferenceModel;
}

const pct = (x: number): string => `${Number((x * 100).toFixed(1))}%`;
const fmt = (x: number): string => (x === 0 || (Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6) ? String(Number(x.toPrecision(4))) : x.toExponential(2));

/** Runs every check of step 1 (nothing is written). */
export function validateData(input: DataValidationInput): DataValidationReport {
  const { spec, target } = input;
  const ref = input.schemaRef;
  const base = {
    target,
    reference: ref ? { name: ref.name, version: ref.version, stage: ref.stage, runId: ref.runId } : null,
    driftReference: input.production
      ? { version: input.production.version, runId: input.production.runId, profile: input.production.profile !== undefined }
      : null,
  };
  if (input.table instanceof ModelOpsError) {
    const check: DataCheck = {
      test: 'parse',
      outcome: 'fail',
      expected: 'a CSV file with a header row',
      actual: 'unreadable',
      message: input.table.message,
      ...(input.table.location ? { location: input.table.location } : {}),
    };
    return { ...base, data: { path: spec.dataset, rows: 0, columns: 0, digest: '' }, checks: [check], drift: null, passed: false };
  }
  const table = input.table;
  const checks: DataCheck[] = [rowsCheck(table, spec)];
  const expected = expectedColumns(ref, spec, target);
  checks.push(...columnSetChecks(table, expected, spec.expectations.columns, spec.expectations, target));
  for (const col of expected) {
    const c = table.header.indexOf(col.name);
    if (c >= 0) checks.push(...checkColumn(table, c, col, spec.expectations.columns[col.name], spec.expectations));
  }
  const classification = ref ? ref.task === 'classification' : spec.expectations.classBalance !== undefined || !mostlyNumbers(table, target);
  checks.push(...targetChecks(table, target, classification, spec.expectations));
  const drift = input.production?.profile ? datasetDrift(input.production.profile, (name) => cellsOf(table, name), driftOptions(spec.drift)) : null;
  checks.push(...driftChecks(drift, input.production, spec.drift));
  return {
    ...base,
    data: { path: table.source, rows: table.rows.length, columns: table.header.length, digest: computeDigest(table.text) },
    checks,
    drift,
    passed: checks.every((c) => c.outcome !== 'fail'),
  };
}

function rowsCheck(table: RawTable, spec: PipelineSpec): DataCheck {
  const min = spec.expectations.minRows ?? 1;
  const n = table.rows.length;
  return {
    test: 'rows',
    outcome: n >= min ? 'pass' : 'fail',
    expected: `≥ ${min} rows`,
    actual: `${n} rows`,
    message: n >= min ? `${n} rows` : `${table.source} has ${n} data rows, fewer than the ${min} the pipeline file asks for`,
  };
}

/** The reference's input columns, plus the columns the pipeline file has expectations for. */
function expectedColumns(ref: ReferenceModel | undefined, spec: PipelineSpec, target: string): ReferenceColumn[] {
  const out: ReferenceColumn[] = [...(ref?.columns ?? [])];
  for (const name of Object.keys(spec.expectations.columns)) {
    if (name !== target && !out.some((c) => c.name === name)) out.push({ name });
  }
  return out;
}

function cellsOf(table: RawTable, name: string): string[] | undefined {
  const c = table.header.indexOf(name);
  return c < 0 ? undefined : table.rows.map((r) => r[c] ?? '');
}

function mostlyNumbers(table: RawTable, column: string): boolean {
  const cells = (cellsOf(table, column) ?? []).filter((v) => v.trim() !== '');
  const distinct = new Set(cells).size;
  return distinct > 20 && cells.every((v) => Number.isFinite(Number(v)));
}

function driftOptions(policy: DriftPolicy): { share: number; columns: Record<string, { threshold?: number; ignore?: boolean }> } {
  return { share: policy.share, columns: policy.columns };
}

/** `Wasserstein (normed) 0.31 ≥ 0.1`, `Kolmogorov–Smirnov p = 0.002 < 0.05`. */
export function driftVerdict(d: ColumnDrift): string {
  return P_VALUE_TESTS.has(d.test)
    ? `${TEST_LABELS[d.test]} p = ${fmt(d.score)} ${d.drifted ? '<' : '≥'} ${fmt(d.threshold)}`
    : `${TEST_LABELS[d.test]} ${fmt(d.score)} ${d.drifted ? '≥' : '<'} ${fmt(d.threshold)}`;
}

function driftChecks(drift: DatasetDrift | null, production: ReferenceModel | undefined, policy: DriftPolicy): DataCheck[] {
  if (!production) {
    return [
      {
        test: 'dataset drift',
        outcome: 'skipped',
        expected: 'a Production version to compare with',
        actual: 'none yet',
        message: 'no Production version yet: there is no reference to measure drift against',
      },
    ];
  }
  if (!drift) {
    return [
      {
        test: 'dataset drift',
        outcome: 'skipped',
        expected: `the training profile of Production version ${production.version}`,
        actual: 'missing',
        message: `the drift reference is missing: Production version ${production.version} was saved without a training profile (training_profile.json; by an older ModelOps or another MLflow client); retrain once to record one`,
      },
    ];
  }
  const checks: DataCheck[] = drift.columns.map((d) => {
    const stops = d.drifted && policy.columns[d.column]?.onDrift === 'stop';
    const expected = P_VALUE_TESTS.has(d.test) ? `${TEST_LABELS[d.test]} p ≥ ${fmt(d.threshold)}` : `${TEST_LABELS[d.test]} < ${fmt(d.threshold)}`;
    return {
      test: 'drift',
      column: d.column,
      outcome: d.drifted ? (stops ? 'fail' : 'warn') : 'pass',
      expected,
      actual: `${P_VALUE_TESTS.has(d.test) ? 'p = ' : ''}${fmt(d.score)} (PSI ${fmt(d.psi)}, ${d.psiBand})`,
      message: d.drifted
        ? `column '${d.column}' drifted: ${driftVerdict(d)}${stops ? '; the pipeline file stops on this column' : ''}`
        : `no drift: ${driftVerdict(d)}`,
    };
  });
  const verdict = `${drift.drifted} of ${drift.total} columns drifted (${pct(drift.share)}; the dataset drifts at ≥ ${pct(drift.shareThreshold)})`;
  const drifted = drift.columns.filter((d) => d.drifted).map((d) => d.column);
  checks.push({
    test: 'dataset drift',
    outcome: drift.datasetDrifted ? (policy.onDrift === 'stop' ? 'fail' : 'warn') : 'pass',
    expected: `< ${pct(drift.shareThreshold)} of the columns drift (against Production version ${production.version})`,
    actual: `${drift.drifted} of ${drift.total}`,
    message: drift.datasetDrifted
      ? `the dataset drifted: ${verdict}: ${drifted.join(', ')}${policy.onDrift === 'warn' ? ' (on_drift: warn, so the pipeline goes on)' : ''}`
      : verdict,
  });
  return checks;
}
