/**
 * View model of the promotion review: metric rows with deltas and whether the delta is an
 * improvement, the signature diff, and the comment rule for decisions. Pure: no DOM.
 */
import type { MetricComparison, PromotionReview, Signature, SignatureColumn } from './promotion-protocol';

export type Trend = 'better' | 'worse' | 'same' | 'unknown';

export interface MetricRow extends MetricComparison {
  delta: number | null;
  trend: Trend;
}

export function metricRows(review: PromotionReview): MetricRow[] {
  return review.metrics.map((m) => {
    const delta = m.candidate !== null && m.production !== null ? m.candidate - m.production : null;
    let trend: Trend = 'unknown';
    if (delta !== null) {
      if (Math.abs(delta) <= 1e-12) trend = 'same';
      else trend = delta > 0 === (m.goal === 'maximize') ? 'better' : 'worse';
    }
    return { ...m, delta, trend };
  });
}

export type SignatureChange = 'same' | 'added' | 'removed' | 'type changed';

export interface SignatureDiffRow {
  section: 'inputs' | 'outputs';
  name: string;
  candidate: string | null;
  production: string | null;
  change: SignatureChange;
}

function typeText(c: SignatureColumn): string {
  return c.optional ? `${c.type} (optional)` : c.type;
}

/** Columns in the candidate's order, then the ones only Production has. */
export function signatureDiff(candidate: Signature | null, production: Signature | null): SignatureDiffRow[] {
  const rows: SignatureDiffRow[] = [];
  for (const section of ['inputs', 'outputs'] as const) {
    const cand = candidate?.[section] ?? [];
    const prod = production?.[section] ?? [];
    const prodByName = new Map(prod.map((c) => [c.name, c]));
    for (const c of cand) {
      const p = prodByName.get(c.name);
      const change: SignatureChange = !p ? (production ? 'added' : 'same') : typeText(p) === typeText(c) ? 'same' : 'type changed';
      rows.push({ section, name: c.name, candidate: typeText(c), production: p ? typeText(p) : null, change });
    }
    const candNames = new Set(cand.map((c) => c.name));
    for (const p of prod) {
      if (!candNames.has(p.name)) rows.push({ section, name: p.name, candidate: null, production: typeText(p), change: 'removed' });
    }
  }
  return rows;
}

export function gateSummary(review: PromotionReview): { passed: number; failed: number; total: number } {
  const gates = review.metrics.filter((m) => m.gate !== undefined);
  const passed = gates.filter((m) => m.gate?.passed).length;
  return { passed, failed: gates.length - passed, total: gates.length };
}

export const MIN_COMMENT_LENGTH = 3;

/** The reason a decision cannot be sent yet, or null when it can. */
export function decisionProblem(review: PromotionReview | null, comment: string): string | null {
  if (!review) return 'Nothing to review.';
  if (review.candidate.version.stage !== 'Staging') {
    return `Version ${review.candidate.version.version} is in ${review.candidate.version.stage}; only a Staging version can be reviewed.`;
  }
  if (comment.trim().length < MIN_COMMENT_LENGTH) return 'A comment is required for approval or rejection.';
  return null;
}
