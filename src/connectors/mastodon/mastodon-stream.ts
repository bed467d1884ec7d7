/**
 * Mastodon's `stream` capability: the streaming API's notification stream
 * (`GET /api/v1/streaming/user/notification`, server-sent events, docs.joinmastodon.org/methods/streaming)
 * with the account's token, one connection per account.
 *
 * - The streaming server's address comes from `GET /api/v2/instance` (`configuration.urls.streaming`)
 *   or `GET /api/v1/instance` (`urls.streaming_api`), a wss:// URL whose host also serves the SSE
 *   endpoints over https, and falls back to the server itself.
 * - Events: `notification` of type `mention` → a reply (when it answers the account) or a mention,
 *   shaped exactly like the polling `comments.fetch` items (same status ids); `status.update` of a
 *   status that mentions or answers the account → the edited text; `delete` → the status id as
 *   deleted. Other events and notification types are ignored; comment lines (the `:thump` heartbeat)
 *   only prove the connection is alive.
 * - The stream cannot resume (`resumable: false`): Herald polls right after every (re)connect, which
 *   also back-fills replies that do not mention the account (polling reads them under the posts).
 * - Silence (not even a heartbeat) for `idleTimeoutMs` ends the connection as retryable; a server
 *   without the streaming API (404) is retried only after `missingRetryMs`.
 */
import { ConnectorError, type InboundMessage, type StreamBatch, type StreamCapability } from '../connector';
import { htmlToText, normaliseServerUrl } from './mastodon-api';
import type { MastodonCredentials, MastodonSession } from './mastodon.connector';

/** Tunables of the streaming connection. */
export interface MastodonStreamOptions {
  /** No bytes (events or heartbeats) for this long ends the connection (default 90 s; servers beat every ~15 s). */
  idleTimeoutMs?: number;
  /** Timeout of the connect and of the instance look-up (default 15 s). */
  connectTimeoutMs?: number;
  /** When the server has no streaming API, wait this long before asking again (default 1 hour). */
  missingRetryMs?: number;
}

interface StreamAccount {
  id?: unknown;
  acct?: unknown;
  display_name?: unknown;
  followers_count?: unknown;
}

interface StreamStatus {
  id?: unknown;
  url?: unknown;
  uri?: unknown;
  created_at?: unknown;
  edited_at?: unknown;
  in_reply_to_id?: unknown;
  in_reply_to_account_id?: unknown;
  content?: unknown;
  spoiler_text?: unknown;
  language?: unknown;
  account?: StreamAccount;
  mentions?: Array<{ id?: unknown }>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function iso(v: unknown): string | null {
  const s = str(v);
  const ms = s ? Date.parse(s) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * A status as the inbound message of account `ourId` (the same shape `comments.fetch` gives for a
 * mention notification: a reply when it answers the account, otherwise a mention), or null when it is
 * the account's own status or malformed.
 */
export function statusToInbound(s: StreamStatus, ourId: string): InboundMessage | null {
  const id = str(s.id);
  const authorId = str(s.account?.id);
  const createdAt = iso(s.created_at);
  if (!id || !authorId || !createdAt || authorId === ourId) return null;
  const spoiler = str(s.spoiler_text);
  const followers = s.account?.followers_count;
  return {
    externalId: id,
    kind: s.in_reply_to_account_id === ourId ? 'reply' : 'mention',
    parentExternalId: str(s.in_reply_to_id),
    rootExternalId: null,
    author: { externalId: authorId, handle: str(s.account?.acct) ?? authorId, displayName: str(s.account?.display_name), followers: typeof followers === 'number' && Number.isFinite(followers) ? followers : null },
    text: [spoiler ? `[${spoiler}]` : '', htmlToText(typeof s.content === 'string' ? s.content : '')].filter(Boolean).join('\n'),
    url: str(s.url) ?? str(s.uri),
    createdAt,
    lang: str(s.language),
    editedAt: iso(s.edited_at),
  };
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits a server-sent event stream into events (the WHATWG rules the streaming API follows: `event:`
 * and `data:` fields, several data lines joined by newlines, a blank line dispatches, lines starting
 * with `:` are comments). Keeps state across chunks; `push` returns the events completed so far.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
    }
    return out;
  }
}

/** One event as a batch for account `accountId` (null when it is nothing for the inbox). */
export function eventToBatch(e: SseEvent, accountId: string, ourId: string): StreamBatch | null {
  if (e.event === 'delete') {
    const id = e.data.trim();
    return id ? { items: [], deleted: [id], cursor: null } : null;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(e.data);
  } catch {
    return null;
  }
  if (!payload || typeof payload !== 'object') return null;
  if (e.event === 'notification') {
    const n = payload as { type?: unknown; status?: StreamStatus | null };
    if (n.type !== 'mention' || !n.status) return null;
    const m = statusToInbound(n.status, ourId);
    return m ? { items: [{ accountId, message: m }], cursor: null } : null;
  }
  if (e.event === 'status.update') {
    const s = payload as StreamStatus;
    const concernsUs = s.in_reply_to_account_id === ourId || (Array.isArray(s.mentions) && s.mentions.some((x) => x?.id === ourId));
    const m = concernsUs ? statusToInbound(s, ourId) : null;
    return m ? { items: [{ accountId, message: m }], cursor: null } : null;
  }
  return null;
}

/** Builds the capability (the Mastodon connector gets one in the default registry). */
export function createMastodonStream(options: MastodonStreamOptions = {}): StreamCapability<MastodonCredentials, MastodonSession> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 90_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const missingRetryMs = options.missingRetryMs ?? 3_600_000;
  const serverOf = (credentials: MastodonCredentials, serviceUrl: string | null) => normaliseServerUrl(credentials.serviceUrl || serviceUrl || '');

  /** The instance document at `path`, or null (best effort). */
  async function instance(server: string, path: string, fetchFn: typeof fetch, signal: AbortSignal): Promise<Record<string, unknown> | null> {
    try {
      const res = await fetchFn(new URL(path, server + '/'), { headers: { accept: 'application/json' }, signal: AbortSignal.any([signal, AbortSignal.timeout(connectTimeoutMs)]) });
      if (!res.ok) {
        await res.body?.cancel();
        return null;
      }
      const j: unknown = await res.json();
      return j && typeof j === 'object' ? (j as Record<string, unknown>) : null;
    } catch (e) {
      if (signal.aborted) throw e;
      return null;
    }
  }

  /**
   * The streaming server's https base: `configuration.urls.streaming` of /api/v2/instance, else
   * `urls.streaming_api` of /api/v1/instance (servers before 4.0 and several compatible ones), else the
   * server itself (which usually proxies the streaming paths).
   */
  async function streamingBase(server: string, fetchFn: typeof fetch, signal: AbortSignal): Promise<string> {
    const v2 = await instance(server, '/api/v2/instance', fetchFn, signal);
    const conf = v2?.configuration as { urls?: { streaming?: unknown } } | undefined;
    let api = str(conf?.urls?.streaming);
    if (!api) {
      const v1 = await instance(server, '/api/v1/instance', fetchFn, signal);
      api = str((v1?.urls as { streaming_api?: unknown } | undefined)?.streaming_api);
    }
    if (!api) return server;
    try {
      const u = new URL(api.replace(/^wss:/i, 'https:').replace(/^ws:/i, 'http:'));
      return `${u.protocol}//${u.host}`;
    } catch {
      return server;
    }
  }

  return {
    resumable: false,
    // The account's own notification stream: every mention, which is how replies arrive; only a reply
    // that drops the mention is left to polling.
    complete: () => true,

    upstream(auth) {
      // Notifications are per token: one connection per account.
      return `${serverOf(auth.credentials, auth.serviceUrl)} ${auth.accountId}`;
    },

    async *open(input, ctx) {
      const account = input.accounts()[0];
      if (!account) return;
      const server = serverOf(account.credentials, account.serviceUrl);
      const ourId = account.externalId;
      const base = await streamingBase(server, ctx.fetch, ctx.signal);
      const where = new URL(base).host;
      const conn = new AbortController();
      const signal = AbortSignal.any([ctx.signal, conn.signal]);
      let res: Response;
      const connectTimer = setTimeout(() => conn.abort(new Error('connect timeout')), connectTimeoutMs);
      try {
        res = await ctx.fetch(new URL('/api/v1/streaming/user/notification', base + '/'), {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${account.credentials.accessToken}`, 'cache-control': 'no-cache' },
          signal,
        });
      } catch (e) {
        if (ctx.signal.aborted) return;
        throw new ConnectorError('retryable', `Could not reach the Mastodon streaming API at ${where} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
      } finally {
        clearTimeout(connectTimer);
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new ConnectorError('auth_expired', `The Mastodon streaming API at ${where} did not accept the account's token (HTTP ${res.status})`, { networkCode: `HTTP ${res.status}` });
      }
      if (res.status === 404 || res.status === 501) {
        await res.body?.cancel();
        throw new ConnectorError('retryable', `${where} has no Mastodon streaming API (HTTP ${res.status}); polling carries on alone`, { networkCode: `HTTP ${res.status}`, retryAfterMs: missingRetryMs });
      }
      if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await res.body?.cancel();
        throw new ConnectorError('retryable', `The Mastodon streaming API at ${where} answered HTTP ${res.status} without an event stream`, { networkCode: `HTTP ${res.status}` });
      }
      ctx.opened();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      let idle: NodeJS.Timeout | null = null;
      let timedOut = false;
      const arm = () => {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => {
          timedOut = true;
          conn.abort(new Error('idle'));
        }, idleTimeoutMs);
      };
      arm();
      try {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (e) {
            if (ctx.signal.aborted) return;
            if (timedOut) throw new ConnectorError('retryable', `The Mastodon streaming API at ${where} went silent for ${Math.round(idleTimeoutMs / 1000)} s`);
            throw new ConnectorError('retryable', `The Mastodon streaming connection to ${where} broke (${e instanceof Error ? e.message : String(e)})`, { cause: e });
          }
          if (chunk.done) {
            if (ctx.signal.aborted) return;
            throw new ConnectorError('retryable', `The Mastodon streaming API at ${where} closed the connection`);
          }
          arm();
          for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
            const batch = eventToBatch(event, account.accountId, ourId);
            if (batch) yield batch;
          }
        }
      } finally {
        if (idle) clearTimeout(idle);
        conn.abort();
        try {
          reader.releaseLock();
        } catch {
          // already released with the aborted body
        }
      }
    },
  };
}
