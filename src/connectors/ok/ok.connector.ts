/**
 * The Odnoklassniki (OK.ru) connector: topics in groups (mediatopic.post type GROUP_THEME) with text, a
 * link, photos and a poll; delete; comments on the group's topics and replies; like/reshare/comment
 * counts and the group's member count.
 *
 * Auth: OAuth 2 authorization code (https://apiok.ru/en/ext/oauth/server; OK documents no PKCE, so the
 * challenge Herald makes is not sent), scopes VALUABLE_ACCESS;GROUP_CONTENT;PHOTO_CONTENT;LONG_ACCESS_TOKEN.
 * The access token lives 30 minutes and is renewed with the refresh token (30 days) before it runs out;
 * the account's expiry is the refresh token's, so Herald warns before the user must sign in again. A
 * manual path takes the application's own access token and its session_secret_key (app settings on OK).
 * Every call is signed as documented (see ok-signature.ts).
 *
 * Exactly-once: OK has no idempotency key for mediatopic.post, and no documented method lists a group's
 * topics that Herald could search for the one it sent, so there is no findPublished: a publish whose
 * outcome is unknown is left `unconfirmed` for a person, never re-sent.
 */
import { z } from 'zod';
import {
  ConnectorError,
  type AccountAuth,
  type Connector,
  type ConnectorContext,
  type InboundMessage,
  type MediaItem,
  type PostMetrics,
  type PostVariant,
} from '../connector';
import { okCall, okHttp, okToken, OkApiError, OkHttpError, toConnectorError, type OkIo, type OkSigning } from './ok-api';
import { OK_MAX_PHOTOS, validateOkVariant } from './ok-validate';
import { createOkPublicData } from './ok-public';

/** What a person (or the OAuth flow) supplies to connect an OK group. */
export interface OkCredentials {
  /** Numeric id of the group topics are published to. */
  groupId: string;
  accessToken: string;
  /** For the application's own token from its settings page; absent for OAuth tokens. */
  sessionSecretKey?: string | undefined;
  /** OAuth refresh token (30 days). */
  refreshToken?: string | undefined;
  accessTokenExpiresAt?: string | undefined;
  refreshTokenExpiresAt?: string | undefined;
  /** The application's public key, when the operator has not configured one. */
  applicationKey?: string | undefined;
}

/** The session Herald stores (sealed) between calls. */
export interface OkSession {
  accessToken: string;
  accessTokenExpiresAt: string | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: string | null;
  sessionSecretKey: string | null;
}

/** Operator settings and tunables. */
export interface OkConnectorOptions {
  apiBaseUrl?: string;
  oauthBaseUrl?: string;
  tokenUrl?: string;
  applicationId?: string;
  applicationKey?: string;
  applicationSecretKey?: string;
  /** Timeout of one API call (default 15 s). */
  requestTimeoutMs?: number;
  /** Timeout of one photo upload (default 60 s). */
  uploadTimeoutMs?: number;
  /** Clock (tests). */
  now?: () => Date;
}

/** The scopes Herald asks for (https://apiok.ru/en/ext/oauth/permissions). */
export const OK_SCOPES = ['VALUABLE_ACCESS', 'GROUP_CONTENT', 'PHOTO_CONTENT', 'LONG_ACCESS_TOKEN'];
/** Access token lifetime when the token answer gives none: 30 minutes. */
export const OK_ACCESS_TOKEN_TTL_MS = 30 * 60_000;
/** Refresh token lifetime: 30 days. */
export const OK_REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;
/** Refresh this long before the access token ends. */
const REFRESH_MARGIN_MS = 2 * 60_000;
/** Comments: topics looked at per sync, and pages per topic. */
const COMMENT_TOPICS = 30;
const COMMENT_PAGES = 5;
const COMMENT_PAGE_SIZE = 100;

const groupIdFrom = (raw: string): string | null => {
  const v = raw.trim();
  if (/^\d{1,25}$/.test(v)) return v;
  const m = /^(?:https?:\/\/)?(?:www\.|m\.)?ok\.ru\/group\/(\d{1,25})(?:[/?#].*)?$/i.exec(v);
  return m ? m[1]! : null;
};

const isoOrUndefined = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || Number.isFinite(Date.parse(v)), 'Must be an ISO date and time');

const credentialsSchema = z.object({
  groupId: z
    .string()
    .trim()
    .min(1, 'Enter the OK group id (the number in https://ok.ru/group/<id>)')
    .transform((v, ctx) => {
      const id = groupIdFrom(v);
      if (!id) {
        ctx.addIssue({ code: 'custom', message: 'Enter the numeric OK group id or its https://ok.ru/group/<id> address' });
        return z.NEVER;
      }
      return id;
    }),
  accessToken: z.string().trim().min(1, 'Enter the OK access token'),
  sessionSecretKey: z.string().trim().optional().transform((v) => v || undefined),
  refreshToken: z.string().trim().optional().transform((v) => v || undefined),
  accessTokenExpiresAt: isoOrUndefined,
  refreshTokenExpiresAt: isoOrUndefined,
  applicationKey: z.string().trim().optional().transform((v) => v || undefined),
});

/** Parses a comment date: ISO, epoch ms, or OK's "yyyy-MM-dd HH:mm:ss" (taken as UTC). */
function okDate(v: unknown, fallback: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  if (typeof v !== 'string' || !v) return fallback;
  const plain = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(v);
  const t = Date.parse(plain ? `${plain[1]}T${plain[2]}Z` : v);
  return Number.isFinite(t) ? new Date(t).toISOString() : fallback;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/** Creates the OK connector with the operator's application settings. */
export function createOkConnector(options: OkConnectorOptions = {}): Connector<OkCredentials, OkSession> {
  const apiBaseUrl = options.apiBaseUrl ?? 'https://api.ok.ru/fb.do';
  const oauthBaseUrl = options.oauthBaseUrl ?? 'https://connect.ok.ru/oauth/authorize';
  const tokenUrl = options.tokenUrl ?? 'https://api.ok.ru/oauth/token.do';
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 60_000;
  const now = options.now ?? (() => new Date());

  const topicUrl = (gid: string, id: string) => `https://ok.ru/group/${gid}/topic/${id}`;

  function sessionFromCredentials(c: OkCredentials): OkSession {
    return {
      accessToken: c.accessToken,
      accessTokenExpiresAt: c.accessTokenExpiresAt ?? null,
      refreshToken: c.refreshToken ?? null,
      refreshTokenExpiresAt: c.refreshTokenExpiresAt ?? null,
      sessionSecretKey: c.sessionSecretKey ?? null,
    };
  }

  function applicationKeyOf(c: OkCredentials): string {
    const key = c.applicationKey ?? options.applicationKey;
    if (!key) throw new ConnectorError('auth_expired', 'Herald has no OK application key: set HERALD_OK_APPLICATION_KEY or enter the application key with the account');
    return key;
  }

  /** The credentials and the latest session of one operation (updated when the token is renewed). */
  type OkState = { credentials: OkCredentials; session: OkSession | null };
  const stateOf = (auth: AccountAuth<OkCredentials, OkSession>): OkState => ({ credentials: auth.credentials, session: auth.session });

  /** Renews the access token with the refresh token; saves and returns the new session. */
  async function refresh(session: OkSession, ctx: ConnectorContext<OkSession>): Promise<OkSession> {
    if (!session.refreshToken) throw new ConnectorError('auth_expired', 'The OK access token has expired and there is no refresh token; connect the OK account again');
    if (session.refreshTokenExpiresAt && Date.parse(session.refreshTokenExpiresAt) <= now().getTime()) {
      throw new ConnectorError('auth_expired', 'The OK sign-in has ended (the refresh token is older than 30 days); connect the OK account again');
    }
    if (!options.applicationId || !options.applicationSecretKey) {
      throw new ConnectorError('auth_expired', 'Herald cannot renew the OK access token: HERALD_OK_APPLICATION_ID and HERALD_OK_APPLICATION_SECRET are not set');
    }
    const answer = await okToken(
      ctx,
      tokenUrl,
      { refresh_token: session.refreshToken, client_id: options.applicationId, client_secret: options.applicationSecretKey, grant_type: 'refresh_token' },
      'renew the access token',
      timeoutMs,
    );
    const ttl = num(answer.expires_in);
    const renewed: OkSession = {
      ...session,
      accessToken: answer.access_token,
      accessTokenExpiresAt: new Date(now().getTime() + (ttl ? ttl * 1000 : OK_ACCESS_TOKEN_TTL_MS)).toISOString(),
      // OK's refresh answer carries no new refresh token; keep the one (and the end date) we have.
      refreshToken: typeof answer.refresh_token === 'string' && answer.refresh_token ? answer.refresh_token : session.refreshToken,
    };
    await ctx.saveSession(renewed, { expiresAt: renewed.refreshTokenExpiresAt });
    return renewed;
  }

  /** A session good for the next call: refreshed first when the access token ends within the margin. */
  async function freshSession(st: OkState, ctx: ConnectorContext<OkSession>): Promise<OkSession> {
    const session = st.session ?? sessionFromCredentials(st.credentials);
    const ends = session.accessTokenExpiresAt ? Date.parse(session.accessTokenExpiresAt) : null;
    if (ends !== null && session.refreshToken && ends - now().getTime() <= REFRESH_MARGIN_MS) {
      st.session = await refresh(session, ctx);
      return st.session;
    }
    if (ends !== null && !session.refreshToken && ends <= now().getTime()) {
      throw new ConnectorError('auth_expired', 'The OK access token has expired; connect the OK account again');
    }
    return session;
  }

  /** A signed call in the account's session; OK's session-expired answer renews the token for the next attempt. */
  async function call<T>(
    st: OkState,
    ctx: ConnectorContext<OkSession>,
    method: string,
    params: Record<string, string>,
    opts: { write: boolean; what: string },
  ): Promise<T> {
    const session = await freshSession(st, ctx);
    const signing: OkSigning = { applicationKey: applicationKeyOf(st.credentials), accessToken: session.accessToken, sessionSecretKey: session.sessionSecretKey, applicationSecretKey: options.applicationSecretKey ?? null };
    try {
      return await okCall<T>(ctx, apiBaseUrl, method, params, signing, { write: opts.write, timeoutMs, what: opts.what });
    } catch (e) {
      if (e instanceof OkApiError && e.code === 102 && session.refreshToken) {
        // PARAM_SESSION_EXPIRED means nothing was done; renew now so the worker's next attempt succeeds.
        st.session = await refresh(session, ctx);
        throw new ConnectorError('retryable', `The OK access token expired while trying to ${opts.what}; it has been renewed`, { networkCode: '102', retryAfterMs: 0 });
      }
      throw toConnectorError(e, opts.what, opts.write);
    }
  }

  interface GroupInfo {
    uid?: unknown;
    name?: unknown;
    shortname?: unknown;
    members_count?: unknown;
  }

  async function groupInfo(auth: OkState, ctx: ConnectorContext<OkSession>): Promise<GroupInfo> {
    const gid = auth.credentials.groupId;
    const answer = await call<unknown>(auth, ctx, 'group.getInfo', { uids: gid, fields: 'uid,name,shortname,members_count' }, { write: false, what: `read the OK group ${gid}` });
    const groups = (Array.isArray(answer) ? answer : ((answer as { groups?: unknown } | null)?.groups ?? [])) as GroupInfo[];
    const group = groups.find((g) => str(g.uid) === gid);
    if (!group) throw new ConnectorError('invalid_content', `OK shows no group ${gid} to this account; check the group id and that the account administers the group`);
    return group;
  }

  /** photosV2.getUploadUrl → multipart upload → tokens for the topic's photo list. */
  async function uploadPhotos(auth: OkState, media: MediaItem[], ctx: ConnectorContext<OkSession>): Promise<string[]> {
    const gid = auth.credentials.groupId;
    const target = await call<{ upload_url?: unknown; photo_ids?: unknown }>(auth, ctx, 'photosV2.getUploadUrl', { gid, count: String(media.length) }, { write: false, what: 'start the photo upload' });
    const uploadUrl = str(target.upload_url);
    const photoIds = Array.isArray(target.photo_ids) ? target.photo_ids.map(str) : [];
    if (!uploadUrl || photoIds.length !== media.length || photoIds.some((p) => !p)) {
      throw new ConnectorError('retryable', 'OK answered photosV2.getUploadUrl without an upload URL and one photo id per photo');
    }
    const form = new FormData();
    media.forEach((m, i) => {
      const data = m.data ?? Buffer.alloc(0);
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      form.append(`pic${i + 1}`, new Blob([bytes], { type: m.mimeType }), `photo${i + 1}.${m.mimeType.split('/')[1] ?? 'jpg'}`);
    });
    const res = await okHttp(ctx, uploadUrl, { method: 'POST', body: form }, { write: false, timeoutMs: uploadTimeoutMs, what: 'upload photos' });
    let body: { photos?: Record<string, { token?: unknown }> } & { error_code?: unknown; error_msg?: unknown };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      throw toConnectorError(new OkHttpError(res.status >= 400 ? res.status : 502, res.headers, res.text), 'upload photos', false);
    }
    if (body.error_code !== undefined) throw toConnectorError(new OkApiError(Number(body.error_code), str(body.error_msg) ?? '', null), 'upload photos', false);
    if (res.status >= 400) throw toConnectorError(new OkHttpError(res.status, res.headers, res.text), 'upload photos', false);
    return photoIds.map((id, i) => {
      const token = str(body.photos?.[id!]?.token);
      if (!token) throw new ConnectorError('retryable', `OK's upload answer has no token for photo ${i + 1}`);
      return token;
    });
  }

  /** The attachment JSON of mediatopic.post (https://apiok.ru/dev/methods/rest/mediatopic/mediatopic.post). */
  function attachmentOf(variant: PostVariant, photoTokens: string[]): { media: Array<Record<string, unknown>> } {
    const media: Array<Record<string, unknown>> = [];
    if (variant.text.trim()) media.push({ type: 'text', text: variant.text });
    if (photoTokens.length) media.push({ type: 'photo', list: photoTokens.map((id) => ({ id })) });
    if (variant.link) media.push({ type: 'link', url: variant.link });
    if (variant.poll) {
      const flags = [variant.poll.multiple ? null : 'SingleChoice', variant.options?.anonymousPoll === true ? 'AnonymousVoting' : null].filter((f): f is string => f !== null);
      media.push({ type: 'poll', question: (variant.poll.question ?? '').trim(), answers: variant.poll.options.map((text) => ({ text })), options: flags.join(',') });
    }
    return { media };
  }

  const connector: Connector<OkCredentials, OkSession> = {
    id: 'ok',
    displayName: 'Odnoklassniki',
    // Public groups as competitors need the operator's application (session-less calls).
    ...(options.applicationKey && options.applicationSecretKey
      ? { publicData: createOkPublicData({ apiBaseUrl, applicationKey: options.applicationKey, applicationSecretKey: options.applicationSecretKey, requestTimeoutMs: timeoutMs }) }
      : {}),
    lengthUnit: 'characters',
    credentialFields: [
      { name: 'groupId', label: 'Group id', type: 'text', required: true, placeholder: '70000001234567', help: 'The number in your group address, https://ok.ru/group/<id>' },
      { name: 'accessToken', label: 'Access token', type: 'password', required: true, help: 'OK application settings → "access_token" (or connect with OK sign-in instead)' },
      { name: 'sessionSecretKey', label: 'Session secret key', type: 'password', required: false, help: 'Shown next to the access token in the OK application settings' },
      { name: 'applicationKey', label: 'Application key', type: 'text', required: false, help: 'The public key of your OK application, if Herald is not configured with one' },
    ],
    credentialsSchema,
    limits: { maxConcurrentPerAccount: 1, publishRate: { count: 20, windowMs: 60_000 } },
    supports: { maxMedia: OK_MAX_PHOTOS, mediaTypes: ['image/jpeg', 'image/png', 'image/gif'], polls: true, threads: false },
    optionFields: [
      { name: 'anonymousPoll', label: 'Anonymous voting', type: 'boolean', default: false, help: 'Votes in the poll are not shown by name' },
      { name: 'hiddenPost', label: 'Hidden topic', type: 'boolean', default: false, help: 'Publish as a hidden group topic (not in the group feed)' },
    ],

    oauth: {
      needsServiceUrl: false,
      // OK's OAuth grants a user, not a group: the user names the group before the sign-in.
      startFields: [
        { name: 'groupId', label: 'Group', type: 'text', required: true, placeholder: 'https://ok.ru/group/70000001234567', help: 'The address or numeric id of the OK group Herald posts to; you must administer it' },
      ],
      available() {
        const missing = [
          options.applicationId ? null : 'HERALD_OK_APPLICATION_ID',
          options.applicationKey ? null : 'HERALD_OK_APPLICATION_KEY',
          options.applicationSecretKey ? null : 'HERALD_OK_APPLICATION_SECRET',
        ].filter((x): x is string => x !== null);
        return missing.length ? { ok: false, reason: `OK sign-in needs an OK application: set ${missing.join(', ')}` } : { ok: true };
      },
      async begin({ redirectUri, state, fields }) {
        const groupId = groupIdFrom(fields?.groupId ?? '');
        if (!groupId) throw new ConnectorError('invalid_content', 'Enter the OK group as https://ok.ru/group/<id> or its numeric id');
        if (!options.applicationId) throw new ConnectorError('auth_expired', 'OK sign-in needs HERALD_OK_APPLICATION_ID');
        const url = new URL(oauthBaseUrl);
        url.searchParams.set('client_id', options.applicationId);
        url.searchParams.set('scope', OK_SCOPES.join(';'));
        url.searchParams.set('response_type', 'code');
        url.searchParams.set('redirect_uri', redirectUri);
        url.searchParams.set('layout', 'w');
        url.searchParams.set('state', state);
        return { authorizeUrl: url.toString(), keep: { groupId } };
      },
      async finish({ redirectUri, code, keep }, ctx) {
        if (!options.applicationId || !options.applicationSecretKey) throw new ConnectorError('auth_expired', 'OK sign-in needs HERALD_OK_APPLICATION_ID and HERALD_OK_APPLICATION_SECRET');
        const groupId = groupIdFrom(keep.groupId ?? '');
        if (!groupId) throw new ConnectorError('invalid_content', 'The OK group of this sign-in is unknown; start again with the group address');
        const io: OkIo = { fetch: ctx.fetch, ...(ctx.signal ? { signal: ctx.signal } : {}) };
        const answer = await okToken(
          io,
          tokenUrl,
          { code, client_id: options.applicationId, client_secret: options.applicationSecretKey, redirect_uri: redirectUri, grant_type: 'authorization_code' },
          'finish the OK sign-in',
          timeoutMs,
        );
        if (typeof answer.refresh_token !== 'string' || !answer.refresh_token) throw new ConnectorError('auth_expired', 'OK finished the sign-in without a refresh token; try again');
        const at = now().getTime();
        const ttl = num(answer.expires_in);
        return {
          groupId,
          accessToken: answer.access_token,
          refreshToken: answer.refresh_token,
          accessTokenExpiresAt: new Date(at + (ttl ? ttl * 1000 : OK_ACCESS_TOKEN_TTL_MS)).toISOString(),
          refreshTokenExpiresAt: new Date(at + OK_REFRESH_TOKEN_TTL_MS).toISOString(),
        };
      },
    },

    async connect(credentials, ctx) {
      let saved: OkSession | null = null;
      const inner: ConnectorContext<OkSession> = {
        ...ctx,
        async saveSession(s, meta) {
          saved = s;
          await ctx.saveSession(s, meta);
        },
      };
      const group = await groupInfo({ credentials, session: null }, inner);
      const session = saved ?? sessionFromCredentials(credentials);
      return {
        externalId: credentials.groupId,
        handle: str(group.shortname) ?? credentials.groupId,
        displayName: str(group.name),
        serviceUrl: null,
        session,
        expiresAt: session.refreshToken ? session.refreshTokenExpiresAt : null,
      };
    },

    validate(variant, context) {
      return validateOkVariant(variant, context);
    },

    async publish({ auth, variant }, ctx) {
      const checked = validateOkVariant(variant);
      if (!checked.valid) throw new ConnectorError('invalid_content', checked.errors.map((e) => e.message).join('; '));
      const missing = (variant.media ?? []).findIndex((m) => !m.data);
      if (missing >= 0) throw new ConnectorError('invalid_content', `Photo ${missing + 1} has no data to upload`);
      const st = stateOf(auth);
      const tokens = variant.media?.length ? await uploadPhotos(st, variant.media, ctx) : [];
      const params: Record<string, string> = { gid: auth.credentials.groupId, type: 'GROUP_THEME', attachment: JSON.stringify(attachmentOf(variant, tokens)) };
      if (variant.options?.hiddenPost === true) params.hidden_post = 'true';
      const id = str(await call<unknown>(st, ctx, 'mediatopic.post', params, { write: true, what: 'publish the topic' }));
      if (!id || id === '0') {
        // The docs say unapproved apps get 0: nothing was published.
        throw new ConnectorError('invalid_content', 'OK accepted the topic but returned no topic id (an OK application that is not approved for posting gets 0)');
      }
      return { externalId: id, url: topicUrl(auth.credentials.groupId, id) };
    },

    async delete({ auth, externalId }, ctx) {
      try {
        await call<unknown>(stateOf(auth), ctx, 'mediatopic.deleteTopic', { gid: auth.credentials.groupId, topic_id: externalId }, { write: true, what: 'delete the topic' });
      } catch (e) {
        // Already gone is what delete wants.
        if (e instanceof ConnectorError && e.opts.networkCode === '300') return;
        throw e;
      }
    },

    comments: {
      async fetch({ auth, cursor, posts }, ctx) {
        const anchors: Record<string, string> = (() => {
          try {
            const parsed = cursor ? (JSON.parse(cursor) as { anchors?: Record<string, string> }) : null;
            return parsed?.anchors && typeof parsed.anchors === 'object' ? parsed.anchors : {};
          } catch {
            return {};
          }
        })();
        const recent = [...posts].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)).slice(0, COMMENT_TOPICS);
        const items: InboundMessage[] = [];
        const nextAnchors: Record<string, string> = {};
        const gid = auth.credentials.groupId;
        const st = stateOf(auth);
        for (const post of recent) {
          let anchor = anchors[post.externalId];
          for (let page = 0; page < COMMENT_PAGES; page++) {
            const params: Record<string, string> = { discussionId: post.externalId, discussionType: 'GROUP_TOPIC', count: String(COMMENT_PAGE_SIZE), direction: 'FORWARD' };
            if (anchor) params.anchor = anchor;
            let answer: { comments?: unknown; anchor?: unknown; has_more?: unknown };
            try {
              answer = await call<typeof answer>(st, ctx, 'discussions.getComments', params, { write: false, what: 'read comments' });
            } catch (e) {
              // A topic deleted on OK (NOT_FOUND / PARAM_ENTITY_ID) must not stop the other topics' sync.
              if (e instanceof ConnectorError && (e.opts.networkCode === '300' || e.opts.networkCode === '106')) break;
              throw e;
            }
            const comments = Array.isArray(answer.comments) ? (answer.comments as Array<Record<string, unknown>>) : [];
            for (const c of comments) {
              const id = str(c.id);
              if (!id) continue;
              const replyTo = str(c.reply_to_comment_id);
              items.push({
                externalId: id,
                kind: replyTo ? 'reply' : 'comment',
                parentExternalId: replyTo ?? post.externalId,
                rootExternalId: post.externalId,
                author: { externalId: str(c.author_id) ?? '', handle: str(c.author_id) ?? '', displayName: str(c.author_name) },
                text: typeof c.text === 'string' ? c.text : '',
                url: topicUrl(gid, post.externalId),
                createdAt: okDate(c.date, post.publishedAt),
              });
            }
            const next = str(answer.anchor);
            if (next) anchor = next;
            if (answer.has_more !== true || !next) break;
          }
          if (anchor) nextAnchors[post.externalId] = anchor;
        }
        return { items, cursor: JSON.stringify({ anchors: nextAnchors }) };
      },

      async reply({ auth, parentExternalId, rootExternalId, text }, ctx) {
        const root = rootExternalId ?? parentExternalId;
        const params: Record<string, string> = { discussionId: root, discussionType: 'GROUP_TOPIC', comment: text, as_admin: 'true' };
        if (parentExternalId !== root) params.reply_to_comment_id = parentExternalId;
        const answer = await call<unknown>(stateOf(auth), ctx, 'discussions.comment', params, { write: true, what: 'reply to the comment' });
        const id = str(answer) ?? str((answer as { id?: unknown } | null)?.id);
        if (!id) throw new ConnectorError('retryable', 'OK answered discussions.comment without a comment id', { outcomeUnknown: true });
        return { externalId: id, url: topicUrl(auth.credentials.groupId, root) };
      },
    },

    metrics: {
      async account({ auth }, ctx) {
        const group = await groupInfo(stateOf(auth), ctx);
        return { followers: num(group.members_count) };
      },
      async posts({ auth, externalIds }, ctx) {
        const out: Record<string, PostMetrics> = {};
        const st = stateOf(auth);
        for (let i = 0; i < externalIds.length; i += 100) {
          const ids = externalIds.slice(i, i + 100);
          const answer = await call<{ media_topics?: unknown }>(st, ctx, 'mediatopic.getByIds', { topic_ids: ids.join(','), fields: 'media_topic.*' }, { write: false, what: 'read topic counts' });
          const topics = Array.isArray(answer.media_topics) ? (answer.media_topics as Array<Record<string, unknown>>) : [];
          for (const t of topics) {
            const id = str(t.id);
            if (!id || !ids.includes(id)) continue;
            const likes = num((t.like_summary as { count?: unknown } | undefined)?.count);
            const shares = num((t.reshare_summary as { count?: unknown } | undefined)?.count);
            const comments = num((t.discussion_summary as { comments_count?: unknown } | undefined)?.comments_count);
            out[id] = {
              ...(likes !== null ? { likes } : {}),
              ...(shares !== null ? { shares } : {}),
              ...(comments !== null ? { comments } : {}),
            };
          }
        }
        return out;
      },
    },
  };
  return connector;
}
