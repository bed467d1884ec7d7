/**
 * Telegram's `publicData` capability: public channels as anyone sees them on the web, no bot and no
 * sign-in.
 *
 * What is honestly possible. The Bot API (https://core.telegram.org/bots/api) can answer `getChat` and
 * `getChatMemberCount` for a public `@channel`, but it has no method that lists a channel's history
 * (a bot only receives new posts of chats it is a member of), and it needs a bot token, which public
 * data has not. The public pages Telegram itself serves for every public channel do carry the data:
 *
 *  - `https://t.me/<channel>` — the channel card: title and the exact subscriber count
 *    (`<div class="tgme_page_extra">12 345 subscribers</div>`);
 *  - `https://t.me/s/<channel>` — the web preview of the channel's recent posts (about 20 per page,
 *    older ones with `?before=<message id>`): per post its id (`data-post="<channel>/<id>"`), time
 *    (`<time datetime>`), text, media, "Forwarded from", and the view count as Telegram prints it
 *    (`1.2K`, `3.4M`: rounded by Telegram, so Herald stores 1 200 and 3 400 000).
 *
 * Collected: followers (exact), posts with time, text, hashtags, content type and views. Not collected
 * (left null, never 0): reactions, forwards and comments — the preview does not print forward or comment
 * counts, and reactions are not read. ER definitions built on views (TGStat ERR) work; the ones that
 * need reactions or forwards show the posts as missing counts. Channels whose owner turned the web
 * preview off (t.me/s redirects to the card), private channels, groups, bots and people are refused in
 * words. The channel's username is its id here (the pages do not show the numeric chat id): a channel
 * that changes its username must be added again.
 */
import { hashtagsIn } from '../../analytics/import-format';
import { ConnectorError, type PublicAccount, type PublicDataCapability, type PublicDataContext, type PublicPost, type PublicPostContentType } from '../connector';
import { htmlToText } from '../mastodon/mastodon-api';
import { errorCodes } from '../network-errors';

/** Options of the public reader. */
export interface TelegramPublicOptions {
  /** Where t.me pages are served; default https://t.me. */
  webBaseUrl?: string;
  requestTimeoutMs?: number;
  /** Preview pages read per `posts` call at most (about 20 posts each; default 6). */
  maxPages?: number;
}

const usernamePattern = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

/** The channel a person pasted: `@name`, `name`, `t.me/name`, `https://t.me/s/name`, `https://t.me/name/123`. Null otherwise. */
export function telegramChannelFrom(query: string): string | null {
  let v = query.trim();
  const link = /^(?:https?:\/\/)?(?:www\.)?(?:t|telegram)\.me\/(?:s\/)?([^/?#]+)(?:\/\d+)?\/?(?:[?#].*)?$/i.exec(v);
  if (link) v = link[1]!;
  v = v.replace(/^@/, '');
  // joinchat / + links are invitations to private chats, not public channels.
  if (/^(?:joinchat|addstickers|share|proxy|s)$/i.test(v)) return null;
  return usernamePattern.test(v) ? v : null;
}

/** "1.2K" → 1200, "3M" → 3 000 000, "987" → 987; null for anything else. */
export function parseTelegramCount(raw: string): number | null {
  const m = /^\s*(\d+(?:[.,]\d+)?)\s*([KMB])?\s*$/i.exec(raw.replace(/[\s\u00a0]/g, ''));
  if (!m) return null;
  const n = Number(m[1]!.replace(',', '.'));
  const mult = { K: 1e3, M: 1e6, B: 1e9 }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'B'] ?? 1;
  return Number.isFinite(n) ? Math.round(n * mult) : null;
}

/** The inner HTML of the element that starts at `start` (an opening `<tag`), counting nested same tags. */
function innerOf(html: string, start: number, tag: string): string {
  const open = html.indexOf('>', start);
  if (open < 0) return '';
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'gi');
  re.lastIndex = open + 1;
  let depth = 1;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return html.slice(open + 1, m.index);
  }
  return html.slice(open + 1);
}

/** Inner HTML of the first `<tag … class="… cls …">`, or null. */
function elementByClass(html: string, tag: string, cls: string): string | null {
  const re = new RegExp(`<${tag}\\b[^>]*\\bclass="(?:[^"]*\\s)?${cls}(?:\\s[^"]*)?"[^>]*>`, 'i');
  const m = re.exec(html);
  return m ? innerOf(html, m.index, tag) : null;
}

const hasClass = (html: string, cls: string) => new RegExp(`\\bclass="(?:[^"]*\\s)?${cls}(?:\\s[^"]*)?"`, 'i').test(html);
const countClass = (html: string, cls: string) => html.match(new RegExp(`\\bclass="(?:[^"]*\\s)?${cls}(?:\\s[^"]*)?"`, 'gi'))?.length ?? 0;

function contentTypeOf(block: string): PublicPostContentType {
  if (hasClass(block, 'tgme_widget_message_forwarded_from')) return 'repost';
  if (hasClass(block, 'tgme_widget_message_poll')) return 'poll';
  const grouped = elementByClass(block, 'div', 'tgme_widget_message_grouped_wrap');
  if (grouped !== null && countClass(grouped, 'grouped_media_wrap') > 1) return 'carousel';
  if (hasClass(block, 'tgme_widget_message_video_player') || hasClass(block, 'tgme_widget_message_roundvideo_player')) return 'video';
  if (hasClass(block, 'tgme_widget_message_photo_wrap')) return 'photo';
  if (hasClass(block, 'tgme_widget_message_link_preview')) return 'link';
  return 'text';
}

/** The posts of one t.me/s page (in page order: oldest first). Blocks without an id or a time are skipped. */
export function parseTelegramPreviewPosts(html: string, channel: string): Array<PublicPost & { messageId: number }> {
  const out: Array<PublicPost & { messageId: number }> = [];
  const starts = [...html.matchAll(/<div\b[^>]*\bclass="(?:[^"]*\s)?tgme_widget_message_wrap(?:\s[^"]*)?"[^>]*>/gi)].map((m) => m.index);
  for (const start of starts) {
    const block = innerOf(html, start, 'div');
    const post = /\bdata-post="([^"/]+)\/(\d+)"/.exec(block);
    const time = /<time\b[^>]*\bdatetime="([^"]+)"/i.exec(block);
    if (!post || !time || !Number.isFinite(Date.parse(time[1]!))) continue;
    // A post of another channel (never expected on this page) is not this channel's.
    if (post[1]!.toLowerCase() !== channel.toLowerCase()) continue;
    const id = Number(post[2]);
    const textHtml = elementByClass(block, 'div', 'tgme_widget_message_text') ?? '';
    const text = htmlToText(textHtml);
    const views = elementByClass(block, 'span', 'tgme_widget_message_views');
    const type = contentTypeOf(block);
    out.push({
      messageId: id,
      externalId: `${post[1]}/${id}`,
      url: `https://t.me/${post[1]}/${id}`,
      createdAt: new Date(Date.parse(time[1]!)).toISOString(),
      text,
      contentType: type,
      hashtags: hashtagsIn(text),
      likes: null,
      shares: null,
      comments: null,
      quotes: null,
      // A forwarded post's views are the original's audience as much as this channel's: like other
      // networks' reposts, its counts stay null.
      views: type === 'repost' || views === null ? null : parseTelegramCount(htmlToText(views)),
    });
  }
  return out;
}

/** Builds the capability. */
export function createTelegramPublicData(options: TelegramPublicOptions = {}): PublicDataCapability {
  const base = (options.webBaseUrl ?? 'https://t.me').replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const maxPages = options.maxPages ?? 6;

  /** One GET of a t.me page; redirects are not followed (a preview that redirects is switched off). */
  async function page(ctx: PublicDataContext, path: string, what: string): Promise<{ status: number; html: string }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
    let res: Response;
    try {
      // English pages: the card's "subscribers" wording is what Herald reads.
      res = await ctx.fetch(`${base}${path}`, { method: 'GET', redirect: 'manual', signal, headers: { accept: 'text/html', 'accept-language': 'en' } });
    } catch (e) {
      const why = errorCodes(e)[0] ?? (e instanceof Error ? (e.name === 'TimeoutError' ? 'timed out' : e.message) : String(e));
      throw new ConnectorError('retryable', `Could not reach t.me while trying to ${what} (${why})`, { cause: e });
    }
    const html = await res.text().catch(() => '');
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after'));
      throw new ConnectorError('rate_limited', `t.me is rate limiting Herald while trying to ${what}`, { retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : 60_000, networkCode: '429' });
    }
    if (res.status >= 500) throw new ConnectorError('retryable', `t.me failed while trying to ${what} (HTTP ${res.status})`, { networkCode: String(res.status) });
    return { status: res.status, html };
  }

  async function previewPage(ctx: PublicDataContext, channel: string, before: number | null): Promise<string> {
    const r = await page(ctx, `/s/${encodeURIComponent(channel)}${before ? `?before=${before}` : ''}`, `read the public preview of @${channel}`);
    if ((r.status >= 300 && r.status < 400) || (r.status === 200 && !hasClass(r.html, 'tgme_channel_info'))) {
      throw new ConnectorError('invalid_content', `@${channel} has no public web preview on t.me (a private channel, a group, a person, or a channel whose owner turned the preview off)`);
    }
    if (r.status === 404) throw new ConnectorError('invalid_content', `No public Telegram channel @${channel} was found`, { networkCode: '404' });
    if (r.status !== 200) throw new ConnectorError('retryable', `t.me answered HTTP ${r.status} for the preview of @${channel}`, { networkCode: String(r.status) });
    return r.html;
  }

  return {
    async lookup(input, ctx): Promise<PublicAccount> {
      // Usernames are case-insensitive on Telegram: one spelling for every request.
      const channel = telegramChannelFrom(input.query)?.toLowerCase();
      if (!channel) throw new ConnectorError('invalid_content', `"${input.query}" is not a public Telegram channel: use its @username or link, such as https://t.me/durov`);
      const card = await page(ctx, `/${encodeURIComponent(channel)}`, `look up @${channel}`);
      if (card.status !== 200) throw new ConnectorError('invalid_content', `No public Telegram channel @${channel} was found (t.me answered HTTP ${card.status})`, { networkCode: String(card.status) });
      const extra = htmlToText(elementByClass(card.html, 'div', 'tgme_page_extra') ?? '');
      const subs = /^([\d\s\u00a0,.]+[KMB]?)\s+subscribers?\b/i.exec(extra);
      if (!subs) {
        // People and bots show "@name", groups "N members": neither is a channel.
        throw new ConnectorError('invalid_content', `@${channel} is not a public Telegram channel${/members?\b/i.test(extra) ? ' (it is a group; Herald reads channels)' : ''}`);
      }
      // The preview must exist too, or no post could ever be read.
      const preview = await previewPage(ctx, channel, null);
      const username = /\bclass="tgme_channel_info_header_username"[^>]*>\s*<a\b[^>]*>@([A-Za-z0-9_]+)</i.exec(preview)?.[1] ?? channel;
      const title = htmlToText(elementByClass(card.html, 'div', 'tgme_page_title') ?? '').trim();
      return {
        externalId: username.toLowerCase(),
        handle: username,
        displayName: title || null,
        // Digits grouped with spaces are exact; should the card ever print "1.2M", that rounded figure is used.
        followers: /[KMB]\s*$/i.test(subs[1]!) ? parseTelegramCount(subs[1]!) : Number(subs[1]!.replace(/\D/g, '')),
        serviceUrl: null,
        url: `https://t.me/${username}`,
      };
    },

    async posts(input, ctx): Promise<PublicPost[]> {
      const channel = (telegramChannelFrom(input.account.externalId) ?? telegramChannelFrom(input.account.handle))?.toLowerCase();
      if (!channel) throw new ConnectorError('invalid_content', `"${input.account.handle}" is not a public Telegram channel`);
      const limit = Math.max(1, Math.trunc(input.limit));
      const byId = new Map<number, PublicPost>();
      let before: number | null = null;
      for (let i = 0; i < maxPages && byId.size < limit; i++) {
        const found = parseTelegramPreviewPosts(await previewPage(ctx, channel, before), channel);
        const older = found.filter((p) => before === null || p.messageId < before);
        if (older.length === 0) break;
        for (const { messageId, ...p } of older) byId.set(messageId, p);
        before = Math.min(...older.map((p) => p.messageId));
        if (before <= 1) break;
      }
      return [...byId.entries()]
        .sort((a, b) => b[0] - a[0])
        .slice(0, limit)
        .map(([, p]) => p);
    },
  };
}
