/**
 * The Hono environment every Herald route runs in: per-request variables set by the middleware in
 * src/http/middleware/*.
 */
import type { AppServices } from '../server/services';

/** A signed-in user as the HTTP layer resolved them. */
export interface RequestAuth {
  userId: string;
  via: 'session' | 'token';
  /** Set for cookie sessions: the hashed session id and the token unsafe requests must echo. */
  session?: { id: string; csrfToken: string };
  /** Set for API tokens: the token row id and the one workspace it may touch. */
  token?: { id: string; workspaceId: string };
  /** False when a cookie-authenticated unsafe request lacks the right x-csrf-token. */
  csrfOk: boolean;
}

/** Hono environment type for `OpenAPIHono<AppEnv>`. */
export interface AppEnv {
  Variables: {
    requestId: string;
    services: AppServices;
    /** Credentials found on the request, or null; routes call `requireUser(c)` instead of reading this. */
    auth: RequestAuth | null;
  };
}
