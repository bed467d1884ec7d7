/**
 * XRPC over plain `ctx.fetch` for the Bluesky connector: the request helper, the mapping of answers
 * onto Herald's failure taxonomy, and the client that signs in with an app password and renews the
 * session. Server-only (the connector's validation lives in the browser-safe bluesky-validate.ts).
 *
 * AppView reads (app.bsky.*) go to the account's PDS, which forwards them to an AppView: with no
 * `atproto-proxy` header the PDS uses the AppView it is configured with (the reference PDS routes
 * every app.bsky.* method there by default); `appviewProxy` (e.g. "did:web:api.bsky.app#bsky_appview")
 * names one explicitly, as the official clients do.
 */
import { ConnectorError, type ConnectorContext } from '../connector';
import { describeNetworkError, errorCodes, nothingWasSent } from '../network-errors';

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

/** Tunables, mainly so tests need not wait for production timeouts. */
export interface BlueskyConnectorOptions {
  /** Timeout for one JSON request (default 15 s). */
  requestTimeoutMs?: number;
  /** Timeout for one image upload (default 60 s). */
  uploadTimeoutMs?: number;
  /**
   * `atproto-proxy` value for AppView reads ("<did>#bsky_appview"); absent = the PDS's configured
   * AppView (what the local test network and a self-hosted PDS use).
   */
  appviewProxy?: string | null;
  /**
   * `atproto-proxy` value of the Bluesky chat service (e.g. "did:web:api.bsky.chat#bsky_chat"): when
   * set, the connector offers direct messages (bluesky-chat.ts); absent = no DMs (the default, since
   * no chat service runs in the local test network to verify against).
   */
  chatProxy?: string | null;
  /** Inbound items a first sync back-fills at most (default 500). */
  inboundBackfillLimit?: number;
  /** Notifications asked per listNotifications page (1–100, default 100). */
  notificationsPageSize?: number;
  /** How often a delivered item is checked again for deletion (default 10 minutes). */
  deletionRecheckMs?: number;
}

/** Options with their defaults filled in. */
export interface ResolvedBlueskyOptions {
  requestTimeoutMs: number;
  uploadTimeoutMs: number;
  appviewProxy: string | null;
  inboundBackfillLimit: number;
  notificationsPageSize: number;
  deletionRecheckMs: number;
}

// ---------------------------------------------------------------------------------------------------
// XRPC over fetch

/** A non-2xx XRPC answer, before it is mapped onto the failure taxonomy. */
export class XrpcResponseError extends Error {
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

export interface XrpcCall {
  method: 'GET' | 'POST';
  nsid: string;
  /** Query parameters; an array repeats the parameter (XRPC's encoding of array params). */
  params?: Record<string, string | string[]>;
  json?: unknown;
  bytes?: { data: Buffer; mimeType: string };
  token?: string;
  /** `atproto-proxy` header: which service the PDS forwards this call to. */
  proxy?: string | null;
  /** A write whose outcome is unknown when the connection fails after sending. */
  write: boolean;
  timeoutMs: number;
}

export async function xrpc<T>(ctx: ConnectorContext<BlueskySession>, serviceUrl: string, call: XrpcCall): Promise<T> {
  const url = new URL(`/xrpc/${call.nsid}`, serviceUrl + '/');
  for (const [k, v] of Object.entries(call.params ?? {})) {
    if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
    else url.searchParams.set(k, v);
  }
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
  if (call.proxy) headers['atproto-proxy'] = call.proxy;
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;

  let res: Response;
  try {
    res = await ctx.fetch(url, { method: call.method, headers, body, signal });
  } catch (e) {
    const codes = errorCodes(e);
    const nothingSent = nothingWasSent(codes);
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
export const disconnectedCodes = new Set(['AccountTakedown', 'AccountDeactivated', 'RepoTakendown', 'RepoDeactivated', 'RepoSuspended', 'AccountSuspended']);

export function isAuthError(e: unknown): boolean {
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
export function toConnectorError(e: unknown, action: string, write: boolean): ConnectorError {
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

export interface SessionAnswer {
  accessJwt?: unknown;
  refreshJwt?: unknown;
  did?: unknown;
  handle?: unknown;
  active?: unknown;
  status?: unknown;
}

export function toSession(a: SessionAnswer, serviceUrl: string): BlueskySession {
  if (a.active === false) {
    throw new ConnectorError('disconnected', `The Bluesky account is not active (${typeof a.status === 'string' ? a.status : 'deactivated'})`);
  }
  if (typeof a.accessJwt !== 'string' || typeof a.refreshJwt !== 'string' || typeof a.did !== 'string' || typeof a.handle !== 'string') {
    throw new ConnectorError('retryable', `The server at ${serviceUrl} answered the sign-in without a usable session`);
  }
  return { accessJwt: a.accessJwt, refreshJwt: a.refreshJwt, did: a.did, handle: a.handle };
}

export function normaliseServiceUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

export function normaliseIdentifier(id: string): string {
  return id.trim().replace(/^@/, '');
}

/** Everything one operation needs: where to talk to, the current session, and how to renew it. */
export class BlueskyClient {
  session: BlueskySession | null;

  constructor(
    readonly ctx: ConnectorContext<BlueskySession>,
    readonly serviceUrl: string,
    readonly credentials: BlueskyCredentials,
    session: BlueskySession | null,
    readonly opts: ResolvedBlueskyOptions,
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
