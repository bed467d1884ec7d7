/**
 * Mastodon REST over `ctx.fetch`: one request helper and the mapping of its failures onto Herald's
 * taxonomy (docs.joinmastodon.org/client/intro and /methods/*; error bodies are `{"error": "..."}`;
 * rate limits answer 429 with `X-RateLimit-Reset`, an ISO 8601 instant).
 */
import { ConnectorError } from '../connector';
import { describeNetworkError, errorCodes, nothingWasSent } from '../network-errors';

/** A non-2xx answer, before mapping. */
export class MastodonHttpError extends Error {
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly headers: Headers,
  ) {
    super(apiMessage);
    this.name = 'MastodonHttpError';
  }
}

/** One request. */
export interface MastodonCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | string[] | undefined>;
  json?: unknown;
  form?: FormData | URLSearchParams;
  token?: string;
  idempotencyKey?: string;
  /** A write whose outcome is unknown when the connection fails after sending. */
  write: boolean;
  timeoutMs: number;
}

/** The transport a call uses. */
export interface MastodonTransport {
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** A successful answer: status, parsed JSON body and headers. */
export interface MastodonAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A server address as users type it (`mastodon.social`) in canonical form: scheme, host, path without trailing slash. */
export function normaliseServerUrl(raw: string): string {
  const v = raw.trim();
  const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** Sends one call to `serverUrl`; throws MastodonHttpError for non-2xx and ConnectorError for I/O. */
export async function mastodonRequest<T>(t: MastodonTransport, serverUrl: string, call: MastodonCall): Promise<MastodonAnswer<T>> {
  const url = new URL(serverUrl.replace(/\/+$/, '') + call.path);
  for (const [k, v] of Object.entries(call.query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, x);
    else url.searchParams.set(k, v);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | FormData | URLSearchParams | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) body = call.form;
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = t.signal ? AbortSignal.any([t.signal, timeout]) : timeout;
  const where = new URL(serverUrl).host;

  let res: Response;
  try {
    res = await t.fetch(url, { method: call.method, headers, body, signal, redirect: 'manual' });
  } catch (e) {
    const codes = errorCodes(e);
    const nothingSent = nothingWasSent(codes);
    throw new ConnectorError('retryable', `Could not reach the Mastodon server ${where} (${describeNetworkError(e)})`, {
      outcomeUnknown: call.write && !nothingSent,
      cause: e,
    });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new ConnectorError('retryable', `The Mastodon server ${where} broke off its answer (${describeNetworkError(e)})`, { outcomeUnknown: call.write, cause: e });
  }
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (res.status < 200 || res.status >= 300) {
    const p = (parsed ?? {}) as { error?: unknown; error_description?: unknown };
    const msg =
      typeof p.error_description === 'string' && p.error_description
        ? p.error_description
        : typeof p.error === 'string' && p.error
          ? p.error
          : `HTTP ${res.status}`;
    throw new MastodonHttpError(res.status, msg, res.headers);
  }
  if (parsed === undefined && text) {
    throw new ConnectorError('retryable', `The Mastodon server ${where} answered ${call.path} with something that is not JSON`, { outcomeUnknown: call.write });
  }
  return { status: res.status, body: (parsed ?? {}) as T, headers: res.headers };
}

/** Milliseconds until the rate limit resets, from `X-RateLimit-Reset` (ISO instant) or `Retry-After`. */
export function retryAfterMs(headers: Headers, now = Date.now()): number {
  const reset = headers.get('x-ratelimit-reset');
  if (reset) {
    const at = /^\d+$/.test(reset.trim()) ? Number(reset) * 1000 : Date.parse(reset);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const ra = headers.get('retry-after');
  if (ra) {
    if (/^\d+$/.test(ra.trim())) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  // Mastodon's shortest window is 5 minutes.
  return 300_000;
}

/**
 * Maps any failure onto the taxonomy. `action` names what was attempted in plain words; `write` says
 * whether a gateway failure may hide a write that happened; `accountScoped` turns a 404/410 into
 * `disconnected` (the account or the server's API is gone), otherwise a 404 means the thing asked for.
 */
export function toConnectorError(e: unknown, action: string, opts: { write: boolean; accountScoped?: boolean }): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (e instanceof MastodonHttpError) {
    const networkCode = `HTTP ${e.status}`;
    if (e.status === 429) {
      return new ConnectorError('rate_limited', `The Mastodon server is rate limiting this account while trying to ${action}: ${e.apiMessage}`, { retryAfterMs: retryAfterMs(e.headers), networkCode });
    }
    if (e.status === 401 || e.status === 403) {
      return new ConnectorError('auth_expired', `The Mastodon server did not accept the stored access token while trying to ${action} (${e.apiMessage}); reconnect the account`, { networkCode });
    }
    if ((e.status === 404 || e.status === 410) && opts.accountScoped) {
      return new ConnectorError('disconnected', `The Mastodon account or its server's API is gone (HTTP ${e.status} while trying to ${action}); reconnect the account`, { networkCode });
    }
    if (e.status === 422) {
      return new ConnectorError('invalid_content', `The Mastodon server refused to ${action}: ${e.apiMessage}`, { networkCode });
    }
    if (e.status >= 500 || e.status === 408) {
      // Mastodon does not promise that a failed write left nothing behind.
      return new ConnectorError('retryable', `The Mastodon server failed while trying to ${action} (HTTP ${e.status}: ${e.apiMessage})`, { networkCode, outcomeUnknown: opts.write });
    }
    return new ConnectorError('invalid_content', `The Mastodon server refused to ${action} (HTTP ${e.status}: ${e.apiMessage})`, { networkCode });
  }
  return new ConnectorError('retryable', `Unexpected failure while trying to ${action}: ${e instanceof Error ? e.message : String(e)}`, { outcomeUnknown: opts.write, cause: e });
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

/**
 * Status HTML → plain text: paragraphs and line breaks become newlines, tags go, entities are decoded
 * once (so `&lt;script&gt;` stays the text "<script>", never markup). The result is always shown as text.
 */
export function htmlToText(html: string): string {
  const withBreaks = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<\/?p[^>]*>/gi, '');
  // Only things shaped like tags are tags: a lone '<' (from a server that does not escape) stays text.
  const stripped = withBreaks.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '').replace(/<\/?[a-z][^>]*>/gi, '');
  const decoded = stripped.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, name: string) => {
    if (name[0] === '#') {
      const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return entities[name.toLowerCase()] ?? m;
  });
  return decoded.replace(/[ \t]+\n/g, '\n').trim();
}

/** Compares two Mastodon ids: numeric ids by value (they are snowflakes), others as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
