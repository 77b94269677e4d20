import type { ModelVersion } from '../core/registry';
import type { Stage } from '../core/stages';
import { STAGES } from '../core/stages';
import { bool, literal, num, obj, str } from '../shared/validate';
import { chunkTags, tagMap, unchunkJson } from '../core/tag-chunks';
import type { Tag } from '../core/tracking';
import type { ValidationReport } from './report';
import { VALIDATION_REPORT } from './report';

/**
 * What MLflow has no table for, kept on a tracking server as MLflow model-version tags (so every workspace pointed at
 * the server sees it, and `mlflow ui` shows it on the version's page):
 *
 * - `modelops.report.<reportId>`: a validation report, as JSON (chunked when long, src/core/tag-chunks.ts);
 * - `modelops.stage_request`: the product asking for a move to Staging (after a passing validation) or Production
 *   (after a human approval), written just before `transition-stage`. `modelops server` lets a transition to Staging
 *   or Production through only when it finds one that matches the move and a passing report, and names its own
 *   authenticated caller in the audit trail; any MLflow server ignores it. It is removed once the move is made.
 */
export const REPORT_TAG_PREFIX = 'modelops.report.';
export const STAGE_REQUEST_TAG = 'modelops.stage_request';

export type StageRequestAction = 'validate' | 'approve';

export interface StageRequest {
  from: Stage;
  to: Stage;
  action: StageRequestAction;
  actor: string;
  reportId: string;
  comment?: string;
  archiveExisting: boolean;
  time: number;
}

export function reportTags(report: ValidationReport): Tag[] {
  return chunkTags(`${REPORT_TAG_PREFIX}${report.reportId}`, JSON.stringify(report));
}

const isReportKey = (key: string): boolean => key.startsWith(REPORT_TAG_PREFIX) && /^[0-9A-Za-z_-]+$/.test(key.slice(REPORT_TAG_PREFIX.length));

/** The complete reports a version carries, newest first. */
export function reportsOf(version: Pick<ModelVersion, 'tags'>): ValidationReport[] {
  const tags = tagMap(version.tags);
  const out: ValidationReport[] = [];
  for (const key of tags.keys()) {
    if (!isReportKey(key)) continue;
    const r = unchunkJson<unknown>(tags, key);
    // A tag of that name another client wrote in another shape is not one of our reports: passed over.
    try {
      if (r !== undefined) out.push(VALIDATION_REPORT(r, key));
    } catch {
      continue;
    }
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || (a.reportId < b.reportId ? 1 : -1));
}

export function stageRequestTag(request: StageRequest): Tag {
  return { key: STAGE_REQUEST_TAG, value: JSON.stringify(request) };
}

const STAGE_REQUEST = obj(
  { from: literal(...STAGES), to: literal(...STAGES), action: literal<StageRequestAction>('validate', 'approve'), actor: str, reportId: str },
  { comment: str, archiveExisting: bool, time: num },
);

/** The version's pending stage request, when it has a well-formed one. */
export function stageRequestOf(version: Pick<ModelVersion, 'tags'>): StageRequest | undefined {
  const raw = version.tags.find((t) => t.key === STAGE_REQUEST_TAG)?.value;
  if (raw === undefined) return undefined;
  try {
    const r = STAGE_REQUEST(JSON.parse(raw), STAGE_REQUEST_TAG);
    return { ...r, archiveExisting: r.archiveExisting === true, time: r.time ?? 0 };
  } catch {
    // A request another client left in another shape is no pending request.
    return undefined;
  }
}
