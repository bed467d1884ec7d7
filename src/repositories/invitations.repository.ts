/** Invitation links into workspaces. */
import type { InvitationRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** Inserts an invitation. */
export async function insertInvitation(db: Executor, row: InvitationRow): Promise<void> {
  await db.insertInto('invitations').values(row).execute();
}

/** Invitations of a workspace by id (newest last), one page of `limit + 1`. */
export async function listInvitations(db: Executor, workspaceId: string, page: { limit: number; cursor?: string }): Promise<InvitationRow[]> {
  let q = db.selectFrom('invitations').selectAll().where('workspace_id', '=', workspaceId);
  if (page.cursor) q = q.where('id', '>', page.cursor);
  return q.orderBy('id').limit(page.limit + 1).execute();
}

/** One invitation of a workspace. */
export async function findInvitation(db: Executor, workspaceId: string, id: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** The invitation whose token hashes to `tokenHash`. */
export async function findInvitationByHash(db: Executor, tokenHash: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Marks a still-open invitation revoked; true when it was open. */
export async function revokeInvitation(db: Executor, workspaceId: string, id: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Uses an invitation: one conditional update, so of two people racing with the same link only one
 * gets in. True when this call used it.
 */
export async function consumeInvitation(db: Executor, id: string, userId: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ accepted_at: now, accepted_by: userId })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
