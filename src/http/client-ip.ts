/**
 * The client address for rate limits. By default the socket peer (as @hono/node-server exposes it in
 * `c.env.incoming`); behind `trustedHops` reverse proxies (HERALD_TRUST_PROXY), the address those proxies
 * appended to `X-Forwarded-For` — never an entry a client could have written itself.
 */
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** The client address, or 'unknown' when the app runs without a Node socket (e.g. app.request in tests). */
export function clientIp(c: Context, trustedHops = 0): string {
  const env = c.env as NodeBindings | undefined;
  const peer = env?.incoming?.socket?.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const chain = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Each trusted proxy appends the address it saw; the client is the entry the outermost one added.
  return chain[chain.length - trustedHops] ?? peer;
}
