/**
 * Personal API tokens of a workspace: list, create (the secret is shown once), revoke.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { createApiToken, listApiTokens, revokeApiToken } from '../../use-cases/api-tokens.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';

const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the token, to tell tokens apart' }),
    userId: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiToken');

const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().openapi({ description: 'The secret (`hrld_…`); shown only in this response' }),
}).openapi('CreatedApiToken');

const CreateBody = z.object({ name: z.string().max(200) }).strict().openapi('CreateApiTokenRequest');

const TokenParams = WorkspaceParamsSchema.extend({
  tokenId: z.string().openapi({ param: { name: 'tokenId', in: 'path' } }),
}).strict();

const list = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/tokens',
  tags: ['tokens'],
  summary: 'API tokens of a workspace (admins, owners)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageSchema(TokenSchema, 'ApiTokenPage'), 'A page of tokens'), ...workspaceProblems },
});

const create = createRoute({
  method: 'post',
  path: '/api/v1/workspaces/{workspaceId}/tokens',
  tags: ['tokens'],
  summary: 'Create an API token acting as you in this workspace only',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(CreateBody) },
  responses: { 201: jsonResponse(CreatedTokenSchema, 'Created; store the token now'), ...workspaceProblems, ...problemResponses(413) },
});

const revoke = createRoute({
  method: 'delete',
  path: '/api/v1/workspaces/{workspaceId}/tokens/{tokenId}',
  tags: ['tokens'],
  summary: 'Revoke an API token',
  security: authenticated,
  request: { params: TokenParams },
  responses: { 204: { description: 'Revoked' }, ...workspaceProblems },
});

/** Registers the token routes. */
export function registerTokenRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'tokens.manage');
      return c.json(await listApiTokens(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(create, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'tokens.manage');
      return c.json(await createApiToken(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(revoke, async (c) => {
      const { workspaceId, tokenId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'tokens.manage');
      await revokeApiToken(access.ctx, tokenId);
      return c.body(null, 204);
    });
}
