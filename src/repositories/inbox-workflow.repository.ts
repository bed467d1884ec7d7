/**
 * Inbox workflow storage: work state on messages, conversations (threads), tags, internal notes,
 * saved replies, settings, rules and the idempotent reply log. Every function takes an executor so
 * callers can group changes and their events in one transaction.
 */
import type { Updateable } from 'kysely';
import type { InboxMessagesTable } from '../db/schema';
import type { InboxNoteRow, InboxReplyRow, InboxRuleRow, InboxRulesTable, InboxSavedReplyRow, InboxSavedRepliesTable, InboxSettingsRow, InboxStatus } from '../inbox/inbox-tables';
import type { Executor } from '../jobs/job-queue';
import type { InboxMessageWithPost } from './inbox-messages.repository';
import { paddedInList } from './in-list.repository';
import { insertRowsAsText } from './multi-row-insert.repository';

/** Messages of the workspace with these ids (those of other workspaces are simply absent). */
export async function messagesByIds(db: Executor, workspaceId: string, ids: string[]): Promise<InboxMessageWithPost[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('inbox_messages')
    .leftJoin('post_targets', 'post_targets.id', 'inbox_messages.target_id')
    .selectAll('inbox_messages')
    .select('post_targets.post_id')
    .where('inbox_messages.workspace_id', '=', workspaceId)
    .where('inbox_messages.id', 'in', ids)
    .execute();
}

/** Every message of one conversation (account + thread key), oldest first. */
export async function threadMessages(db: Executor, workspaceId: string, accountId: string, threadKey: string, limit: number): Promise<InboxMessageWithPost[]> {
  // Two steps, not one query with an OR and the date order: SQLite's planner took the workspace's date
  // index for that and read every message of the workspace each time a conversation was opened. The
  // first step's two lookups use the thread index and the (account, network id) key, the second the
  // primary key.
  const inThread = db.selectFrom('inbox_messages').select(['id', 'network_created_at']).where('workspace_id', '=', workspaceId).where('account_id', '=', accountId);
  const keys = await inThread
    .where('thread_key', '=', threadKey)
    .unionAll(inThread.where('external_id', '=', threadKey).where('thread_key', 'is', null))
    .execute();
  if (keys.length === 0) return [];
  keys.sort((a, b) => (a.network_created_at < b.network_created_at ? -1 : a.network_created_at > b.network_created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return db
    .selectFrom('inbox_messages')
    .leftJoin('post_targets', 'post_targets.id', 'inbox_messages.target_id')
    .selectAll('inbox_messages')
    .select('post_targets.post_id')
    .where('inbox_messages.id', 'in', keys.slice(0, limit).map((k) => k.id))
    .orderBy('inbox_messages.network_created_at', 'asc')
    .orderBy('inbox_messages.id', 'asc')
    .execute();
}

/** Our post target a conversation belongs to: its text and link on the network. */
export async function targetForConversation(db: Executor, workspaceId: string, targetId: string): Promise<{ id: string; post_id: string; text: string; external_url: string | null; external_id: string | null; published_at: string | null } | undefined> {
  return db
    .selectFrom('post_targets')
    .select(['id', 'post_id', 'text', 'external_url', 'external_id', 'published_at'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', targetId)
    .executeTakeFirst();
}

/** Open-or-waiting messages of a thread that a new message reopens. */
export async function reopenableInThread(db: Executor, accountId: string, threadKey: string): Promise<Array<{ id: string; status: InboxStatus; assignee_id: string | null }>> {
  return db
    .selectFrom('inbox_messages')
    .select(['id', 'status', 'assignee_id'])
    .where('account_id', '=', accountId)
    .where('thread_key', '=', threadKey)
    .where('status', 'in', ['waiting', 'resolved'])
    .execute();
}

/** The most recently assigned member of a thread, if any. */
export async function threadAssignee(db: Executor, accountId: string, threadKey: string): Promise<string | null> {
  const r = await db
    .selectFrom('inbox_messages')
    .select('assignee_id')
    .where('account_id', '=', accountId)
    .where('thread_key', '=', threadKey)
    .where('assignee_id', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.assignee_id ?? null;
}

/** Updates messages of the workspace. */
export async function updateMessages(db: Executor, workspaceId: string, ids: string[], patch: Updateable<InboxMessagesTable>): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('inbox_messages').set(patch).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
}

/** Tags of messages: id → sorted tags. */
export async function tagsOf(db: Executor, messageIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (messageIds.length === 0) return out;
  const rows = await db.selectFrom('inbox_message_tags').select(['message_id', 'tag']).where('message_id', 'in', messageIds).orderBy('tag').execute();
  for (const r of rows) out.set(r.message_id, [...(out.get(r.message_id) ?? []), r.tag]);
  return out;
}

/** Adds tags (already present ones are kept); returns the (message, tag) pairs that were new. */
export async function addTags(db: Executor, workspaceId: string, pairs: Array<{ messageId: string; tag: string }>, at: string): Promise<Array<{ messageId: string; tag: string }>> {
  const added: Array<{ messageId: string; tag: string }> = [];
  for (const p of pairs) {
    const r = await db
      .insertInto('inbox_message_tags')
      .values({ message_id: p.messageId, workspace_id: workspaceId, tag: p.tag, created_at: at })
      .onConflict((oc) => oc.columns(['message_id', 'tag']).doNothing())
      .returning('tag')
      .executeTakeFirst();
    if (r) added.push(p);
  }
  return added;
}

/** Removes tags; returns how many rows went. */
export async function removeTags(db: Executor, workspaceId: string, messageIds: string[], tags: string[]): Promise<number> {
  if (messageIds.length === 0 || tags.length === 0) return 0;
  const r = await db.deleteFrom('inbox_message_tags').where('workspace_id', '=', workspaceId).where('message_id', 'in', messageIds).where('tag', 'in', tags).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Adds an internal note. */
export async function insertNote(db: Executor, row: InboxNoteRow): Promise<void> {
  await db.insertInto('inbox_notes').values(row).execute();
}

/** Notes of a message with their authors' names, oldest first. */
export async function notesOf(db: Executor, workspaceId: string, messageIds: string[]): Promise<Array<InboxNoteRow & { author_name: string | null }>> {
  if (messageIds.length === 0) return [];
  return db
    .selectFrom('inbox_notes')
    .leftJoin('users', 'users.id', 'inbox_notes.author_id')
    .selectAll('inbox_notes')
    .select('users.name as author_name')
    .where('inbox_notes.workspace_id', '=', workspaceId)
    .where('inbox_notes.message_id', 'in', messageIds)
    .orderBy('inbox_notes.id')
    .execute();
}

/** Saved replies of the workspace by name. */
export async function listSavedReplies(db: Executor, workspaceId: string): Promise<InboxSavedReplyRow[]> {
  return db.selectFrom('inbox_saved_replies').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();
}

/** One saved reply of the workspace. */
export async function findSavedReply(db: Executor, workspaceId: string, id: string): Promise<InboxSavedReplyRow | undefined> {
  return db.selectFrom('inbox_saved_replies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** Saved reply with this name, if any. */
export async function findSavedReplyByName(db: Executor, workspaceId: string, name: string): Promise<InboxSavedReplyRow | undefined> {
  return db.selectFrom('inbox_saved_replies').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
}

/** Stores a new saved reply. */
export async function insertSavedReply(db: Executor, row: InboxSavedReplyRow): Promise<void> {
  await db.insertInto('inbox_saved_replies').values(row).execute();
}

/** Changes a saved reply. */
export async function updateSavedReply(db: Executor, workspaceId: string, id: string, patch: Updateable<InboxSavedRepliesTable>): Promise<void> {
  await db.updateTable('inbox_saved_replies').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Deletes a saved reply; true when it existed. */
export async function deleteSavedReply(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('inbox_saved_replies').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The workspace's inbox settings row, if saved. */
export async function findInboxSettings(db: Executor, workspaceId: string): Promise<InboxSettingsRow | undefined> {
  return db.selectFrom('inbox_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

/** Saves the workspace's inbox settings. */
export async function upsertInboxSettings(db: Executor, row: InboxSettingsRow): Promise<void> {
  await db
    .insertInto('inbox_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet({
        business_hours: row.business_hours,
        first_response_minutes: row.first_response_minutes,
        telegram_bot_token_enc: row.telegram_bot_token_enc,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      }),
    )
    .execute();
}

/** Rules of the workspace, oldest first (the order they run in). */
export async function listRules(db: Executor, workspaceId: string, onlyActive = false): Promise<InboxRuleRow[]> {
  let q = db.selectFrom('inbox_rules').selectAll().where('workspace_id', '=', workspaceId);
  if (onlyActive) q = q.where('active', '=', 1);
  return q.orderBy('id').execute();
}

/** One rule of the workspace. */
export async function findRule(db: Executor, workspaceId: string, id: string): Promise<InboxRuleRow | undefined> {
  return db.selectFrom('inbox_rules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** Stores a new rule. */
export async function insertRule(db: Executor, row: InboxRuleRow): Promise<void> {
  await db.insertInto('inbox_rules').values(row).execute();
}

/** Changes a rule. */
export async function updateRule(db: Executor, workspaceId: string, id: string, patch: Updateable<InboxRulesTable>): Promise<void> {
  await db.updateTable('inbox_rules').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Deletes a rule; true when it existed. */
export async function deleteRule(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('inbox_rules').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Claims an idempotency key for a reply; returns the existing row when the key was used before. */
export async function claimReply(db: Executor, row: InboxReplyRow): Promise<{ claimed: true } | { claimed: false; existing: InboxReplyRow }> {
  const r = await db
    .insertInto('inbox_replies')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (r) return { claimed: true };
  const existing = await db.selectFrom('inbox_replies').selectAll().where('workspace_id', '=', row.workspace_id).where('idempotency_key', '=', row.idempotency_key).executeTakeFirstOrThrow();
  return { claimed: false, existing };
}

/**
 * Takes over an earlier attempt of the same key that failed, or that has been `sending` since before
 * `staleBefore` (its process died mid-send); only one caller wins.
 */
export async function reclaimReply(db: Executor, id: string, text: string, sentBy: string | null, at: string, staleBefore: string): Promise<boolean> {
  const r = await db
    .updateTable('inbox_replies')
    .set({ state: 'sending', text, sent_by: sentBy, created_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('state', '=', 'failed'), eb.and([eb('state', '=', 'sending'), eb('created_at', '<', staleBefore)])]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Marks a reply attempt's outcome. */
export async function finishReply(db: Executor, id: string, patch: { state: 'sent' | 'failed'; external_id?: string | null; url?: string | null; sent_at?: string | null }): Promise<void> {
  await db.updateTable('inbox_replies').set(patch).where('id', '=', id).execute();
}

/** Messages received in [from, to) for the SLA metrics (deleted ones excluded). */
export async function messagesForMetrics(
  db: Executor,
  workspaceId: string,
  from: string,
  to: string,
  accountId?: string,
): Promise<Array<{ id: string; received_at: string; first_response_at: string | null; resolved_at: string | null; sla_due_at: string | null }>> {
  let q = db
    .selectFrom('inbox_messages')
    .select(['id', 'received_at', 'first_response_at', 'resolved_at', 'sla_due_at'])
    .where('workspace_id', '=', workspaceId)
    .where('received_at', '>=', from)
    .where('received_at', '<', to)
    .where('deleted_at', 'is', null);
  if (accountId) q = q.where('account_id', '=', accountId);
  return q.execute();
}

/**
 * Messages received in [from, to) (not deleted) counted per sentiment label in one grouped query;
 * `null` = not labelled. PostgreSQL returns counts as strings, so they are normalised to numbers.
 */
export async function sentimentCountsForMetrics(db: Executor, workspaceId: string, from: string, to: string, accountId?: string): Promise<Array<{ label: 'negative' | 'neutral' | 'positive' | null; count: number }>> {
  let q = db
    .selectFrom('inbox_messages')
    .select((eb) => ['sentiment_label', eb.fn.countAll<number | string | bigint>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('received_at', '>=', from)
    .where('received_at', '<', to)
    .where('deleted_at', 'is', null);
  if (accountId) q = q.where('account_id', '=', accountId);
  const rows = await q.groupBy('sentiment_label').execute();
  return rows.map((r) => ({ label: r.sentiment_label, count: Number(r.n) }));
}

/** Whether a user is a member of the workspace directly or through the organisation's owners/admins. */
export async function isWorkspaceMember(db: Executor, workspaceId: string, userId: string): Promise<boolean> {
  const direct = await db.selectFrom('memberships').select('user_id').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst();
  if (direct) return true;
  const viaOrg = await db
    .selectFrom('workspaces')
    .innerJoin('organization_members', 'organization_members.organization_id', 'workspaces.organization_id')
    .select('organization_members.user_id')
    .where('workspaces.id', '=', workspaceId)
    .where('organization_members.user_id', '=', userId)
    .where('organization_members.role', 'in', ['owner', 'admin'])
    .executeTakeFirst();
  return viaOrg !== undefined;
}

/** The workspace's time zone. */
export async function workspaceTimezone(db: Executor, workspaceId: string): Promise<string> {
  const r = await db.selectFrom('workspaces').select('timezone').where('id', '=', workspaceId).executeTakeFirst();
  return r?.timezone ?? 'UTC';
}

/** Display names of users. */
export async function userNames(db: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Unanswered, unresolved messages with a due time received since `since` (for re-timing after a settings change). */
export async function openMessagesWithDueTimes(db: Executor, workspaceId: string, since: string): Promise<Array<{ id: string; received_at: string; sla_due_at: string | null }>> {
  return db
    .selectFrom('inbox_messages')
    .select(['id', 'received_at', 'sla_due_at'])
    .where('workspace_id', '=', workspaceId)
    .where('received_at', '>=', since)
    .where('first_response_at', 'is', null)
    .where('sla_due_at', 'is not', null)
    .where('deleted_at', 'is', null)
    .where('status', '!=', 'resolved')
    .execute();
}

/** Thread keys per statement in the batch lookups below (well under both dialects' parameter limits). */
const threadKeysPerStatement = 2000;

function inChunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `reopenableInThread` for many threads of one account at once (one statement per 2,000 threads). */
export async function reopenableInThreads(db: Executor, accountId: string, threadKeys: readonly string[]): Promise<Array<{ id: string; status: InboxStatus; assignee_id: string | null; thread_key: string | null }>> {
  const out: Array<{ id: string; status: InboxStatus; assignee_id: string | null; thread_key: string | null }> = [];
  for (const part of inChunks([...new Set(threadKeys)], threadKeysPerStatement)) {
    out.push(
      ...(await db
        .selectFrom('inbox_messages')
        .select(['id', 'status', 'assignee_id', 'thread_key'])
        .where('account_id', '=', accountId)
        .where('thread_key', 'in', paddedInList(part))
        .where('status', 'in', ['waiting', 'resolved'])
        .orderBy('id')
        .execute()),
    );
  }
  return out;
}

/** `threadAssignee` for many threads of one account at once: thread key → its most recently assigned member. */
export async function threadAssignees(db: Executor, accountId: string, threadKeys: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of inChunks([...new Set(threadKeys)], threadKeysPerStatement)) {
    const rows = await db
      .selectFrom('inbox_messages as m')
      .select(['m.thread_key', 'm.assignee_id'])
      .where('m.account_id', '=', accountId)
      .where('m.thread_key', 'in', paddedInList(part))
      .where('m.assignee_id', 'is not', null)
      .where(({ eb, selectFrom }) =>
        eb(
          'm.id',
          '=',
          selectFrom('inbox_messages as n')
            .select(({ fn }) => fn.max('n.id').as('id'))
            .whereRef('n.account_id', '=', 'm.account_id')
            .whereRef('n.thread_key', '=', 'm.thread_key')
            .where('n.assignee_id', 'is not', null),
        ),
      )
      .execute();
    for (const r of rows) if (r.thread_key && r.assignee_id) out.set(r.thread_key, r.assignee_id);
  }
  return out;
}

/** Of `userIds`, those who are members of the workspace directly or as the organisation's owners/admins (two statements). */
export async function workspaceMembersAmong(db: Executor, workspaceId: string, userIds: readonly string[]): Promise<Set<string>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Set();
  const direct = await db.selectFrom('memberships').select('user_id').where('workspace_id', '=', workspaceId).where('user_id', 'in', ids).execute();
  const viaOrg = await db
    .selectFrom('workspaces')
    .innerJoin('organization_members', 'organization_members.organization_id', 'workspaces.organization_id')
    .select('organization_members.user_id')
    .where('workspaces.id', '=', workspaceId)
    .where('organization_members.user_id', 'in', ids)
    .where('organization_members.role', 'in', ['owner', 'admin'])
    .execute();
  return new Set([...direct, ...viaOrg].map((r) => r.user_id));
}

/** Adds tags of new messages with one multi-row INSERT per 5,000 pairs (present ones are kept); returns the pairs added. */
export async function addTagsBatch(db: Executor, workspaceId: string, pairs: ReadonlyArray<{ messageId: string; tag: string }>, at: string): Promise<Array<{ messageId: string; tag: string }>> {
  const added: Array<{ messageId: string; tag: string }> = [];
  // Sent as SQL text (src/repositories/multi-row-insert.repository.ts): ingest adds a page's tags at once.
  for (const part of inChunks(pairs, 5000)) {
    const rows = await insertRowsAsText<{ message_id: string; tag: string }>(
      db,
      'inbox_message_tags',
      ['message_id', 'workspace_id', 'tag', 'created_at'],
      part.map((p) => [p.messageId, workspaceId, p.tag, at]),
      'on conflict ("message_id", "tag") do nothing returning "message_id", "tag"',
    );
    for (const r of rows) added.push({ messageId: r.message_id, tag: r.tag });
  }
  return added;
}
