import { ModelOpsError } from '../core/errors';
import type { Stage } from '../core/stages';

/**
 * The product's lifecycle on top of MLflow's stages (MLflow itself lets any stage go to any other):
 *
 *   Training → None → Validation ─pass→ Staging → Manual review ─approve→ Production → Archived
 *                                └fail→ stays None (with report)  └reject→ stays Staging (with comment)
 *
 * Every stage change goes through `checkTransition`, which either names the rule that allows it or
 * refuses with a message that says what to do instead.
 */

/** How a stage change comes about. */
export type TransitionVia =
  /** The validation gates ran: pass → Staging, fail of a Staging version → back to None. */
  | 'validation'
  /** A human approved the promotion (CLI `--approve`, an editor confirmation). */
  | 'approval'
  /** Someone archived the version explicitly. */
  | 'archive'
  /** Another version was promoted to Production: this one leaves Production in the same transaction. */
  | 'replaced';

export interface TransitionRule {
  from: Stage;
  to: Stage;
  via: TransitionVia;
  /** A comment is mandatory (approvals go to the audit trail with their reason). */
  needsComment: boolean;
}

/** Every allowed stage change. Anything not listed is refused. */
export const TRANSITIONS: readonly TransitionRule[] = [
  { from: 'None', to: 'Staging', via: 'validation', needsComment: false },
  { from: 'Archived', to: 'Staging', via: 'validation', needsComment: false },
  { from: 'Staging', to: 'None', via: 'validation', needsComment: false },
  { from: 'Staging', to: 'Production', via: 'approval', needsComment: true },
  { from: 'None', to: 'Archived', via: 'archive', needsComment: false },
  { from: 'Staging', to: 'Archived', via: 'archive', needsComment: false },
  { from: 'Production', to: 'Archived', via: 'archive', needsComment: false },
  { from: 'Production', to: 'Archived', via: 'replaced', needsComment: false },
];

export interface TransitionRequest {
  name: string;
  version: string;
  from: Stage;
  to: Stage;
  via: TransitionVia;
  /** For `validation`: whether every gate passed (a pass may only raise, a failure only lower). */
  validationPassed?: boolean;
  /** For `approval`: the explicit approval flag. Never implied. */
  approved?: boolean;
  comment?: string;
}

export function findRule(from: Stage, to: Stage, via: TransitionVia): TransitionRule | undefined {
  return TRANSITIONS.find((r) => r.from === from && r.to === to && r.via === via);
}

/** Returns the rule that allows the request, or throws INVALID_STATE with what to do instead. */
export function checkTransition(req: TransitionRequest): TransitionRule {
  const refuse = (why: string): never => {
    throw new ModelOpsError('INVALID_STATE', why, { location: `models:/${req.name}/${req.version}` });
  };
  const v = `version ${req.version} of '${req.name}'`;
  const validateCmd = `modelops validate --name ${req.name} --version ${req.version}`;
  if (req.from === req.to) refuse(`${v} is already in ${req.to}; nothing to do`);
  const rule = findRule(req.from, req.to, req.via);
  if (!rule) refuse(explainRefusal(req, v, validateCmd));
  if (req.via === 'validation') {
    const raising = req.to === 'Staging';
    if (req.validationPassed === undefined || req.validationPassed !== raising) {
      refuse(raising ? `${v} did not pass validation; it cannot move to Staging` : `${v} passed validation; it stays in ${req.from}`);
    }
  }
  if (req.via === 'approval' && req.approved !== true) {
    refuse(`promoting ${v} to Production needs an explicit approval: add --approve --comment "<why>" ` + '(in the editor: confirm the promotion)');
  }
  if (rule!.needsComment && (req.comment === undefined || req.comment.trim() === '')) {
    refuse(`approving ${v} for Production needs a comment for the audit trail: add --comment "<why>"`);
  }
  return rule!;
}

function explainRefusal(req: TransitionRequest, v: string, validateCmd: string): string {
  const { from, to } = req;
  const promoteCmd = `modelops promote --name ${req.name} --version ${req.version} --to Production --approve --comment "<why>"`;
  if (to === 'Production') {
    if (from === 'None') {
      return `${v} is in None and cannot go to Production directly: validate it first (${validateCmd}); when every gate passes it moves to Staging, then promote it (${promoteCmd})`;
    }
    if (from === 'Archived') {
      return `${v} is Archived and cannot go back to Production without re-validation: run ${validateCmd}; when it passes it moves to Staging, then promote it with --approve`;
    }
    return `${v} can reach Production only from Staging with an explicit approval (${promoteCmd})`;
  }
  if (to === 'Staging') {
    if (from === 'Production') {
      return `${v} is in Production; to replace it, promote another Staging version (this one is then archived); to withdraw it, archive it (modelops archive --name ${req.name} --version ${req.version})`;
    }
    return `${v} reaches Staging only by passing validation: run ${validateCmd}`;
  }
  if (to === 'None') {
    if (from === 'Production') {
      return `${v} is in Production and cannot go back to None; archive it instead (modelops archive --name ${req.name} --version ${req.version})`;
    }
    if (from === 'Archived') {
      return `${v} is Archived; it comes back only through validation (${validateCmd}), which moves it to Staging when it passes`;
    }
    return `${v} goes back to None only when a re-validation fails (${validateCmd})`;
  }
  if (to === 'Archived') {
    return `${v} is in ${from}; it leaves Production only when archived explicitly or replaced by a promotion`;
  }
  return `${v} cannot move from ${from} to ${to}`;
}

/** Where a validation result takes a version: pass → Staging; fail of a Staging version → None; else it stays. */
export function stageAfterValidation(from: Stage, passed: boolean): Stage {
  if (passed) return from === 'Production' ? 'Production' : 'Staging';
  return from === 'Staging' ? 'None' : from;
}

/** A rejection keeps the version in Staging and records the reviewer's comment; only Staging versions are reviewed. */
export function checkReject(name: string, version: string, from: Stage, comment: string | undefined): void {
  const location = `models:/${name}/${version}`;
  if (from !== 'Staging') {
    throw new ModelOpsError('INVALID_STATE', `version ${version} of '${name}' is in ${from}; only a Staging version under review can be rejected`, {
      location,
    });
  }
  if (comment === undefined || comment.trim() === '') {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `rejecting version ${version} of '${name}' needs a comment: add --comment "<why>"`, {
      location: 'comment',
    });
  }
}
