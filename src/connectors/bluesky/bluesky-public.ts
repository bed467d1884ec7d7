/**
 * Bluesky's `publicData` capability: the profile and recent posts of every account, read from a public
 * AppView without signing in (app.bsky.actor.getProfile, app.bsky.feed.getAuthorFeed with
 * `filter=posts_no_replies`). Production reads https://public.api.bsky.app, Bluesky's unauthenticated
 * AppView; tests point `appviewUrl` at the local network's AppView.
 *
 * Reposts appear as `repost` items whose counts are null: the likes and replies belong to the original
 * author, and counting them would credit the competitor with someone else's engagement. Bluesky has
 * no view counts and no polls (views stay null).
 */
import { hashtagsIn } from '../../analytics/import-format';
import { ConnectorError, type PublicAccount, type PublicDataCapability, type PublicDataContext, type PublicPost, type PublicPostContentType } from '../connector';
import { isValidAtIdentifier, parseRecordUri } from './atproto-syntax';
import { XrpcResponseError, xrpc, type BlueskySession } from './bluesky-client';
import { postUrl, toReadError } from './bluesky-engagement';

/** Bluesky's public, unauthenticated AppView. */
export const PUBLIC_APPVIEW_URL = 'https://public.api.bsky.app';

/** Options of the public reader. */
export interface BlueskyPublicOptions {
  /** The AppView to read (default {@link PUBLIC_APPVIEW_URL}). */
  appviewUrl?: string;
  requestTimeoutMs?: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : null);

interface ProfileView {
  did?: unknown;
  handle?: unknown;
  displayName?: unknown;
  followersCount?: unknown;
}

interface FeedItem {
  post?: {
    uri?: unknown;
    author?: { did?: unknown; handle?: unknown };
    record?: { text?: unknown; createdAt?: unknown; facets?: unknown };
    embed?: { $type?: unknown; images?: unknown; media?: { $type?: unknown; images?: unknown } };
    likeCount?: unknown;
    repostCount?: unknown;
    replyCount?: unknown;
    quoteCount?: unknown;
    indexedAt?: unknown;
  };
  reason?: { $type?: unknown; uri?: unknown; indexedAt?: unknown };
}

/**
 * What a person pasted, as an at-identifier: `@alice.bsky.social`, `alice.bsky.social`, a DID, or a
 * bsky.app profile/post URL. Null when it is none of these.
 */
export function blueskyActorFrom(query: string): string | null {
  let v = query.trim();
  if (/^https?:\/\//i.test(v)) {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return null;
    }
    const m = /^\/profile\/([^/]+)/.exec(u.pathname);
    if (!m) return null;
    v = decodeURIComponent(m[1]!);
  }
  v = v.replace(/^@/, '');
  if (!v.startsWith('did:')) v = v.toLowerCase();
  return isValidAtIdentifier(v) ? v : null;
}

/** The embed's content type: images (one = photo, more = carousel), video, link card; else text. */
function contentTypeOf(embed: NonNullable<FeedItem['post']>['embed']): PublicPostContentType {
  const media = embed?.$type === 'app.bsky.embed.recordWithMedia#view' ? embed.media : embed;
  const type = str(media?.$type) ?? '';
  if (type.startsWith('app.bsky.embed.images')) return Array.isArray(media?.images) && media.images.length > 1 ? 'carousel' : 'photo';
  if (type.startsWith('app.bsky.embed.video')) return 'video';
  if (type.startsWith('app.bsky.embed.external')) return 'link';
  return 'text';
}

/** Tags from the record's facets (what the app linked), plus `#words` a client left unfaceted. */
function tagsOf(record: NonNullable<FeedItem['post']>['record'], text: string): string[] {
  const out: string[] = [];
  if (Array.isArray(record?.facets)) {
    for (const f of record.facets as Array<{ features?: Array<{ $type?: unknown; tag?: unknown }> }>) {
      for (const feat of f.features ?? []) if (feat.$type === 'app.bsky.richtext.facet#tag' && str(feat.tag)) out.push(str(feat.tag)!);
    }
  }
  return [...new Set([...out, ...hashtagsIn(text)])];
}

/** One feed item as a public post, or null when it is not a readable post. */
export function toPublicPost(item: FeedItem): PublicPost | null {
  const p = item.post;
  const uri = str(p?.uri);
  const at = uri ? parseRecordUri(uri) : null;
  if (!p || !uri || !at) return null;
  const text = typeof p.record?.text === 'string' ? p.record.text : '';
  const handle = str(p.author?.handle);
  const url = postUrl(handle && handle !== 'handle.invalid' ? handle : at.repo, at.rkey);
  const created = str(p.record?.createdAt) ?? str(p.indexedAt);
  const repost = item.reason?.$type === 'app.bsky.feed.defs#reasonRepost';
  if (repost) {
    const when = str(item.reason?.indexedAt) ?? created;
    if (!when || Number.isNaN(Date.parse(when))) return null;
    return {
      externalId: str(item.reason?.uri) ?? `repost:${uri}`,
      url,
      createdAt: new Date(when).toISOString(),
      text,
      contentType: 'repost',
      hashtags: tagsOf(p.record, text),
      likes: null,
      shares: null,
      comments: null,
      quotes: null,
      views: null,
    };
  }
  if (!created || Number.isNaN(Date.parse(created))) return null;
  return {
    externalId: uri,
    url,
    createdAt: new Date(created).toISOString(),
    text,
    contentType: contentTypeOf(p.embed),
    hashtags: tagsOf(p.record, text),
    likes: count(p.likeCount),
    shares: count(p.repostCount),
    comments: count(p.replyCount),
    quotes: count(p.quoteCount),
    views: null,
  };
}

/** Builds the capability. */
export function createBlueskyPublicData(options: BlueskyPublicOptions = {}): PublicDataCapability {
  const base = (options.appviewUrl ?? PUBLIC_APPVIEW_URL).replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const get = <T>(ctx: PublicDataContext, nsid: string, params: Record<string, string>) => {
    // Nothing is signed in: the session hooks of a connector context are never used here.
    const xctx = { fetch: ctx.fetch, signal: ctx.signal, defaultServiceUrl: base, saveSession: async (_s: BlueskySession) => undefined };
    return xrpc<T>(xctx, base, { method: 'GET', nsid, params, write: false, timeoutMs });
  };

  return {
    async lookup(input, ctx): Promise<PublicAccount> {
      const actor = blueskyActorFrom(input.query);
      if (!actor) throw new ConnectorError('invalid_content', `"${input.query}" is not a Bluesky handle, DID or profile link (e.g. alice.bsky.social or https://bsky.app/profile/alice.bsky.social)`);
      let p: ProfileView;
      try {
        p = await get<ProfileView>(ctx, 'app.bsky.actor.getProfile', { actor });
      } catch (e) {
        // The AppView answers an unknown actor with 400 InvalidRequest "Profile not found".
        if (e instanceof XrpcResponseError && e.status === 400) throw new ConnectorError('invalid_content', `No Bluesky account "${actor}" was found (${e.message})`, { networkCode: e.code ?? undefined });
        throw toReadError(e, 'read the public profile');
      }
      const did = str(p.did);
      if (!did) throw new ConnectorError('retryable', 'The Bluesky AppView answered without the account\'s DID');
      const handle = str(p.handle) ?? did;
      const displayName = str(p.displayName)?.trim() || null;
      return { externalId: did, handle, displayName, followers: count(p.followersCount), serviceUrl: null, url: `https://bsky.app/profile/${handle === 'handle.invalid' ? did : handle}` };
    },

    async posts(input, ctx): Promise<PublicPost[]> {
      const out: PublicPost[] = [];
      let cursor: string | null = null;
      const limit = Math.max(1, Math.trunc(input.limit));
      for (let page = 0; page < 20 && out.length < limit; page++) {
        const params: Record<string, string> = { actor: input.account.externalId, limit: String(Math.min(100, limit - out.length)), filter: 'posts_no_replies' };
        if (cursor) params.cursor = cursor;
        let a: { feed?: FeedItem[]; cursor?: unknown };
        try {
          a = await get(ctx, 'app.bsky.feed.getAuthorFeed', params);
        } catch (e) {
          if (e instanceof XrpcResponseError && e.status === 400) throw new ConnectorError('invalid_content', `Bluesky no longer shows the account ${input.account.handle} (${e.message})`, { networkCode: e.code ?? undefined });
          throw toReadError(e, 'read the public posts');
        }
        const feed = Array.isArray(a.feed) ? a.feed : [];
        for (const item of feed) {
          const post = toPublicPost(item);
          if (post && out.length < limit) out.push(post);
        }
        const next = str(a.cursor);
        if (!next || next === cursor || feed.length === 0) break;
        cursor = next;
      }
      return out;
    },
  };
}
