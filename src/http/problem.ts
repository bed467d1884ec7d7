/**
 * RFC 9457 problem documents: the only error shape the API sends.
 */
import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';

/** Media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One field problem inside a 422. */
export interface FieldError {
  path: string;
  code?: string;
  message: string;
}

/** The body of every error response. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const statusTitles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Invalid input',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

/** A title for a status when none is given. */
export function titleFor(status: number): string {
  return statusTitles[status] ?? 'Error';
}

/** Builds a problem document; `type` is a stable slug URI derived from the title. */
export function problemDocument(status: number, detail: string, opts: { title?: string; instance?: string; extra?: Record<string, unknown> } = {}): ProblemDocument {
  const title = opts.title ?? titleFor(status);
  return {
    type: `https://herald.dev/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '')}`,
    title,
    status,
    detail,
    ...(opts.instance ? { instance: opts.instance } : {}),
    ...(opts.extra ?? {}),
  };
}

/** Sends a problem response (`instance` is the request path). */
export function problem(c: Context, status: number, detail: string, opts: { title?: string; extra?: Record<string, unknown>; headers?: Record<string, string> } = {}): Response {
  const doc = problemDocument(status, detail, { title: opts.title, instance: c.req.path, extra: opts.extra });
  return new Response(JSON.stringify(doc), {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...(opts.headers ?? {}) },
  });
}

/** OpenAPI schema of a problem document. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), code: z.string().optional(), message: z.string() })).optional(),
  })
  .openapi('Problem');
