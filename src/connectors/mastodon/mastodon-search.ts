/**
 * Listening search on Mastodon: GET /api/v2/search?type=statuses (docs.joinmastodon.org/methods/search)
 * on the account's own server with its access token.
 *
 * What a server can find depends on it: Mastodon searches statuses by full text only when the server
 * runs Elasticsearch/OpenSearch (docs.joinmastodon.org/admin/elasticsearch), and even then only
 * statuses the server knows; without it, only statuses the account wrote, favourited, bookmarked or was
 * mentioned in. Searching statuses needs a user token (`read:search` or `read`). snac2 answers the
 * same method by searching its own timelines. A phrase goes in double quotes and an author as
 * `from:acct` (Mastodon 4.2 search operators; a server without them searches the words, and Herald's
 * listening matcher filters what comes back either way). The language is not sent: `language:` is an
 * operator only newer servers read, and the matcher applies `lang:` itself.
 *
 * One page (at most 40 statuses, the method's maximum) per search; results older than `since` are
 * dropped here because the method has no time filter.
 */
import type { SearchResultItem, SearchTerm } from '../connector';
import { htmlToText, mastodonRequest, type MastodonTransport } from './mastodon-api';

/** The method's largest page. */
export const mastodonSearchPageMax = 40;

interface SearchStatusShape {
  id?: unknown;
  url?: unknown;
  uri?: unknown;
  created_at?: unknown;
  content?: unknown;
  spoiler_text?: unknown;
  language?: unknown;
  reblog?: unknown;
  account?: { id?: unknown; acct?: unknown; display_name?: unknown; followers_count?: unknown };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A term in Mastodon search syntax. */
export function mastodonSearchQuery(term: SearchTerm): string {
  if (term.type === 'author') return `from:${term.handle.replace(/^@/, '')}`;
  return term.words.length === 1 ? term.words[0]! : `"${term.words.join(' ')}"`;
}

/** One status as a search result, or null when it lacks an id, an author or a time. */
export function statusToSearchResult(s: SearchStatusShape): SearchResultItem | null {
  const id = str(s.id);
  const accountId = str(s.account?.id);
  const acct = str(s.account?.acct);
  const created = str(s.created_at);
  if (!id || !accountId || !acct || !created || Number.isNaN(Date.parse(created))) return null;
  // A boost carries no text of its own; the boosted status is found by its own words.
  if (s.reblog) return null;
  const spoiler = str(s.spoiler_text);
  const url = str(s.url) ?? str(s.uri);
  const followers = typeof s.account?.followers_count === 'number' && Number.isFinite(s.account.followers_count) ? Math.trunc(s.account.followers_count) : null;
  return {
    externalId: id,
    author: { externalId: accountId, handle: acct, displayName: str(s.account?.display_name), followers },
    text: [spoiler ? `[${spoiler}]` : '', htmlToText(typeof s.content === 'string' ? s.content : '')].filter(Boolean).join('\n'),
    url: url && /^https?:\/\//i.test(url) ? url : null,
    createdAt: new Date(created).toISOString(),
    lang: str(s.language),
  };
}

/** Searches statuses for one term on `server` (errors are MastodonHttpError / ConnectorError). */
export async function searchStatuses(
  t: MastodonTransport,
  server: string,
  token: string,
  input: { term: SearchTerm; since: string | null; limit: number; timeoutMs: number },
): Promise<{ items: SearchResultItem[] }> {
  const a = await mastodonRequest<{ statuses?: SearchStatusShape[] }>(t, server, {
    method: 'GET',
    path: '/api/v2/search',
    query: { q: mastodonSearchQuery(input.term), type: 'statuses', resolve: 'false', limit: String(Math.min(mastodonSearchPageMax, Math.max(1, input.limit))) },
    token,
    write: false,
    timeoutMs: input.timeoutMs,
  });
  const sinceMs = input.since ? Date.parse(input.since) : Number.NaN;
  const out = new Map<string, SearchResultItem>();
  for (const s of Array.isArray(a.body.statuses) ? a.body.statuses : []) {
    const item = statusToSearchResult(s);
    if (!item || out.has(item.externalId)) continue;
    if (!Number.isNaN(sinceMs) && Date.parse(item.createdAt) < sinceMs) continue;
    out.set(item.externalId, item);
  }
  return { items: [...out.values()].slice(0, input.limit) };
}
