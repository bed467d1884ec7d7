/**
 * Listening by network search: for each active query of a workspace, ask every connected account whose
 * network has the `search` capability (and that the query's `network:` allows) for public posts with
 * the query's search terms (src/listening/search-terms.ts), test what comes back with the compiled
 * query, and store the matches with sentiment.
 *
 * - Found posts are not inbox items: they live in `listening_search_posts`, one row per workspace,
 *   network and external id, however many accounts or queries found them; a match is unique per query
 *   and post, so searching the same window twice adds nothing.
 * - Each (query, account) has a cursor: the next search asks for posts written since the last search
 *   started minus `overlapMs` (posts reach the search index late); a new query back-fills `backfillMs`.
 *   It is searched at most every `searchEveryMs`. A changed query text drops the query's search matches
 *   and cursors and starts over.
 * - Failures by the taxonomy: `rate_limited` backs off exponentially (the network's Retry-After is a
 *   floor); `auth_expired` and `disconnected` skip that account for `authRetryMs` — listening never
 *   flags an account (the inbound sync and the publisher do, with the user-facing story); anything
 *   else is retried at the next interval. One account failing does not stop the others.
 * - Posts the account wrote itself are not listening matches.
 */
import { ConnectorError, type AnyConnector, type SearchResultItem } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { newId } from '../domain/ids';
import { retryDelayMs, type BackoffPolicy } from '../publishing/backoff';
import { accountAuth, accountContext } from '../publishing/connector-context';
import { listAccounts } from '../repositories/accounts.repository';
import { activeListeningQueries } from '../repositories/listening.repository';
import { insertSearchMatch, listSearchCursors, resetSearchOfQuery, saveSearchCursor, upsertSearchPost } from '../repositories/listening-search.repository';
import type { AppServices } from '../server/services';
import type { ListeningQueryRow, ListeningSearchCursorRow } from './listening-tables';
import { workspaceSentiment } from './listening-matching';
import { parseQuery } from './query-parser';
import { compileQuery, prepareMessage, type MessagePredicate } from './query-matcher';
import { searchPlan, type SearchPlan } from './search-terms';

/** Search tuning. */
export interface SearchOptions {
  /** Least time between two searches of one query on one account. */
  searchEveryMs: number;
  /** How far back a new query's first search looks. */
  backfillMs: number;
  /** How far before the last search's start the next one looks again. */
  overlapMs: number;
  /** Posts asked for per term and search. */
  limitPerTerm: number;
  /** How long an account whose credentials were refused is left alone. */
  authRetryMs: number;
  /** Timeout of one account's search round. */
  requestTimeoutMs: number;
  /** Back-off after rate limiting. */
  backoff: BackoffPolicy;
  /** (query, account) searches per round at most; the rest are due next round (bounds a sweep's time). */
  maxSearchesPerRound: number;
}

/** Defaults: every 5 minutes, 7 days of back-fill, 15 minutes of overlap, 100 posts per term. */
export const defaultSearchOptions: SearchOptions = {
  searchEveryMs: 5 * 60_000,
  backfillMs: 7 * 86_400_000,
  overlapMs: 15 * 60_000,
  limitPerTerm: 100,
  authRetryMs: 60 * 60_000,
  requestTimeoutMs: 60_000,
  backoff: { baseMs: 5 * 60_000, capMs: 6 * 3_600_000 },
  maxSearchesPerRound: 20,
};

/** What one search round of a workspace did. */
export interface SearchReport {
  /** (query, account) searches made. */
  searches: number;
  /** Posts the networks returned (before matching). */
  found: number;
  /** New matches stored. */
  matched: number;
  /** Searches that failed (by kind). */
  failed: Partial<Record<string, number>>;
}

interface PlannedQuery {
  row: ListeningQueryRow;
  predicate: MessagePredicate;
  plan: SearchPlan;
}

function plan(services: AppServices, rows: ListeningQueryRow[]): PlannedQuery[] {
  const out: PlannedQuery[] = [];
  for (const row of rows) {
    try {
      const ast = parseQuery(row.query);
      const p = searchPlan(ast);
      if (p) out.push({ row, predicate: compileQuery(ast), plan: p });
    } catch (e) {
      services.log.warn({ queryId: row.id, err: e }, 'listening query no longer parses; not searched');
    }
  }
  return out;
}

function storable(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

/** Searches one query on one account; returns the items (deduplicated by external id). */
async function searchAccount(services: AppServices, connector: AnyConnector, account: AccountRow, q: PlannedQuery, since: string, opts: SearchOptions): Promise<SearchResultItem[]> {
  const auth = accountAuth(services, account);
  const ctx = accountContext(services, account.id, opts.requestTimeoutMs);
  const out = new Map<string, SearchResultItem>();
  for (const term of q.plan.terms) {
    const r = await connector.search!.search({ auth, term, since, lang: q.plan.lang, limit: opts.limitPerTerm }, ctx);
    for (const item of r.items) if (!out.has(item.externalId)) out.set(item.externalId, item);
  }
  return [...out.values()];
}

/**
 * One search round for a workspace: every (active query, searchable account) pair that is due. Safe
 * to call often; the cursors say what is due.
 */
export async function searchListeningQueries(services: AppServices, workspaceId: string, options: Partial<SearchOptions> = {}): Promise<SearchReport> {
  const opts = { ...defaultSearchOptions, ...options };
  const db = services.database.db;
  const report: SearchReport = { searches: 0, found: 0, matched: 0, failed: {} };
  const queries = plan(services, await activeListeningQueries(db, workspaceId));
  if (queries.length === 0) return report;
  const accounts: Array<{ account: AccountRow; connector: AnyConnector }> = [];
  for (const a of await listAccounts(db, workspaceId)) {
    if (a.status !== 'ok' || !services.connectors.has(a.network)) continue;
    const connector = services.connectors.get(a.network);
    if (connector.search) accounts.push({ account: a, connector });
  }
  if (accounts.length === 0) return report;
  const cursors = new Map<string, ListeningSearchCursorRow>();
  const stale = new Set<string>();
  for (const c of await listSearchCursors(db, workspaceId)) {
    cursors.set(`${c.query_id}:${c.account_id}`, c);
    if (queries.some((q) => q.row.id === c.query_id && q.row.query !== c.query_text)) stale.add(c.query_id);
  }
  for (const queryId of stale) {
    await resetSearchOfQuery(db, workspaceId, queryId);
    for (const key of [...cursors.keys()]) if (key.startsWith(`${queryId}:`)) cursors.delete(key);
  }
  let sentimentOf: Awaited<ReturnType<typeof workspaceSentiment>> | null = null;

  // The due (query, account) pairs, never searched or longest ago first, at most `maxSearchesPerRound`.
  const due: Array<{ q: PlannedQuery; account: AccountRow; connector: AnyConnector; cursor: ListeningSearchCursorRow | undefined }> = [];
  const startMs = services.now().getTime();
  for (const q of queries) {
    for (const { account, connector } of accounts) {
      if (q.plan.networks && !q.plan.networks.includes(account.network.toLowerCase())) continue;
      const cursor = cursors.get(`${q.row.id}:${account.id}`);
      if (cursor?.retry_at && Date.parse(cursor.retry_at) > startMs) continue;
      if (cursor?.searched_at && startMs - Date.parse(cursor.searched_at) < opts.searchEveryMs) continue;
      due.push({ q, account, connector, cursor });
    }
  }
  due.sort((a, b) => (a.cursor?.searched_at ?? '').localeCompare(b.cursor?.searched_at ?? ''));

  for (const { q, account, connector, cursor } of due.slice(0, opts.maxSearchesPerRound)) {
    const now = services.now();
    const nowMs = now.getTime();
    const since = cursor?.since ?? new Date(nowMs - opts.backfillMs).toISOString();
    const base = { query_id: q.row.id, account_id: account.id, workspace_id: workspaceId, query_text: q.row.query };
    report.searches += 1;
    let items: SearchResultItem[];
    try {
      items = await searchAccount(services, connector, account, q, since, opts);
    } catch (e) {
      const failures = (cursor?.failures ?? 0) + 1;
      const kind = e instanceof ConnectorError ? e.kind : 'unexpected';
      report.failed[kind] = (report.failed[kind] ?? 0) + 1;
      const message = e instanceof Error ? e.message : String(e);
      let retryAt: string | null = null;
      if (kind === 'rate_limited') {
        const wait = Math.max(retryDelayMs(failures, opts.backoff, (e as ConnectorError).opts.retryAfterMs), opts.backoff.baseMs);
        retryAt = new Date(nowMs + wait).toISOString();
      } else if (kind === 'auth_expired' || kind === 'disconnected') {
        retryAt = new Date(nowMs + opts.authRetryMs).toISOString();
      }
      services.log.warn({ workspaceId, queryId: q.row.id, accountId: account.id, network: account.network, kind, message, retryAt }, 'listening search failed');
      await saveSearchCursor(db, { ...base, since: cursor?.since ?? null, searched_at: now.toISOString(), retry_at: retryAt, failures, last_error: message.slice(0, 500) });
      continue;
    }
    report.found += items.length;
    const nowIso = now.toISOString();
    const candidates = items.filter((i) => i.author.externalId !== account.external_id && !(i.author.handle && i.author.handle === account.handle));
    const matching = candidates.filter((i) =>
      q.predicate(prepareMessage({ text: i.text, lang: i.lang ?? null, network: account.network, authorHandle: i.author.handle, kind: 'search' })),
    );
    if (matching.length) sentimentOf ??= await workspaceSentiment(db, workspaceId);
    const score = sentimentOf;
    report.matched += await db.transaction().execute(async (trx) => {
      let added = 0;
      for (const item of matching) {
        const created = Number.isNaN(Date.parse(item.createdAt)) ? nowIso : new Date(item.createdAt).toISOString();
        const written = created < nowIso ? created : nowIso;
        const text = storable(item.text);
        const postId = await upsertSearchPost(trx, {
          id: newId(nowMs),
          workspace_id: workspaceId,
          network: account.network,
          external_id: item.externalId,
          author_external_id: storable(item.author.externalId),
          author_handle: storable(item.author.handle),
          author_name: item.author.displayName === null ? null : storable(item.author.displayName),
          author_followers: typeof item.author.followers === 'number' && Number.isFinite(item.author.followers) ? Math.trunc(item.author.followers) : null,
          text,
          url: item.url && /^https?:\/\//i.test(item.url) ? item.url : null,
          lang: item.lang ?? null,
          network_created_at: written,
          found_at: nowIso,
        });
        const s = score!(text, item.lang ?? null);
        const isNew = await insertSearchMatch(trx, {
          id: newId(nowMs),
          workspace_id: workspaceId,
          query_id: q.row.id,
          post_id: postId,
          message_created_at: written,
          sentiment_label: s.label,
          sentiment_score: s.score,
          sentiment_lang: s.lang,
          matched_at: nowIso,
        });
        if (isNew) added += 1;
      }
      await saveSearchCursor(trx, { ...base, since: new Date(nowMs - opts.overlapMs).toISOString(), searched_at: nowIso, retry_at: null, failures: 0, last_error: null });
      return added;
    });
  }
  if (report.matched || Object.keys(report.failed).length) services.log.info({ workspaceId, ...report }, 'listening search round');
  return report;
}
