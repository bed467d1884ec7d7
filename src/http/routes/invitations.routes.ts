/**
 * Invitations: admins create one-time links into a workspace, list and revoke them; the person who
 * opens a link previews it and accepts (creating their user, or joining as the signed-in one).
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { startSession } from '../../use-cases/auth.use-case';
import { acceptInvitation, createInvitation, listInvitations, previewInvitation, revokeInvitation } from '../../use-cases/invitations.use-case';
import type { AppEnv } from '../env';
import { requireUser, setSessionCookie } from '../auth';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';
import { presentUser, RoleSchema, UserSchema } from '../presenters';

const InvitationSchema = z
  .object({
    id: z.string(),
    role: RoleSchema,
    email: z.string().nullable().openapi({ description: 'When set, only this address may accept' }),
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
  })
  .openapi('Invitation');

const CreatedInvitationSchema = InvitationSchema.extend({
  token: z.string().openapi({ description: 'The secret (`hinv_…`); shown only in this response' }),
  url: z.string().openapi({ description: 'The link to pass on (the token is in its fragment)' }),
}).openapi('CreatedInvitation');

const CreateBody = z
  .object({
    role: RoleSchema,
    email: z.string().max(320).optional().openapi({ description: 'Only this address may accept' }),
    expiresInDays: z.number().int().optional().openapi({ description: '1 to 30; default 7' }),
  })
  .strict()
  .openapi('CreateInvitationRequest');

const TokenBody = z.object({ token: z.string().max(200) }).strict().openapi('InvitationTokenRequest');

const AcceptBody = z
  .object({
    token: z.string().max(200),
    name: z.string().max(200).optional(),
    email: z.string().max(320).optional().openapi({ description: "Ignored when the invitation names one (that one is used)" }),
    password: z.string().max(1024).optional().openapi({ description: 'Creates your user (at least 10 characters); leave out to join as the signed-in user' }),
  })
  .strict()
  .openapi('AcceptInvitationRequest');

const PreviewSchema = z
  .object({ workspaceName: z.string(), role: RoleSchema, email: z.string().nullable(), expiresAt: z.string() })
  .openapi('InvitationPreview');

const AcceptedSchema = z
  .object({
    user: UserSchema,
    workspaceId: z.string(),
    role: RoleSchema,
    csrfToken: z.string().nullable().openapi({ description: 'Set when a new user was created and signed in' }),
  })
  .openapi('AcceptedInvitation');

const InvitationParams = WorkspaceParamsSchema.extend({ invitationId: z.string().openapi({ param: { name: 'invitationId', in: 'path' } }) }).strict();
const base = '/api/v1/workspaces/{workspaceId}/invitations';

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['members'],
  summary: 'Invitations of a workspace (admins, owners)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageSchema(InvitationSchema, 'InvitationPage'), 'A page of invitations'), ...workspaceProblems },
});

const create = createRoute({
  method: 'post',
  path: base,
  tags: ['members'],
  summary: 'Create a one-time invitation link (admins; only owners may invite owners)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(CreateBody) },
  responses: { 201: jsonResponse(CreatedInvitationSchema, 'Created; pass the link on now'), ...workspaceProblems, ...problemResponses(413) },
});

const revoke = createRoute({
  method: 'delete',
  path: `${base}/{invitationId}`,
  tags: ['members'],
  summary: 'Revoke an invitation that has not been used',
  security: authenticated,
  request: { params: InvitationParams },
  responses: { 204: { description: 'Revoked' }, ...workspaceProblems, ...problemResponses(409) },
});

const preview = createRoute({
  method: 'post',
  path: '/api/v1/invitations/preview',
  tags: ['members'],
  summary: 'What an invitation link invites to (no sign-in needed)',
  security: [],
  request: { body: jsonBody(TokenBody) },
  responses: { 200: jsonResponse(PreviewSchema, 'The invitation'), ...problemResponses(400, 404, 409, 422) },
});

const accept = createRoute({
  method: 'post',
  path: '/api/v1/invitations/accept',
  tags: ['members'],
  summary: 'Accept an invitation: create your user (name, e-mail, password) or join as the signed-in user',
  description: 'A new user is signed in (sets the herald_session cookie). The link works once.',
  security: [],
  request: { body: jsonBody(AcceptBody) },
  responses: { 201: jsonResponse(AcceptedSchema, 'Joined'), ...problemResponses(400, 401, 403, 404, 409, 413, 422) },
});

/** Registers the invitation routes. */
export function registerInvitationRoutes(app: OpenAPIHono<AppEnv>, services: AppServices) {
  const ctx = { db: services.database.db, services };
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'invitations.manage');
      return c.json(await listInvitations(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(create, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'invitations.manage');
      return c.json(await createInvitation(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(revoke, async (c) => {
      const { workspaceId, invitationId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'invitations.manage');
      await revokeInvitation(access.ctx, invitationId);
      return c.body(null, 204);
    })
    .openapi(preview, async (c) => c.json(await previewInvitation(ctx, c.req.valid('json').token), 200))
    .openapi(accept, async (c) => {
      const body = c.req.valid('json');
      // Joining as the signed-in user is an unsafe cookie request like any other: CSRF applies.
      const signedIn = body.password === undefined && c.var.auth ? requireUser(c).userId : null;
      const result = await acceptInvitation(ctx, body, signedIn);
      let csrfToken: string | null = null;
      if (result.created) {
        const session = await startSession(ctx, result.user.id);
        setSessionCookie(c, session.cookieValue, session.expiresAt);
        csrfToken = session.csrfToken;
      }
      return c.json({ user: presentUser(result.user), workspaceId: result.workspaceId, role: result.role, csrfToken }, 201);
    });
}
