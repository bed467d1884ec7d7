/**
 * Per-request set-up: request id (accepted from `x-request-id` when sane, echoed back), the services,
 * and one log line per request with method, path, status and duration; never headers or bodies.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppServices } from '../../server/services';
import type { AppEnv } from '../env';

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Sets requestId/services/auth variables and logs the request when it finishes. */
export function requestContext(services: AppServices): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && saneRequestId.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    c.set('services', services);
    c.set('auth', null);
    const started = performance.now();
    await next();
    try {
      c.res.headers.set('x-request-id', requestId);
    } catch {
      // Immutable headers (a proxied response): the id is still in the log line.
    }
    services.log.info(
      { reqId: requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
      'request',
    );
  };
}
