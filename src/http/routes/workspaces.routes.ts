/**
 * Workspaces: list the ones the caller can see, create one, read and update settings.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { createWorkspace, getWorkspace, listWorkspacesForUser, updateWorkspace } from '../../use-cases/workspaces.use-case';
import type { AppEnv } from '../env';
import { actorFrom, requireUser } from '../auth';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';
import { presentWorkspace, WorkspaceSchema } from '../presenters';

const CreateBody = z
  .object({
    name: z.string().max(200),
    timezone: z.string().max(100).optional().openapi({ description: 'IANA time zone; default UTC', example: 'America/New_York' }),
    organizationId: z.string().optional().openapi({ description: 'Default: the first organisation you own or administer' }),
  })
  .strict()
  .openapi('CreateWorkspaceRequest');

const UpdateBody = z
  .object({ name: z.string().max(200).optional(), timezone: z.string().max(100).optional() })
  .strict()
  .openapi('UpdateWorkspaceRequest');

const list = createRoute({
  method: 'get',
  path: '/api/v1/workspaces',
  tags: ['workspaces'],
  summary: 'Workspaces you can see (an API token sees only its own)',
  security: authenticated,
  request: { query: PageQuerySchema },
  responses: { 200: jsonResponse(pageSchema(WorkspaceSchema, 'WorkspacePage'), 'A page of workspaces'), ...problemResponses(401, 422) },
});

const create = createRoute({
  method: 'post',
  path: '/api/v1/workspaces',
  tags: ['workspaces'],
  summary: 'Create a workspace in an organisation you own or administer',
  security: authenticated,
  request: { body: jsonBody(CreateBody) },
  responses: { 201: jsonResponse(WorkspaceSchema, 'Created; you are its owner'), ...problemResponses(400, 401, 403, 404, 413, 422) },
});

const get = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}',
  tags: ['workspaces'],
  summary: 'One workspace',
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(WorkspaceSchema, 'The workspace'), ...workspaceProblems },
});

const patch = createRoute({
  method: 'patch',
  path: '/api/v1/workspaces/{workspaceId}',
  tags: ['workspaces'],
  summary: 'Rename a workspace or change its time zone (admins, owners)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(UpdateBody) },
  responses: { 200: jsonResponse(WorkspaceSchema, 'Updated'), ...workspaceProblems, ...problemResponses(413) },
});

/** Registers the workspace routes. */
export function registerWorkspaceRoutes(app: OpenAPIHono<AppEnv>, services: AppServices) {
  const db = services.database.db;
  return app
    .openapi(list, async (c) => {
      const auth = requireUser(c);
      const q = c.req.valid('query');
      const page = await listWorkspacesForUser({ db }, auth.userId, q, { onlyWorkspaceId: auth.token?.workspaceId });
      return c.json({ items: page.items.map((i) => presentWorkspace(i.workspace, i.role)), nextCursor: page.nextCursor }, 200);
    })
    .openapi(create, async (c) => {
      const auth = requireUser(c);
      const created = await createWorkspace({ db, services, actor: actorFrom(auth) }, c.req.valid('json'));
      return c.json(presentWorkspace(created.workspace, created.role), 201);
    })
    .openapi(get, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'workspace.read');
      return c.json(presentWorkspace(await getWorkspace(access.ctx), access.role), 200);
    })
    .openapi(patch, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'workspace.update');
      const ws = await updateWorkspace(access.ctx, c.req.valid('json'));
      return c.json(presentWorkspace(ws, access.role), 200);
    });
}
