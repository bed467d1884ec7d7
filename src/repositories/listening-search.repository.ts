/**
 * Listening search storage (migration 0011): posts found by network search, their matches per query,
 * and the search cursor per query and account. Posts are deduplicated per workspace by network and
 * external id; a match is unique per query and post.
 */
import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../jobs/job-queue';
import type { ListeningSearchCursorRow, ListeningSearchCursorsTable, ListeningSearchMatchesTable, ListeningSearchPostRow, ListeningSearchPostsTable } from '../listening/listening-tables';

/** Every search cursor of a workspace. */
export async function listSearchCursors(db: Executor, workspaceId: string): Promise<ListeningSearchCursorRow[]> {
  return db.selectFrom('listening_search_cursors').selectAll().where('workspace_id', '=', workspaceId).execute();
}

/** Creates or replaces the cursor of (query, account). */
export async function saveSearchCursor(db: Executor, row: Insertable<ListeningSearchCursorsTable>): Promise<void> {
  const { query_id: _q, account_id: _a, ...rest } = row;
  await db
    .insertInto('listening_search_cursors')
    .values(row)
    .onConflict((oc) => oc.columns(['query_id', 'account_id']).doUpdateSet(rest as Updateable<ListeningSearchCursorsTable>))
    .execute();
}

/** Inserts a found post unless the workspace has it already; returns the stored row's id either way. */
export async function upsertSearchPost(db: Executor, row: Insertable<ListeningSearchPostsTable>): Promise<string> {
  await db
    .insertInto('listening_search_posts')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'network', 'external_id']).doNothing())
    .execute();
  const found = await db
    .selectFrom('listening_search_posts')
    .select('id')
    .where('workspace_id', '=', row.workspace_id)
    .where('network', '=', row.network)
    .where('external_id', '=', row.external_id)
    .executeTakeFirstOrThrow();
  return found.id;
}

/** Inserts a match unless (query, post) is stored; true when it was new. */
export async function insertSearchMatch(db: Executor, row: Insertable<ListeningSearchMatchesTable>): Promise<boolean> {
  const r = await db
    .insertInto('listening_search_matches')
    .values(row)
    .onConflict((oc) => oc.columns(['query_id', 'post_id']).doNothing())
    .returning('id')
    .execute();
  return r.length > 0;
}

/** Removes a query's search matches and cursors (its text changed: it starts over). */
export async function resetSearchOfQuery(db: Executor, workspaceId: string, queryId: string): Promise<void> {
  await db.deleteFrom('listening_search_matches').where('workspace_id', '=', workspaceId).where('query_id', '=', queryId).execute();
  await db.deleteFrom('listening_search_cursors').where('workspace_id', '=', workspaceId).where('query_id', '=', queryId).execute();
}

/** A search match with its post, newest written first. */
export interface SearchMatchWithPost {
  matchId: string;
  queryId: string;
  sentimentLabel: string;
  sentimentScore: number;
  sentimentLang: string;
  matchedAt: string;
  post: ListeningSearchPostRow;
}

/** The search matches of one query, newest written first. */
export async function listSearchMatches(db: Executor, workspaceId: string, queryId: string, limit: number): Promise<SearchMatchWithPost[]> {
  const rows = await db
    .selectFrom('listening_search_matches as m')
    .innerJoin('listening_search_posts as p', 'p.id', 'm.post_id')
    .selectAll('p')
    .select(['m.id as match_id', 'm.query_id', 'm.sentiment_label', 'm.sentiment_score', 'm.sentiment_lang', 'm.matched_at'])
    .where('m.workspace_id', '=', workspaceId)
    .where('m.query_id', '=', queryId)
    .orderBy('m.message_created_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(({ match_id, query_id, sentiment_label, sentiment_score, sentiment_lang, matched_at, ...post }) => ({
    matchId: match_id,
    queryId: query_id,
    sentimentLabel: sentiment_label,
    sentimentScore: Number(sentiment_score),
    sentimentLang: sentiment_lang,
    matchedAt: matched_at,
    post,
  }));
}

/**
 * A page of a query's search matches, newest written first (ties by match id), strictly after `before`
 * in that order, optionally of one sentiment label: the search half of the query's stream.
 */
export async function listSearchMatchPage(
  db: Executor,
  workspaceId: string,
  queryId: string,
  f: { before?: { at: string; id: string }; limit: number; sentiment?: string },
): Promise<Array<SearchMatchWithPost & { createdAt: string }>> {
  let q = db
    .selectFrom('listening_search_matches as m')
    .innerJoin('listening_search_posts as p', 'p.id', 'm.post_id')
    .selectAll('p')
    .select(['m.id as match_id', 'm.query_id', 'm.sentiment_label', 'm.sentiment_score', 'm.sentiment_lang', 'm.matched_at', 'm.message_created_at'])
    .where('m.workspace_id', '=', workspaceId)
    .where('m.query_id', '=', queryId);
  if (f.sentiment) q = q.where('m.sentiment_label', '=', f.sentiment);
  const before = f.before;
  if (before) q = q.where((eb) => eb.or([eb('m.message_created_at', '<', before.at), eb.and([eb('m.message_created_at', '=', before.at), eb('m.id', '<', before.id)])]));
  const rows = await q.orderBy('m.message_created_at', 'desc').orderBy('m.id', 'desc').limit(f.limit).execute();
  return rows.map(({ match_id, query_id, sentiment_label, sentiment_score, sentiment_lang, matched_at, message_created_at, ...post }) => ({
    matchId: match_id,
    queryId: query_id,
    sentimentLabel: sentiment_label,
    sentimentScore: Number(sentiment_score),
    sentimentLang: sentiment_lang,
    matchedAt: matched_at,
    createdAt: message_created_at,
    post,
  }));
}

/** The stream position of a search match of a query, if it exists. */
export async function findSearchMatchKey(db: Executor, workspaceId: string, queryId: string, id: string): Promise<{ at: string; id: string } | undefined> {
  const r = await db.selectFrom('listening_search_matches').select(['id', 'message_created_at']).where('workspace_id', '=', workspaceId).where('query_id', '=', queryId).where('id', '=', id).executeTakeFirst();
  return r ? { at: r.message_created_at, id: r.id } : undefined;
}
