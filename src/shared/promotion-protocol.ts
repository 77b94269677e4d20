/**
 * Messages and data of the promotion review panel ("Review for Production"): a candidate model
 * version beside the current Production version of the same registered model. The host assembles
 * a `PromotionReview` from the registry; the panel only displays it and asks for decisions.
 */
import { STAGES } from '../core/stages';
import type { Infer } from './validate';
import { arr, bool, literal, num, numOrNull, nullable, obj, str } from './validate';
import { emptyParams, readyParams, READY } from './protocol';
import { featureImportanceCheck } from './compare-protocol';

export const versionRefCheck = obj({ name: str, version: str });
export type VersionRef = Infer<typeof versionRefCheck>;

export const versionSummaryCheck = obj(
  { name: str, version: str, stage: literal(...STAGES), runId: str, creationTime: num },
  { description: str, runName: str, aliases: arr(str, 100) },
);

/** One gate of the validation policy as applied to one metric. */
export const metricGateCheck = obj({
  /** e.g. `>= 0.9`, `no worse than Production by 0.01`. */
  rule: str,
  passed: bool,
  detail: str,
});

export const metricComparisonCheck = obj(
  {
    key: str,
    candidate: numOrNull,
    production: numOrNull,
    /** Which direction is an improvement, as the metric table (src/core/metric-meaning.ts) says. */
    goal: literal('maximize', 'minimize'),
  },
  {
    gate: metricGateCheck,
    /** The majority-class / mean baseline's value on the same data (held-out rows, or the training folds). */
    noSkill: num,
  },
);

export const signatureColumnCheck = obj({ name: str, type: str }, { optional: bool });
export const signatureCheck = obj({ inputs: arr(signatureColumnCheck, 10_000), outputs: arr(signatureColumnCheck, 10_000) });

/** One column's drift as the retraining pipeline's data validation measured it (`test` and `threshold` say how it was judged). */
export const driftCheck = obj({ column: str, score: num, drifted: bool }, { test: str, threshold: num, psi: num });
export const datasetLineageCheck = obj(
  { name: str, digest: str, source: str, rows: nullable(num) },
  /** `driftReference`: the model version the drift was measured against (`models:/churn/3`). */
  { context: str, drift: arr(driftCheck, 10_000), driftReference: str },
);

/** `passed` is true only for a gate that ran and passed: a skipped gate is `outcome: 'skipped'`, never a ✓. */
export const validationCheckCheck = obj({ name: str, passed: bool, detail: str }, { outcome: literal('pass', 'fail', 'skipped'), gate: str });
export const validationReportCheck = obj(
  { passed: bool, createdAt: num, checks: arr(validationCheckCheck, 1000) },
  { fromStage: str, toStage: str, reportId: str, actor: str },
);

/** The candidate against the majority-class / mean baseline, on the metric the comparison uses. */
export const noSkillVerdictCheck = obj(
  { metric: str, candidate: num, noSkill: num, beats: bool, source: str },
  {
    reason: str,
    /** Other scores that do not beat the baseline (accuracy on an imbalanced target, say). */
    losing: arr(obj({ key: str, candidate: num, noSkill: num }), 100),
  },
);

/** A reviewer's rejection that stands (until the version is validated again). */
export const rejectionCheck = obj({ by: str, at: num, comment: str });

export const reviewSideCheck = obj({
  version: versionSummaryCheck,
  signature: nullable(signatureCheck),
  datasets: arr(datasetLineageCheck, 100),
  featureImportance: nullable(featureImportanceCheck),
});

export const decisionCheck = obj({ action: literal('approved', 'rejected'), comment: str, at: num }, { by: str });

export const promotionReviewCheck = obj(
  {
    candidate: reviewSideCheck,
    /** Null when the model has no Production version yet. */
    production: nullable(reviewSideCheck),
    metrics: arr(metricComparisonCheck, 10_000),
    validation: nullable(validationReportCheck),
    /** The last recorded decision on this candidate, if any. */
    decision: nullable(decisionCheck),
  },
  {
    noSkill: noSkillVerdictCheck,
    rejection: rejectionCheck,
  },
);

export const promotionStateCheck = obj({ status: literal('loading', 'ready', 'error'), review: nullable(promotionReviewCheck) }, { message: str });

const decisionParams = obj({ comment: str });
const decisionResult = obj({ outcome: literal('approved', 'rejected', 'cancelled'), message: str });

export const promotionContract = {
  requests: {
    'promotion/approve': { params: decisionParams, result: decisionResult },
    'promotion/reject': { params: decisionParams, result: decisionResult },
  },
  toWebview: {
    'promotion/state': promotionStateCheck,
  },
  toHost: {
    [READY]: readyParams,
    'promotion/refresh': emptyParams,
  },
} as const;

export type PromotionContract = typeof promotionContract;
export type VersionSummary = Infer<typeof versionSummaryCheck>;
export type MetricComparison = Infer<typeof metricComparisonCheck>;
export type Signature = Infer<typeof signatureCheck>;
export type SignatureColumn = Infer<typeof signatureColumnCheck>;
export type DatasetLineage = Infer<typeof datasetLineageCheck>;
export type ValidationReport = Infer<typeof validationReportCheck>;
export type ReviewSide = Infer<typeof reviewSideCheck>;
export type PromotionReview = Infer<typeof promotionReviewCheck>;
export type PromotionState = Infer<typeof promotionStateCheck>;
export type Decision = Infer<typeof decisionCheck>;
export type NoSkillVerdict = Infer<typeof noSkillVerdictCheck>;
export type Rejection = Infer<typeof rejectionCheck>;

export const promotionSavedStateCheck = versionRefCheck;
