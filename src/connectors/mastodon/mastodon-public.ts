/**
 * Mastodon's `publicData` capability: a public account and its recent statuses read from the
 * account's HOME server without a token (GET /api/v1/accounts/lookup, GET /api/v1/accounts/:id/statuses
 * with exclude_replies; docs.joinmastodon.org/methods/accounts). The home server is asked because a
 * remote server's copy of an account has stale or partial counts. Servers that disable unauthenticated
 * API access answer 401/403; that is reported in words, not as a broken account.
 *
 * Boosts are `repost` items with null counts (the engagement belongs to the boosted author). Mastodon
 * has no view counts; `quotes_count` is read where the server has quote posts (4.5+), else null.
 */
import { ConnectorError, type PublicAccount, type PublicDataCapability, type PublicDataContext, type PublicPost, type PublicPostContentType } from '../connector';
import { MastodonHttpError, htmlToText, mastodonRequest, normaliseServerUrl, toConnectorError } from './mastodon-api';

/** Options of the public reader. */
export interface MastodonPublicOptions {
  requestTimeoutMs?: number;
}

interface PublicApiAccount {
  id?: unknown;
  username?: unknown;
  acct?: unknown;
  display_name?: unknown;
  followers_count?: unknown;
  url?: unknown;
}

interface PublicApiStatus {
  id?: unknown;
  url?: unknown;
  uri?: unknown;
  created_at?: unknown;
  content?: unknown;
  spoiler_text?: unknown;
  reblog?: PublicApiStatus | null;
  media_attachments?: Array<{ type?: unknown }>;
  card?: unknown;
  poll?: unknown;
  tags?: Array<{ name?: unknown }>;
  replies_count?: unknown;
  reblogs_count?: unknown;
  favourites_count?: unknown;
  quotes_count?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** Links from another server are kept only when they are http(s): anything else could be a script URL in a UI. */
const webUrl = (v: unknown): string | null => {
  const u = str(v);
  return u && /^https?:\/\//i.test(u) ? u : null;
};
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : null);

/**
 * The home server and username of what a person pasted: `@user@server`, `user@server`, or a profile
 * URL (`https://server/@user`, `https://server/users/user`). Null when it is none of these. A handle
 * without a URL means https.
 */
export function mastodonAddressFrom(query: string): { serverUrl: string; username: string } | null {
  const v = query.trim();
  if (/^https?:\/\//i.test(v)) {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return null;
    }
    const m = /^\/(?:@([A-Za-z0-9_.-]+)|users\/([A-Za-z0-9_.-]+))(?:\/|$)/.exec(u.pathname);
    const username = m?.[1] ?? m?.[2];
    if (!username) return null;
    return { serverUrl: `${u.protocol}//${u.host}`, username };
  }
  const m = /^@?([A-Za-z0-9_.-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,}|[A-Za-z0-9.-]+:\d+)$/.exec(v);
  if (!m) return null;
  try {
    return { serverUrl: normaliseServerUrl(m[2]!), username: m[1]! };
  } catch {
    return null;
  }
}

function contentTypeOf(s: PublicApiStatus): PublicPostContentType {
  if (s.poll) return 'poll';
  const media = Array.isArray(s.media_attachments) ? s.media_attachments : [];
  if (media.some((m) => m.type === 'video' || m.type === 'gifv')) return 'video';
  const images = media.filter((m) => m.type === 'image').length;
  if (images > 1) return 'carousel';
  if (images === 1) return 'photo';
  if (s.card) return 'link';
  return 'text';
}

function tagsOf(s: PublicApiStatus): string[] {
  return [...new Set((Array.isArray(s.tags) ? s.tags : []).map((t) => str(t.name)).filter((t): t is string => t !== null))];
}

function textOf(s: PublicApiStatus): string {
  const body = typeof s.content === 'string' ? htmlToText(s.content) : '';
  const cw = str(s.spoiler_text);
  return cw ? `${cw}\n\n${body}` : body;
}

/** One status as a public post, or null when it lacks an id or a time. */
export function toPublicStatus(s: PublicApiStatus): PublicPost | null {
  const id = str(s.id);
  const created = str(s.created_at);
  if (!id || !created || Number.isNaN(Date.parse(created))) return null;
  const url = webUrl(s.url) ?? webUrl(s.uri);
  if (s.reblog) {
    return { externalId: id, url: webUrl(s.reblog.url) ?? webUrl(s.reblog.uri) ?? url, createdAt: new Date(created).toISOString(), text: textOf(s.reblog), contentType: 'repost', hashtags: tagsOf(s.reblog), likes: null, shares: null, comments: null, quotes: null, views: null };
  }
  return {
    externalId: id,
    url,
    createdAt: new Date(created).toISOString(),
    text: textOf(s),
    contentType: contentTypeOf(s),
    hashtags: tagsOf(s),
    likes: count(s.favourites_count),
    shares: count(s.reblogs_count),
    comments: count(s.replies_count),
    quotes: count(s.quotes_count),
    views: null,
  };
}

function readError(e: unknown, server: string, action: string): ConnectorError {
  if (e instanceof MastodonHttpError && (e.status === 401 || e.status === 403)) {
    return new ConnectorError('invalid_content', `The Mastodon server ${new URL(server).host} does not show public data without signing in (HTTP ${e.status}: ${e.apiMessage})`, { networkCode: `HTTP ${e.status}` });
  }
  return toConnectorError(e, action, { write: false });
}

/** Builds the capability. */
export function createMastodonPublicData(options: MastodonPublicOptions = {}): PublicDataCapability {
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const get = <T>(ctx: PublicDataContext, server: string, path: string, query: Record<string, string | undefined>) =>
    mastodonRequest<T>({ fetch: ctx.fetch, signal: ctx.signal }, server, { method: 'GET', path, query, write: false, timeoutMs });

  return {
    async lookup(input, ctx): Promise<PublicAccount> {
      const parsed = mastodonAddressFrom(input.query);
      // A refresh names the home server found before: it keeps that server's scheme and port.
      const address = parsed && input.serviceUrl && new URL(parsed.serverUrl).host === new URL(input.serviceUrl).host ? { ...parsed, serverUrl: normaliseServerUrl(input.serviceUrl) } : parsed;
      if (!address) throw new ConnectorError('invalid_content', `"${input.query}" is not a Mastodon address: use @user@server.example or a profile link such as https://server.example/@user`);
      let a: PublicApiAccount;
      try {
        a = (await get<PublicApiAccount>(ctx, address.serverUrl, '/api/v1/accounts/lookup', { acct: address.username })).body;
      } catch (e) {
        if (e instanceof MastodonHttpError && e.status === 404) throw new ConnectorError('invalid_content', `No account @${address.username} was found on ${new URL(address.serverUrl).host}`, { networkCode: 'HTTP 404' });
        throw readError(e, address.serverUrl, 'look up the public account');
      }
      const id = str(a.id);
      if (!id) throw new ConnectorError('retryable', `The Mastodon server ${new URL(address.serverUrl).host} answered the lookup without an account id`);
      const username = str(a.username) ?? address.username;
      return {
        externalId: id,
        handle: `${username}@${new URL(address.serverUrl).host}`,
        displayName: str(a.display_name)?.trim() || null,
        followers: count(a.followers_count),
        serviceUrl: address.serverUrl,
        url: webUrl(a.url),
      };
    },

    async posts(input, ctx): Promise<PublicPost[]> {
      const server = input.account.serviceUrl ?? mastodonAddressFrom(input.account.handle)?.serverUrl;
      if (!server) throw new ConnectorError('invalid_content', `The Mastodon account ${input.account.handle} has no home server to read from`);
      const limit = Math.max(1, Math.trunc(input.limit));
      const out: PublicPost[] = [];
      let maxId: string | undefined;
      for (let page = 0; page < 25 && out.length < limit; page++) {
        let list: PublicApiStatus[];
        try {
          const r = await get<PublicApiStatus[]>(ctx, server, `/api/v1/accounts/${encodeURIComponent(input.account.externalId)}/statuses`, {
            limit: String(Math.min(40, limit - out.length)),
            exclude_replies: 'true',
            max_id: maxId,
          });
          list = Array.isArray(r.body) ? r.body : [];
        } catch (e) {
          if (e instanceof MastodonHttpError && (e.status === 404 || e.status === 410)) throw new ConnectorError('invalid_content', `The Mastodon account ${input.account.handle} no longer exists`, { networkCode: `HTTP ${e.status}` });
          throw readError(e, server, 'read the public statuses');
        }
        for (const s of list) {
          const p = toPublicStatus(s);
          if (p && out.length < limit) out.push(p);
        }
        const last = list.length ? str(list[list.length - 1]!.id) : null;
        if (!last || last === maxId) break;
        maxId = last;
      }
      return out;
    },
  };
}
