import type { AuditEntry } from '../core/registry';

/** A reviewer's "no" that still stands: the trees and the review panel show the version as rejected. */
export interface Rejection {
  by: string;
  at: number;
  comment: string;
}

/**
 * A rejection stands until the version is validated again (or approved, or moves stage): the newest
 * of those entries in the version's audit trail decides. `trail` is oldest first, as the store returns it.
 */
export function standingRejection(trail: readonly AuditEntry[], version: string): Rejection | undefined {
  for (let i = trail.length - 1; i >= 0; i--) {
    const e = trail[i]!;
    if (e.version !== version) continue;
    if (e.action === 'reject') return { by: e.actor, at: e.time, comment: e.comment ?? '' };
    if (e.action === 'validate' || e.action === 'approve' || e.action === 'transition' || e.action === 'archive') return undefined;
  }
  return undefined;
}
