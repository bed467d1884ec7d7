/**
 * Small builders that keep route definitions short and uniform: JSON bodies, problem responses,
 * security requirements and the common path parameters.
 */
import { z } from '@hono/zod-openapi';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem';

/** Names of the documented security schemes (registered in app.ts). */
export const BEARER_SCHEME = 'bearerAuth';
export const COOKIE_SCHEME = 'cookieAuth';

/** `security` for routes that accept a session cookie or an API token. */
export const authenticated: Array<Record<string, string[]>> = [{ [BEARER_SCHEME]: [] }, { [COOKIE_SCHEME]: [] }];

/** `security` for routes that only accept a session cookie (e.g. logout). */
export const sessionOnly: Array<Record<string, string[]>> = [{ [COOKIE_SCHEME]: [] }];

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } };
}

/** A JSON response. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

const problemDescriptions: Record<number, string> = {
  400: 'Malformed request (bad JSON, not UTF-8)',
  401: 'Not signed in or bad API token',
  403: 'Signed in but not allowed (role or CSRF)',
  404: 'Not found (or not visible to you)',
  409: 'Conflicts with the current state',
  413: 'Body larger than 12 MB',
  422: 'Validation failed; `errors` lists the fields',
  429: 'Too many attempts; see Retry-After',
  503: 'Not ready',
};

/** Problem responses for the given statuses, to spread into a route's `responses`. */
export function problemResponses<S extends number>(...statuses: S[]) {
  const out = {} as Record<S, { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof ProblemSchema } } }>;
  for (const s of statuses) out[s] = { description: problemDescriptions[s] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
  return out;
}

/** Problems any authenticated workspace route can answer with. */
export const workspaceProblems = problemResponses(400, 401, 403, 404, 422);

/** Path parameter `workspaceId` (not validated as an id on purpose: a malformed id is a 404). */
export const WorkspaceParamsSchema = z
  .object({ workspaceId: z.string().openapi({ param: { name: 'workspaceId', in: 'path' }, example: '0190c7e2-1b2c-7d3e-8f40-1234567890ab' }) })
  .strict();
