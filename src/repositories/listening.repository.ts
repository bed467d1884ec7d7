/**
 * Listening storage: saved queries and their watermarks, matches, workspace settings, spike alerts
 * and the inbox flags they raise, and the testimonials library. Reads inbox messages (owned by the
 * inbound sync) but never writes them.
 */
import { sql, type Insertable, type Updateable } from 'kysely';
import type { InboxMessageRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';
import { insertRowsAsText } from './multi-row-insert.repository';
import type {
  ListeningAlertRow,
  ListeningAlertsTable,
  ListeningMatchesTable,
  ListeningQueriesTable,
  ListeningQueryRow,
  TestimonialRow,
  TestimonialsTable,
} from '../listening/listening-tables';

// ---- queries ----

/** Inserts a query. */
export async function insertListeningQuery(db: Executor, row: Insertable<ListeningQueriesTable>): Promise<void> {
  await db.insertInto('listening_queries').values(row).execute();
}

/** One query of the workspace. */
export async function findListeningQuery(db: Executor, workspaceId: string, id: string): Promise<ListeningQueryRow | undefined> {
  return db.selectFrom('listening_queries').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** A page of the workspace's queries, oldest first; `cursor` is the last id of the previous page. */
export async function listListeningQueries(db: Executor, workspaceId: string, opts: { cursor?: string; limit: number }): Promise<ListeningQueryRow[]> {
  let q = db.selectFrom('listening_queries').selectAll().where('workspace_id', '=', workspaceId);
  if (opts.cursor) q = q.where('id', '>', opts.cursor);
  return q.orderBy('id', 'asc').limit(opts.limit).execute();
}

/** The workspace's active queries. */
export async function activeListeningQueries(db: Executor, workspaceId: string): Promise<ListeningQueryRow[]> {
  return db.selectFrom('listening_queries').selectAll().where('workspace_id', '=', workspaceId).where('active', '=', 1).orderBy('id', 'asc').execute();
}

/** Workspaces with at least one active query. */
export async function workspacesWithActiveQueries(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('listening_queries').select('workspace_id').where('active', '=', 1).distinct().execute();
  return rows.map((r) => r.workspace_id);
}

/** Updates a query of the workspace; true when it exists. */
export async function updateListeningQuery(db: Executor, workspaceId: string, id: string, patch: Updateable<ListeningQueriesTable>): Promise<boolean> {
  const r = await db.updateTable('listening_queries').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Moves a query's watermark forward only (two sweeps racing never move it back). */
export async function advanceWatermark(db: Executor, queryId: string, watermarkId: string): Promise<void> {
  await db
    .updateTable('listening_queries')
    .set({ watermark_id: watermarkId })
    .where('id', '=', queryId)
    .where((eb) => eb.or([eb('watermark_id', 'is', null), eb('watermark_id', '<', watermarkId)]))
    .execute();
}

/** Deletes a query of the workspace (its matches and alerts go with it); true when it existed. */
export async function deleteListeningQuery(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  // Explicit child deletes: SQLite only cascades with foreign keys switched on.
  await db.deleteFrom('listening_inbox_flags').where('alert_id', 'in', db.selectFrom('listening_alerts').select('id').where('query_id', '=', id).where('workspace_id', '=', workspaceId)).execute();
  await db.deleteFrom('listening_alerts').where('workspace_id', '=', workspaceId).where('query_id', '=', id).execute();
  await db.deleteFrom('listening_matches').where('workspace_id', '=', workspaceId).where('query_id', '=', id).execute();
  const r = await db.deleteFrom('listening_queries').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- inbox messages (read only) ----

/** The workspace's newest inbox message id, or null when it has none. */
export async function newestInboxMessageId(db: Executor, workspaceId: string): Promise<string | null> {
  const row = await db.selectFrom('inbox_messages').select('id').where('workspace_id', '=', workspaceId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Ids of the workspace's messages in (`afterId`, `upToId`] that no ingest matched against the
 * listening queries after `listenedAfter` (listened_at null or not later), oldest first.
 */
export async function unlistenedMessageIds(db: Executor, workspaceId: string, f: { afterId: string | null; upToId: string; listenedAfter: string; limit: number }): Promise<string[]> {
  let q = db
    .selectFrom('inbox_messages')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '<=', f.upToId)
    .where((eb) => eb.or([eb('listened_at', 'is', null), eb('listened_at', '<=', f.listenedAfter)]));
  if (f.afterId) q = q.where('id', '>', f.afterId);
  const rows = await q.orderBy('id', 'asc').limit(f.limit).execute();
  return rows.map((r) => r.id);
}

/** What listening needs of an inbox message to match it and to store the match. */
export type ListenableMessage = Pick<
  InboxMessageRow,
  'id' | 'workspace_id' | 'network' | 'kind' | 'text' | 'lang' | 'author_handle' | 'network_created_at' | 'received_at' | 'deleted_at' | 'sentiment_label' | 'sentiment_score' | 'sentiment_lang' | 'listened_at'
>;

/** The workspace's messages with these ids, oldest first (the columns listening needs). */
export async function listenableMessagesByIds(db: Executor, workspaceId: string, ids: string[]): Promise<ListenableMessage[]> {
  const out: ListenableMessage[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    out.push(
      ...(await db
        .selectFrom('inbox_messages')
        .select(['id', 'workspace_id', 'network', 'kind', 'text', 'lang', 'author_handle', 'network_created_at', 'received_at', 'deleted_at', 'sentiment_label', 'sentiment_score', 'sentiment_lang', 'listened_at'])
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', ids.slice(i, i + 500))
        .execute()),
    );
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One inbox message of the workspace. */
export async function findWorkspaceInboxMessage(db: Executor, workspaceId: string, id: string): Promise<InboxMessageRow | undefined> {
  return db.selectFrom('inbox_messages').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

// ---- matches ----

/** Every column of a match row, in the order inserted. */
const matchInsertColumns = ['id', 'workspace_id', 'query_id', 'message_id', 'message_created_at', 'sentiment_label', 'sentiment_score', 'sentiment_lang', 'matched_at'] as const;

/** Inserts matches, skipping any (query, message) already stored; returns how many were new. */
export async function insertMatches(db: Executor, rows: Array<Insertable<ListeningMatchesTable>>): Promise<number> {
  let inserted = 0;
  // Chunks keep every statement under SQLite's and PostgreSQL's bound-parameter limits; sent as SQL
  // text (src/repositories/multi-row-insert.repository.ts): ingest inserts a page's matches at once.
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => matchInsertColumns.map((c) => r[c]));
    inserted += (await insertRowsAsText<{ id: string }>(db, 'listening_matches', matchInsertColumns, chunk, 'on conflict ("query_id", "message_id") do nothing returning "id"')).length;
  }
  return inserted;
}

/** `queryId:messageId` of the stored matches of these messages. */
export async function matchedPairs(db: Executor, workspaceId: string, messageIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await db.selectFrom('listening_matches').select(['query_id', 'message_id']).where('workspace_id', '=', workspaceId).where('message_id', 'in', messageIds.slice(i, i + 500)).execute();
    for (const r of rows) out.add(`${r.query_id}:${r.message_id}`);
  }
  return out;
}

/** Removes every match of a query (its text changed). */
export async function deleteMatchesOfQuery(db: Executor, workspaceId: string, queryId: string): Promise<void> {
  await db.deleteFrom('listening_matches').where('workspace_id', '=', workspaceId).where('query_id', '=', queryId).execute();
}

/** A match with the message it points to. */
export interface MatchWithMessage {
  id: string;
  query_id: string;
  message_id: string;
  sentiment_label: string;
  sentiment_score: number;
  sentiment_lang: string;
  matched_at: string;
  message_created_at: string;
  account_id: string;
  network: string;
  kind: string;
  author_handle: string;
  author_name: string | null;
  author_followers: number | null;
  text: string;
  url: string | null;
  lang: string | null;
  deleted_at: string | null;
}

const matchColumns = [
  'listening_matches.id',
  'listening_matches.query_id',
  'listening_matches.message_id',
  'listening_matches.sentiment_label',
  'listening_matches.sentiment_score',
  'listening_matches.sentiment_lang',
  'listening_matches.matched_at',
  'listening_matches.message_created_at',
  'inbox_messages.account_id',
  'inbox_messages.network',
  'inbox_messages.kind',
  'inbox_messages.author_handle',
  'inbox_messages.author_name',
  'inbox_messages.author_followers',
  'inbox_messages.text',
  'inbox_messages.url',
  'inbox_messages.lang',
  'inbox_messages.deleted_at',
] as const;

/** Where a page of a query's stream ends: the last item's written time and id (newest first, ties by id). */
export interface StreamKey {
  at: string;
  id: string;
}

/**
 * A page of a query's inbox matches, newest written first (ties by id), strictly after `before` in
 * that order. The stream merges these with the search matches (listening-search.repository.ts).
 */
export async function listMatches(db: Executor, workspaceId: string, queryId: string, f: { before?: StreamKey; limit: number; sentiment?: string }): Promise<MatchWithMessage[]> {
  let q = db
    .selectFrom('listening_matches')
    .innerJoin('inbox_messages', 'inbox_messages.id', 'listening_matches.message_id')
    .select(matchColumns)
    .where('listening_matches.workspace_id', '=', workspaceId)
    .where('listening_matches.query_id', '=', queryId);
  if (f.sentiment) q = q.where('listening_matches.sentiment_label', '=', f.sentiment);
  const before = f.before;
  if (before) {
    q = q.where((eb) =>
      eb.or([
        eb('listening_matches.message_created_at', '<', before.at),
        eb.and([eb('listening_matches.message_created_at', '=', before.at), eb('listening_matches.id', '<', before.id)]),
      ]),
    );
  }
  return q.orderBy('listening_matches.message_created_at', 'desc').orderBy('listening_matches.id', 'desc').limit(f.limit).execute();
}

/** The stream position of an inbox match of a query, if it exists. */
export async function findMatchKey(db: Executor, workspaceId: string, queryId: string, id: string): Promise<StreamKey | undefined> {
  const r = await db.selectFrom('listening_matches').select(['id', 'message_created_at']).where('workspace_id', '=', workspaceId).where('query_id', '=', queryId).where('id', '=', id).executeTakeFirst();
  return r ? { at: r.message_created_at, id: r.id } : undefined;
}

/** Matches with these ids (any query of the workspace), with their messages. */
export async function matchesByMessageIds(db: Executor, workspaceId: string, messageIds: string[]): Promise<MatchWithMessage[]> {
  if (messageIds.length === 0) return [];
  return db
    .selectFrom('listening_matches')
    .innerJoin('inbox_messages', 'inbox_messages.id', 'listening_matches.message_id')
    .select(matchColumns)
    .where('listening_matches.workspace_id', '=', workspaceId)
    .where('listening_matches.message_id', 'in', messageIds)
    .execute();
}

/** Match counts (inbox messages and searched posts, each once) grouped by the UTC prefix of the written time (`prefixLength` characters) and label; a prefix and label may come twice (one row per source). */
export async function matchCountsByTimePrefix(
  db: Executor,
  workspaceId: string,
  f: { queryId?: string; from: string; to: string; prefixLength: 13 | 16 },
): Promise<Array<{ prefix: string; label: string; n: number }>> {
  const prefix = sql<string>`substr(listening_matches.message_created_at, 1, ${sql.lit(f.prefixLength)})`;
  let q = db
    .selectFrom('listening_matches')
    .select([prefix.as('prefix'), 'sentiment_label as label', (eb) => eb.fn.count<string | number>('message_id').distinct().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('message_created_at', '>=', f.from)
    .where('message_created_at', '<', f.to);
  if (f.queryId) q = q.where('query_id', '=', f.queryId);
  const rows = await q.groupBy([prefix, 'sentiment_label']).execute();
  // Posts found by network search count too (each post once); they are never inbox messages.
  const searchPrefix = sql<string>`substr(listening_search_matches.message_created_at, 1, ${sql.lit(f.prefixLength)})`;
  let s = db
    .selectFrom('listening_search_matches')
    .select([searchPrefix.as('prefix'), 'sentiment_label as label', (eb) => eb.fn.count<string | number>('post_id').distinct().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('message_created_at', '>=', f.from)
    .where('message_created_at', '<', f.to);
  if (f.queryId) s = s.where('query_id', '=', f.queryId);
  const searched = await s.groupBy([searchPrefix, 'sentiment_label']).execute();
  return [...rows, ...searched].map((r) => ({ prefix: r.prefix, label: r.label, n: Number(r.n) }));
}

/** Distinct matched messages and searched posts per UTC minute (`YYYY-MM-DDTHH:mm`) written in [from, to); a minute may come twice (one row per source). */
export async function matchCountsPerMinute(db: Executor, workspaceId: string, f: { queryId?: string; from: string; to: string; negativeOnly: boolean }): Promise<Array<{ minute: string; n: number }>> {
  const minute = sql<string>`substr(message_created_at, 1, 16)`;
  let q = db
    .selectFrom('listening_matches')
    .select([minute.as('minute'), (eb) => eb.fn.count<string | number>('message_id').distinct().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('message_created_at', '>=', f.from)
    .where('message_created_at', '<', f.to);
  if (f.queryId) q = q.where('query_id', '=', f.queryId);
  if (f.negativeOnly) q = q.where('sentiment_label', '=', 'negative');
  const rows = await q.groupBy(minute).execute();
  // Search matches count towards spikes too (each post once); a minute may then appear twice, summed by the caller.
  const searchMinute = sql<string>`substr(listening_search_matches.message_created_at, 1, 16)`;
  let s = db
    .selectFrom('listening_search_matches')
    .select([searchMinute.as('minute'), (eb) => eb.fn.count<string | number>('post_id').distinct().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('message_created_at', '>=', f.from)
    .where('message_created_at', '<', f.to);
  if (f.queryId) s = s.where('query_id', '=', f.queryId);
  if (f.negativeOnly) s = s.where('sentiment_label', '=', 'negative');
  const searched = await s.groupBy(searchMinute).execute();
  return [...rows, ...searched].map((r) => ({ minute: r.minute, n: Number(r.n) }));
}

/** One matched message in a time range. */
export interface WindowMatch {
  message_id: string;
  message_created_at: string;
  sentiment_label: string;
  sentiment_score: number;
  author_followers: number | null;
}

/** Matches of a query (or of every query, each message once) whose messages were written in [from, to). */
export async function matchesInRange(db: Executor, workspaceId: string, f: { queryId?: string; from: string; to: string; negativeOnly: boolean }): Promise<WindowMatch[]> {
  let q = db
    .selectFrom('listening_matches')
    .innerJoin('inbox_messages', 'inbox_messages.id', 'listening_matches.message_id')
    .select(['listening_matches.message_id', 'listening_matches.message_created_at', 'listening_matches.sentiment_label', 'listening_matches.sentiment_score', 'inbox_messages.author_followers'])
    .where('listening_matches.workspace_id', '=', workspaceId)
    .where('listening_matches.message_created_at', '>=', f.from)
    .where('listening_matches.message_created_at', '<', f.to);
  if (f.queryId) q = q.where('listening_matches.query_id', '=', f.queryId);
  if (f.negativeOnly) q = q.where('listening_matches.sentiment_label', '=', 'negative');
  const rows = await q.execute();
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.message_id) && seen.add(r.message_id));
}

// ---- settings ----

/** The workspace's stored alert settings JSON, if any. */
export async function findListeningSettings(db: Executor, workspaceId: string): Promise<string | undefined> {
  const r = await db.selectFrom('listening_settings').select('alert_settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return r?.alert_settings;
}

/** Stores the workspace's alert settings. */
export async function saveListeningSettings(db: Executor, workspaceId: string, alertSettings: string, at: string, by: string | null): Promise<void> {
  await db
    .insertInto('listening_settings')
    .values({ workspace_id: workspaceId, alert_settings: alertSettings, updated_at: at, updated_by: by })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ alert_settings: alertSettings, updated_at: at, updated_by: by }))
    .execute();
}

// ---- alerts ----

/** The newest alert of a scope (a query, or the workspace when `queryId` is null) and mode. */
export async function lastAlert(db: Executor, workspaceId: string, queryId: string | null, mode: string): Promise<ListeningAlertRow | undefined> {
  let q = db.selectFrom('listening_alerts').selectAll().where('workspace_id', '=', workspaceId).where('mode', '=', mode);
  q = queryId === null ? q.where('query_id', 'is', null) : q.where('query_id', '=', queryId);
  return q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** Inserts an alert unless its dedupe key exists; true when inserted. */
export async function insertAlertIfNew(db: Executor, row: Insertable<ListeningAlertsTable>): Promise<boolean> {
  const r = await db.insertInto('listening_alerts').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('id').executeTakeFirst();
  return r !== undefined;
}

/** A page of the workspace's alerts, newest first (optionally of one query). */
export async function listAlerts(db: Executor, workspaceId: string, f: { queryId?: string; cursor?: string; limit: number }): Promise<ListeningAlertRow[]> {
  let q = db.selectFrom('listening_alerts').selectAll().where('workspace_id', '=', workspaceId);
  if (f.queryId) q = q.where('query_id', '=', f.queryId);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** Flags inbox messages for an alert. */
export async function insertInboxFlags(db: Executor, workspaceId: string, alertId: string, messageIds: string[], ids: () => string, at: string): Promise<void> {
  if (messageIds.length === 0) return;
  await db
    .insertInto('listening_inbox_flags')
    .values(messageIds.map((m) => ({ id: ids(), workspace_id: workspaceId, message_id: m, alert_id: alertId, created_at: at })))
    .onConflict((oc) => oc.columns(['message_id', 'alert_id']).doNothing())
    .execute();
}

/** Message ids flagged by an alert. */
export async function flaggedMessageIds(db: Executor, workspaceId: string, alertId: string): Promise<string[]> {
  const rows = await db.selectFrom('listening_inbox_flags').select('message_id').where('workspace_id', '=', workspaceId).where('alert_id', '=', alertId).orderBy('id').execute();
  return rows.map((r) => r.message_id);
}

// ---- testimonials ----

/** Inserts a testimonial unless the message is already one; true when inserted. */
export async function insertTestimonialIfNew(db: Executor, row: Insertable<TestimonialsTable>): Promise<boolean> {
  const r = await db.insertInto('testimonials').values(row).onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing()).returning('id').executeTakeFirst();
  return r !== undefined;
}

/** One testimonial of the workspace. */
export async function findTestimonial(db: Executor, workspaceId: string, id: string): Promise<TestimonialRow | undefined> {
  return db.selectFrom('testimonials').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** The testimonial made from a message, if any. */
export async function findTestimonialByMessage(db: Executor, workspaceId: string, messageId: string): Promise<TestimonialRow | undefined> {
  return db.selectFrom('testimonials').selectAll().where('workspace_id', '=', workspaceId).where('message_id', '=', messageId).executeTakeFirst();
}

/** A page of testimonials, newest first. */
export async function listTestimonials(db: Executor, workspaceId: string, f: { permission?: string; cursor?: string; limit: number }): Promise<TestimonialRow[]> {
  let q = db.selectFrom('testimonials').selectAll().where('workspace_id', '=', workspaceId);
  if (f.permission) q = q.where('permission', '=', f.permission);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** Updates a testimonial of the workspace; true when it exists. */
export async function updateTestimonial(db: Executor, workspaceId: string, id: string, patch: Updateable<TestimonialsTable>): Promise<boolean> {
  const r = await db.updateTable('testimonials').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Deletes a testimonial of the workspace; true when it existed. */
export async function deleteTestimonial(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('testimonials').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
