/** Event payloads about targets, the same shape for the event log and webhook bodies. */
import type { PostTargetRow } from '../db/schema';

/** What consumers of `post.target.*` events receive. */
export function targetEventPayload(t: PostTargetRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    postId: t.post_id,
    targetId: t.id,
    accountId: t.account_id,
    network: t.network,
    state: t.state,
    scheduledAt: t.scheduled_at,
    attempts: t.attempts,
    externalId: t.external_id,
    externalUrl: t.external_url,
    publishedAt: t.published_at,
    error: t.last_error_message ? { kind: t.last_error_kind, message: t.last_error_message } : null,
    ...extra,
  };
}
