/**
 * The Bluesky (AT Protocol) connector. It talks XRPC over plain `ctx.fetch` to the account's PDS
 * (no @atproto/api: its current releases need Node 22), signs in with an app password, keeps the
 * session fresh, and publishes app.bsky.feed.post records under a record key derived from the
 * target's idempotency key, so a re-send can never create a second post.
 *
 * createdAt: the record's `createdAt` is `input.createdAt` (the target's creation/scheduling time the
 * engine passes), normalised to ISO 8601. It is the same on every attempt, which keeps the record
 * key — whose timestamp bits come from it — and the record itself stable across retries.
 */
import { z } from 'zod';
import {
  ConnectorError,
  type AccountAuth,
  type ConnectedAccount,
  type Connector,
  type ConnectorContext,
  type MediaItem,
  type PostVariant,
  type PublishResult,
  type ValidationResult,
} from '../connector';
import { parseRecordUri } from './atproto-syntax';
import { detectFacets, resolveMentions, type Facet } from './bluesky-text';
import { tidFromIdempotencyKey } from './bluesky-tid';
import { BLUESKY_MAX_IMAGES, BLUESKY_MAX_IMAGE_BYTES, BLUESKY_MAX_LANGS, isHttpUrl, validateBlueskyVariant } from './bluesky-validate';

/** What a person enters to connect a Bluesky account. */
export interface BlueskyCredentials {
  /** Handle, DID or e-mail address. */
  identifier: string;
  /** An app password (Settings → Privacy and security → App passwords). */
  appPassword: string;
  /** The PDS URL; Herald's default service (bsky.social) when absent. */
  serviceUrl?: string | undefined;
}

/** The session Herald stores (sealed) between publishes. */
export interface BlueskySession {
  accessJwt: string;
  refreshJwt: string;
  did: string;
  handle: string;
}

export { BLUESKY_MAX_IMAGES, BLUESKY_MAX_IMAGE_BYTES, BLUESKY_MAX_LANGS };

const POST_COLLECTION = 'app.bsky.feed.post';

const httpUrl = isHttpUrl;

const credentialsSchema = z.object({
  identifier: z
    .string()
    .trim()
    .min(1, 'Enter your Bluesky handle, DID or e-mail address')
    .transform((v) => v.replace(/^@/, '')),
  appPassword: z.string().trim().min(1, 'Enter an app password'),
  serviceUrl: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || httpUrl(v), 'The service URL must be an http(s) address, e.g. https://bsky.social')
    .transform((v) => (v ? v.replace(/\/+$/, '') : undefined)),
});

/** Tunables, mainly so tests need not wait for production timeouts. */
export interface BlueskyConnectorOptions {
  /** Timeout for one JSON request (default 15 s). */
  requestTimeoutMs?: number;
  /** Timeout for one image upload (default 60 s). */
  uploadTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------------
// XRPC over fetch

/** A non-2xx XRPC answer, before it is mapped onto the failure taxonomy. */
class XrpcResponseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
    readonly headers: Headers,
  ) {
    super(message);
    this.name = 'XrpcResponseError';
  }
}

interface XrpcCall {
  method: 'GET' | 'POST';
  nsid: string;
  params?: Record<string, string>;
  json?: unknown;
  bytes?: { data: Buffer; mimeType: string };
  token?: string;
  /** A write whose outcome is unknown when the connection fails after sending. */
  write: boolean;
  timeoutMs: number;
}

const nothingSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

function errorCodes(e: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const visit = (x: unknown) => {
    if (!x || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    const rec = x as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof rec.code === 'string') out.push(rec.code);
    visit(rec.cause);
    if (Array.isArray(rec.errors)) rec.errors.forEach(visit);
  };
  visit(e);
  return out;
}

function describeNetworkError(e: unknown): string {
  const codes = errorCodes(e);
  if (codes.length) return codes[0]!;
  if (e instanceof Error) return e.name === 'TimeoutError' ? 'timed out' : e.message;
  return String(e);
}

async function xrpc<T>(ctx: ConnectorContext<BlueskySession>, serviceUrl: string, call: XrpcCall): Promise<T> {
  const url = new URL(`/xrpc/${call.nsid}`, serviceUrl + '/');
  for (const [k, v] of Object.entries(call.params ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | Uint8Array | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.bytes) {
    headers['content-type'] = call.bytes.mimeType;
    body = new Uint8Array(call.bytes.data.buffer, call.bytes.data.byteOffset, call.bytes.data.byteLength);
  }
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;

  let res: Response;
  try {
    res = await ctx.fetch(url, { method: call.method, headers, body, signal });
  } catch (e) {
    const codes = errorCodes(e);
    const nothingSent = codes.length > 0 && codes.every((c) => nothingSentCodes.has(c));
    throw new ConnectorError('retryable', `Could not reach the Bluesky server at ${serviceUrl} (${describeNetworkError(e)})`, {
      outcomeUnknown: call.write && !nothingSent,
      cause: e,
    });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new ConnectorError('retryable', `The Bluesky server at ${serviceUrl} broke off its answer (${describeNetworkError(e)})`, {
      outcomeUnknown: call.write,
      cause: e,
    });
  }
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as { error?: unknown; message?: unknown };
    const code = typeof p.error === 'string' ? p.error : null;
    const message = typeof p.message === 'string' && p.message ? p.message : code ?? `HTTP ${res.status}`;
    throw new XrpcResponseError(res.status, code, message, res.headers);
  }
  if (parsed === undefined && text) {
    throw new ConnectorError('retryable', `The Bluesky server at ${serviceUrl} answered ${call.nsid} with something that is not JSON`, {
      outcomeUnknown: call.write,
    });
  }
  return (parsed ?? {}) as T;
}

const authCodes = new Set(['ExpiredToken', 'InvalidToken', 'AuthenticationRequired', 'AuthMissing', 'InvalidAuth', 'BadJwt', 'BadJwtSignature']);
const disconnectedCodes = new Set(['AccountTakedown', 'AccountDeactivated', 'RepoTakendown', 'RepoDeactivated', 'RepoSuspended', 'AccountSuspended']);

function isAuthError(e: unknown): boolean {
  if (!(e instanceof XrpcResponseError)) return false;
  if (e.code && disconnectedCodes.has(e.code)) return false;
  return (e.status === 400 || e.status === 401) && (e.code === null ? e.status === 401 : authCodes.has(e.code));
}

function retryAfterMs(headers: Headers): number {
  const reset = headers.get('ratelimit-reset');
  if (reset && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - Date.now());
  const ra = headers.get('retry-after');
  if (ra) {
    if (/^\d+$/.test(ra.trim())) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  return 60_000;
}

/** Maps any failure onto the connector taxonomy; `action` names what was attempted, in plain words. */
function toConnectorError(e: unknown, action: string, write: boolean): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (e instanceof XrpcResponseError) {
    const networkCode = e.code ?? undefined;
    if (e.status === 429) {
      return new ConnectorError('rate_limited', `Bluesky is rate limiting this account while trying to ${action}: ${e.message}`, {
        retryAfterMs: retryAfterMs(e.headers),
        networkCode,
      });
    }
    if (e.code && disconnectedCodes.has(e.code)) {
      return new ConnectorError('disconnected', `The Bluesky account is no longer usable (${e.code}): ${e.message}`, { networkCode });
    }
    if (isAuthError(e)) {
      return new ConnectorError('auth_expired', `Bluesky did not accept the stored sign-in while trying to ${action} (${e.message}); reconnect the account with a valid app password`, { networkCode });
    }
    if (e.status >= 500 || e.status === 408) {
      // A gateway error on a write may hide a write that did happen.
      return new ConnectorError('retryable', `The Bluesky server failed while trying to ${action} (HTTP ${e.status}: ${e.message})`, {
        networkCode,
        outcomeUnknown: write && (e.status === 502 || e.status === 504 || e.status === 408),
      });
    }
    if (e.status === 404 && (e.code === 'MethodNotImplemented' || e.code === 'XRPCNotSupported' || e.code === null)) {
      return new ConnectorError('disconnected', `The service URL does not answer like a Bluesky PDS (HTTP 404 while trying to ${action}); check the account's service URL`, { networkCode });
    }
    return new ConnectorError('invalid_content', `Bluesky refused to ${action}: ${e.message}`, { networkCode });
  }
  return new ConnectorError('retryable', `Unexpected failure while trying to ${action}: ${e instanceof Error ? e.message : String(e)}`, {
    outcomeUnknown: write,
    cause: e,
  });
}

// ---------------------------------------------------------------------------------------------------
// Sessions

interface SessionAnswer {
  accessJwt?: unknown;
  refreshJwt?: unknown;
  did?: unknown;
  handle?: unknown;
  active?: unknown;
  status?: unknown;
}

function toSession(a: SessionAnswer, serviceUrl: string): BlueskySession {
  if (a.active === false) {
    throw new ConnectorError('disconnected', `The Bluesky account is not active (${typeof a.status === 'string' ? a.status : 'deactivated'})`);
  }
  if (typeof a.accessJwt !== 'string' || typeof a.refreshJwt !== 'string' || typeof a.did !== 'string' || typeof a.handle !== 'string') {
    throw new ConnectorError('retryable', `The server at ${serviceUrl} answered the sign-in without a usable session`);
  }
  return { accessJwt: a.accessJwt, refreshJwt: a.refreshJwt, did: a.did, handle: a.handle };
}

function normaliseServiceUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function normaliseIdentifier(id: string): string {
  return id.trim().replace(/^@/, '');
}

/** Everything one operation needs: where to talk to, the current session, and how to renew it. */
class BlueskyClient {
  session: BlueskySession | null;

  constructor(
    readonly ctx: ConnectorContext<BlueskySession>,
    readonly serviceUrl: string,
    readonly credentials: BlueskyCredentials,
    session: BlueskySession | null,
    readonly opts: Required<BlueskyConnectorOptions>,
  ) {
    this.session = session;
  }

  call<T>(c: Omit<XrpcCall, 'timeoutMs'> & { timeoutMs?: number }): Promise<T> {
    return xrpc<T>(this.ctx, this.serviceUrl, { ...c, timeoutMs: c.timeoutMs ?? this.opts.requestTimeoutMs });
  }

  /** createSession from the app password; a rejected password is `auth_expired`. */
  async login(): Promise<BlueskySession> {
    try {
      const a = await this.call<SessionAnswer>({
        method: 'POST',
        nsid: 'com.atproto.server.createSession',
        json: { identifier: normaliseIdentifier(this.credentials.identifier), password: this.credentials.appPassword },
        write: false,
      });
      return toSession(a, this.serviceUrl);
    } catch (e) {
      if (e instanceof XrpcResponseError && !(e.code && disconnectedCodes.has(e.code)) && (e.status === 401 || e.code === 'AuthFactorTokenRequired')) {
        const hint = e.code === 'AuthFactorTokenRequired' ? ' (this looks like a main password with two-factor sign-in: use an app password instead)' : '';
        throw new ConnectorError('auth_expired', `Bluesky did not accept the identifier "${normaliseIdentifier(this.credentials.identifier)}" with this app password: ${e.message}${hint}`, {
          networkCode: e.code ?? undefined,
        });
      }
      throw toConnectorError(e, 'sign in', false);
    }
  }

  private async renew(): Promise<BlueskySession> {
    let renewed: BlueskySession | null = null;
    if (this.session) {
      try {
        const a = await this.call<SessionAnswer>({ method: 'POST', nsid: 'com.atproto.server.refreshSession', token: this.session.refreshJwt, write: false });
        renewed = toSession(a, this.serviceUrl);
      } catch (e) {
        // An unusable refresh token falls through to a fresh sign-in; anything else is a real failure.
        if (!isAuthError(e)) throw toConnectorError(e, 'refresh the session', false);
      }
    }
    renewed ??= await this.login();
    this.session = renewed;
    await this.ctx.saveSession(renewed);
    return renewed;
  }

  /** Runs `fn` with a valid session: refreshes (or signs in again) once when the token is refused. */
  async authed<T>(fn: (s: BlueskySession) => Promise<T>): Promise<T> {
    if (!this.session) {
      this.session = await this.login();
      await this.ctx.saveSession(this.session);
      return fn(this.session);
    }
    try {
      return await fn(this.session);
    } catch (e) {
      if (!isAuthError(e)) throw e;
    }
    return fn(await this.renew());
  }
}

// ---------------------------------------------------------------------------------------------------
// Validation

/** Shared with the web composer (bluesky-validate.ts is browser-safe). */
const validateVariant: (variant: PostVariant) => ValidationResult = validateBlueskyVariant;

// ---------------------------------------------------------------------------------------------------
// Publishing

interface BlobRef {
  $type: 'blob';
  ref: { $link: string };
  mimeType: string;
  size: number;
}

function postUrl(handleOrDid: string, rkey: string): string {
  return `https://bsky.app/profile/${handleOrDid}/post/${rkey}`;
}

function serviceFor(auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>): string {
  return normaliseServiceUrl(auth.serviceUrl ?? auth.credentials.serviceUrl ?? ctx.defaultServiceUrl);
}

async function resolveHandleVia(client: BlueskyClient, handle: string): Promise<string | null> {
  try {
    const a = await client.call<{ did?: unknown }>({ method: 'GET', nsid: 'com.atproto.identity.resolveHandle', params: { handle }, write: false });
    return typeof a.did === 'string' ? a.did : null;
  } catch (e) {
    // "Unable to resolve handle" is an answer (no such account): that mention stays plain text.
    if (e instanceof XrpcResponseError && e.status === 400) return null;
    throw toConnectorError(e, `look up the mentioned handle @${handle}`, false);
  }
}

async function getPostRecord(client: BlueskyClient, did: string, rkey: string): Promise<{ uri: string } | null> {
  try {
    const a = await client.call<{ uri?: unknown }>({
      method: 'GET',
      nsid: 'com.atproto.repo.getRecord',
      params: { repo: did, collection: POST_COLLECTION, rkey },
      write: false,
    });
    return { uri: typeof a.uri === 'string' ? a.uri : `at://${did}/${POST_COLLECTION}/${rkey}` };
  } catch (e) {
    if (e instanceof XrpcResponseError && (e.code === 'RecordNotFound' || e.status === 404)) return null;
    throw toConnectorError(e, 'check whether the post exists', false);
  }
}

async function buildRecord(client: BlueskyClient, session: BlueskySession, variant: PostVariant, createdAt: string): Promise<Record<string, unknown>> {
  const text = variant.text ?? '';
  const facets: Facet[] = await resolveMentions(detectFacets(text), (h) => resolveHandleVia(client, h));
  const record: Record<string, unknown> = { $type: POST_COLLECTION, text, createdAt };
  if (facets.length) record.facets = facets;
  if (variant.langs?.length) record.langs = variant.langs;
  const media = variant.media ?? [];
  if (media.length) {
    const images: Array<{ image: BlobRef; alt: string }> = [];
    for (const [i, m] of media.entries()) images.push({ image: await uploadImage(client, session, m, i), alt: m.alt ?? '' });
    record.embed = { $type: 'app.bsky.embed.images', images };
  } else if (variant.link) {
    // No page fetch (Herald never requests arbitrary URLs): the card shows the host as its title.
    record.embed = { $type: 'app.bsky.embed.external', external: { uri: variant.link, title: new URL(variant.link).hostname, description: '' } };
  }
  return record;
}

async function uploadImage(client: BlueskyClient, session: BlueskySession, m: MediaItem, index: number): Promise<BlobRef> {
  if (!m.data) throw new ConnectorError('invalid_content', `Image ${index + 1} has no data to upload`);
  const a = await client.call<{ blob?: BlobRef }>({
    method: 'POST',
    nsid: 'com.atproto.repo.uploadBlob',
    bytes: { data: m.data, mimeType: m.mimeType },
    token: session.accessJwt,
    // An unreferenced blob is garbage-collected by the PDS: a repeated upload is harmless.
    write: false,
    timeoutMs: client.opts.uploadTimeoutMs,
  });
  if (!a.blob || a.blob.$type !== 'blob') throw new ConnectorError('retryable', `The Bluesky server did not return a blob reference for image ${index + 1}`);
  return a.blob;
}

/** Builds a Bluesky connector; `blueskyConnector` is the production instance. */
export function createBlueskyConnector(options: BlueskyConnectorOptions = {}): Connector<BlueskyCredentials, BlueskySession> {
  const opts: Required<BlueskyConnectorOptions> = {
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 60_000,
  };

  const clientFor = (auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>) =>
    new BlueskyClient(ctx, serviceFor(auth, ctx), auth.credentials, auth.session, opts);

  return {
    id: 'bluesky',
    displayName: 'Bluesky',
    lengthUnit: 'graphemes',
    credentialFields: [
      { name: 'identifier', label: 'Handle or e-mail', type: 'text', required: true, placeholder: 'alice.bsky.social', help: 'Your Bluesky handle (without @), DID or account e-mail address.' },
      { name: 'appPassword', label: 'App password', type: 'password', required: true, placeholder: 'xxxx-xxxx-xxxx-xxxx', help: 'Create one in Bluesky under Settings → Privacy and security → App passwords. Do not use your main password.' },
      { name: 'serviceUrl', label: 'Hosting provider (PDS) URL', type: 'url', required: false, placeholder: 'https://bsky.social', help: 'Leave empty for accounts hosted by Bluesky; fill in for a self-hosted PDS.' },
    ],
    credentialsSchema: credentialsSchema as z.ZodType<BlueskyCredentials>,
    // The PDS serialises writes to one repository anyway; creates cost 3 of 5,000 points per hour.
    limits: { maxConcurrentPerAccount: 2, publishRate: { count: 1600, windowMs: 3_600_000 } },
    supports: { maxMedia: 4, mediaTypes: ['image/*'], polls: false, threads: false },

    async connect(credentials, ctx): Promise<ConnectedAccount<BlueskySession>> {
      const serviceUrl = normaliseServiceUrl(credentials.serviceUrl || ctx.defaultServiceUrl);
      const client = new BlueskyClient(ctx, serviceUrl, credentials, null, opts);
      const session = await client.login();
      let displayName: string | null = null;
      try {
        // Only an AppView knows profiles; a bare PDS may not answer this, which is fine.
        const p = await client.call<{ displayName?: unknown }>({
          method: 'GET',
          nsid: 'app.bsky.actor.getProfile',
          params: { actor: session.did },
          token: session.accessJwt,
          write: false,
          timeoutMs: Math.min(opts.requestTimeoutMs, 5_000),
        });
        displayName = typeof p.displayName === 'string' && p.displayName.trim() ? p.displayName : null;
      } catch {
        displayName = null;
      }
      return { externalId: session.did, handle: session.handle, displayName, serviceUrl, session };
    },

    validate: validateVariant,

    async publish(input, ctx): Promise<PublishResult> {
      const check = validateVariant(input.variant);
      if (!check.valid) throw new ConnectorError('invalid_content', check.errors.map((e) => e.message).join('; '));
      let rkey: string;
      let createdAt: string;
      try {
        rkey = tidFromIdempotencyKey(input.idempotencyKey, input.createdAt);
        createdAt = new Date(input.createdAt).toISOString();
      } catch (e) {
        throw new ConnectorError('invalid_content', `The post's creation time "${input.createdAt}" is not a valid time`, { cause: e });
      }
      const client = clientFor(input.auth, ctx);
      const did = input.auth.externalId;
      const result = (uri: string): PublishResult => ({ externalId: uri, url: postUrl(client.session?.handle ?? input.auth.handle ?? did, rkey) });

      try {
        return await client.authed(async (session) => {
          const record = await buildRecord(client, session, input.variant, createdAt);
          try {
            const a = await client.call<{ uri?: unknown }>({
              method: 'POST',
              nsid: 'com.atproto.repo.createRecord',
              json: { repo: session.did, collection: POST_COLLECTION, rkey, record },
              token: session.accessJwt,
              write: true,
            });
            return result(typeof a.uri === 'string' ? a.uri : `at://${session.did}/${POST_COLLECTION}/${rkey}`);
          } catch (e) {
            if (isAuthError(e) || (e instanceof XrpcResponseError && e.status === 429)) throw e;
            // A PDS answers a create on an existing key with an error (the reference PDS: HTTP 500):
            // when the record is there, an earlier attempt made it and this one is done.
            let existing: { uri: string } | null = null;
            try {
              existing = await getPostRecord(client, session.did, rkey);
            } catch {
              existing = null;
            }
            if (existing) return result(existing.uri);
            throw e;
          }
        });
      } catch (e) {
        throw toConnectorError(e, 'publish the post', true);
      }
    },

    async findPublished(input, ctx): Promise<PublishResult | null> {
      let rkey: string;
      try {
        rkey = tidFromIdempotencyKey(input.idempotencyKey, input.createdAt);
      } catch (e) {
        throw new ConnectorError('invalid_content', `The post's creation time "${input.createdAt}" is not a valid time`, { cause: e });
      }
      const client = clientFor(input.auth, ctx);
      const found = await getPostRecord(client, input.auth.externalId, rkey);
      return found ? { externalId: found.uri, url: postUrl(input.auth.handle || input.auth.externalId, rkey) } : null;
    },

    async delete(input, ctx): Promise<void> {
      const parsed = parseRecordUri(input.externalId);
      if (!parsed || parsed.collection !== POST_COLLECTION) {
        throw new ConnectorError('invalid_content', `"${input.externalId}" is not the address of a Bluesky post`);
      }
      const client = clientFor(input.auth, ctx);
      try {
        await client.authed(async (session) => {
          if (parsed.repo !== session.did && parsed.repo !== input.auth.externalId) {
            throw new ConnectorError('invalid_content', `The post ${input.externalId} belongs to another account`);
          }
          try {
            await client.call({
              method: 'POST',
              nsid: 'com.atproto.repo.deleteRecord',
              json: { repo: session.did, collection: POST_COLLECTION, rkey: parsed.rkey },
              token: session.accessJwt,
              write: true,
            });
          } catch (e) {
            // Already gone is what we wanted.
            if (e instanceof XrpcResponseError && e.code === 'RecordNotFound') return;
            throw e;
          }
        });
      } catch (e) {
        throw toConnectorError(e, 'delete the post', true);
      }
    },
  };
}

/** The production Bluesky connector. */
export const blueskyConnector: Connector<BlueskyCredentials, BlueskySession> = createBlueskyConnector();
