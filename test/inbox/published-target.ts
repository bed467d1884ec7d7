/**
 * Puts a published post (one target on `accountId` with the network's `externalId`) straight into the
 * database, as the publishing engine leaves it, for the inbound sync and metrics tests.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { newId } from '../../src/domain/ids';

/** Inserts the post and its published target; returns both ids. */
export async function insertPublishedTarget(
  db: Kysely<Database>,
  input: { workspaceId: string; authorId: string; accountId: string; network: string; externalId: string; publishedAt: Date },
): Promise<{ postId: string; targetId: string }> {
  const postId = newId();
  const targetId = newId();
  const at = input.publishedAt.toISOString();
  await db.insertInto('posts').values({ id: postId, workspace_id: input.workspaceId, author_id: input.authorId, timezone: 'UTC', scheduled_local: null, scheduled_at: at, created_at: at, updated_at: at, deleted_at: null }).execute();
  await db
    .insertInto('post_targets')
    .values({
      id: targetId,
      post_id: postId,
      workspace_id: input.workspaceId,
      account_id: input.accountId,
      network: input.network,
      state: 'published',
      text: `post ${input.externalId}`,
      link: null,
      langs: '[]',
      scheduled_at: at,
      version: 1,
      attempts: 1,
      next_attempt_at: null,
      lease_owner: null,
      lease_until: null,
      last_error_kind: null,
      last_error_message: null,
      external_id: input.externalId,
      external_url: `https://peer.invalid/p/${input.externalId}`,
      published_at: at,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return { postId, targetId };
}
