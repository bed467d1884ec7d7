/**
 * Telling transport failures apart, shared by every connector: a failure whose causes are all
 * "could not connect" codes means nothing reached the network (safe to retry); anything else after the
 * request started (reset, timeout, broken answer) may have been acted on, so a write's outcome is unknown.
 */

/** Node/undici error codes that mean the request never reached the server. */
const nothingSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

/** Every `code` found on the error, its causes and aggregated errors (fetch wraps the socket error). */
export function errorCodes(e: unknown): string[] {
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

/** True when the codes show the request never left (connection refused, name not found, …). */
export function nothingWasSent(codes: string[]): boolean {
  return codes.length > 0 && codes.every((c) => nothingSentCodes.has(c));
}

/** A short description for messages: the first error code, "timed out", or the error's message. */
export function describeNetworkError(e: unknown): string {
  const codes = errorCodes(e);
  if (codes.length) return codes[0]!;
  if (e instanceof Error) return e.name === 'TimeoutError' ? 'timed out' : e.message;
  return String(e);
}
