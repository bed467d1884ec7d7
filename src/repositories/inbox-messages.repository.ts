/**
 * Inbound messages (comments, replies, mentions, quotes, DMs) stored per account, unique by the
 * network's id, plus the post-target lookups the inbound sync needs to tie them to our posts.
 */
import { sql, type Insertable, type Updateable } from 'kysely';
import type { InboxMessageRow, InboxMessagesTable } from '../db/schema';
import type { Executor } from '../jobs/job-queue';
import { paddedInList } from './in-list.repository';
import { insertRowsAsText } from './multi-row-insert.repository';

/** Inserts a message unless the account already has one with this network id; the stored row when inserted. */
export async function insertInboxMessageIfNew(db: Executor, row: Insertable<InboxMessagesTable>): Promise<InboxMessageRow | undefined> {
  return db
    .insertInto('inbox_messages')
    .values(row)
    .onConflict((oc) => oc.columns(['account_id', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The account's message with this network id. */
export async function findInboxMessageByExternalId(db: Executor, accountId: string, externalId: string): Promise<InboxMessageRow | undefined> {
  return db.selectFrom('inbox_messages').selectAll().where('account_id', '=', accountId).where('external_id', '=', externalId).executeTakeFirst();
}

/** Target ids of the account's messages with these network ids (for replies to comments). */
export async function messageTargetsByExternalIds(db: Executor, accountId: string, externalIds: string[]): Promise<Map<string, string | null>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db.selectFrom('inbox_messages').select(['external_id', 'target_id']).where('account_id', '=', accountId).where('external_id', 'in', externalIds).execute();
  return new Map(rows.map((r) => [r.external_id, r.target_id]));
}

/**
 * Thread keys by network id of the account's stored messages and of our replies sent from the inbox
 * (a reply to either joins that conversation).
 */
export async function messageThreadKeysByExternalIds(db: Executor, accountId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const out = new Map<string, string>();
  const replies = await db
    .selectFrom('inbox_replies')
    .innerJoin('inbox_messages', 'inbox_messages.id', 'inbox_replies.message_id')
    .select(['inbox_replies.external_id', 'inbox_messages.thread_key', 'inbox_messages.external_id as message_external_id'])
    .where('inbox_messages.account_id', '=', accountId)
    .where('inbox_replies.external_id', 'in', externalIds)
    .execute();
  for (const r of replies) if (r.external_id) out.set(r.external_id, r.thread_key ?? r.message_external_id);
  const rows = await db.selectFrom('inbox_messages').select(['external_id', 'thread_key', 'root_external_id']).where('account_id', '=', accountId).where('external_id', 'in', externalIds).execute();
  for (const r of rows) out.set(r.external_id, r.thread_key ?? r.root_external_id ?? r.external_id);
  return out;
}

/** Updates a message. */
export async function updateInboxMessage(db: Executor, id: string, patch: Updateable<InboxMessagesTable>): Promise<void> {
  await db.updateTable('inbox_messages').set(patch).where('id', '=', id).execute();
}

/** Our published targets of the account with these network ids: external id → target id. */
export async function targetsByExternalIds(db: Executor, accountId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db.selectFrom('post_targets').select(['id', 'external_id']).where('account_id', '=', accountId).where('external_id', 'in', paddedInList(externalIds)).execute();
  const out = new Map<string, string>();
  for (const r of rows) if (r.external_id) out.set(r.external_id, r.id);
  return out;
}

/** The account's targets published at or after `since` (newest first, at most `limit`). */
export async function publishedTargetsSince(db: Executor, accountId: string, since: string, limit: number): Promise<Array<{ id: string; external_id: string; published_at: string }>> {
  const rows = await db
    .selectFrom('post_targets')
    .select(['id', 'external_id', 'published_at'])
    .where('account_id', '=', accountId)
    .where('state', '=', 'published')
    .where('external_id', 'is not', null)
    .where('published_at', '>=', since)
    .orderBy('published_at', 'desc')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => (r.external_id && r.published_at ? [{ id: r.id, external_id: r.external_id, published_at: r.published_at }] : []));
}

/** Filters of the inbox list; `cursor` is the last id of the previous page (newest first). */
export interface InboxListFilter {
  accountId?: string;
  network?: string;
  kind?: InboxMessageRow['kind'];
  /** Only messages the network dated at or after this ISO instant. */
  since?: string;
  /** Only messages the network dated before this ISO instant. */
  until?: string;
  status?: InboxMessageRow['status'][];
  sentiment?: Array<'negative' | 'neutral' | 'positive'>;
  /** A user id, or null for unassigned messages. */
  assigneeId?: string | null;
  tag?: string;
  /** Primary language subtag (`en`); the network's tag, else the detected one. */
  lang?: string;
  priority?: InboxMessageRow['priority'];
  /** true: first response late (or overdue now); false: not breached. */
  breached?: boolean;
  /** The instant "now" for `breached`. */
  now?: string;
  /** Lower-cased search words; every one must occur in the text, handle or name. */
  words?: string[];
  cursor?: string;
  limit: number;
}

/** A message with the post its target belongs to. */
export type InboxMessageWithPost = InboxMessageRow & { post_id: string | null };

/** `%word%` for LIKE with `\` escaping the wildcards. */
function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A page of the workspace's messages, newest received first. Search is a LIKE over `search_text`
 * (lower-cased by Herald in JS, so Cyrillic and Swedish fold the same on both dialects), one query for
 * SQLite and PostgreSQL; it scans the workspace's rows in id order and stops at the page size.
 */
export async function listInboxMessages(db: Executor, workspaceId: string, f: InboxListFilter): Promise<InboxMessageWithPost[]> {
  let q = db
    .selectFrom('inbox_messages')
    .leftJoin('post_targets', 'post_targets.id', 'inbox_messages.target_id')
    .selectAll('inbox_messages')
    .select('post_targets.post_id')
    .where('inbox_messages.workspace_id', '=', workspaceId);
  if (f.accountId) q = q.where('inbox_messages.account_id', '=', f.accountId);
  if (f.network) q = q.where('inbox_messages.network', '=', f.network);
  if (f.kind) q = q.where('inbox_messages.kind', '=', f.kind);
  if (f.since) q = q.where('inbox_messages.network_created_at', '>=', f.since);
  if (f.until) q = q.where('inbox_messages.network_created_at', '<', f.until);
  if (f.status?.length) q = q.where('inbox_messages.status', 'in', f.status);
  if (f.sentiment?.length) q = q.where('inbox_messages.sentiment_label', 'in', f.sentiment);
  if (f.assigneeId === null) q = q.where('inbox_messages.assignee_id', 'is', null);
  else if (f.assigneeId !== undefined) q = q.where('inbox_messages.assignee_id', '=', f.assigneeId);
  if (f.priority) q = q.where('inbox_messages.priority', '=', f.priority);
  if (f.tag) {
    const tag = f.tag;
    q = q.where((eb) => eb.exists(eb.selectFrom('inbox_message_tags').select('inbox_message_tags.tag').whereRef('inbox_message_tags.message_id', '=', 'inbox_messages.id').where('inbox_message_tags.tag', '=', tag)));
  }
  if (f.lang) {
    const lang = f.lang;
    q = q.where((eb) =>
      eb.or([
        eb('inbox_messages.lang', '=', lang),
        eb('inbox_messages.lang', 'like', `${lang}-%`),
        eb.and([eb('inbox_messages.lang', 'is', null), eb('inbox_messages.sentiment_lang', '=', lang)]),
      ]),
    );
  }
  if (f.breached !== undefined) {
    const now = f.now ?? new Date().toISOString();
    q = f.breached
      ? q.where('inbox_messages.sla_due_at', 'is not', null).where((eb) => eb(eb.fn.coalesce('inbox_messages.first_response_at', eb.val(now)), '>', eb.ref('inbox_messages.sla_due_at')))
      : q.where((eb) => eb.or([eb('inbox_messages.sla_due_at', 'is', null), eb(eb.fn.coalesce('inbox_messages.first_response_at', eb.val(now)), '<=', eb.ref('inbox_messages.sla_due_at'))]));
  }
  for (const w of f.words ?? []) q = q.where(sql<boolean>`${sql.ref('inbox_messages.search_text')} like ${containsPattern(w)} escape '\\'`);
  if (f.cursor) q = q.where('inbox_messages.id', '<', f.cursor);
  return q.orderBy('inbox_messages.id', 'desc').limit(f.limit).execute();
}

/** One message of the workspace. */
export async function findInboxMessage(db: Executor, workspaceId: string, id: string): Promise<InboxMessageWithPost | undefined> {
  return db
    .selectFrom('inbox_messages')
    .leftJoin('post_targets', 'post_targets.id', 'inbox_messages.target_id')
    .selectAll('inbox_messages')
    .select('post_targets.post_id')
    .where('inbox_messages.workspace_id', '=', workspaceId)
    .where('inbox_messages.id', '=', id)
    .executeTakeFirst();
}

/** Stores the account's next inbound cursor and when it was synced. */
export async function saveInboundCursor(db: Executor, accountId: string, cursor: string | null, syncedAt: string): Promise<void> {
  await db.updateTable('accounts').set({ inbound_cursor: cursor, inbound_synced_at: syncedAt }).where('id', '=', accountId).execute();
}

/**
 * Ids per statement in the batch functions below: far under SQLite's 32,766 and PostgreSQL's 65,535
 * bound parameters, so a batch of any size is a fixed number of statements per this many items.
 */
const idsPerStatement = 2000;
/** Rows per multi-row INSERT of messages (about 35 columns each, under both dialects' parameter limits). */
const messageRowsPerStatement = 500;
/** Rows per multi-row patch statement (10 values each). */
const patchRowsPerStatement = 2000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What ingestion needs of a stored message to dedupe an item against it or to thread a reply under it. */
export type IngestKnownMessage = Pick<InboxMessageRow, 'id' | 'external_id' | 'text' | 'lang' | 'author_handle' | 'author_name' | 'target_id' | 'thread_key' | 'root_external_id' | 'deleted_at'>;

/** The account's messages with any of these network ids (one statement per 2,000 ids). */
export async function knownMessagesByExternalIds(db: Executor, accountId: string, externalIds: readonly string[]): Promise<IngestKnownMessage[]> {
  const out: IngestKnownMessage[] = [];
  for (const part of chunks([...new Set(externalIds)], idsPerStatement)) {
    out.push(
      ...(await db
        .selectFrom('inbox_messages')
        .select(['id', 'external_id', 'text', 'lang', 'author_handle', 'author_name', 'target_id', 'thread_key', 'root_external_id', 'deleted_at'])
        .where('account_id', '=', accountId)
        .where('external_id', 'in', paddedInList(part))
        .execute()),
    );
  }
  return out;
}

/**
 * Thread keys of our replies sent from the inbox with these network ids (a message answering one of
 * them joins the conversation of the message we replied to).
 */
export async function replyThreadKeysByExternalIds(db: Executor, accountId: string, externalIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(externalIds)], idsPerStatement)) {
    // Replies first, by their own network-id index, then their messages by primary key: as one join,
    // SQLite (without statistics) walked all of the account's messages for every batch.
    const replies = await db.selectFrom('inbox_replies').select(['external_id', 'message_id']).where('external_id', 'in', paddedInList(part)).execute();
    if (replies.length === 0) continue;
    const messages = new Map<string, string>();
    for (const ids of chunks([...new Set(replies.map((r) => r.message_id))], idsPerStatement)) {
      const rows = await db.selectFrom('inbox_messages').select(['id', 'thread_key', 'external_id']).where('account_id', '=', accountId).where('id', 'in', paddedInList(ids)).execute();
      for (const m of rows) messages.set(m.id, m.thread_key ?? m.external_id);
    }
    for (const r of replies) {
      const key = messages.get(r.message_id);
      if (r.external_id && key !== undefined) out.set(r.external_id, key);
    }
  }
  return out;
}

/**
 * Inserts messages with multi-row INSERTs (500 rows a statement), skipping any whose (account, network
 * id) is already stored; returns the ids of the rows inserted. Every row must carry the same columns
 * (those of the first row are inserted).
 */
export async function insertInboxMessagesIfNew(db: Executor, rows: ReadonlyArray<Insertable<InboxMessagesTable>>): Promise<Set<string>> {
  const stored = new Set<string>();
  if (rows.length === 0) return stored;
  const columns = Object.keys(rows[0]!) as Array<keyof Insertable<InboxMessagesTable>>;
  for (const part of chunks(rows, messageRowsPerStatement)) {
    const values = part.map((row) => columns.map((c) => row[c] ?? null));
    const r = await insertRowsAsText<{ id: string }>(db, 'inbox_messages', columns, values, 'on conflict ("account_id", "external_id") do nothing returning "id"');
    for (const x of r) stored.add(x.id);
  }
  return stored;
}

/** A change ingestion makes to a stored message: an edit (all edit fields set), a deletion, a late tie to our post. */
export interface InboxMessagePatch {
  id: string;
  /** Set together with `edited_at`, `search_text` and the sentiment columns when the text changed. */
  edit: Pick<InboxMessageRow, 'text' | 'edited_at' | 'search_text' | 'sentiment_label' | 'sentiment_score' | 'sentiment_lang'> | null;
  /** Kept when the message already has one. */
  deleted_at: string | null;
  /** Kept when the message already has one. */
  target_id: string | null;
}

/**
 * Applies patches with one UPDATE … FROM (VALUES …) per 2,000 messages, the same SQL on SQLite (3.33+)
 * and PostgreSQL. Deletion time and target are only filled where still empty, so a concurrent change
 * is never overwritten by the older value this batch read.
 */
export async function patchInboxMessages(db: Executor, patches: readonly InboxMessagePatch[]): Promise<void> {
  for (const part of chunks(patches, patchRowsPerStatement)) {
    // The casts type the VALUES columns for PostgreSQL, which would otherwise read every parameter as text.
    const values = sql.join(
      part.map(
        (p) =>
          sql`(${p.id}, ${p.edit?.text ?? null}, ${p.edit?.edited_at ?? null}, ${p.edit?.search_text ?? null}, ${p.edit?.sentiment_label ?? null}, cast(${p.edit?.sentiment_score ?? null} as double precision), ${p.edit?.sentiment_lang ?? null}, ${p.deleted_at}, ${p.target_id})`,
      ),
    );
    const edited = (column: string) => sql`case when v.text is null then ${sql.ref(`inbox_messages.${column}`)} else ${sql.ref(`v.${column}`)} end`;
    await sql`with v (id, text, edited_at, search_text, sentiment_label, sentiment_score, sentiment_lang, deleted_at, target_id) as (values ${values})
      update inbox_messages set
        text = ${edited('text')}, edited_at = ${edited('edited_at')}, search_text = ${edited('search_text')},
        sentiment_label = ${edited('sentiment_label')}, sentiment_score = ${edited('sentiment_score')}, sentiment_lang = ${edited('sentiment_lang')},
        deleted_at = coalesce(inbox_messages.deleted_at, v.deleted_at), target_id = coalesce(inbox_messages.target_id, v.target_id)
      from v where inbox_messages.id = v.id`.execute(db);
  }
}
