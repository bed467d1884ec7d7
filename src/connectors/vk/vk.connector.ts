/**
 * The VKontakte connector: posts on a community wall or the user's own wall through the VK API
 * (version pinned to 5.199), signs in with VK ID (OAuth 2.1 + PKCE, refreshed before expiry) or with
 * a pasted access token, reads comments, replies, deletes and reads counts.
 *
 * Exactly-once: wall.post takes a `guid` ("unique identifier to prevent sending the same post
 * twice"); Herald sends one derived from the target's idempotency key, so a re-send returns the post
 * the first attempt made. For crashes and timeouts the connector also keeps a small journal in the
 * account session (guid → text hash and start time, written right before wall.post); `findPublished`
 * looks for a post on the wall with that text made after that time (wall.get). No journal entry means
 * wall.post was never called for that key.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  ConnectorError,
  type AccountAuth,
  type AccountMetrics,
  type ConnectedAccount,
  type Connector,
  type ConnectorContext,
  type InboundMessage,
  type MediaItem,
  type PostMetrics,
  type PublishResult,
} from '../connector';
import { callVkMethod, vkErrorToConnectorError, VkApiError, sendForJson, type VkIo } from './vk-api';
import { newVkIdState, vkIdAuthorizeUrl, vkIdTokenRequest } from './vk-oauth';
import { validateVkVariant, vkPostOptions, VK_MAX_MEDIA, VK_PHOTO_TYPES } from './vk-validate';
import { createVkPublicData } from './vk-public';
import { vkDirectMessages, vkModeration } from './vk-direct-messages';

export { VK_API_VERSION, VK_ERROR_TABLE } from './vk-api';

/** Credentials from the VK ID sign-in (made by `oauth.finish`). */
export interface VkIdCredentials {
  kind: 'vkid';
  accessToken: string;
  refreshToken: string;
  deviceId: string;
  userId: number;
  accessExpiresAt: string;
  refreshExpiresAt: string;
  /** Community to post to (id, screen name or address); absent = the user's own wall. */
  community?: string | undefined;
}

/** A pasted access token: a community token (with the community) or a user token. */
export interface VkTokenCredentials {
  kind?: 'token' | undefined;
  accessToken: string;
  community?: string | undefined;
  /** When a user token expires (ISO); absent for community tokens, which do not expire. */
  expiresAt?: string | undefined;
}

export type VkCredentials = VkIdCredentials | VkTokenCredentials;

/** What Herald keeps (sealed) between calls: the newest tokens and the publish journal. */
export interface VkSession {
  accessToken: string;
  refreshToken: string | null;
  deviceId: string | null;
  userId: number | null;
  accessExpiresAt: string | null;
  refreshExpiresAt: string | null;
  /** guid → what was being posted and when, for findPublished. */
  pending?: Record<string, { textHash: string; startedAt: string }>;
}

/** Endpoints and the VK ID app (from Herald's configuration). */
export interface VkConnectorOptions {
  apiBaseUrl?: string;
  idBaseUrl?: string;
  clientId?: string;
  /** Not sent: VK ID's PKCE code exchange needs no secret. Kept for apps that may need it later. */
  clientSecret?: string;
  /** Timeout for one API call (default 15 s). */
  requestTimeoutMs?: number;
  /** Timeout for one photo upload (default 60 s). */
  uploadTimeoutMs?: number;
  /** Refresh the access token when it has less than this left (default 5 minutes). */
  refreshMarginMs?: number;
  /** The app's service token: enables reading public communities (competitors, `publicData`). */
  serviceToken?: string;
}

const COMMUNITY_HELP = 'The community to post to: its address (https://vk.com/club123 or https://vk.com/name), screen name or id. Leave empty to post on your own wall.';

const communityField = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined))
  .refine((v) => v === undefined || parseCommunity(v) !== null, 'Enter the community as https://vk.com/club123, https://vk.com/name, a screen name or a number');

const tokenCredentialsSchema = z.object({
  kind: z.literal('token').optional(),
  accessToken: z.string().trim().min(1, 'Enter a VK access token'),
  community: communityField,
  expiresAt: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || Number.isFinite(Date.parse(v)), 'The expiry must be a date and time such as 2026-12-31T12:00:00Z'),
});

const vkIdCredentialsSchema = z.object({
  kind: z.literal('vkid'),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  deviceId: z.string().min(1),
  userId: z.number().int().positive(),
  accessExpiresAt: z.string(),
  refreshExpiresAt: z.string(),
  community: communityField,
});

const credentialsSchema = z.union([vkIdCredentialsSchema, tokenCredentialsSchema]);

/** Accepts club123, public123, event123, -123, 123, vk.com/…, or a screen name; null if none of these. */
export function parseCommunity(raw: string): string | null {
  let v = raw.trim();
  const m = /^(?:https?:\/\/)?(?:m\.)?vk\.(?:com|ru)\/([^/?#]+)\/?(?:[?#].*)?$/i.exec(v);
  if (m) v = m[1]!;
  const num = /^(?:club|public|event|-)?(\d+)$/i.exec(v);
  if (num) return num[1]!;
  if (/^[a-z0-9_.]{2,64}$/i.test(v)) return v;
  return null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The wall.post guid for a target: stable across attempts, not the key itself. */
export function vkGuid(idempotencyKey: string): string {
  return `herald-${sha256(`vk-guid:${idempotencyKey}`).slice(0, 40)}`;
}

/** "-123_456" → owner −123, item 456. */
function parseWallId(id: string): { ownerId: number; itemId: number } | null {
  const m = /^(-?\d+)_(\d+)$/.exec(id);
  return m ? { ownerId: Number(m[1]), itemId: Number(m[2]) } : null;
}

/** "-123_456_789" → the comment 789 under post 456 on wall −123. */
function parseCommentId(id: string): { ownerId: number; postId: number; commentId: number } | null {
  const m = /^(-?\d+)_(\d+)_(\d+)$/.exec(id);
  return m ? { ownerId: Number(m[1]), postId: Number(m[2]), commentId: Number(m[3]) } : null;
}

const postUrl = (ownerId: number, postId: number) => `https://vk.com/wall${ownerId}_${postId}`;

function sessionFromCredentials(c: VkCredentials): VkSession {
  if (c.kind === 'vkid') {
    return { accessToken: c.accessToken, refreshToken: c.refreshToken, deviceId: c.deviceId, userId: c.userId, accessExpiresAt: c.accessExpiresAt, refreshExpiresAt: c.refreshExpiresAt };
  }
  return { accessToken: c.accessToken, refreshToken: null, deviceId: null, userId: null, accessExpiresAt: c.expiresAt ?? null, refreshExpiresAt: null };
}

/** When the account stops working without the user: refresh token expiry, else the token's own. */
function accountExpiry(s: VkSession): string | null {
  if (s.refreshToken) return s.refreshExpiresAt;
  return s.accessExpiresAt;
}

/** Plain text of a VK comment: "[id1|Name]" / "[club1|Name]" mentions become "Name". */
function plainText(t: string): string {
  return t.replace(/\[((?:id|club|public|event)\d+|[a-z0-9_.]+)\|([^\]]*)\]/gi, '$2');
}

interface ResolvedOptions {
  apiBaseUrl: string;
  idBaseUrl: string;
  clientId: string | null;
  requestTimeoutMs: number;
  uploadTimeoutMs: number;
  refreshMarginMs: number;
}

/** One account's calls: keeps the session fresh and maps errors. */
class VkClient {
  session: VkSession;
  private refreshedThisCall = false;

  constructor(
    readonly ctx: ConnectorContext<VkSession>,
    readonly opts: ResolvedOptions,
    session: VkSession,
  ) {
    this.session = session;
  }

  io(timeoutMs = this.opts.requestTimeoutMs): VkIo {
    return { fetch: this.ctx.fetch, signal: this.ctx.signal, timeoutMs };
  }

  private needsRefresh(): boolean {
    if (!this.session.refreshToken || !this.session.accessExpiresAt) return false;
    return Date.parse(this.session.accessExpiresAt) - Date.now() < this.opts.refreshMarginMs;
  }

  /** Swaps the refresh token for a new pair and saves it before anything else happens. */
  async refresh(): Promise<void> {
    const s = this.session;
    if (!s.refreshToken || !s.deviceId) throw new ConnectorError('auth_expired', 'The VK token expired and cannot be renewed; reconnect the account');
    if (!this.opts.clientId) {
      throw new ConnectorError('auth_expired', 'The VK token needs renewing but no VK ID app is configured (HERALD_VK_CLIENT_ID); configure it or reconnect with a fresh token');
    }
    const t = await vkIdTokenRequest(
      this.io(),
      this.opts.idBaseUrl,
      { grant_type: 'refresh_token', refresh_token: s.refreshToken, client_id: this.opts.clientId, device_id: s.deviceId, state: newVkIdState() },
      'renew the VK sign-in',
    );
    this.session = { ...s, accessToken: t.accessToken, refreshToken: t.refreshToken, accessExpiresAt: t.accessExpiresAt, refreshExpiresAt: t.refreshExpiresAt, userId: t.userId };
    this.refreshedThisCall = true;
    await this.ctx.saveSession(this.session, { expiresAt: t.refreshExpiresAt });
  }

  /** Calls a method with a fresh token; one refresh-and-retry when VK says the token is invalid. */
  async call<T>(method: string, params: Record<string, string | number | boolean | undefined>, opts: { write: boolean; what: string }): Promise<T> {
    if (this.needsRefresh()) await this.refresh();
    try {
      return await callVkMethod<T>(this.io(), this.opts.apiBaseUrl, method, params, this.session.accessToken, opts);
    } catch (e) {
      // Error 5 means the call was refused before doing anything, so repeating it is safe.
      if (e instanceof VkApiError && e.code === 5 && this.session.refreshToken && !this.refreshedThisCall) {
        await this.refresh();
        return callVkMethod<T>(this.io(), this.opts.apiBaseUrl, method, params, this.session.accessToken, opts);
      }
      throw e;
    }
  }

  async saveJournal(update: (p: NonNullable<VkSession['pending']>) => void): Promise<void> {
    const pending = { ...(this.session.pending ?? {}) };
    const weekAgo = Date.now() - 7 * 24 * 3_600_000;
    for (const [k, v] of Object.entries(pending)) if (Date.parse(v.startedAt) < weekAgo) delete pending[k];
    update(pending);
    this.session = { ...this.session, pending };
    await this.ctx.saveSession(this.session);
  }
}

interface VkGroup {
  id: number;
  name?: string;
  screen_name?: string;
  is_admin?: number;
  is_closed?: number;
  deactivated?: string;
  members_count?: number;
}
interface VkUser {
  id: number;
  first_name?: string;
  last_name?: string;
  screen_name?: string;
  deactivated?: string;
  followers_count?: number;
}
interface VkWallItem {
  id: number;
  owner_id: number;
  date?: number;
  text?: string;
  likes?: { count?: number };
  reposts?: { count?: number };
  views?: { count?: number };
  comments?: { count?: number };
}
interface VkComment {
  id: number;
  from_id: number;
  post_id?: number;
  owner_id?: number;
  date: number;
  text?: string;
  deleted?: boolean;
  reply_to_comment?: number;
  parents_stack?: number[];
  thread?: { count?: number; items?: VkComment[] };
}

async function fetchGroup(client: VkClient, community: string, what: string): Promise<VkGroup> {
  const r = await client.call<{ groups?: VkGroup[] }>('groups.getById', { group_id: community, fields: 'members_count' }, { write: false, what });
  const g = r.groups?.[0];
  if (!g) throw new ConnectorError('disconnected', `VK does not know the community "${community}"`);
  return g;
}

/** Builds a VK connector; the lead wires the configured instance into the registry. */
export function createVkConnector(options: VkConnectorOptions = {}): Connector<VkCredentials, VkSession> {
  const opts: ResolvedOptions = {
    apiBaseUrl: (options.apiBaseUrl ?? 'https://api.vk.com/method').replace(/\/+$/, ''),
    idBaseUrl: (options.idBaseUrl ?? 'https://id.vk.com').replace(/\/+$/, ''),
    clientId: options.clientId?.trim() || null,
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 60_000,
    refreshMarginMs: options.refreshMarginMs ?? 5 * 60_000,
  };

  const clientFor = (auth: AccountAuth<VkCredentials, VkSession>, ctx: ConnectorContext<VkSession>) =>
    new VkClient(ctx, opts, auth.session ?? sessionFromCredentials(auth.credentials));

  /** The wall owner (negative for a community) from the account's external id. */
  const ownerOf = (auth: AccountAuth<VkCredentials, VkSession>): number => {
    const n = Number(auth.externalId);
    if (!Number.isInteger(n) || n === 0) throw new ConnectorError('disconnected', `The VK account's stored wall id "${auth.externalId}" is not usable; reconnect it`);
    return n;
  };

  async function uploadPhotos(client: VkClient, ownerId: number, media: MediaItem[]): Promise<string[]> {
    if (media.length === 0) return [];
    const groupId = ownerId < 0 ? -ownerId : undefined;
    const server = await client.call<{ upload_url?: string }>('photos.getWallUploadServer', { group_id: groupId }, { write: false, what: 'get a photo upload address' });
    if (typeof server.upload_url !== 'string') throw new ConnectorError('retryable', 'VK gave no photo upload address');
    const out: string[] = [];
    for (const [i, m] of media.entries()) {
      if (!m.data) throw new ConnectorError('invalid_content', `Photo ${i + 1} has no data to upload`);
      const form = new FormData();
      const ext = m.mimeType === 'image/png' ? 'png' : m.mimeType === 'image/gif' ? 'gif' : 'jpg';
      form.set('photo', new Blob([new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength)], { type: m.mimeType }), `photo${i + 1}.${ext}`);
      // The upload server is VK's too: it answers {server, photo, hash} or {error}.
      const up = (await sendForJson(client.io(opts.uploadTimeoutMs), server.upload_url, { body: form, write: false, what: `upload photo ${i + 1}` })) as {
        server?: number | string;
        photo?: string;
        hash?: string;
        error?: unknown;
      };
      if (!up || typeof up.photo !== 'string' || up.photo === '' || up.photo === '[]' || up.server === undefined || typeof up.hash !== 'string') {
        throw new ConnectorError('invalid_content', `VK's upload server did not accept photo ${i + 1}${up && typeof up.error === 'string' ? ` (${up.error})` : ''}`);
      }
      const saved = await client.call<Array<{ id: number; owner_id: number }>>(
        'photos.saveWallPhoto',
        {
          ...(groupId ? { group_id: groupId } : { user_id: ownerId }),
          photo: up.photo,
          server: up.server,
          hash: up.hash,
          caption: m.alt ? m.alt.slice(0, 2048) : undefined,
        },
        { write: false, what: `save photo ${i + 1}` },
      );
      const p = saved[0];
      if (!p) throw new ConnectorError('retryable', `VK did not save photo ${i + 1}`);
      out.push(`photo${p.owner_id}_${p.id}`);
    }
    return out;
  }

  async function findOnWall(client: VkClient, ownerId: number, entry: { textHash: string; startedAt: string }): Promise<VkWallItem | null> {
    const since = Math.floor(Date.parse(entry.startedAt) / 1000) - 120;
    const r = await client.call<{ items?: VkWallItem[] }>('wall.get', { owner_id: ownerId, count: 50, filter: 'all' }, { write: false, what: 'look for the post on the wall' });
    return (r.items ?? []).find((p) => (p.date ?? 0) >= since && sha256(p.text ?? '') === entry.textHash) ?? null;
  }

  return {
    id: 'vk',
    displayName: 'VK',
    lengthUnit: 'characters',
    credentialFields: [
      {
        name: 'accessToken',
        label: 'Access token',
        type: 'password',
        required: true,
        help: 'Prefer "Connect with VK ID". Otherwise paste a user access token with wall, photos and groups rights, or a community token (Community → Manage → API usage → Access tokens) for reading comments and counts.',
      },
      { name: 'community', label: 'Community', type: 'text', required: false, placeholder: 'https://vk.com/club123', help: COMMUNITY_HELP },
      { name: 'expiresAt', label: 'Token expires at', type: 'text', required: false, placeholder: '2026-12-31T12:00:00Z', help: 'Only for user tokens that expire; community tokens do not.' },
    ],
    credentialsSchema: credentialsSchema as z.ZodType<VkCredentials>,
    limits: {
      // One at a time per account: VK ID refresh tokens are single-use, so two refreshes must not race.
      maxConcurrentPerAccount: 1,
      // VK limits a wall to 50 posts a day (error 214 names the daily limit); Herald stays within it.
      publishRate: { count: 50, windowMs: 24 * 3_600_000 },
      // "3 requests per second" per user token (dev.vk.com/ru/api/api-requests).
      groupRate: { count: 3, windowMs: 1_000 },
    },
    supports: { maxMedia: VK_MAX_MEDIA, mediaTypes: [...VK_PHOTO_TYPES], polls: true, threads: false },
    // Without the operator's service token there is no way to read other communities' walls.
    ...(options.serviceToken ? { publicData: createVkPublicData({ apiBaseUrl: opts.apiBaseUrl, serviceToken: options.serviceToken, requestTimeoutMs: opts.requestTimeoutMs }) } : {}),
    optionFields: [
      { name: 'fromGroup', label: 'Post as the community', type: 'boolean', default: true, help: 'Community walls only: the post appears under the community name.' },
      { name: 'signed', label: 'Sign with the author', type: 'boolean', default: false, help: 'Community posts only: adds the posting user\'s name (needs "Post as the community").' },
      { name: 'closeComments', label: 'Close comments', type: 'boolean', default: false },
      { name: 'muteNotifications', label: 'No notifications', type: 'boolean', default: false, help: 'Subscribers are not notified about this post.' },
    ],

    rateGroup(auth) {
      const c = auth.credentials;
      // A user's calls share one budget across every wall they post to; never the token itself.
      if (c.kind === 'vkid') return `vk:user:${c.userId}`;
      return `vk:token:${sha256(c.accessToken).slice(0, 24)}`;
    },

    oauth: {
      available() {
        return opts.clientId ? { ok: true } : { ok: false, reason: 'VK ID sign-in is not configured: set HERALD_VK_CLIENT_ID to the ID of your VK ID app (id.vk.com → your app)' };
      },
      needsServiceUrl: false,
      startFields: [{ name: 'community', label: 'Community', type: 'text', required: false, placeholder: 'https://vk.com/club123', help: COMMUNITY_HELP }],
      async begin(input) {
        if (!opts.clientId) throw new ConnectorError('disconnected', 'VK ID sign-in is not configured (HERALD_VK_CLIENT_ID)');
        const community = input.fields?.community?.trim() ?? '';
        if (community && parseCommunity(community) === null) {
          throw new ConnectorError('invalid_content', 'Enter the community as https://vk.com/club123, https://vk.com/name, a screen name or a number');
        }
        return {
          authorizeUrl: vkIdAuthorizeUrl(opts.idBaseUrl, { clientId: opts.clientId, redirectUri: input.redirectUri, state: input.state, codeChallenge: input.codeChallenge }),
          keep: { state: input.state, ...(community ? { community } : {}) },
        };
      },
      async finish(input, ctx): Promise<VkCredentials> {
        if (!opts.clientId) throw new ConnectorError('disconnected', 'VK ID sign-in is not configured (HERALD_VK_CLIENT_ID)');
        const deviceId = input.params.device_id;
        if (!deviceId) throw new ConnectorError('invalid_content', 'VK ID returned without a device_id; start the sign-in again');
        const t = await vkIdTokenRequest(
          { fetch: ctx.fetch, signal: ctx.signal, timeoutMs: opts.requestTimeoutMs },
          opts.idBaseUrl,
          {
            grant_type: 'authorization_code',
            code: input.code,
            code_verifier: input.codeVerifier,
            redirect_uri: input.redirectUri,
            client_id: opts.clientId,
            device_id: deviceId,
            state: input.params.state ?? input.keep.state ?? newVkIdState(),
          },
          'finish the VK ID sign-in',
        );
        return {
          kind: 'vkid',
          accessToken: t.accessToken,
          refreshToken: t.refreshToken,
          deviceId,
          userId: t.userId,
          accessExpiresAt: t.accessExpiresAt,
          refreshExpiresAt: t.refreshExpiresAt,
          ...(input.keep.community ? { community: input.keep.community } : {}),
        };
      },
    },

    async connect(credentials, ctx): Promise<ConnectedAccount<VkSession>> {
      const client = new VkClient(ctx, opts, sessionFromCredentials(credentials));
      try {
        const community = credentials.community ? parseCommunity(credentials.community) : null;
        if (credentials.community && community === null) throw new ConnectorError('invalid_content', `"${credentials.community}" is not a VK community address`);
        let account: Omit<ConnectedAccount<VkSession>, 'session' | 'expiresAt'>;
        if (community) {
          const g = await fetchGroup(client, community, 'look up the community');
          if (g.deactivated) throw new ConnectorError('disconnected', `The VK community "${g.name ?? community}" is ${g.deactivated}`);
          // is_admin is only reported to user tokens; a community token is its community's own.
          if (g.is_admin === 0) throw new ConnectorError('disconnected', `This VK account does not manage the community "${g.name ?? community}"; ask its owner to make you an editor`);
          account = { externalId: String(-g.id), handle: g.screen_name ?? `club${g.id}`, displayName: g.name ?? null, serviceUrl: null };
        } else {
          const users = await client.call<VkUser[]>('users.get', { fields: 'screen_name' }, { write: false, what: 'look up the VK profile' });
          const u = users[0];
          if (!u) throw new ConnectorError('invalid_content', 'VK returned no profile for this token; a community token needs the community filled in');
          if (u.deactivated) throw new ConnectorError('disconnected', `The VK profile is ${u.deactivated}`);
          const name = [u.first_name, u.last_name].filter(Boolean).join(' ');
          account = { externalId: String(u.id), handle: u.screen_name ?? `id${u.id}`, displayName: name || null, serviceUrl: null };
        }
        return { ...account, session: client.session, expiresAt: accountExpiry(client.session) };
      } catch (e) {
        throw vkErrorToConnectorError(e, 'connect the VK account', false);
      }
    },

    validate: validateVkVariant,

    async publish(input, ctx): Promise<PublishResult> {
      const check = validateVkVariant(input.variant);
      if (!check.valid) throw new ConnectorError('invalid_content', check.errors.map((e) => e.message).join('; '));
      const client = clientFor(input.auth, ctx);
      const ownerId = ownerOf(input.auth);
      const v = input.variant;
      const o = vkPostOptions(v.options);
      const guid = vkGuid(input.idempotencyKey);
      const message = v.text ?? '';
      try {
        const attachments = await uploadPhotos(client, ownerId, v.media ?? []);
        if (v.poll) {
          let endDate: number | undefined;
          if (v.poll.durationSeconds) {
            const base = Math.max(Date.now(), Date.parse(input.createdAt) || 0);
            endDate = Math.floor(base / 1000) + v.poll.durationSeconds;
          }
          const poll = await client.call<{ id: number; owner_id: number }>(
            'polls.create',
            {
              question: (v.poll.question ?? '').trim(),
              add_answers: JSON.stringify(v.poll.options.map((a) => a.trim())),
              is_multiple: v.poll.multiple === true,
              end_date: endDate,
              owner_id: ownerId,
            },
            // A poll left over from a failed attempt is attached to nothing and harmless.
            { write: false, what: 'create the poll' },
          );
          attachments.push(`poll${poll.owner_id}_${poll.id}`);
        }
        if (v.link) attachments.push(v.link);
        await client.saveJournal((p) => {
          p[guid] = { textHash: sha256(message), startedAt: new Date().toISOString() };
        });
        const community = ownerId < 0;
        const r = await client.call<{ post_id: number }>(
          'wall.post',
          {
            owner_id: ownerId,
            from_group: community ? o.fromGroup : undefined,
            signed: community && o.fromGroup ? o.signed : undefined,
            message: message || undefined,
            attachments: attachments.length ? attachments.join(',') : undefined,
            close_comments: o.closeComments || undefined,
            mute_notifications: o.muteNotifications || undefined,
            guid,
          },
          { write: true, what: 'publish the post' },
        );
        if (typeof r.post_id !== 'number') throw new ConnectorError('retryable', 'VK answered wall.post without a post id', { outcomeUnknown: true });
        await client.saveJournal((p) => {
          delete p[guid];
        });
        return { externalId: `${ownerId}_${r.post_id}`, url: postUrl(ownerId, r.post_id) };
      } catch (e) {
        throw vkErrorToConnectorError(e, 'publish the post', true);
      }
    },

    async findPublished(input, ctx): Promise<PublishResult | null> {
      const client = clientFor(input.auth, ctx);
      const entry = client.session.pending?.[vkGuid(input.idempotencyKey)];
      if (!entry) return null;
      const ownerId = ownerOf(input.auth);
      try {
        const found = await findOnWall(client, ownerId, entry);
        return found ? { externalId: `${found.owner_id}_${found.id}`, url: postUrl(found.owner_id, found.id) } : null;
      } catch (e) {
        throw vkErrorToConnectorError(e, 'check whether the post exists', false);
      }
    },

    async delete(input, ctx): Promise<void> {
      const id = parseWallId(input.externalId);
      if (!id) throw new ConnectorError('invalid_content', `"${input.externalId}" is not the id of a VK wall post`);
      if (id.ownerId !== ownerOf(input.auth)) throw new ConnectorError('invalid_content', `The post ${input.externalId} is on another wall`);
      const client = clientFor(input.auth, ctx);
      try {
        await client.call<number>('wall.delete', { owner_id: id.ownerId, post_id: id.itemId }, { write: true, what: 'delete the post' });
      } catch (e) {
        // 104 "Not found": already gone, which is what was asked for.
        if (e instanceof VkApiError && e.code === 104) return;
        throw vkErrorToConnectorError(e, 'delete the post', true);
      }
    },

    comments: {
      async fetch(input, ctx) {
        const client = clientFor(input.auth, ctx);
        const ownerId = ownerOf(input.auth);
        // Cursor: the highest comment id seen per post ("owner_post" → id). Comment ids grow on a wall.
        let seen: Record<string, number> = {};
        if (input.cursor) {
          try {
            const c = JSON.parse(input.cursor) as { v?: number; last?: Record<string, number> };
            if (c.v === 1 && c.last && typeof c.last === 'object') seen = { ...c.last };
          } catch {
            seen = {};
          }
        }
        const items: InboundMessage[] = [];
        const next: Record<string, number> = {};
        try {
          for (const post of input.posts) {
            const id = parseWallId(post.externalId);
            if (!id || id.ownerId !== ownerId) continue;
            const key = `${id.ownerId}_${id.itemId}`;
            const last = seen[key] ?? 0;
            let max = last;
            const names = new Map<number, { handle: string; displayName: string | null }>();
            const collected: VkComment[] = [];
            // Newest first, page by page, until a page reaches comments already seen.
            for (let page = 0, offset = 0; page < 10; page++) {
              const r = await client.call<{ items?: VkComment[]; profiles?: VkUser[]; groups?: VkGroup[]; count?: number }>(
                'wall.getComments',
                { owner_id: id.ownerId, post_id: id.itemId, sort: 'desc', count: 100, offset, extended: 1, fields: 'screen_name', thread_items_count: 10, preview_length: 0 },
                { write: false, what: 'read comments' },
              );
              for (const u of r.profiles ?? []) names.set(u.id, { handle: u.screen_name ?? `id${u.id}`, displayName: [u.first_name, u.last_name].filter(Boolean).join(' ') || null });
              for (const g of r.groups ?? []) names.set(-g.id, { handle: g.screen_name ?? `club${g.id}`, displayName: g.name ?? null });
              const list = r.items ?? [];
              let reachedOld = false;
              for (const c of list) {
                if (c.id > last) collected.push(c);
                else reachedOld = true;
                for (const t of c.thread?.items ?? []) if (t.id > last) collected.push({ ...t, reply_to_comment: t.reply_to_comment ?? c.id, parents_stack: t.parents_stack ?? [c.id] });
              }
              offset += list.length;
              if (reachedOld || list.length < 100 || offset >= (r.count ?? 0)) break;
            }
            for (const c of collected) {
              max = Math.max(max, c.id);
              if (c.from_id === ownerId) continue; // the wall's own answers are not inbound
              const who = names.get(c.from_id) ?? { handle: c.from_id > 0 ? `id${c.from_id}` : `club${-c.from_id}`, displayName: null };
              const parentComment = c.reply_to_comment ?? c.parents_stack?.[c.parents_stack.length - 1];
              items.push({
                externalId: `${id.ownerId}_${id.itemId}_${c.id}`,
                kind: parentComment ? 'reply' : 'comment',
                parentExternalId: parentComment ? `${id.ownerId}_${id.itemId}_${parentComment}` : key,
                rootExternalId: key,
                author: { externalId: String(c.from_id), handle: who.handle, displayName: who.displayName },
                text: plainText(c.text ?? ''),
                url: `${postUrl(id.ownerId, id.itemId)}?reply=${c.id}`,
                createdAt: new Date(c.date * 1000).toISOString(),
                ...(c.deleted ? { deleted: true } : {}),
              });
            }
            next[key] = max;
          }
        } catch (e) {
          throw vkErrorToConnectorError(e, 'read comments', false);
        }
        // Posts no longer in the list drop out of the cursor, which keeps it small.
        return { items, cursor: JSON.stringify({ v: 1, last: next }) };
      },

      async reply(input, ctx): Promise<PublishResult> {
        const ownerId = ownerOf(input.auth);
        const asComment = parseCommentId(input.parentExternalId);
        const asPost = asComment ? null : parseWallId(input.parentExternalId);
        const target = asComment ? { ownerId: asComment.ownerId, postId: asComment.postId } : asPost ? { ownerId: asPost.ownerId, postId: asPost.itemId } : null;
        if (!target) throw new ConnectorError('invalid_content', `"${input.parentExternalId}" is not a VK post or comment id`);
        if (target.ownerId !== ownerId) throw new ConnectorError('invalid_content', 'Herald answers only on the connected wall');
        const client = clientFor(input.auth, ctx);
        try {
          const r = await client.call<{ comment_id: number }>(
            'wall.createComment',
            {
              owner_id: target.ownerId,
              post_id: target.postId,
              message: input.text,
              reply_to_comment: asComment ? asComment.commentId : undefined,
              // For communities, answer as the community (from_group takes the community id).
              from_group: target.ownerId < 0 ? -target.ownerId : undefined,
              guid: vkGuid(`reply:${input.idempotencyKey}`),
            },
            { write: true, what: 'reply to the comment' },
          );
          return { externalId: `${target.ownerId}_${target.postId}_${r.comment_id}`, url: `${postUrl(target.ownerId, target.postId)}?reply=${r.comment_id}` };
        } catch (e) {
          throw vkErrorToConnectorError(e, 'reply to the comment', true);
        }
      },
    },

    // Community messages and comment moderation: src/connectors/vk/vk-direct-messages.ts.
    directMessages: vkDirectMessages({ clientFor, ownerOf }),
    moderation: vkModeration({ clientFor, ownerOf }),

    metrics: {
      async account(input, ctx): Promise<AccountMetrics> {
        const client = clientFor(input.auth, ctx);
        const ownerId = ownerOf(input.auth);
        try {
          if (ownerId < 0) {
            const g = await fetchGroup(client, String(-ownerId), 'read the member count');
            return { followers: typeof g.members_count === 'number' ? g.members_count : null };
          }
          const users = await client.call<VkUser[]>('users.get', { user_ids: ownerId, fields: 'followers_count' }, { write: false, what: 'read the follower count' });
          const n = users[0]?.followers_count;
          return { followers: typeof n === 'number' ? n : null };
        } catch (e) {
          throw vkErrorToConnectorError(e, 'read the account counts', false);
        }
      },
      async posts(input, ctx): Promise<Record<string, PostMetrics>> {
        const client = clientFor(input.auth, ctx);
        const ids = input.externalIds.filter((x) => parseWallId(x) !== null);
        const out: Record<string, PostMetrics> = {};
        try {
          for (let i = 0; i < ids.length; i += 100) {
            const r = await client.call<{ items?: VkWallItem[] }>('wall.getById', { posts: ids.slice(i, i + 100).join(',') }, { write: false, what: 'read post counts' });
            for (const p of r.items ?? []) {
              const n = (x: { count?: number } | undefined) => (typeof x?.count === 'number' ? x.count : null);
              out[`${p.owner_id}_${p.id}`] = { likes: n(p.likes), shares: n(p.reposts), views: n(p.views), comments: n(p.comments) };
            }
          }
        } catch (e) {
          throw vkErrorToConnectorError(e, 'read post counts', false);
        }
        return out;
      },
    },
  };
}
