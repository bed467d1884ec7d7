/**
 * Request bodies: at most 12 MB (413 problem otherwise), and JSON bodies must be valid UTF-8 (400):
 * a lenient decoder would silently turn bad bytes into U+FFFD and store them.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env';
import { problem } from '../problem';

/** Largest request body the API accepts. */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;

const jsonType = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Rejects bodies over MAX_BODY_BYTES with 413. */
export function sizeLimit(maxSize = MAX_BODY_BYTES): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: (c) => problem(c, 413, `The request body is larger than ${Math.round(maxSize / 1024 / 1024)} MB`),
  });
}

/** Rejects JSON bodies that are not valid UTF-8 with 400. */
export function utf8Json(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = c.req.header('content-type');
    if (c.req.raw.body && type && jsonType.test(type)) {
      const bytes = await c.req.arrayBuffer();
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        return problem(c, 400, 'The request body is not valid UTF-8');
      }
    }
    await next();
  };
}
