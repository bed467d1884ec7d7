/**
 * The client address for rate limits: the socket peer as @hono/node-server exposes it in
 * `c.env.incoming`. Forwarded headers are not trusted (no proxy configuration exists yet).
 */
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** The peer address, or 'unknown' when the app runs without a Node socket (e.g. app.request in tests). */
export function clientIp(c: Context): string {
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
