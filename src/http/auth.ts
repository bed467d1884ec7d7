/**
 * Authentication for routes: the middleware that reads credentials (bearer API token or session
 * cookie, including the CSRF check) and the helpers routes call (`requireUser`, `actorFrom`).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Actor } from '../server/services';
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import { authenticateApiToken } from '../use-cases/api-tokens.use-case';
import { resolveSession } from '../use-cases/auth.use-case';
import type { AppEnv, RequestAuth } from './env';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'herald_session';
/** Header cookie-authenticated unsafe requests must carry. */
export const CSRF_HEADER = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Reads credentials into `c.var.auth`. A present but unusable `Authorization` header is a 401 right
 * away (a client that sends a token wants it used); a stale cookie is simply ignored.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const services = c.var.services;
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
      if (!m?.[1]) throw new UnauthorizedError('The Authorization header must be "Bearer hrld_…"');
      const token = await authenticateApiToken(services.database.db, m[1], services.now());
      if (!token) throw new UnauthorizedError('The API token is unknown or has been revoked');
      c.set('auth', { userId: token.user_id, via: 'token', token: { id: token.id, workspaceId: token.workspace_id }, csrfOk: true });
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) {
      const found = await resolveSession({ db: services.database.db, services }, cookie);
      if (found) {
        const sent = c.req.header(CSRF_HEADER);
        const csrfOk = safeMethods.has(c.req.method) || (sent !== undefined && sameSecret(sent, found.session.csrf_token));
        c.set('auth', { userId: found.user.id, via: 'session', session: { id: found.session.id, csrfToken: found.session.csrf_token }, csrfOk });
      }
    }
    return next();
  };
}

/**
 * The signed-in user, or throws: 401 without credentials, 403 when a cookie-authenticated unsafe
 * request lacks the session's CSRF token.
 */
export function requireUser(c: Context<AppEnv>): RequestAuth {
  const auth = c.var.auth;
  if (!auth) throw new UnauthorizedError();
  if (!auth.csrfOk) throw new ForbiddenError(`Missing or wrong ${CSRF_HEADER} header (send the csrfToken from login or GET /api/v1/me)`);
  return auth;
}

/** The use-case actor for a signed-in request. */
export function actorFrom(auth: RequestAuth): Actor {
  return auth.token
    ? { kind: 'user', userId: auth.userId, via: 'token', tokenWorkspaceId: auth.token.workspaceId }
    : { kind: 'user', userId: auth.userId, via: 'session' };
}

/** Sets the session cookie (httpOnly, SameSite=Lax, Path=/, Secure per config). */
export function setSessionCookie(c: Context<AppEnv>, value: string, expiresAt: string): void {
  const expires = new Date(expiresAt);
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.services.config.cookieSecure,
    path: '/',
    expires,
    maxAge: Math.max(0, Math.floor((expires.getTime() - c.var.services.now().getTime()) / 1000)),
  });
}

/** Clears the session cookie. */
export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.var.services.config.cookieSecure, httpOnly: true, sameSite: 'Lax' });
}
