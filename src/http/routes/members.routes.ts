/**
 * Workspace members: list, add (existing user by e-mail, or a new user with name and password),
 * change role, remove. Admins manage everyone except owners; owners manage everyone.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { addMember, changeMemberRole, listMembers, removeMember } from '../../use-cases/members.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';
import { RoleSchema } from '../presenters';

const MemberSchema = z
  .object({ userId: z.string(), email: z.string(), name: z.string(), role: RoleSchema, addedAt: z.string() })
  .openapi('Member');

const AddBody = z
  .object({
    email: z.string().max(320),
    role: RoleSchema,
    name: z.string().max(200).optional().openapi({ description: 'Only to create a new user' }),
    password: z.string().max(1024).optional().openapi({ description: 'Only to create a new user (at least 10 characters)' }),
  })
  .strict()
  .openapi('AddMemberRequest');

const RoleBody = z.object({ role: RoleSchema }).strict().openapi('ChangeMemberRoleRequest');

const MemberParams = WorkspaceParamsSchema.extend({
  userId: z.string().openapi({ param: { name: 'userId', in: 'path' } }),
}).strict();

const list = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/members',
  tags: ['members'],
  summary: 'Members of a workspace',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageSchema(MemberSchema, 'MemberPage'), 'A page of members'), ...workspaceProblems },
});

const add = createRoute({
  method: 'post',
  path: '/api/v1/workspaces/{workspaceId}/members',
  tags: ['members'],
  summary: 'Add a member (admins; only owners may add owners)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(AddBody) },
  responses: { 201: jsonResponse(MemberSchema, 'Added'), ...workspaceProblems, ...problemResponses(409, 413) },
});

const update = createRoute({
  method: 'patch',
  path: '/api/v1/workspaces/{workspaceId}/members/{userId}',
  tags: ['members'],
  summary: "Change a member's role",
  security: authenticated,
  request: { params: MemberParams, body: jsonBody(RoleBody) },
  responses: { 200: jsonResponse(MemberSchema, 'Updated'), ...workspaceProblems, ...problemResponses(409) },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/v1/workspaces/{workspaceId}/members/{userId}',
  tags: ['members'],
  summary: 'Remove a member (their API tokens for this workspace are revoked)',
  security: authenticated,
  request: { params: MemberParams },
  responses: { 204: { description: 'Removed' }, ...workspaceProblems, ...problemResponses(409) },
});

/** Registers the member routes. */
export function registerMemberRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'members.read');
      return c.json(await listMembers(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(add, async (c) => {
      // The role-dependent part of members.manage is checked by the use case with the target role.
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'members.read');
      return c.json(await addMember(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(update, async (c) => {
      const { workspaceId, userId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'members.read');
      return c.json(await changeMemberRole(access.ctx, userId, c.req.valid('json').role), 200);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, userId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'members.read');
      await removeMember(access.ctx, userId);
      return c.body(null, 204);
    });
}
