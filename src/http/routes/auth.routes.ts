/**
 * Sign-in routes: first-run setup, login, logout and "who am I".
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { login, logout, setupFirstRun } from '../../use-cases/auth.use-case';
import { getUserProfile, isSetupOpen, uiLocales, updateMyProfile } from '../../use-cases/users.use-case';
import { UnauthorizedError } from '../../domain/errors';
import type { AppEnv } from '../env';
import { clearSessionCookie, requireUser, setSessionCookie } from '../auth';
import { clientIp } from '../client-ip';
import { authenticated, jsonBody, jsonResponse, problemResponses, sessionOnly } from '../openapi';
import { presentUser, presentWorkspace, UserSchema, WorkspaceSchema } from '../presenters';

const SetupBody = z
  .object({
    email: z.string().max(320).openapi({ example: 'owner@example.com' }),
    name: z.string().max(200),
    password: z.string().max(1024).openapi({ description: 'At least 10 characters' }),
    organizationName: z.string().max(200).optional(),
    workspaceName: z.string().max(200).optional(),
    timezone: z.string().max(100).optional().openapi({ description: 'IANA time zone of the first workspace; default UTC', example: 'Europe/Berlin' }),
  })
  .strict()
  .openapi('SetupRequest');

const SetupResponse = z
  .object({
    user: UserSchema,
    organization: z.object({ id: z.string(), name: z.string() }),
    workspace: WorkspaceSchema,
    csrfToken: z.string(),
  })
  .openapi('SetupResponse');

const LoginBody = z
  .object({ email: z.string().max(320), password: z.string().max(4096) })
  .strict()
  .openapi('LoginRequest');

const SessionResponse = z.object({ user: UserSchema, csrfToken: z.string(), expiresAt: z.string() }).openapi('SessionResponse');

const MeResponse = z
  .object({
    user: UserSchema,
    authMethod: z.enum(['session', 'token']),
    csrfToken: z.string().nullable().openapi({ description: 'Send as x-csrf-token on unsafe cookie-authenticated requests' }),
    tokenWorkspaceId: z.string().nullable().openapi({ description: 'For API tokens: the one workspace it may use' }),
    locale: z.enum(uiLocales).openapi({ description: "The user's interface language" }),
  })
  .openapi('Me');

const UpdateMeBody = z
  .object({
    locale: z.enum(uiLocales).optional().openapi({ description: 'Interface language' }),
    name: z.string().max(200).optional().openapi({ description: 'Display name, 1 to 200 characters' }),
  })
  .strict()
  .openapi('UpdateMeRequest');

const Profile = z.object({ user: UserSchema, locale: z.enum(uiLocales) }).openapi('Profile');

const SetupStatus = z
  .object({ setupOpen: z.boolean().openapi({ description: 'True while no user exists and POST /api/v1/setup may be used' }) })
  .openapi('SetupStatus');

const setup = createRoute({
  method: 'post',
  path: '/api/v1/setup',
  tags: ['auth'],
  summary: 'First-run setup: create the owner, an organisation and a first workspace, and sign in',
  description: 'Works only while no user exists; afterwards answers 409.',
  security: [],
  request: { body: jsonBody(SetupBody) },
  responses: { 201: jsonResponse(SetupResponse, 'Set up and signed in (sets the herald_session cookie)'), ...problemResponses(400, 409, 413, 422) },
});

const setupStatus = createRoute({
  method: 'get',
  path: '/api/v1/setup',
  tags: ['auth'],
  summary: 'Whether first-run setup is still open (no user exists yet)',
  security: [],
  responses: { 200: jsonResponse(SetupStatus, 'Setup status') },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags: ['auth'],
  summary: 'Sign in with e-mail and password',
  description: 'After 5 failures per e-mail or per client address within 15 minutes, answers 429 with Retry-After.',
  security: [],
  request: { body: jsonBody(LoginBody) },
  responses: { 200: jsonResponse(SessionResponse, 'Signed in (sets the herald_session cookie)'), ...problemResponses(400, 401, 422, 429) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/logout',
  tags: ['auth'],
  summary: 'Sign out (ends the cookie session)',
  security: sessionOnly,
  responses: { 204: { description: 'Signed out' }, ...problemResponses(401, 403) },
});

const me = createRoute({
  method: 'get',
  path: '/api/v1/me',
  tags: ['auth'],
  summary: 'The signed-in user and the CSRF token of the session',
  security: authenticated,
  responses: { 200: jsonResponse(MeResponse, 'The caller'), ...problemResponses(401) },
});

const updateMe = createRoute({
  method: 'patch',
  path: '/api/v1/me',
  tags: ['auth'],
  summary: 'Change your own interface language or display name',
  security: authenticated,
  request: { body: jsonBody(UpdateMeBody) },
  responses: { 200: jsonResponse(Profile, 'Your profile afterwards'), ...problemResponses(400, 401, 403, 413, 422) },
});

/** Registers setup, login, logout and me. */
export function registerAuthRoutes(app: OpenAPIHono<AppEnv>, services: AppServices) {
  const ctx = { db: services.database.db, services };
  return app
    .openapi(setupStatus, async (c) => c.json({ setupOpen: await isSetupOpen(ctx) }, 200))
    .openapi(setup, async (c) => {
      const body = c.req.valid('json');
      const created = await setupFirstRun({ ...ctx, dialect: services.database.dialect }, body);
      setSessionCookie(c, created.session.cookieValue, created.session.expiresAt);
      const ws = created.workspace;
      const org = created.organization;
      if (!ws || !org) throw new Error('setup did not create a workspace');
      return c.json(
        { user: presentUser(created.user), organization: org, workspace: presentWorkspace(ws, 'owner'), csrfToken: created.session.csrfToken },
        201,
      );
    })
    .openapi(loginRoute, async (c) => {
      const body = c.req.valid('json');
      const result = await login(ctx, { email: body.email, password: body.password, ip: clientIp(c, services.config.trustProxyHops) });
      setSessionCookie(c, result.cookieValue, result.expiresAt);
      return c.json({ user: presentUser(result.user), csrfToken: result.csrfToken, expiresAt: result.expiresAt }, 200);
    })
    .openapi(logoutRoute, async (c) => {
      const auth = requireUser(c);
      if (auth.session) await logout(ctx, auth.session.id);
      clearSessionCookie(c);
      return c.body(null, 204);
    })
    .openapi(me, async (c) => {
      const auth = requireUser(c);
      const profile = await getUserProfile(ctx, auth.userId);
      if (!profile) throw new UnauthorizedError();
      return c.json(
        {
          user: presentUser(profile.user),
          authMethod: auth.via,
          csrfToken: auth.session?.csrfToken ?? null,
          tokenWorkspaceId: auth.token?.workspaceId ?? null,
          locale: profile.locale,
        },
        200,
      );
    })
    .openapi(updateMe, async (c) => {
      const auth = requireUser(c);
      const profile = await updateMyProfile(ctx, auth.userId, c.req.valid('json'));
      return c.json({ user: presentUser(profile.user), locale: profile.locale }, 200);
    });
}
