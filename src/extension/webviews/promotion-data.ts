/**
 * Assembles the promotion review (src/shared/promotion-protocol.ts) from the registry: the
 * candidate, the current Production version, the candidate's latest validation report (metrics
 * of both scored on the same held-out data, and each gate's verdict), both signatures, the runs'
 * dataset inputs and feature importances, and the last approve/reject from the audit trail.
 * No vscode import: unit-tested on a real sql.js store.
 */
import { ModelOpsError, errorMessage } from '../../core/errors';
import type { ModelVersion } from '../../core/registry';
import type { DatasetInput, Run } from '../../core/tracking';
import { readModelInfo } from '../../ml/ensemble/model-package';
import { checkPinnedVersion, sourceDir } from '../../pipeline/model-resolve';
import type { GateResult, ValidationReport as StoreReport } from '../../registry/report';
import { metricGoal } from '../../shared/format';
import type { DatasetLineage, Decision, MetricComparison, PromotionReview, PromotionState, ReviewSide, Signature, ValidationReport } from '../../shared/promotion-protocol';
import { STAGES } from '../../shared/promotion-protocol';
import type { RegistryStore } from '../../store/registry-store';
import type { TrackingStore } from '../../store/tracking-store';
import { readFeatureImportance } from './artifact-data';

export interface ReviewStores {
  tracking: TrackingStore;
  registry: RegistryStore;
}

function stage(s: string): (typeof STAGES)[number] {
  return (STAGES as readonly string[]).includes(s) ? (s as (typeof STAGES)[number]) : 'None';
}

async function signatureOf(tracking: TrackingStore, version: ModelVersion): Promise<Signature | null> {
  try {
    const { dir } = await sourceDir(tracking, version.source);
    const info = readModelInfo(dir);
    const cols = (list: readonly { name?: string; type: string; required?: boolean }[]) =>
      list.map((c, i) => ({ name: c.name ?? `[${i}]`, type: c.type, ...(c.required === false ? { optional: true } : {}) }));
    return { inputs: cols(info.signature.inputs), outputs: cols(info.signature.outputs) };
  } catch {
    return null; // an unreadable model is the validation report's business; here it is just unknown
  }
}

/** One entry of a profile's `drift` list (the retraining pipeline's step 1), or undefined when it is not one. */
function driftEntry(d: unknown): NonNullable<DatasetLineage['drift']>[number] | undefined {
  if (typeof d !== 'object' || d === null) return undefined;
  const o = d as Record<string, unknown>;
  if (typeof o.column !== 'string' || typeof o.score !== 'number' || !Number.isFinite(o.score) || typeof o.drifted !== 'boolean') return undefined;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  return { column: o.column, score: o.score, drifted: o.drifted, ...(typeof o.test === 'string' ? { test: o.test } : {}), ...(finite(o.threshold) ? { threshold: o.threshold } : {}), ...(finite(o.psi) ? { psi: o.psi } : {}) };
}

/** MLflow's dataset profile is `{"num_rows": n, ...}`; ours may say `rows`. Drift is ours (the retraining pipeline's data validation). */
function lineage(input: DatasetInput): DatasetLineage {
  let rows: number | null = null;
  let drift: DatasetLineage['drift'];
  let driftReference: string | undefined;
  try {
    const profile = input.profile ? (JSON.parse(input.profile) as Record<string, unknown>) : {};
    const n = profile.num_rows ?? profile.rows;
    if (typeof n === 'number' && Number.isFinite(n)) rows = n;
    if (Array.isArray(profile.drift)) drift = profile.drift.map(driftEntry).filter((d): d is NonNullable<typeof d> => d !== undefined);
    if (typeof profile.drift_reference === 'string') driftReference = profile.drift_reference;
  } catch {
    // a profile we cannot read leaves rows unknown
  }
  const out: DatasetLineage = { name: input.name, digest: input.digest, source: input.source, rows };
  const context = input.tags?.find((t) => t.key === 'mlflow.data.context')?.value;
  if (context) out.context = context;
  if (drift) out.drift = drift;
  if (drift && driftReference) out.driftReference = driftReference;
  return out;
}

async function side(stores: ReviewStores, version: ModelVersion): Promise<{ side: ReviewSide; run: Run | undefined }> {
  const run = version.runId ? await stores.tracking.getRun(version.runId).catch(() => undefined) : undefined;
  const summary: ReviewSide['version'] = { name: version.name, version: version.version, stage: stage(version.currentStage), runId: version.runId, creationTime: version.creationTimestamp };
  if (version.description) summary.description = version.description;
  if (run?.info.runName) summary.runName = run.info.runName;
  if (version.aliases.length) summary.aliases = version.aliases;
  return {
    run,
    side: {
      version: summary,
      signature: await signatureOf(stores.tracking, version),
      datasets: (run?.inputs ?? []).map(lineage),
      featureImportance: run ? ((await readFeatureImportance(stores.tracking, run.info.runId)) ?? null) : null,
    },
  };
}

const finiteOrNull = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/** The gate that judged a metric: metric gates are named after their metric (`accuracy …`). */
function gateFor(key: string, gates: readonly GateResult[]): MetricComparison['gate'] {
  const g = gates.find((x) => x.gate === 'metric' && (x.name === key || x.name.startsWith(`${key} `)));
  if (!g || g.outcome === 'skipped') return undefined;
  return { rule: `${g.name}: ${g.expected}`, passed: g.outcome === 'pass', detail: g.outcome === 'pass' ? `actual ${g.actual}` : `actual ${g.actual} — ${g.message}` };
}

/** From the report when there is one (both versions scored on the same data), else the runs' logged metrics. */
function metricComparisons(report: StoreReport | undefined, candidateRun: Run | undefined, productionRun: Run | undefined): MetricComparison[] {
  const cand: Record<string, number> = report?.candidateMetrics ?? Object.fromEntries((candidateRun?.data.metrics ?? []).map((m) => [m.key, m.value]));
  const prod: Record<string, number> = report ? (report.baselineMetrics ?? {}) : Object.fromEntries((productionRun?.data.metrics ?? []).map((m) => [m.key, m.value]));
  const keys = [...new Set([...Object.keys(cand), ...Object.keys(prod)])].sort((a, b) => a.localeCompare(b));
  return keys.map((key) => {
    const row: MetricComparison = { key, candidate: finiteOrNull(cand[key]), production: finiteOrNull(prod[key]), goal: metricGoal(key) };
    const gate = report ? gateFor(key, report.gates) : undefined;
    if (gate) row.gate = gate;
    return row;
  });
}

function validation(report: StoreReport | undefined): ValidationReport | null {
  if (!report) return null;
  return {
    passed: report.passed,
    createdAt: report.createdAt,
    checks: report.gates.map((g) => ({
      name: g.name,
      passed: g.outcome !== 'fail',
      detail: g.outcome === 'skipped' ? `skipped: ${g.message}` : `expected ${g.expected}, actual ${g.actual}${g.outcome === 'fail' ? ` — ${g.message}` : ''}`,
    })),
  };
}

async function lastDecision(registry: RegistryStore, name: string, version: string): Promise<Decision | null> {
  const trail = await registry.getAuditTrail(name, version);
  for (let i = trail.length - 1; i >= 0; i--) {
    const e = trail[i];
    if (e.action === 'approve' || e.action === 'reject') {
      return { action: e.action === 'approve' ? 'approved' : 'rejected', comment: e.comment ?? '', at: e.time, by: e.actor };
    }
  }
  return null;
}

export async function loadPromotionReview(stores: ReviewStores, name: string, version: string): Promise<PromotionReview> {
  const candidateVersion = await stores.registry.getModelVersion(name, version);
  const productionVersion = (await stores.registry.getLatestVersions(name, ['Production'])).find((v) => v.version !== version);
  // Nothing is reviewed on bytes other than the registered ones (model-pin.ts): the panel shows the refusal.
  for (const v of [candidateVersion, ...(productionVersion ? [productionVersion] : [])]) await checkPinnedVersion(stores.tracking, v);
  const reports = await stores.registry.listValidationReports(name, version);
  const report = reports[0];
  const candidate = await side(stores, candidateVersion);
  const production = productionVersion ? await side(stores, productionVersion) : undefined;
  return {
    candidate: candidate.side,
    production: production?.side ?? null,
    metrics: metricComparisons(report, candidate.run, production?.run),
    validation: validation(report),
    decision: await lastDecision(stores.registry, name, version),
  };
}

/** The panel's state: the review, or an error state whose message the panel shows. */
export async function loadPromotionState(stores: ReviewStores | undefined, name: string, version: string): Promise<PromotionState> {
  if (!stores) return { status: 'error', review: null, message: 'No ModelOps store is open in this workspace.' };
  try {
    return { status: 'ready', review: await loadPromotionReview(stores, name, version) };
  } catch (e) {
    const message = e instanceof ModelOpsError ? e.message : `Could not load the review: ${errorMessage(e)}`;
    return { status: 'error', review: null, message };
  }
}
