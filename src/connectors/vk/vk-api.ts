/**
 * Calling VK API methods and mapping their errors onto Herald's failure taxonomy.
 *
 * Every call is `POST {apiBaseUrl}/{method}` with an application/x-www-form-urlencoded body that
 * carries the parameters, `v` (the pinned API version) and `access_token` — the token travels in the
 * body, never in the URL, so it cannot end up in proxy or access logs (dev.vk.com/ru/api/api-requests
 * allows POST with form bodies for every method). VK answers HTTP 200 with either `{"response": …}` or
 * `{"error": {"error_code", "error_msg", "request_params"}}` (dev.vk.com/ru/reference/errors).
 */
import { ConnectorError, type FailureKind } from '../connector';
import { describeNetworkError, errorCodes, nothingWasSent } from '../network-errors';

/** The VK API version Herald is written against; sent with every call. */
export const VK_API_VERSION = '5.199';

/** An `{"error": …}` answer before it is mapped. */
export class VkApiError extends Error {
  constructor(
    readonly code: number,
    readonly vkMessage: string,
    readonly method: string,
    readonly extra: { captchaSid?: string } = {},
  ) {
    super(`VK error ${code}: ${vkMessage}`);
    this.name = 'VkApiError';
  }
}

/** How one VK error code maps onto the taxonomy. */
export interface VkErrorRule {
  kind: FailureKind;
  /** For rate limits: when to try again. */
  retryAfterMs?: number;
  /** For write calls: the request may have taken effect. */
  writeOutcomeUnknown?: boolean;
  /** What the person should know, in plain words (VK's own message is appended). */
  explain: string;
}

/**
 * The mapping table (codes and names from dev.vk.com/ru/reference/errors and the official
 * vk-api-schema errors.json). Codes not listed here are `invalid_content` with VK's message: the
 * request was understood and refused, so repeating it would not help.
 */
export const VK_ERROR_TABLE: Readonly<Record<number, VkErrorRule>> = {
  1: { kind: 'retryable', writeOutcomeUnknown: true, explain: 'VK reported an unknown error' },
  5: { kind: 'auth_expired', explain: 'VK no longer accepts the stored sign-in (user authorization failed); reconnect the account' },
  6: { kind: 'rate_limited', retryAfterMs: 1_000, explain: 'Too many requests per second to VK' },
  7: { kind: 'auth_expired', explain: 'The VK sign-in lacks a permission this needs; reconnect and grant wall, photos and groups access' },
  9: { kind: 'rate_limited', retryAfterMs: 10 * 60_000, explain: 'VK flood control: too many similar actions in a short time' },
  10: { kind: 'retryable', writeOutcomeUnknown: true, explain: 'VK had an internal server error' },
  14: { kind: 'rate_limited', retryAfterMs: 15 * 60_000, explain: 'VK asks for a captcha, which it does when an account acts too often; Herald waits and tries again' },
  15: { kind: 'disconnected', explain: 'VK denied access (the account may no longer manage this wall)' },
  17: { kind: 'auth_expired', explain: 'VK requires the account owner to confirm their identity (validation required); sign in to VK, then reconnect' },
  18: { kind: 'disconnected', explain: 'The VK page was deleted or banned' },
  27: { kind: 'disconnected', explain: 'This method is not available with a community token: VK lets only user sign-ins (VK ID) post to walls; connect with VK ID' },
  28: { kind: 'auth_expired', explain: 'VK refused the application sign-in; reconnect the account' },
  29: { kind: 'rate_limited', retryAfterMs: 60 * 60_000, explain: "The account used up VK's quota for this method" },
  30: { kind: 'disconnected', explain: 'The VK profile is private' },
  100: { kind: 'invalid_content', explain: 'VK refused a parameter of the request' },
  113: { kind: 'invalid_content', explain: 'VK does not know that user id' },
  200: { kind: 'disconnected', explain: 'VK denied access to the photo album' },
  203: { kind: 'disconnected', explain: 'VK denied access to the community (the account may no longer be one of its managers)' },
  210: { kind: 'invalid_content', explain: "VK denied access to the wall's post" },
  211: { kind: 'invalid_content', explain: "VK denied access to the wall's comment" },
  212: { kind: 'invalid_content', explain: 'VK denied access to the comments of this post' },
  213: { kind: 'invalid_content', explain: 'Comments on this post are closed' },
  214: {
    kind: 'disconnected',
    explain: 'VK refused to add the post (publishing denied: this sign-in may not post on this wall, the daily post limit is reached, or another post is already scheduled for that time)',
  },
  219: { kind: 'invalid_content', explain: 'VK refused: an advertisement post was recently added to this wall' },
  220: { kind: 'invalid_content', explain: 'VK refused: too many recipients' },
  222: { kind: 'invalid_content', explain: 'VK refused: links are forbidden here' },
  223: { kind: 'rate_limited', retryAfterMs: 10 * 60_000, explain: 'VK refused: too many replies in a short time' },
  224: { kind: 'invalid_content', explain: 'VK refused: too many advertisement posts' },
  225: { kind: 'invalid_content', explain: 'VK refused: VK Donut is disabled for this community' },
  250: { kind: 'invalid_content', explain: 'VK denied access to the poll' },
  251: { kind: 'invalid_content', explain: 'VK does not know that poll' },
};

/** Maps a VK error (or anything thrown while calling VK) onto a ConnectorError. */
export function vkErrorToConnectorError(e: unknown, action: string, write: boolean): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (e instanceof VkApiError) {
    const rule = VK_ERROR_TABLE[e.code];
    const networkCode = String(e.code);
    if (!rule) {
      return new ConnectorError('invalid_content', `VK refused to ${action} (error ${e.code}: ${e.vkMessage})`, { networkCode });
    }
    return new ConnectorError(rule.kind, `${rule.explain} while trying to ${action} (VK error ${e.code}: ${e.vkMessage})`, {
      networkCode,
      ...(rule.retryAfterMs !== undefined ? { retryAfterMs: rule.retryAfterMs } : {}),
      ...(write && rule.writeOutcomeUnknown ? { outcomeUnknown: true } : {}),
    });
  }
  return new ConnectorError('retryable', `Unexpected failure while trying to ${action}: ${e instanceof Error ? e.message : String(e)}`, {
    outcomeUnknown: write,
    cause: e,
  });
}

/** I/O for one request. */
export interface VkIo {
  fetch: typeof fetch;
  signal?: AbortSignal;
  timeoutMs: number;
}

/**
 * Sends a request and returns the parsed JSON body. Transport failures become `retryable`
 * ConnectorErrors, with `outcomeUnknown` for writes unless the connection was never made.
 */
export async function sendForJson(io: VkIo, url: string, init: { body: URLSearchParams | FormData; write: boolean; what: string }): Promise<unknown> {
  const timeout = AbortSignal.timeout(io.timeoutMs);
  const signal = io.signal ? AbortSignal.any([io.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await io.fetch(url, { method: 'POST', body: init.body, headers: { accept: 'application/json' }, signal });
  } catch (e) {
    const codes = errorCodes(e);
    const nothingSent = nothingWasSent(codes);
    throw new ConnectorError('retryable', `Could not reach VK to ${init.what} (${describeNetworkError(e)})`, { outcomeUnknown: init.write && !nothingSent, cause: e });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new ConnectorError('retryable', `VK broke off its answer while trying to ${init.what} (${describeNetworkError(e)})`, { outcomeUnknown: init.write, cause: e });
  }
  if (res.status >= 500 || res.status === 408 || res.status === 429) {
    throw new ConnectorError(res.status === 429 ? 'rate_limited' : 'retryable', `VK answered HTTP ${res.status} while trying to ${init.what}`, {
      outcomeUnknown: init.write && res.status !== 429,
      ...(res.status === 429 ? { retryAfterMs: 60_000 } : {}),
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConnectorError('retryable', `VK answered something that is not JSON (HTTP ${res.status}) while trying to ${init.what}`, { outcomeUnknown: init.write });
  }
}

/** Calls one API method; resolves to `response`, rejects with VkApiError or ConnectorError. */
export async function callVkMethod<T>(
  io: VkIo,
  apiBaseUrl: string,
  method: string,
  params: Record<string, string | number | boolean | undefined>,
  accessToken: string,
  opts: { write: boolean; what: string },
): Promise<T> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    body.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  body.set('v', VK_API_VERSION);
  body.set('access_token', accessToken);
  const parsed = (await sendForJson(io, `${apiBaseUrl}/${method}`, { body, write: opts.write, what: opts.what })) as {
    response?: unknown;
    error?: { error_code?: unknown; error_msg?: unknown; captcha_sid?: unknown };
  };
  if (parsed && typeof parsed === 'object' && parsed.error && typeof parsed.error === 'object') {
    const code = typeof parsed.error.error_code === 'number' ? parsed.error.error_code : -1;
    const msg = typeof parsed.error.error_msg === 'string' ? parsed.error.error_msg : 'no message';
    throw new VkApiError(code, msg, method, typeof parsed.error.captcha_sid === 'string' ? { captchaSid: parsed.error.captcha_sid } : {});
  }
  if (!parsed || typeof parsed !== 'object' || !('response' in parsed)) {
    throw new ConnectorError('retryable', `VK answered ${method} without a response`, { outcomeUnknown: opts.write });
  }
  return parsed.response as T;
}
