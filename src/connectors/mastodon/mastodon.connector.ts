/**
 * The Mastodon connector for every server that speaks the Mastodon client API (Mastodon itself, and
 * compatible servers such as snac2, GoToSocial, Pleroma/Akkoma). Plain `ctx.fetch`, no client library.
 *
 * Auth: an access token, either pasted (credential fields) or obtained by OAuth 2 authorization code
 * with PKCE S256 after registering Herald as an app on the user's server (POST /api/v1/apps, cached
 * per server in `ctx.apps`). Mastodon tokens do not expire.
 *
 * Exactly once: every status is created with an `Idempotency-Key` header (`<target key>:<part>`):
 * Mastodon keeps the key for an hour and answers a repeated request with the status it already
 * created, so a retry after a timeout cannot post twice. Thread parts after the first are also looked
 * for under the previous part before they are sent (our own reply to our previous part), which keeps
 * re-runs clean on servers that ignore the header (snac2 does) and beyond Mastodon's hour.
 * `findPublished` recognises a top-level status by its text among the account's statuses since the
 * target was created: Mastodon has no client-chosen id or metadata to look a status up by, so the
 * text (with the content warning) is the only reliable fingerprint.
 */
import { z } from 'zod';
import {
  ConnectorError,
  type AccountAuth,
  type ConnectedAccount,
  type Connector,
  type InboundMessage,
  type MediaItem,
  type PostMetrics,
  type PostVariant,
  type PublishResult,
} from '../connector';
import {
  MastodonHttpError,
  compareIds,
  htmlToText,
  mastodonRequest,
  normaliseServerUrl,
  toConnectorError,
  type MastodonCall,
  type MastodonTransport,
} from './mastodon-api';
import { MASTODON_DEFAULT_LIMITS, MASTODON_VISIBILITIES, mastodonLimits, readMastodonOptions, validateMastodonVariant } from './mastodon-validate';
import { createMastodonPublicData } from './mastodon-public';
import { searchStatuses } from './mastodon-search';

/** What a person enters (or the OAuth sign-in yields) to connect a Mastodon account. */
export interface MastodonCredentials {
  /** The server, e.g. https://mastodon.social. */
  serviceUrl: string;
  accessToken: string;
}

/** What Herald keeps between calls (no secrets: the token stays in the credentials). */
export interface MastodonSession {
  accountId: string;
  username: string;
  /** The server's limits as read at connect (also stored as the account's networkLimits). */
  limits?: Record<string, number>;
}

/** Tunables, mainly so tests need not wait for production timeouts. */
export interface MastodonConnectorOptions {
  /** Timeout for one JSON request (default 15 s). */
  requestTimeoutMs?: number;
  /** Timeout for one media upload (default 120 s). */
  uploadTimeoutMs?: number;
  /** How often to ask whether an uploaded video/image finished processing (default 1 s). */
  mediaPollIntervalMs?: number;
  /** How long to wait for media processing before giving up as retryable (default 60 s). */
  mediaProcessingTimeoutMs?: number;
  /** The app name shown on the user's server (default "Herald"). */
  appName?: string;
  /** The app website shown with the name (optional). */
  appWebsite?: string;
}

/** Scopes Herald asks for: read everything it shows, write statuses and media only. */
export const MASTODON_SCOPES = 'read write:statuses write:media';

const isHttpUrl = (v: string) => {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v.trim()) ? v.trim() : `https://${v.trim()}`);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !!u.hostname;
  } catch {
    return false;
  }
};

const credentialsSchema = z.object({
  serviceUrl: z
    .string()
    .trim()
    .min(1, 'Enter your Mastodon server, e.g. mastodon.social')
    .refine(isHttpUrl, 'The server must be an address like mastodon.social or https://mastodon.social')
    .transform(normaliseServerUrl),
  accessToken: z.string().trim().min(1, 'Enter an access token (Preferences → Development → your application)'),
});

// -------------------------------------------------------------------------------------------------
// Mastodon entities (only the fields Herald reads; docs.joinmastodon.org/entities/*)

interface ApiAccount {
  id: string;
  username: string;
  acct: string;
  display_name?: string;
  followers_count?: number;
  following_count?: number;
  statuses_count?: number;
}

interface ApiStatus {
  id: string;
  url?: string | null;
  uri?: string;
  created_at: string;
  edited_at?: string | null;
  in_reply_to_id?: string | null;
  in_reply_to_account_id?: string | null;
  content: string;
  spoiler_text?: string;
  language?: string | null;
  account: ApiAccount;
  reblog?: ApiStatus | null;
  favourites_count?: number;
  reblogs_count?: number;
  replies_count?: number;
  quotes_count?: number;
  poll?: { votes_count?: number } | null;
}

interface ApiNotification {
  id: string;
  type: string;
  created_at: string;
  account: ApiAccount;
  status?: ApiStatus | null;
}

interface ApiMedia {
  id: string;
  url?: string | null;
}

interface InstanceConfiguration {
  statuses?: { max_characters?: number; max_media_attachments?: number; characters_reserved_per_url?: number };
  media_attachments?: { image_size_limit?: number; video_size_limit?: number };
  polls?: { max_options?: number; max_characters_per_option?: number; min_expiration?: number; max_expiration?: number };
}

/** Reads the limits a server announces (v2 and v1 shapes; Pleroma's `max_toot_chars`). */
export function limitsFromInstance(instance: { configuration?: InstanceConfiguration; max_toot_chars?: number; poll_limits?: { max_options?: number; max_option_chars?: number } }): Record<string, number> {
  const c = instance.configuration ?? {};
  const out: Record<string, number> = {};
  const put = (k: keyof typeof MASTODON_DEFAULT_LIMITS, v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v;
  };
  put('maxCharacters', c.statuses?.max_characters ?? instance.max_toot_chars);
  put('maxMedia', c.statuses?.max_media_attachments);
  put('charactersReservedPerUrl', c.statuses?.characters_reserved_per_url);
  put('imageSizeLimit', c.media_attachments?.image_size_limit);
  put('videoSizeLimit', c.media_attachments?.video_size_limit);
  put('maxPollOptions', c.polls?.max_options ?? instance.poll_limits?.max_options);
  put('maxPollOptionChars', c.polls?.max_characters_per_option ?? instance.poll_limits?.max_option_chars);
  put('minPollExpiration', c.polls?.min_expiration);
  put('maxPollExpiration', c.polls?.max_expiration);
  return { ...mastodonLimits({ networkLimits: out }) };
}

// -------------------------------------------------------------------------------------------------

/** Text as the status carries it: the link is appended when the text does not contain it already. */
function statusText(variant: PostVariant): string {
  const text = variant.text ?? '';
  const link = variant.link ?? null;
  if (!link || text.includes(link)) return text;
  return text ? `${text}\n\n${link}` : link;
}

/** A loose fingerprint of status text: no whitespace, remote mentions without their host. */
function fingerprint(text: string): string {
  return text.replace(/@([a-z0-9_.-]+)@[^\s@]+/gi, '@$1').replace(/\s+/g, '');
}

function hostOf(serverUrl: string): string {
  return new URL(serverUrl).host;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}

/**
 * The cursor `comments.fetch` hands back: the last mention notification seen, and the ids of the
 * latest messages already delivered (replies found under posts have no server-side cursor, and
 * federated replies arrive late with their author's timestamps, so "seen" is kept by id, not by time).
 */
interface CommentsCursor {
  n: string | null;
  seen: string[];
}

/** How many delivered ids the cursor remembers. */
const SEEN_IDS_KEPT = 1000;

function readCursor(raw: string | null): CommentsCursor {
  if (!raw) return { n: null, seen: [] };
  try {
    const c = JSON.parse(raw) as Partial<CommentsCursor>;
    return { n: typeof c.n === 'string' ? c.n : null, seen: Array.isArray(c.seen) ? c.seen.filter((x): x is string => typeof x === 'string') : [] };
  } catch {
    return { n: null, seen: [] };
  }
}

/** Builds a Mastodon connector; `mastodonConnector` is the production instance. */
export function createMastodonConnector(options: MastodonConnectorOptions = {}): Connector<MastodonCredentials, MastodonSession> {
  const opts = {
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 120_000,
    mediaPollIntervalMs: options.mediaPollIntervalMs ?? 1_000,
    mediaProcessingTimeoutMs: options.mediaProcessingTimeoutMs ?? 60_000,
    appName: options.appName ?? 'Herald',
    appWebsite: options.appWebsite,
  };

  type Ctx = MastodonTransport;
  type Auth = AccountAuth<MastodonCredentials, MastodonSession>;

  const call = <T>(ctx: Ctx, server: string, c: Omit<MastodonCall, 'timeoutMs'> & { timeoutMs?: number }) =>
    mastodonRequest<T>(ctx, server, { ...c, timeoutMs: c.timeoutMs ?? opts.requestTimeoutMs });

  const serverOf = (auth: Auth) => normaliseServerUrl(auth.credentials.serviceUrl || auth.serviceUrl || '');

  /** Our account id on the server: from the session, else asked once. */
  async function ourAccountId(auth: Auth, ctx: Ctx): Promise<string> {
    if (auth.session?.accountId) return auth.session.accountId;
    if (auth.externalId) return auth.externalId;
    const me = await call<ApiAccount>(ctx, serverOf(auth), { method: 'GET', path: '/api/v1/accounts/verify_credentials', token: auth.credentials.accessToken, write: false });
    return me.body.id;
  }

  const statusUrl = (s: ApiStatus) => s.url ?? s.uri ?? null;

  async function uploadMedia(ctx: Ctx, server: string, token: string, m: MediaItem, index: number, focus: string | null): Promise<string> {
    if (!m.data) throw new ConnectorError('invalid_content', `Attachment ${index + 1} has no data to upload`);
    const form = new FormData();
    const ext = (m.mimeType.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '') || 'bin';
    form.append('file', new Blob([new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength)], { type: m.mimeType }), `attachment-${index + 1}.${ext}`);
    if (m.alt) form.append('description', m.alt);
    if (focus) form.append('focus', focus);
    // An upload that is never attached is removed by the server: repeating one is harmless.
    const up = await call<ApiMedia>(ctx, server, { method: 'POST', path: '/api/v2/media', form, token, write: false, timeoutMs: opts.uploadTimeoutMs });
    if (!up.body.id) throw new ConnectorError('retryable', `The Mastodon server did not return an id for attachment ${index + 1}`);
    if (up.status !== 202) return up.body.id;
    // 202: processed asynchronously; GET /api/v1/media/:id answers 206 until it is done.
    const until = Date.now() + opts.mediaProcessingTimeoutMs;
    for (;;) {
      await sleep(opts.mediaPollIntervalMs, ctx.signal);
      const st = await call<ApiMedia>(ctx, server, { method: 'GET', path: `/api/v1/media/${encodeURIComponent(up.body.id)}`, token, write: false });
      if (st.status === 200 && st.body.url) return up.body.id;
      if (Date.now() > until) {
        throw new ConnectorError('retryable', `The Mastodon server is still processing attachment ${index + 1} after ${Math.round(opts.mediaProcessingTimeoutMs / 1000)} s`);
      }
    }
  }

  /** Our earlier reply to `parentId` (a thread part a previous run already posted), if any. */
  async function existingSelfReply(ctx: Ctx, server: string, token: string, parentId: string, accountId: string): Promise<ApiStatus | null> {
    const c = await call<{ descendants?: ApiStatus[] }>(ctx, server, { method: 'GET', path: `/api/v1/statuses/${encodeURIComponent(parentId)}/context`, token, write: false });
    const mine = (c.body.descendants ?? []).filter((s) => s.in_reply_to_id === parentId && s.account?.id === accountId);
    mine.sort((a, b) => compareIds(a.id, b.id));
    return mine[0] ?? null;
  }

  async function postStatus(ctx: Ctx, server: string, token: string, body: Record<string, unknown>, idempotencyKey: string): Promise<ApiStatus> {
    const r = await call<ApiStatus>(ctx, server, { method: 'POST', path: '/api/v1/statuses', json: body, token, idempotencyKey, write: true });
    if (!r.body.id) throw new ConnectorError('retryable', 'The Mastodon server accepted the status but returned no id', { outcomeUnknown: true });
    return r.body;
  }

  /** Recent statuses of the account, newest first, back to `since` (bounded to a few pages). */
  async function recentStatuses(ctx: Ctx, server: string, token: string, accountId: string, since: number): Promise<ApiStatus[]> {
    const out: ApiStatus[] = [];
    let maxId: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await call<ApiStatus[]>(ctx, server, {
        method: 'GET',
        path: `/api/v1/accounts/${encodeURIComponent(accountId)}/statuses`,
        query: { limit: '40', exclude_reblogs: 'true', max_id: maxId },
        token,
        write: false,
      });
      const list = Array.isArray(r.body) ? r.body : [];
      const fresh = list.filter((s) => !out.some((o) => o.id === s.id));
      out.push(...fresh);
      const oldest = list[list.length - 1];
      // Stop at the end, at statuses older than wanted, or when the server ignores max_id.
      if (!oldest || fresh.length === 0 || Date.parse(oldest.created_at) < since || list.length < 40) break;
      maxId = oldest.id;
    }
    return out;
  }

  async function replyTo(ctx: Ctx, server: string, token: string, accountId: string, parentId: string, text: string, idempotencyKey: string, forceVisibility?: 'direct'): Promise<PublishResult> {
    let status = text;
    let visibility: string | undefined;
    // Like Mastodon's own apps: address the author so they are notified, and keep a reply to a
    // non-public status (e.g. direct) no more visible than what it answers.
    const parent = await call<ApiStatus>(ctx, server, { method: 'GET', path: `/api/v1/statuses/${encodeURIComponent(parentId)}`, token, write: false });
    const author = parent.body.account;
    if (author && author.id !== accountId && author.acct && !new RegExp(`(^|\\s)@${author.acct.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`, 'i').test(text)) {
      status = `@${author.acct} ${text}`;
    }
    const v = (parent.body as { visibility?: string }).visibility;
    if (v === 'direct' || v === 'private') visibility = v;
    // A direct message is answered directly, whatever the server reports for the message.
    if (forceVisibility) visibility = forceVisibility;
    const s = await postStatus(ctx, server, token, { status, in_reply_to_id: parentId, ...(visibility ? { visibility } : {}) }, idempotencyKey);
    return { externalId: s.id, url: statusUrl(s) };
  }

  function toInbound(s: ApiStatus, ourId: string, roots: Set<string>, rootOf: (s: ApiStatus) => string | null): InboundMessage {
    const repliesToUs = s.in_reply_to_account_id === ourId || (s.in_reply_to_id ? roots.has(s.in_reply_to_id) : false);
    // A direct-visibility status ("visible only to mentioned users") is a direct message; Mastodon
    // delivers it as a mention notification, so it is read in this same pass.
    const direct = (s as { visibility?: string }).visibility === 'direct';
    const kind: InboundMessage['kind'] = direct ? 'dm' : repliesToUs ? 'reply' : s.in_reply_to_id && rootOf(s) ? 'comment' : 'mention';
    return {
      externalId: s.id,
      kind,
      parentExternalId: s.in_reply_to_id ?? null,
      rootExternalId: rootOf(s),
      author: { externalId: s.account.id, handle: s.account.acct, displayName: s.account.display_name || null, followers: s.account.followers_count ?? null },
      text: [s.spoiler_text ? `[${s.spoiler_text}]` : '', htmlToText(s.content ?? '')].filter(Boolean).join('\n'),
      url: statusUrl(s),
      createdAt: new Date(s.created_at).toISOString(),
      lang: s.language ?? null,
      editedAt: s.edited_at ?? null,
    };
  }

  const connector: Connector<MastodonCredentials, MastodonSession> = {
    id: 'mastodon',
    displayName: 'Mastodon',
    lengthUnit: 'characters',
    credentialFields: [
      { name: 'serviceUrl', label: 'Server', type: 'url', required: true, placeholder: 'mastodon.social', help: 'The address of your Mastodon server (the part after the second @ of your handle).' },
      {
        name: 'accessToken',
        label: 'Access token',
        type: 'password',
        required: true,
        help: 'On your server: Preferences → Development → New application, scopes read, write:statuses and write:media; then copy "Your access token". Or use "Sign in with Mastodon" instead.',
      },
    ],
    credentialsSchema: credentialsSchema as unknown as z.ZodType<MastodonCredentials>,
    // Mastodon allows 300 requests per 5 minutes per account, 300 statuses per 3 hours and 30 media
    // uploads per 30 minutes: 30 publishes per 30 minutes stays under all three for posts with up to one
    // attachment; heavier posts meet the server's 429 and wait for its reset.
    limits: { maxConcurrentPerAccount: 2, publishRate: { count: 30, windowMs: 30 * 60_000 } },
    supports: { maxMedia: MASTODON_DEFAULT_LIMITS.maxMedia, mediaTypes: ['image/*', 'video/*', 'audio/*'], polls: true, threads: true },
    publicData: createMastodonPublicData({ requestTimeoutMs: opts.requestTimeoutMs }),
    optionFields: [
      { name: 'contentWarning', label: 'Content warning', type: 'text', help: 'Shown instead of the text until the reader opens it; counts toward the character limit.' },
      {
        name: 'visibility',
        label: 'Visibility',
        type: 'select',
        default: 'public',
        choices: MASTODON_VISIBILITIES.map((v) => ({ value: v, label: { public: 'Public', unlisted: 'Quiet public (unlisted)', private: 'Followers only', direct: 'Mentioned people only' }[v] })),
      },
      { name: 'sensitive', label: 'Mark media as sensitive', type: 'boolean', default: false },
      { name: 'focus', label: 'Image focal points', type: 'text', help: 'Optional, one "x,y" per image from -1 to 1, separated by ";" (e.g. 0,0.5; -0.2,0).' },
    ],

    oauth: {
      available: () => ({ ok: true }),
      needsServiceUrl: true,
      async begin(input, ctx) {
        if (!input.serviceUrl) throw new ConnectorError('invalid_content', 'Name your Mastodon server (e.g. mastodon.social) to sign in');
        const server = normaliseServerUrl(input.serviceUrl);
        let app = await ctx.apps.get(server);
        if (!app || app.redirectUri !== input.redirectUri || app.scopes !== MASTODON_SCOPES || !app.clientId || !app.clientSecret) {
          let r;
          try {
            r = await call<{ client_id?: string; client_secret?: string }>(ctx, server, {
              method: 'POST',
              path: '/api/v1/apps',
              json: { client_name: opts.appName, redirect_uris: input.redirectUri, scopes: MASTODON_SCOPES, ...(opts.appWebsite ? { website: opts.appWebsite } : {}) },
              write: false,
            });
          } catch (e) {
            if (e instanceof MastodonHttpError && (e.status === 404 || e.status === 405)) {
              throw new ConnectorError('invalid_content', `${hostOf(server)} does not answer like a Mastodon server (HTTP ${e.status} on /api/v1/apps)`);
            }
            throw toConnectorError(e, `register Herald as an app on ${hostOf(server)}`, { write: false });
          }
          if (!r.body.client_id || !r.body.client_secret) throw new ConnectorError('retryable', `${hostOf(server)} registered the app without returning its client id and secret`);
          app = { clientId: r.body.client_id, clientSecret: r.body.client_secret, redirectUri: input.redirectUri, scopes: MASTODON_SCOPES };
          await ctx.apps.put(server, app);
        }
        const url = new URL(`${server}/oauth/authorize`);
        url.search = new URLSearchParams({
          response_type: 'code',
          client_id: app.clientId!,
          redirect_uri: input.redirectUri,
          scope: MASTODON_SCOPES,
          state: input.state,
          code_challenge: input.codeChallenge,
          code_challenge_method: 'S256',
        }).toString();
        return { authorizeUrl: url.toString(), keep: { serviceUrl: server } };
      },
      async finish(input, ctx) {
        const server = normaliseServerUrl(input.keep.serviceUrl ?? input.serviceUrl ?? '');
        const app = await ctx.apps.get(server);
        if (!app?.clientId || !app.clientSecret) throw new ConnectorError('auth_expired', `Herald has no app registration for ${hostOf(server)} any more; start the sign-in again`);
        try {
          const r = await call<{ access_token?: string }>(ctx, server, {
            method: 'POST',
            path: '/oauth/token',
            form: new URLSearchParams({
              grant_type: 'authorization_code',
              code: input.code,
              client_id: app.clientId,
              client_secret: app.clientSecret,
              redirect_uri: input.redirectUri,
              code_verifier: input.codeVerifier,
              scope: MASTODON_SCOPES,
            }),
            write: false,
          });
          if (!r.body.access_token) throw new ConnectorError('retryable', `${hostOf(server)} answered the sign-in without an access token`);
          return { serviceUrl: server, accessToken: r.body.access_token };
        } catch (e) {
          if (e instanceof MastodonHttpError && (e.status === 400 || e.status === 401)) {
            throw new ConnectorError('auth_expired', `${hostOf(server)} refused the sign-in (${e.apiMessage}); start it again`);
          }
          throw toConnectorError(e, `finish the sign-in with ${hostOf(server)}`, { write: false });
        }
      },
    },

    async connect(credentials, ctx): Promise<ConnectedAccount<MastodonSession>> {
      const server = normaliseServerUrl(credentials.serviceUrl);
      let me: ApiAccount;
      try {
        me = (await call<ApiAccount>(ctx, server, { method: 'GET', path: '/api/v1/accounts/verify_credentials', token: credentials.accessToken, write: false })).body;
      } catch (e) {
        // Mastodon answers a bad token with 401; some compatible servers (snac2) with 422.
        if (e instanceof MastodonHttpError && (e.status === 401 || e.status === 403 || e.status === 422)) {
          throw new ConnectorError('auth_expired', `${hostOf(server)} did not accept this access token (${e.apiMessage}); check that it was copied whole and has the read scope`, { networkCode: `HTTP ${e.status}` });
        }
        if (e instanceof MastodonHttpError && e.status === 404) {
          throw new ConnectorError('disconnected', `${hostOf(server)} does not answer like a Mastodon server (no /api/v1/accounts/verify_credentials)`, { networkCode: 'HTTP 404' });
        }
        throw toConnectorError(e, `check the access token with ${hostOf(server)}`, { write: false });
      }
      if (!me?.id || !me.username) throw new ConnectorError('retryable', `${hostOf(server)} answered the account check without an account`);
      let networkLimits: Record<string, number>;
      try {
        networkLimits = limitsFromInstance((await call<Record<string, never>>(ctx, server, { method: 'GET', path: '/api/v2/instance', token: credentials.accessToken, write: false })).body);
      } catch (e) {
        if (!(e instanceof MastodonHttpError) || e.status === 429) throw toConnectorError(e, `read the limits of ${hostOf(server)}`, { write: false });
        // Servers before Mastodon 4.0 (and several compatible ones) only have v1.
        try {
          networkLimits = limitsFromInstance((await call<Record<string, never>>(ctx, server, { method: 'GET', path: '/api/v1/instance', token: credentials.accessToken, write: false })).body);
        } catch (e2) {
          throw toConnectorError(e2, `read the limits of ${hostOf(server)}`, { write: false });
        }
      }
      return {
        externalId: me.id,
        handle: `${me.username}@${hostOf(server)}`,
        displayName: me.display_name?.trim() ? me.display_name : null,
        serviceUrl: server,
        session: { accountId: me.id, username: me.username, limits: networkLimits },
        expiresAt: null,
        networkLimits,
      };
    },

    validate: validateMastodonVariant,

    async publish(input, ctx): Promise<PublishResult> {
      const { auth, variant } = input;
      const check = validateMastodonVariant(variant, { networkLimits: auth.session?.limits ?? null });
      if (!check.valid) throw new ConnectorError('invalid_content', check.errors.map((e) => e.message).join('; '));
      const server = serverOf(auth);
      const token = auth.credentials.accessToken;
      const options = readMastodonOptions(variant.options, []);
      const common: Record<string, unknown> = {};
      if (options.contentWarning) common.spoiler_text = options.contentWarning;
      if (options.visibility) common.visibility = options.visibility;
      if (variant.langs?.[0]) common.language = variant.langs[0];
      const posted: ApiStatus[] = [];
      try {
        const accountId = await ourAccountId(auth, ctx);
        const mediaIds: string[] = [];
        for (const [i, m] of (variant.media ?? []).entries()) mediaIds.push(await uploadMedia(ctx, server, token, m, i, options.focus?.[i] ?? null));
        const first: Record<string, unknown> = { ...common, status: statusText(variant) };
        if (mediaIds.length) first.media_ids = mediaIds;
        if (options.sensitive !== undefined && mediaIds.length) first.sensitive = options.sensitive;
        if (variant.poll) {
          first.poll = { options: variant.poll.options, expires_in: variant.poll.durationSeconds ?? 86_400, multiple: variant.poll.multiple ?? false };
        }
        posted.push(await postStatus(ctx, server, token, first, `${input.idempotencyKey}:0`));
        for (const [i, part] of (variant.thread ?? []).entries()) {
          const prev = posted[posted.length - 1]!;
          const earlier = await existingSelfReply(ctx, server, token, prev.id, accountId);
          posted.push(earlier ?? (await postStatus(ctx, server, token, { ...common, status: part, in_reply_to_id: prev.id }, `${input.idempotencyKey}:${i + 1}`)));
        }
      } catch (e) {
        const mapped = toConnectorError(e, posted.length ? `publish part ${posted.length + 1} of the thread` : 'publish the status', { write: true, accountScoped: true });
        if (!posted.length) throw mapped;
        // The start of the thread is live: say so; a retry continues under it (same keys, same parts).
        throw new ConnectorError(mapped.kind, `${mapped.message} (the first ${posted.length} part${posted.length > 1 ? 's are' : ' is'} published: ${statusUrl(posted[0]!) ?? posted[0]!.id})`, mapped.opts);
      }
      const root = posted[0]!;
      return { externalId: root.id, url: statusUrl(root) };
    },

    async findPublished(input, ctx): Promise<PublishResult | null> {
      const server = serverOf(input.auth);
      const token = input.auth.credentials.accessToken;
      try {
        const accountId = await ourAccountId(input.auth, ctx);
        // Statuses carry the server's clock; allow a little skew against ours.
        const since = Date.parse(input.createdAt) - 5 * 60_000;
        const candidates = (await recentStatuses(ctx, server, token, accountId, since)).filter((s) => !s.reblog && !s.in_reply_to_id && Date.parse(s.created_at) >= since);
        if (candidates.length === 0) return null;
        if (!input.variant) {
          throw new ConnectorError('retryable', `Found ${candidates.length} status(es) since the post was created but cannot tell which is Herald's without the post's text`);
        }
        const want = fingerprint(statusText(input.variant));
        const cw = readMastodonOptions(input.variant.options, []).contentWarning ?? '';
        const match = candidates
          .filter((s) => fingerprint(htmlToText(s.content ?? '')) === want && (s.spoiler_text ?? '') === cw)
          .sort((a, b) => compareIds(a.id, b.id))[0];
        return match ? { externalId: match.id, url: statusUrl(match) } : null;
      } catch (e) {
        throw toConnectorError(e, 'check whether the status was published', { write: false, accountScoped: true });
      }
    },

    async delete(input, ctx): Promise<void> {
      const server = serverOf(input.auth);
      const token = input.auth.credentials.accessToken;
      const path = `/api/v1/statuses/${encodeURIComponent(input.externalId)}`;
      try {
        await call(ctx, server, { method: 'DELETE', path, token, write: true });
      } catch (e) {
        if (!(e instanceof MastodonHttpError) || e.status !== 404) throw toConnectorError(e, 'delete the status', { write: true });
        // 404 means gone (what we wanted) — unless the status is still there and the server simply
        // cannot delete through the API (snac2 answers DELETE with 404).
        let stillThere = false;
        try {
          await call(ctx, server, { method: 'GET', path, token, write: false });
          stillThere = true;
        } catch (g) {
          if (!(g instanceof MastodonHttpError) || g.status !== 404) throw toConnectorError(g, 'check whether the status was deleted', { write: false });
        }
        if (stillThere) throw new ConnectorError('invalid_content', `${hostOf(server)} does not delete statuses through its API (HTTP 404 on DELETE while the status exists); delete it on the server`, { networkCode: 'HTTP 404' });
      }
    },

    comments: {
      async fetch(input, ctx) {
        const server = serverOf(input.auth);
        const token = input.auth.credentials.accessToken;
        const cursor = readCursor(input.cursor);
        try {
          const ourId = await ourAccountId(input.auth, ctx);
          const roots = new Set(input.posts.map((p) => p.externalId));
          const statusRoot = new Map<string, string>();
          const items = new Map<string, InboundMessage>();
          const rootOf = (s: ApiStatus) => statusRoot.get(s.id) ?? (s.in_reply_to_id && roots.has(s.in_reply_to_id) ? s.in_reply_to_id : null);

          // 1. Replies under the given posts (also those that do not mention us) not delivered before.
          const seen = new Set(cursor.seen);
          for (const p of input.posts) {
            let ctxAnswer;
            try {
              ctxAnswer = await call<{ descendants?: ApiStatus[] }>(ctx, server, { method: 'GET', path: `/api/v1/statuses/${encodeURIComponent(p.externalId)}/context`, token, write: false });
            } catch (e) {
              if (e instanceof MastodonHttpError && e.status === 404) continue; // the post is gone
              throw e;
            }
            const descendants = ctxAnswer.body.descendants ?? [];
            for (const s of descendants) statusRoot.set(s.id, p.externalId);
            for (const s of descendants) {
              if (s.account?.id === ourId || seen.has(s.id)) continue;
              items.set(s.id, toInbound(s, ourId, roots, rootOf));
            }
          }

          // 2. Mentions since the cursor, oldest page first (min_id) so a long absence leaves no gap.
          let newestN = cursor.n;
          for (let page = 0; page < 10; page++) {
            const r = await call<ApiNotification[]>(ctx, server, {
              method: 'GET',
              path: '/api/v1/notifications',
              query: { 'types[]': ['mention'], limit: '40', ...(newestN ? { min_id: newestN } : {}) },
              token,
              write: false,
            });
            const list = (Array.isArray(r.body) ? r.body : []).filter((n) => !newestN || compareIds(n.id, newestN) > 0);
            if (!list.length) break;
            for (const n of list) {
              if (n.type !== 'mention' || !n.status || n.status.account?.id === ourId || seen.has(n.status.id)) continue;
              if (!items.has(n.status.id)) items.set(n.status.id, toInbound(n.status, ourId, roots, rootOf));
            }
            newestN = list.map((n) => n.id).sort(compareIds).pop() ?? newestN;
            // The first sync takes only the newest page: older mentions predate Herald.
            if (!cursor.n) break;
          }
          const next: CommentsCursor = { n: newestN, seen: [...cursor.seen, ...items.keys()].slice(-SEEN_IDS_KEPT) };
          return { items: [...items.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)), cursor: JSON.stringify(next) };
        } catch (e) {
          throw toConnectorError(e, 'read replies and mentions', { write: false, accountScoped: true });
        }
      },
      async reply(input, ctx) {
        const server = serverOf(input.auth);
        const token = input.auth.credentials.accessToken;
        try {
          const accountId = await ourAccountId(input.auth, ctx);
          return await replyTo(ctx, server, token, accountId, input.parentExternalId, input.text, input.idempotencyKey);
        } catch (e) {
          throw toConnectorError(e, 'reply', { write: true, accountScoped: false });
        }
      },
    },

    // Direct messages arrive as mention notifications in the comments pass (no second reader); the
    // answer is a direct status mentioning the sender, in reply to their message.
    directMessages: {
      async send(input, ctx) {
        const server = serverOf(input.auth);
        const token = input.auth.credentials.accessToken;
        try {
          const accountId = await ourAccountId(input.auth, ctx);
          return await replyTo(ctx, server, token, accountId, input.messageExternalId, input.text, input.idempotencyKey, 'direct');
        } catch (e) {
          throw toConnectorError(e, 'send the direct message', { write: true, accountScoped: false });
        }
      },
    },

    // The Mastodon API lets an account delete its own statuses only: it cannot hide or remove other
    // people's replies (that needs moderator rights on their server), so only deleteReply is offered.
    moderation: {
      async deleteReply(input, ctx) {
        await connector.delete!({ auth: input.auth, externalId: input.externalId }, ctx);
      },
    },

    search: {
      async search(input, ctx) {
        try {
          return await searchStatuses(ctx, serverOf(input.auth), input.auth.credentials.accessToken, { ...input, timeoutMs: opts.requestTimeoutMs });
        } catch (e) {
          throw toConnectorError(e, 'search statuses', { write: false });
        }
      },
    },

    metrics: {
      async account(input, ctx) {
        const server = serverOf(input.auth);
        try {
          const me = (await call<ApiAccount>(ctx, server, { method: 'GET', path: '/api/v1/accounts/verify_credentials', token: input.auth.credentials.accessToken, write: false })).body;
          const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
          return { followers: n(me.followers_count), following: n(me.following_count), posts: n(me.statuses_count) };
        } catch (e) {
          throw toConnectorError(e, 'read the account counts', { write: false, accountScoped: true });
        }
      },
      async posts(input, ctx) {
        const server = serverOf(input.auth);
        const out: Record<string, PostMetrics> = {};
        for (const id of input.externalIds) {
          try {
            const s = (await call<ApiStatus>(ctx, server, { method: 'GET', path: `/api/v1/statuses/${encodeURIComponent(id)}`, token: input.auth.credentials.accessToken, write: false })).body;
            const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
            const m: PostMetrics = { likes: n(s.favourites_count), shares: n(s.reblogs_count), comments: n(s.replies_count) };
            if (typeof s.quotes_count === 'number') m.quotes = s.quotes_count;
            if (s.poll && typeof s.poll.votes_count === 'number') m.pollVotes = s.poll.votes_count;
            out[id] = m;
          } catch (e) {
            if (e instanceof MastodonHttpError && (e.status === 404 || e.status === 410)) continue;
            throw toConnectorError(e, 'read the status counts', { write: false });
          }
        }
        return out;
      },
    },
  };
  return connector;
}

/** The production Mastodon connector. */
export const mastodonConnector: Connector<MastodonCredentials, MastodonSession> = createMastodonConnector();
