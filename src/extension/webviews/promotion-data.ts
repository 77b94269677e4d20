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
import { compareMetricKeys, isBetter, metricMeaning } from '../../core/metric-meaning';
import { BASELINE_PREFIX, BASELINE_TAG } from '../../pipeline/train-baseline';
import { standingRejection } from '../../registry/review-state';
import type {
  DatasetLineage,
  Decision,
  MetricComparison,
  NoSkillVerdict,
  PromotionReview,
  PromotionState,
  ReviewSide,
  Signature,
  ValidationReport,
} from '../../shared/promotion-protocol';
import type { Stage } from '../../core/stages';
import { isStage } from '../../core/stages';
import type { RegistryStore } from '../../store/registry-store';
import type { TrackingStore } from '../../store/tracking-store';
import { readFeatureImportance } from './artifact-data';

export interface ReviewStores {
  tracking: TrackingStore;
  registry: RegistryStore;
}

function stage(s: string): Stage {
  return isStage(s) ? s : 'None';
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

/** MLflow's dataset source is JSON (`{"uri": "/abs/path.csv"}`); a reader wants the path. */
export function readableSource(source: string): string {
  try {
    const v = JSON.parse(source) as unknown;
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      for (const k of ['uri', 'path', 'url', 'table_name', 'name']) if (typeof o[k] === 'string' && o[k] !== '') return o[k] as string;
    }
  } catch {
    // not JSON: shown as it is
  }
  return source;
}

/** One entry of a profile's `drift` list (the retraining pipeline's step 1), or undefined when it is not one. */
function driftEntry(d: unknown): NonNullable<DatasetLineage['drift']>[number] | undefined {
  if (typeof d !== 'object' || d === null) return undefined;
  const o = d as Record<string, unknown>;
  if (typeof o.column !== 'string' || typeof o.score !== 'number' || !Number.isFinite(o.score) || typeof o.drifted !== 'boolean') return undefined;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  return {
    column: o.column,
    score: o.score,
    drifted: o.drifted,
    ...(typeof o.test === 'string' ? { test: o.test } : {}),
    ...(finite(o.threshold) ? { threshold: o.threshold } : {}),
    ...(finite(o.psi) ? { psi: o.psi } : {}),
  };
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
  const out: DatasetLineage = { name: input.name, digest: input.digest, source: readableSource(input.source), rows };
  const context = input.tags?.find((t) => t.key === 'mlflow.data.context')?.value;
  if (context) out.context = context;
  if (drift) out.drift = drift;
  if (drift && driftReference) out.driftReference = driftReference;
  return out;
}

async function side(stores: ReviewStores, version: ModelVersion): Promise<{ side: ReviewSide; run: Run | undefined }> {
  const run = version.runId ? await stores.tracking.getRun(version.runId).catch(() => undefined) : undefined;
  const summary: ReviewSide['version'] = {
    name: version.name,
    version: version.version,
    stage: stage(version.currentStage),
    runId: version.runId,
    creationTime: version.creationTimestamp,
  };
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

/*
 * A gate's result names the metric it judged (GateVerdict.metric). Reports stored before it did
 * have only the display name: `accuracy threshold (held-out data)`, `beats … (roc_auc, run metrics)`.
 */
function judges(g: GateResult, key: string): boolean {
  if (g.metric !== undefined) return g.metric === key;
  return g.gate === 'metric' && (g.name === key || g.name.startsWith(`${key} `));
}

function baselineMetricOf(g: GateResult): string | undefined {
  return g.metric ?? /\(([\w.]+), /.exec(g.name)?.[1];
}

/** The metric gate that judged a metric. */
function gateFor(key: string, gates: readonly GateResult[]): MetricComparison['gate'] {
  const g = gates.find((x) => x.gate === 'metric' && judges(x, key));
  if (!g || g.outcome === 'skipped') return undefined;
  return {
    rule: `${g.name}: ${g.expected}`,
    passed: g.outcome === 'pass',
    detail: g.outcome === 'pass' ? `actual ${g.actual}` : `actual ${g.actual} — ${g.message}`,
  };
}

const ownScore = (key: string): boolean => ['score', 'member'].includes(metricMeaning(key).kind);
const runMetrics = (run: Run | undefined): Record<string, number> => Object.fromEntries((run?.data.metrics ?? []).map((m) => [m.key, m.value]));

/** The majority-class / mean baseline's scores: from the report (same rows as the candidate), else as training logged them. */
function noSkillScores(report: StoreReport | undefined, candidateRun: Run | undefined): Record<string, number> | undefined {
  if (report?.noSkillMetrics) return report.noSkillMetrics;
  if (report?.data) return undefined; // held-out metrics cannot be set against the training folds' baseline
  const logged = Object.entries(runMetrics(candidateRun)).filter(([k]) => k.startsWith(BASELINE_PREFIX));
  return logged.length ? Object.fromEntries(logged.map(([k, v]) => [k.slice(BASELINE_PREFIX.length), v])) : undefined;
}

/** From the report when there is one (both versions scored on the same data), else the runs' logged metrics; spreads, folds and baselines are not rows. */
function metricComparisons(
  report: StoreReport | undefined,
  candidateRun: Run | undefined,
  productionRun: Run | undefined,
  noSkill: Record<string, number> | undefined,
): MetricComparison[] {
  const cand: Record<string, number> = report?.candidateMetrics ?? runMetrics(candidateRun);
  const prod: Record<string, number> = report ? (report.baselineMetrics ?? {}) : runMetrics(productionRun);
  const keys = [...new Set([...Object.keys(cand), ...Object.keys(prod)])].filter(ownScore).sort(compareMetricKeys);
  return keys.map((key) => {
    const row: MetricComparison = {
      key,
      candidate: finiteOrNull(cand[key]),
      production: finiteOrNull(prod[key]),
      goal: metricMeaning(key).direction === 'lower' ? 'minimize' : 'maximize',
    };
    const gate = report ? gateFor(key, report.gates) : undefined;
    if (gate) row.gate = gate;
    const base = finiteOrNull(noSkill?.[key]);
    if (base !== null) row.noSkill = base;
    return row;
  });
}

/** Whether the candidate beats the baseline on the comparison's metric, and which other scores do not. */
function noSkillVerdict(rows: readonly MetricComparison[], metric: string | undefined, source: string, reason: string | undefined): NoSkillVerdict | undefined {
  const losing = rows
    .filter((r) => r.candidate !== null && r.noSkill !== undefined && metricMeaning(r.key).kind === 'score' && !isBetter(r.key, r.candidate, r.noSkill))
    .map((r) => ({ key: r.key, candidate: r.candidate as number, noSkill: r.noSkill as number }));
  const main = rows.find((r) => r.key === metric && r.candidate !== null && r.noSkill !== undefined);
  if (!main || metric === undefined) return undefined;
  return {
    metric,
    candidate: main.candidate as number,
    noSkill: main.noSkill as number,
    beats: isBetter(metric, main.candidate as number, main.noSkill as number),
    source,
    ...(reason ? { reason } : {}),
    losing: losing.filter((l) => l.key !== metric),
  };
}

function validation(report: StoreReport | undefined): ValidationReport | null {
  if (!report) return null;
  return {
    passed: report.passed,
    createdAt: report.createdAt,
    fromStage: report.fromStage,
    toStage: report.toStage,
    reportId: report.reportId,
    actor: report.actor,
    checks: report.gates.map((g) => ({
      name: g.name,
      // Only a gate that ran and passed is "passed": a skipped one is neither ✓ nor ✗.
      passed: g.outcome === 'pass',
      outcome: g.outcome,
      gate: g.gate,
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
  const metrics = metricComparisons(report, candidate.run, production?.run, noSkillScores(report, candidate.run));
  const tag = (k: string): string | undefined => candidate.run?.data.tags.find((t) => t.key === k)?.value;
  const baselineGate = report?.gates.find((g) => g.gate === 'baseline');
  const chosen = (baselineGate && baselineMetricOf(baselineGate)) ?? tag(BASELINE_TAG.metric);
  const verdict = noSkillVerdict(metrics, chosen, report?.data ? 'held-out data' : 'training folds', tag(BASELINE_TAG.reason));
  const rejection = standingRejection(await stores.registry.getAuditTrail(name, version), version);
  return {
    candidate: candidate.side,
    production: production?.side ?? null,
    metrics,
    validation: validation(report),
    decision: await lastDecision(stores.registry, name, version),
    ...(verdict ? { noSkill: verdict } : {}),
    ...(rejection ? { rejection } : {}),
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
