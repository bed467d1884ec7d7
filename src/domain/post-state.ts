/**
 * The per-target state machine. The table below is the single source of truth: use cases and the
 * publishing engine call `assertTransition` before every state change they make, and the unit test
 * walks every (from, to) pair so an accidental edge shows up as a failing test.
 *
 *   draft → in_review → approved → scheduled → publishing → published | failed | unconfirmed
 *   held: the account needs attention; resumes to scheduled on reconnect.
 *   cancelled: terminal, nothing will be published.
 *
 * Deleting a published post on the network keeps the target `published` (it *was* published, and
 * history must say so); the deletion is recorded as a `post.target.deleted` event and `external_url`
 * is cleared, so nothing links to a post that no longer exists.
 */
import { targetStates, type TargetState } from '../db/schema';
import { ConflictError } from './errors';

export { targetStates, type TargetState };

/** Allowed transitions, `from → [to…]`. A state listed under itself may be re-entered (reschedule). */
export const transitions: Readonly<Record<TargetState, readonly TargetState[]>> = {
  // An editor may schedule a draft directly; a contributor submits it for review.
  draft: ['in_review', 'approved', 'scheduled', 'cancelled'],
  // Rejecting sends a post back to draft.
  in_review: ['draft', 'approved', 'scheduled', 'cancelled'],
  // A contributor's edit sends an approved post back to review.
  approved: ['in_review', 'draft', 'scheduled', 'cancelled'],
  // Rescheduling stays scheduled; unscheduling returns to approved; a contributor's edit to review.
  scheduled: ['scheduled', 'approved', 'in_review', 'draft', 'publishing', 'held', 'cancelled'],
  // Retryable failures go back to scheduled (with a backoff); auth problems hold the target.
  publishing: ['published', 'failed', 'unconfirmed', 'scheduled', 'held'],
  published: [],
  // A person may retry a failed target (after fixing it) or drop it.
  failed: ['scheduled', 'draft', 'cancelled'],
  // The confirm step finds it (published) or proves it absent (scheduled again); a person may give up.
  unconfirmed: ['published', 'scheduled', 'failed', 'cancelled'],
  held: ['scheduled', 'cancelled', 'draft'],
  cancelled: [],
};

/** States in which nothing will happen to a target any more. */
export const terminalStates: readonly TargetState[] = ['published', 'cancelled'];

/** States a person may still edit (text, media, time). */
export const editableStates: readonly TargetState[] = ['draft', 'in_review', 'approved', 'scheduled', 'failed', 'held'];

/** True when `from → to` is in the table. */
export function canTransition(from: TargetState, to: TargetState): boolean {
  return transitions[from].includes(to);
}

/** Raised for a state change the table does not allow; maps to HTTP 409. */
export class InvalidTransitionError extends ConflictError {
  constructor(
    public readonly from: TargetState,
    public readonly to: TargetState,
  ) {
    super(`A post target cannot go from "${from}" to "${to}"`, { from, to });
  }
}

/** Throws `InvalidTransitionError` unless `from → to` is allowed. */
export function assertTransition(from: TargetState, to: TargetState): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/** States from which `to` may be reached (for guarded `WHERE state IN (…)` updates). */
export function statesLeadingTo(to: TargetState): TargetState[] {
  return targetStates.filter((s) => canTransition(s, to));
}
