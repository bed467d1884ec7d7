/**
 * VK's `publicData` capability: a public community and its wall, read with the operator's app
 * SERVICE token (the "service key" of a VK app; dev.vk.com/ru/api/access-token/getting-started —
 * service tokens may call methods that read public data): `groups.getById` (fields=members_count)
 * and `wall.get` (owner_id = −community id, newest first). Only communities are supported; a closed
 * or private community's wall is not public, which is said in words.
 *
 * Content type from the attachments (photo: one = photo, more = carousel; video, link, poll); a post
 * that shares another (`copy_history`) is a `repost`. VK gives likes, reposts, comments and views
 * for each wall post (a repost's counts are those of the community's own wall post); quotes stay null.
 */
import { hashtagsIn } from '../../analytics/import-format';
import { ConnectorError, type PublicAccount, type PublicDataCapability, type PublicPost, type PublicPostContentType } from '../connector';
import { VkApiError, callVkMethod, vkErrorToConnectorError } from './vk-api';

/** Options of the public reader. */
export interface VkPublicOptions {
  apiBaseUrl: string;
  /** The VK app's service token. */
  serviceToken: string;
  requestTimeoutMs?: number;
}

interface VkGroup {
  id?: unknown;
  name?: unknown;
  screen_name?: unknown;
  is_closed?: unknown;
  deactivated?: unknown;
  members_count?: unknown;
}

interface VkWallPost {
  id?: unknown;
  owner_id?: unknown;
  date?: unknown;
  text?: unknown;
  attachments?: Array<{ type?: unknown }>;
  copy_history?: unknown[];
  likes?: { count?: unknown };
  reposts?: { count?: unknown };
  comments?: { count?: unknown };
  views?: { count?: unknown };
}

const count = (v: { count?: unknown } | undefined): number | null => (v && typeof v.count === 'number' && Number.isFinite(v.count) && v.count >= 0 ? Math.trunc(v.count) : null);

/** The community a person pasted: `https://vk.com/club1`, `vk.com/apiclub`, `public1`, `apiclub`, `1`. Null otherwise. */
export function vkCommunityFrom(query: string): string | null {
  let v = query.trim();
  const m = /^(?:https?:\/\/)?(?:m\.)?vk\.(?:com|ru)\/([^/?#]+)\/?(?:[?#].*)?$/i.exec(v);
  if (m) v = m[1]!;
  v = v.replace(/^@/, '');
  const num = /^(?:club|public|event|-)?(\d+)$/i.exec(v);
  if (num) return num[1]!;
  // id123 is a person's page, not a community.
  if (/^id\d+$/i.test(v)) return null;
  return /^[a-z0-9_.]{2,64}$/i.test(v) ? v : null;
}

function contentTypeOf(p: VkWallPost): PublicPostContentType {
  if (Array.isArray(p.copy_history) && p.copy_history.length > 0) return 'repost';
  const types = (Array.isArray(p.attachments) ? p.attachments : []).map((a) => a.type);
  if (types.includes('poll')) return 'poll';
  if (types.includes('video') || types.includes('clip')) return 'video';
  const photos = types.filter((t) => t === 'photo').length;
  if (photos > 1) return 'carousel';
  if (photos === 1) return 'photo';
  if (types.includes('link')) return 'link';
  return 'text';
}

/** One wall post as a public post, or null when it lacks an id or a date. */
export function toVkPublicPost(p: VkWallPost): PublicPost | null {
  if (typeof p.id !== 'number' || typeof p.owner_id !== 'number' || typeof p.date !== 'number') return null;
  const text = typeof p.text === 'string' ? p.text : '';
  return {
    externalId: `${p.owner_id}_${p.id}`,
    url: `https://vk.com/wall${p.owner_id}_${p.id}`,
    createdAt: new Date(p.date * 1000).toISOString(),
    text,
    contentType: contentTypeOf(p),
    // VK community tags look like #tag@community: the tag is the part before "@".
    hashtags: hashtagsIn(text),
    likes: count(p.likes),
    shares: count(p.reposts),
    comments: count(p.comments),
    quotes: null,
    views: count(p.views),
  };
}

/** Builds the capability. */
export function createVkPublicData(options: VkPublicOptions): PublicDataCapability {
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const call = <T>(ctx: { fetch: typeof fetch; signal?: AbortSignal }, method: string, params: Record<string, string | number>, what: string) =>
    callVkMethod<T>({ fetch: ctx.fetch, signal: ctx.signal, timeoutMs }, options.apiBaseUrl, method, params, options.serviceToken, { write: false, what });

  const refused = (e: unknown, action: string): ConnectorError => {
    if (e instanceof VkApiError && e.code === 5) {
      return new ConnectorError('retryable', `VK did not accept Herald's service token (HERALD_VK_SERVICE_TOKEN) while trying to ${action}: ${e.vkMessage}. The operator must set a valid one.`, { networkCode: '5' });
    }
    if (e instanceof VkApiError && (e.code === 15 || e.code === 30 || e.code === 18 || e.code === 203)) {
      return new ConnectorError('invalid_content', `VK does not show this community's wall publicly (error ${e.code}: ${e.vkMessage})`, { networkCode: String(e.code) });
    }
    return vkErrorToConnectorError(e, action, false);
  };

  return {
    async lookup(input, ctx): Promise<PublicAccount> {
      const community = vkCommunityFrom(input.query);
      if (!community) throw new ConnectorError('invalid_content', `"${input.query}" is not a VK community: use its address such as https://vk.com/apiclub or https://vk.com/club1`);
      let groups: VkGroup[];
      try {
        const r = await call<{ groups?: VkGroup[] } | VkGroup[]>(ctx, 'groups.getById', { group_id: community, fields: 'members_count' }, 'look up the community');
        groups = Array.isArray(r) ? r : (r.groups ?? []);
      } catch (e) {
        if (e instanceof VkApiError && e.code === 100) throw new ConnectorError('invalid_content', `No VK community "${community}" was found`, { networkCode: '100' });
        throw refused(e, 'look up the community');
      }
      const g = groups[0];
      if (!g || typeof g.id !== 'number') throw new ConnectorError('invalid_content', `No VK community "${community}" was found`);
      if (typeof g.deactivated === 'string') throw new ConnectorError('invalid_content', `The VK community "${community}" is ${g.deactivated === 'banned' ? 'banned' : 'deleted'}`);
      if (g.is_closed === 1 || g.is_closed === 2) throw new ConnectorError('invalid_content', `The VK community "${community}" is ${g.is_closed === 2 ? 'private' : 'closed'}: its wall is not public`);
      const screen = typeof g.screen_name === 'string' && g.screen_name ? g.screen_name : `club${g.id}`;
      return {
        externalId: String(-g.id),
        handle: screen,
        displayName: typeof g.name === 'string' && g.name.trim() ? g.name.trim() : null,
        followers: typeof g.members_count === 'number' ? g.members_count : null,
        serviceUrl: null,
        url: `https://vk.com/${screen}`,
      };
    },

    async posts(input, ctx): Promise<PublicPost[]> {
      const limit = Math.max(1, Math.trunc(input.limit));
      const out: PublicPost[] = [];
      for (let offset = 0; out.length < limit && offset < 1000; ) {
        let r: { count?: unknown; items?: VkWallPost[] };
        try {
          r = await call(ctx, 'wall.get', { owner_id: input.account.externalId, count: Math.min(100, limit - out.length), offset }, 'read the community wall');
        } catch (e) {
          throw refused(e, 'read the community wall');
        }
        const items = Array.isArray(r.items) ? r.items : [];
        for (const item of items) {
          const p = toVkPublicPost(item);
          if (p && out.length < limit) out.push(p);
        }
        offset += items.length;
        if (items.length === 0 || (typeof r.count === 'number' && offset >= r.count)) break;
      }
      return out;
    },
  };
}
