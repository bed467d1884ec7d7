/**
 * Bot API calls over the injected fetch, and the mapping of every answer onto Herald's failure
 * taxonomy. Requests go to `${apiBaseUrl}/bot<token>/<method>`; JSON bodies for plain calls,
 * multipart/form-data when files are uploaded (complex fields JSON-serialized, as the docs require).
 *
 * The token is part of the URL, so no message built here ever contains the URL, and network errors
 * are described by their code only (an undici error can carry the URL in its text).
 */
import { ConnectorError, type ConnectorContext } from '../connector';
import { errorCodes, nothingWasSent } from '../network-errors';

/** `{ ok: false, error_code, description, parameters }` as the Bot API returns it. */
export class TelegramApiError extends Error {
  constructor(
    readonly method: string,
    readonly httpStatus: number,
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfterSeconds: number | null,
    readonly migrateToChatId: number | null,
  ) {
    super(description);
    this.name = 'TelegramApiError';
  }
}

/** A file part of a multipart request. */
export interface TelegramUpload {
  /** The attach name referenced as `attach://<name>` (or the method's own field, e.g. `photo`). */
  name: string;
  filename: string;
  mimeType: string;
  data: Uint8Array;
}

/** One Bot API call. */
export interface TelegramCall {
  method: string;
  params?: Record<string, unknown>;
  files?: TelegramUpload[];
  /**
   * True for calls that change something on Telegram (sends, pins, deletes): when the connection
   * fails after the request left, the outcome is unknown.
   */
  write: boolean;
  timeoutMs: number;
}

/** Where and as whom to call. */
export interface TelegramEndpoint {
  apiBaseUrl: string;
  token: string;
}

function describeNetworkError(e: unknown): string {
  const codes = errorCodes(e);
  if (codes.length) return codes[0]!;
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'timed out';
  return 'connection failed';
}

/**
 * multipart/form-data written by hand: FormData's encoder turns every "\n" in a text field into
 * "\r\n" (the HTML form rules), which would change a caption and shift its entity offsets.
 */
function multipart(params: Record<string, unknown>, files: TelegramUpload[]): { body: Uint8Array; contentType: string } {
  const boundary = `----herald-telegram-${globalThis.crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const quote = (v: string) => v.replace(/["\r\n\\]/g, '_');
  for (const [k, v] of Object.entries(params)) {
    parts.push(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"\r\n\r\n`));
    parts.push(enc.encode(typeof v === 'string' ? v : JSON.stringify(v)));
    parts.push(enc.encode('\r\n'));
  }
  for (const f of files) {
    parts.push(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.name)}"; filename="${quote(f.filename)}"\r\nContent-Type: ${quote(f.mimeType)}\r\n\r\n`));
    parts.push(f.data);
    parts.push(enc.encode('\r\n'));
  }
  parts.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.byteLength;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function toBody(call: TelegramCall): { body: string | Uint8Array; headers: Record<string, string> } {
  const params = Object.fromEntries(Object.entries(call.params ?? {}).filter(([, v]) => v !== undefined && v !== null));
  if (!call.files?.length) return { body: JSON.stringify(params), headers: { 'content-type': 'application/json' } };
  const m = multipart(params, call.files);
  return { body: m.body, headers: { 'content-type': m.contentType } };
}

interface BotApiAnswer {
  ok?: unknown;
  result?: unknown;
  error_code?: unknown;
  description?: unknown;
  parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown };
}

/** Calls a Bot API method and returns its `result`; throws TelegramApiError or ConnectorError. */
export async function callBotApi<T>(ctx: Pick<ConnectorContext, 'fetch' | 'signal'>, endpoint: TelegramEndpoint, call: TelegramCall): Promise<T> {
  const url = `${endpoint.apiBaseUrl}/bot${endpoint.token}/${call.method}`;
  const { body, headers } = toBody(call);
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await ctx.fetch(url, { method: 'POST', headers: { accept: 'application/json', ...headers }, body, signal });
  } catch (e) {
    const codes = errorCodes(e);
    const nothingSent = nothingWasSent(codes);
    throw new ConnectorError('retryable', `Could not reach the Telegram Bot API for ${call.method} (${describeNetworkError(e)})`, {
      outcomeUnknown: call.write && !nothingSent,
    });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new ConnectorError('retryable', `The Telegram Bot API broke off its answer to ${call.method} (${describeNetworkError(e)})`, { outcomeUnknown: call.write });
  }
  let answer: BotApiAnswer | null = null;
  try {
    answer = text ? (JSON.parse(text) as BotApiAnswer) : null;
  } catch {
    answer = null;
  }
  if (answer && answer.ok === true && res.ok) return answer.result as T;
  if (answer && answer.ok === false) {
    const code = typeof answer.error_code === 'number' ? answer.error_code : res.status;
    const description = typeof answer.description === 'string' && answer.description ? answer.description : `HTTP ${res.status}`;
    const ra = answer.parameters?.retry_after;
    const mig = answer.parameters?.migrate_to_chat_id;
    throw new TelegramApiError(call.method, res.status, code, description, typeof ra === 'number' ? ra : null, typeof mig === 'number' ? mig : null);
  }
  // Not the Bot API's envelope (a proxy's error page, an empty answer): nothing says what happened.
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    throw new TelegramApiError(call.method, res.status, res.status, `HTTP ${res.status}`, null, null);
  }
  throw new ConnectorError('retryable', `The Telegram Bot API answered ${call.method} with HTTP ${res.status} and no usable JSON`, {
    outcomeUnknown: call.write,
    networkCode: String(res.status),
  });
}

/** 400 descriptions that mean the bot lost its place in the chat rather than a problem with the post. */
const lostAccess = [/chat not found/i, /need administrator rights/i, /not enough rights/i, /CHAT_WRITE_FORBIDDEN/, /CHAT_ADMIN_REQUIRED/, /have no rights to send/i, /upgraded to a supergroup/i];

function retryAfterMs(e: TelegramApiError): number {
  if (e.retryAfterSeconds !== null) return Math.max(0, e.retryAfterSeconds) * 1000;
  const m = /retry after (\d+)/i.exec(e.description);
  return m ? Number(m[1]) * 1000 : 30_000;
}

/**
 * Maps a failure onto the taxonomy; `action` names what was tried in plain words, `write` whether the
 * call could have changed something on Telegram.
 *   401 / 404 (the token is refused or malformed)  → auth_expired
 *   403 (bot kicked, not a member, blocked)        → disconnected
 *   400 about rights or a vanished chat            → disconnected
 *   other 400                                      → invalid_content with Telegram's description
 *   409 (a webhook is set, another poller)         → retryable (comments only; publishing unaffected)
 *   429 with parameters.retry_after                → rate_limited with retryAfterMs
 *   5xx, timeouts, resets                          → retryable (outcomeUnknown for writes)
 */
export function toConnectorError(e: unknown, action: string, write: boolean): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (e instanceof TelegramApiError) {
    const networkCode = String(e.errorCode);
    const d = e.description;
    if (e.errorCode === 429 || e.httpStatus === 429) {
      return new ConnectorError('rate_limited', `Telegram asks the bot to slow down while trying to ${action}: ${d}`, { retryAfterMs: retryAfterMs(e), networkCode });
    }
    if (e.errorCode === 401 || e.errorCode === 404) {
      return new ConnectorError(
        'auth_expired',
        `Telegram did not accept the bot token while trying to ${action} (${d}); it may have been revoked in @BotFather — reconnect the account with the bot's current token`,
        { networkCode },
      );
    }
    if (e.errorCode === 403) {
      return new ConnectorError('disconnected', `The bot can no longer post here (${d}); add it back to the chat as an administrator and reconnect the account`, { networkCode });
    }
    if (e.errorCode === 409) {
      // Only getUpdates meets this. It says nothing about publishing, so the account is not flagged
      // (that would hold its posts): the comment reader logs it and tries again next round.
      return new ConnectorError(
        'retryable',
        `Telegram refused to hand the bot's updates to Herald (${d}): another program reads this bot's updates or a webhook is set; give Herald a bot of its own`,
        { networkCode },
      );
    }
    if (e.errorCode === 400 && e.migrateToChatId !== null) {
      return new ConnectorError('disconnected', `The group became a supergroup with the id ${e.migrateToChatId}; connect that chat instead (${d})`, { networkCode });
    }
    if (e.errorCode === 400 && lostAccess.some((r) => r.test(d))) {
      return new ConnectorError('disconnected', `The bot has lost what it needs in this chat while trying to ${action}: ${d}`, { networkCode });
    }
    if (e.errorCode >= 500 || e.httpStatus >= 500) {
      return new ConnectorError('retryable', `Telegram failed while trying to ${action} (${e.errorCode}: ${d})`, { networkCode, outcomeUnknown: write });
    }
    return new ConnectorError('invalid_content', `Telegram refused to ${action}: ${d}`, { networkCode });
  }
  return new ConnectorError('retryable', `Unexpected failure while trying to ${action}: ${e instanceof Error ? e.message : String(e)}`, { outcomeUnknown: write });
}
