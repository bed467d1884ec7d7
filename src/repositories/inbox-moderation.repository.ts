/**
 * Direct-message cursors, moderation state of inbox messages (hidden / deleted on the network from
 * Herald) and our own replies (listing a conversation's replies, deleting one on the network).
 */
import type { Updateable } from 'kysely';
import type { InboxMessagesTable } from '../db/schema';
import type { InboxReplyRow } from '../inbox/inbox-tables';
import type { Executor } from '../jobs/job-queue';

/** Stores the account's next direct-message cursor. */
export async function saveDmCursor(db: Executor, accountId: string, cursor: string | null, at: string): Promise<void> {
  await db
    .insertInto('inbox_dm_cursors')
    .values({ account_id: accountId, cursor, updated_at: at })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ cursor, updated_at: at }))
    .execute();
}

/** The account's direct-message cursor (null = never synced). */
export async function dmCursorOf(db: Executor, accountId: string): Promise<string | null> {
  const row = await db.selectFrom('inbox_dm_cursors').select('cursor').where('account_id', '=', accountId).executeTakeFirst();
  return row?.cursor ?? null;
}

/** Sets the moderation columns of one message of the workspace. */
export async function setMessageModeration(
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Pick<Updateable<InboxMessagesTable>, 'network_hidden_at' | 'network_hidden_by' | 'network_deleted_at' | 'network_deleted_by'>,
): Promise<void> {
  await db.updateTable('inbox_messages').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Sent replies (with their sender's name) to these messages, oldest first. */
export async function sentRepliesOf(db: Executor, workspaceId: string, messageIds: string[]): Promise<Array<InboxReplyRow & { sender_name: string | null }>> {
  if (messageIds.length === 0) return [];
  return db
    .selectFrom('inbox_replies')
    .leftJoin('users', 'users.id', 'inbox_replies.sent_by')
    .selectAll('inbox_replies')
    .select('users.name as sender_name')
    .where('inbox_replies.workspace_id', '=', workspaceId)
    .where('inbox_replies.message_id', 'in', messageIds)
    .where('inbox_replies.state', '=', 'sent')
    .orderBy('inbox_replies.id')
    .execute();
}

/** One reply of the workspace. */
export async function findReply(db: Executor, workspaceId: string, id: string): Promise<InboxReplyRow | undefined> {
  return db.selectFrom('inbox_replies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** Marks a reply deleted on the network; false when it already was (a concurrent delete won). */
export async function markReplyDeleted(db: Executor, workspaceId: string, id: string, at: string, by: string | null): Promise<boolean> {
  const r = await db.updateTable('inbox_replies').set({ deleted_at: at, deleted_by: by }).where('workspace_id', '=', workspaceId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
