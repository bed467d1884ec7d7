/**
 * The OK REST client the connector uses: signed calls to fb.do, the OAuth token endpoint, the photo
 * upload, and the mapping of OK's errors onto Herald's failure taxonomy.
 *
 * Wire format (https://apiok.ru/en/dev/methods): every method is a POST to `{api_server}fb.do` with
 * `method`, `application_key`, `format=json`, the method's parameters, `sig` and `access_token`. A failed
 * call still answers HTTP 200 with the `invocation-error` header and a JSON body
 * `{"error_code": N, "error_msg": "...", "error_data": ...}` (https://apiok.ru/en/dev/errors).
 */
import { ConnectorError, type FailureKind } from '../connector';
import { okSessionSecret, okSign } from './ok-signature';
import { errorCodes, nothingWasSent } from '../network-errors';

/** I/O an OK call needs (a subset of ConnectorContext, so OAuth can use it too). */
export interface OkIo {
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** An OK API error answer, before it is mapped onto the taxonomy. */
export class OkApiError extends Error {
  constructor(
    readonly code: number,
    readonly okMessage: string,
    readonly data: unknown,
  ) {
    super(`OK error ${code}: ${okMessage}`);
    this.name = 'OkApiError';
  }
}

/** A non-2xx HTTP answer from OK or its upload host. */
export class OkHttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly bodyText: string,
  ) {
    super(`HTTP ${status}`);
    this.name = 'OkHttpError';
  }
}

/** One HTTP exchange with a timeout; transport failures become ConnectorErrors (write = outcome may be unknown). */
export async function okHttp(io: OkIo, url: string, init: RequestInit, opts: { write: boolean; timeoutMs: number; what: string }): Promise<{ status: number; headers: Headers; text: string }> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = io.signal ? AbortSignal.any([io.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await io.fetch(url, { ...init, signal });
  } catch (e) {
    const codes = errorCodes(e);
    const nothingSent = nothingWasSent(codes);
    const why = codes[0] ?? (e instanceof Error ? (e.name === 'TimeoutError' ? 'timed out' : e.message) : String(e));
    throw new ConnectorError('retryable', `Could not reach OK while trying to ${opts.what} (${why})`, { outcomeUnknown: opts.write && !nothingSent, cause: e });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new ConnectorError('retryable', `OK broke off its answer while trying to ${opts.what}`, { outcomeUnknown: opts.write, cause: e });
  }
  return { status: res.status, headers: res.headers, text };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What a signed call needs to know about the app and the session. */
export interface OkSigning {
  applicationKey: string;
  accessToken: string;
  /** session_secret_key when the token came with one (the app's own "eternal" token); else derived. */
  sessionSecretKey: string | null;
  applicationSecretKey: string | null;
}

/** Builds the form body of a signed fb.do call. */
export function okSignedForm(method: string, params: Record<string, string>, signing: OkSigning): URLSearchParams {
  const secret = signing.sessionSecretKey ?? (signing.applicationSecretKey ? okSessionSecret(signing.accessToken, signing.applicationSecretKey) : null);
  if (!secret) {
    throw new ConnectorError('auth_expired', 'OK needs the session secret key of the access token, or Herald needs the OK application secret key (HERALD_OK_APPLICATION_SECRET) to sign requests');
  }
  const signed: Record<string, string> = { ...params, application_key: signing.applicationKey, format: 'json', method };
  const form = new URLSearchParams(signed);
  form.set('sig', okSign(signed, secret));
  form.set('access_token', signing.accessToken);
  return form;
}

/** Calls one REST method; returns the parsed JSON result or throws OkApiError / OkHttpError / ConnectorError. */
export async function okCall<T>(io: OkIo, apiBaseUrl: string, method: string, params: Record<string, string>, signing: OkSigning, opts: { write: boolean; timeoutMs: number; what: string }): Promise<T> {
  return okPost<T>(io, apiBaseUrl, method, okSignedForm(method, params, signing), opts);
}

/**
 * Posts an already signed fb.do form (a session's call or a session-less one) and reads OK's answer:
 * the parsed JSON result, or OkApiError (error body or `invocation-error` header) / OkHttpError / ConnectorError.
 */
export async function okPost<T>(io: OkIo, apiBaseUrl: string, method: string, form: URLSearchParams, opts: { write: boolean; timeoutMs: number; what: string }): Promise<T> {
  const res = await okHttp(io, apiBaseUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' }, body: form.toString() }, opts);
  const parsed = parseJson(res.text);
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'error_code' in parsed) {
    const p = parsed as { error_code?: unknown; error_msg?: unknown; error_data?: unknown };
    throw new OkApiError(Number(p.error_code), typeof p.error_msg === 'string' ? p.error_msg : '', p.error_data ?? null);
  }
  const headerCode = res.headers.get('invocation-error');
  if (headerCode && /^\d+$/.test(headerCode.trim())) throw new OkApiError(Number(headerCode), '', null);
  if (res.status < 200 || res.status >= 300) throw new OkHttpError(res.status, res.headers, res.text);
  if (parsed === undefined) {
    throw new ConnectorError('retryable', `OK answered ${method} with something that is not JSON`, { outcomeUnknown: opts.write });
  }
  return parsed as T;
}

/**
 * OK error codes (https://apiok.ru/en/dev/errors) and what Herald does with them. Codes not listed fall
 * to `retryable` (with an unknown outcome on writes, so nothing is re-sent blindly).
 */
export const okErrorTable: Record<number, { kind: FailureKind; name: string; retryAfterMs?: number; unknownOnWrite?: boolean }> = {
  1: { kind: 'retryable', name: 'UNKNOWN', unknownOnWrite: true },
  2: { kind: 'retryable', name: 'SERVICE', unknownOnWrite: true },
  3: { kind: 'invalid_content', name: 'METHOD' },
  4: { kind: 'invalid_content', name: 'REQUEST' },
  7: { kind: 'rate_limited', name: 'ACTION_BLOCKED', retryAfterMs: 15 * 60_000 },
  8: { kind: 'rate_limited', name: 'FLOOD_BLOCKED', retryAfterMs: 60_000 },
  9: { kind: 'rate_limited', name: 'IP_BLOCKED', retryAfterMs: 60 * 60_000 },
  10: { kind: 'auth_expired', name: 'PERMISSION_DENIED' },
  11: { kind: 'rate_limited', name: 'LIMIT_REACHED', retryAfterMs: 60 * 60_000 },
  12: { kind: 'invalid_content', name: 'CANCELLED' },
  21: { kind: 'invalid_content', name: 'NOT_MULTIPART' },
  22: { kind: 'disconnected', name: 'NOT_ACTIVATED' },
  24: { kind: 'disconnected', name: 'NOT_OWNER' },
  50: { kind: 'disconnected', name: 'NOT_ADMIN' },
  100: { kind: 'invalid_content', name: 'PARAM' },
  101: { kind: 'auth_expired', name: 'PARAM_API_KEY' },
  102: { kind: 'auth_expired', name: 'PARAM_SESSION_EXPIRED' },
  103: { kind: 'auth_expired', name: 'PARAM_SESSION_KEY' },
  104: { kind: 'auth_expired', name: 'PARAM_SIGNATURE' },
  105: { kind: 'auth_expired', name: 'PARAM_RESIGNATURE' },
  106: { kind: 'invalid_content', name: 'PARAM_ENTITY_ID' },
  110: { kind: 'invalid_content', name: 'PARAM_USER_ID' },
  120: { kind: 'invalid_content', name: 'PARAM_ALBUM_ID' },
  121: { kind: 'invalid_content', name: 'PARAM_PHOTO_ID' },
  141: { kind: 'invalid_content', name: 'PARAM_COMMENT_ID' },
  200: { kind: 'auth_expired', name: 'PARAM_PERMISSION' },
  300: { kind: 'invalid_content', name: 'NOT_FOUND' },
  9999: { kind: 'retryable', name: 'SYSTEM', unknownOnWrite: true },
};

const advice: Partial<Record<FailureKind, string>> = {
  auth_expired: 'reconnect the OK account (and check the application key and secret Herald is configured with)',
  disconnected: 'the OK account can no longer post to this group; check that it is still an administrator of the group',
  rate_limited: 'OK asked Herald to slow down; Herald will try again later',
};

/** Retry-After in ms from HTTP headers, or `fallback`. */
function retryAfter(headers: Headers, fallback: number): number {
  const ra = headers.get('retry-after');
  if (ra && /^\d+$/.test(ra.trim())) return Number(ra) * 1000;
  if (ra) {
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  return fallback;
}

/** Maps any failure onto the connector taxonomy; `action` names what was attempted, in plain words. */
export function toConnectorError(e: unknown, action: string, write: boolean): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (e instanceof OkApiError) {
    const row = okErrorTable[e.code];
    const name = row?.name ?? `code ${e.code}`;
    const said = e.okMessage ? `: ${e.okMessage}` : '';
    if (!row) {
      return new ConnectorError('retryable', `OK failed to ${action} (${name}${said})`, { networkCode: String(e.code), outcomeUnknown: write });
    }
    const tip = advice[row.kind];
    return new ConnectorError(row.kind, `OK refused to ${action} (${name}${said})${tip ? `; ${tip}` : ''}`, {
      networkCode: String(e.code),
      ...(row.retryAfterMs !== undefined ? { retryAfterMs: row.retryAfterMs } : {}),
      ...(write && row.unknownOnWrite ? { outcomeUnknown: true } : {}),
    });
  }
  if (e instanceof OkHttpError) {
    if (e.status === 429) {
      return new ConnectorError('rate_limited', `OK is rate limiting Herald while trying to ${action} (HTTP 429)`, { retryAfterMs: retryAfter(e.headers, 60_000), networkCode: '429' });
    }
    if (e.status === 401 || e.status === 403) {
      return new ConnectorError('auth_expired', `OK did not accept the stored sign-in while trying to ${action} (HTTP ${e.status}); ${advice.auth_expired}`, { networkCode: String(e.status) });
    }
    if (e.status >= 500 || e.status === 408) {
      return new ConnectorError('retryable', `OK failed while trying to ${action} (HTTP ${e.status})`, { networkCode: String(e.status), outcomeUnknown: write });
    }
    return new ConnectorError('invalid_content', `OK refused to ${action} (HTTP ${e.status})`, { networkCode: String(e.status) });
  }
  return new ConnectorError('retryable', `Unexpected failure while trying to ${action}: ${e instanceof Error ? e.message : String(e)}`, { outcomeUnknown: write, cause: e });
}

/** What the token endpoint answers (https://apiok.ru/en/ext/oauth/server). */
export interface OkTokenAnswer {
  access_token?: unknown;
  token_type?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
  error_code?: unknown;
  error_msg?: unknown;
}

/** POSTs to token.do with the documented query parameters; maps failures (a refused grant → auth_expired). */
export async function okToken(io: OkIo, tokenUrl: string, params: Record<string, string>, what: string, timeoutMs: number): Promise<OkTokenAnswer & { access_token: string }> {
  const url = new URL(tokenUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await okHttp(io, url.toString(), { method: 'POST', headers: { accept: 'application/json' } }, { write: false, timeoutMs, what });
  const body = (parseJson(res.text) ?? {}) as OkTokenAnswer;
  if (res.status >= 500) throw new ConnectorError('retryable', `OK's token endpoint failed while trying to ${what} (HTTP ${res.status})`, { networkCode: String(res.status) });
  if (res.status === 429) throw new ConnectorError('rate_limited', `OK's token endpoint is rate limiting Herald while trying to ${what}`, { retryAfterMs: retryAfter(res.headers, 60_000) });
  if (typeof body.access_token !== 'string' || !body.access_token) {
    const reason = typeof body.error_description === 'string' ? body.error_description : typeof body.error_msg === 'string' ? body.error_msg : typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    const code = typeof body.error === 'string' ? body.error : body.error_code !== undefined ? String(body.error_code) : String(res.status);
    throw new ConnectorError('auth_expired', `OK refused to ${what} (${reason}); connect the OK account again`, { networkCode: code });
  }
  return body as OkTokenAnswer & { access_token: string };
}
