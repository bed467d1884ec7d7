/**
 * Turns everything that goes wrong into RFC 9457 problems: validation failures (422 with field
 * errors), domain errors (their own status), Hono's HTTP exceptions (e.g. malformed JSON → 400),
 * unknown routes (404) and anything else (500 "Internal error", logged with the request id, never
 * leaking a stack or SQL).
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { DomainError, TooManyRequestsError } from '../domain/errors';
import type { AppEnv } from './env';
import { problem, titleFor, type FieldError } from './problem';

/** Field errors from a zod error; `target` (json, query, param) prefixes nothing for bodies. */
export function fieldErrors(error: ZodError, target?: string): FieldError[] {
  const prefix = target && target !== 'json' ? [target] : [];
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...base, key].join('.'), code: 'unrecognized_key', message: `Unknown field "${key}"` });
    } else {
      out.push({ path: base.join('.'), code: issue.code, message: issue.message });
    }
  }
  return out;
}

/** OpenAPIHono `defaultHook`: invalid input becomes a 422 problem listing the fields. */
export function validationHook(result: { target: string } & ({ success: true } | { success: false; error: ZodError }), c: Context<AppEnv>): Response | undefined {
  if (result.success) return undefined;
  const errors = fieldErrors(result.error, result.target);
  const summary = errors
    .slice(0, 3)
    .map((e) => (e.path ? `${e.path}: ${e.message}` : e.message))
    .join('; ');
  return problem(c, 422, `The ${result.target === 'json' ? 'request body' : result.target} is invalid: ${summary}`, { extra: { errors } });
}

/** app.onError */
export const errorHandler: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof DomainError) {
    const headers: Record<string, string> = {};
    if (err instanceof TooManyRequestsError) headers['retry-after'] = String(err.retryAfterSeconds);
    const extra = { ...err.extra };
    if (Array.isArray(extra.errors)) {
      extra.errors = (extra.errors as Array<{ path?: string; code?: string; message: string }>).map((e) => ({ ...e, path: e.path ?? '' }));
    }
    return problem(c, err.status, err.message, { title: err.title, extra, headers });
  }
  if (err instanceof HTTPException && err.status < 500) {
    return problem(c, err.status, err.message || titleFor(err.status));
  }
  c.var.services?.log.error({ reqId: c.var.requestId, err }, 'unhandled error');
  return problem(c, 500, 'Internal error: the request failed on our side; the request id is in the x-request-id header', { title: 'Internal error' });
};

/** app.notFound */
export const notFoundHandler: NotFoundHandler<AppEnv> = (c) => problem(c, 404, `No route ${c.req.method} ${c.req.path}`);
