/**
 * Signing of outgoing webhooks: `x-herald-signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `t + "." + body`, the scheme receivers already know from payment providers. The timestamp lets a
 * receiver refuse replays older than its tolerance.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh webhook secret, shown to the user once. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The signature header value for `body` at `unixSeconds`. */
export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Checks a signature header as a receiver would: true when one `v1` value matches and the timestamp is
 * within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhookSignature(secret: string, body: string, header: string, opts: { nowSeconds: number; toleranceSeconds?: number }): boolean {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(opts.nowSeconds - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'), 'hex');
  return parts
    .filter(([k]) => k === 'v1')
    .some(([, v]) => {
      const got = Buffer.from(v ?? '', 'hex');
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
}
