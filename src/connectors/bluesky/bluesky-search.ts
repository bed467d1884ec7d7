/**
 * Listening search on Bluesky: app.bsky.feed.searchPosts on the AppView, called through the account's
 * PDS (the `atproto-proxy` header, like bluesky-engagement.ts) rather than the public AppView: the
 * public endpoint has refused unauthenticated searches at times, while a signed-in account's search
 * is the one the Bluesky app itself makes, with the account's blocks and mutes applied.
 *
 * Query syntax (docs.bsky.app, app.bsky.feed.searchPosts `q`): words are ANDed, `"exact phrase"` in
 * double quotes, `from:handle` for an author. `sort=latest` gives newest first; `since` (an ISO
 * datetime) and `lang` narrow the search on the production AppView. Whatever the AppView returns is
 * checked again by Herald's listening matcher, so a search that is broader (e.g. a server that ignores
 * `since` or `lang`) only costs bandwidth, never a wrong match.
 */
import type { SearchResultItem, SearchTerm } from '../connector';
import { parseRecordUri } from './atproto-syntax';
import type { BlueskyClient, BlueskySession } from './bluesky-client';
import { appviewGet, postUrl } from './bluesky-engagement';

/** The lexicon's largest page. */
export const searchPageMax = 100;
/** Pages one search reads at most. */
export const searchMaxPages = 5;

interface PostViewShape {
  uri?: unknown;
  indexedAt?: unknown;
  author?: { did?: unknown; handle?: unknown; displayName?: unknown; followersCount?: unknown };
  record?: { text?: unknown; createdAt?: unknown; langs?: unknown };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function isoOf(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A term in searchPosts syntax: a phrase in double quotes, an author as `from:`. */
export function blueskySearchQuery(term: SearchTerm): string {
  if (term.type === 'author') return `from:${term.handle.replace(/^@/, '')}`;
  // Double quotes inside a word cannot occur: words are letters, digits and emoji only.
  return term.words.length === 1 ? term.words[0]! : `"${term.words.join(' ')}"`;
}

/** One post view as a search result, or null when it is not a readable post. */
export function toSearchResult(p: PostViewShape): SearchResultItem | null {
  const uri = str(p.uri);
  if (!uri) return null;
  const at = parseRecordUri(uri);
  if (!at || at.collection !== 'app.bsky.feed.post') return null;
  const did = str(p.author?.did) ?? at.repo;
  const rawHandle = str(p.author?.handle);
  const handle = rawHandle && rawHandle !== 'handle.invalid' ? rawHandle : did;
  const record = p.record && typeof p.record === 'object' ? p.record : {};
  const langs = Array.isArray(record.langs) ? record.langs.filter((l): l is string => typeof l === 'string' && l !== '') : [];
  const displayName = str(p.author?.displayName);
  const followers = typeof p.author?.followersCount === 'number' && Number.isFinite(p.author.followersCount) ? Math.trunc(p.author.followersCount) : null;
  return {
    externalId: uri,
    author: { externalId: did, handle, displayName: displayName && displayName.trim() ? displayName : null, followers },
    text: typeof record.text === 'string' ? record.text : '',
    url: postUrl(handle, at.rkey),
    createdAt: isoOf(record.createdAt) ?? isoOf(p.indexedAt) ?? new Date().toISOString(),
    lang: langs[0] ?? null,
  };
}

/** Searches posts for one term, newest first, stopping at `since` or `limit`. */
export async function searchPosts(
  client: BlueskyClient,
  session: BlueskySession,
  input: { term: SearchTerm; since: string | null; lang: string | null; limit: number },
): Promise<{ items: SearchResultItem[] }> {
  const sinceMs = input.since ? Date.parse(input.since) : Number.NaN;
  const out = new Map<string, SearchResultItem>();
  let cursor: string | null = null;
  for (let page = 0; page < searchMaxPages && out.size < input.limit; page++) {
    const params: Record<string, string> = { q: blueskySearchQuery(input.term), sort: 'latest', limit: String(Math.min(searchPageMax, Math.max(1, input.limit - out.size))) };
    if (!Number.isNaN(sinceMs)) params.since = new Date(sinceMs).toISOString();
    if (input.lang) params.lang = input.lang;
    if (cursor) params.cursor = cursor;
    const a = await appviewGet<{ posts?: PostViewShape[]; cursor?: unknown }>(client, session, 'app.bsky.feed.searchPosts', params);
    const posts = Array.isArray(a.posts) ? a.posts : [];
    let older = false;
    for (const p of posts) {
      const item = toSearchResult(p);
      if (!item) continue;
      if (!Number.isNaN(sinceMs) && Date.parse(item.createdAt) < sinceMs) {
        older = true;
        continue;
      }
      if (!out.has(item.externalId) && out.size < input.limit) out.set(item.externalId, item);
    }
    const next = str(a.cursor);
    if (older || !next || next === cursor || posts.length === 0) break;
    cursor = next;
  }
  return { items: [...out.values()] };
}
