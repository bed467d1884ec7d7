/**
 * Connected accounts of a workspace. Credentials go in; they never come out.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { connectAccount, connectAccountSchema, listAccounts, reconnectAccount, reconnectAccountSchema, removeAccount } from '../../use-cases/accounts.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const AccountSchema = z
  .object({
    id: z.string(),
    network: z.string(),
    externalId: z.string(),
    handle: z.string(),
    displayName: z.string().nullable(),
    serviceUrl: z.string().nullable(),
    status: z.enum(['ok', 'needs_reconnect', 'disconnected']),
    statusReason: z.string().nullable(),
    heldPosts: z.number().openapi({ description: 'Posts waiting for this account to be reconnected' }),
    tokenExpiresAt: z.string().nullable().openapi({ description: 'When the credentials stop working unless renewed (ISO instant); null = no known expiry' }),
    expiresInDays: z.number().int().nullable().openapi({ description: 'Whole days left until tokenExpiresAt, rounded down (negative once expired); null = no known expiry' }),
    expiry: z.enum(['none', 'ok', 'expiring_soon', 'expired']).openapi({
      description: 'Token expiry as a display state, independent of `status`: `expiring_soon` when 7 days or fewer are left; `none` when the network gives no expiry',
    }),
    networkLimits: z
      .record(z.string(), z.number())
      .nullable()
      .openapi({ description: "Limits the account's server announced (e.g. a Mastodon server's max characters); pass the account to /validate to check against them" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Account');

const AccountParams = WorkspaceParamsSchema.extend({ accountId: z.string().openapi({ param: { name: 'accountId', in: 'path' } }) }).strict();
const base = '/api/v1/workspaces/{workspaceId}/accounts';

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['accounts'],
  summary: 'Connected accounts with their status and held posts',
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(z.object({ items: z.array(AccountSchema) }), 'Accounts'), ...workspaceProblems },
});

const connect = createRoute({
  method: 'post',
  path: base,
  tags: ['accounts'],
  summary: 'Connect an account (credentials are checked with the network first)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(connectAccountSchema) },
  responses: { 201: jsonResponse(AccountSchema, 'Connected'), ...workspaceProblems, ...problemResponses(409) },
});

const reconnect = createRoute({
  method: 'post',
  path: `${base}/{accountId}/reconnect`,
  tags: ['accounts'],
  summary: 'New credentials for an account; its held posts resume',
  security: authenticated,
  request: { params: AccountParams, body: jsonBody(reconnectAccountSchema) },
  responses: { 200: jsonResponse(AccountSchema.extend({ resumed: z.number() }), 'Reconnected'), ...workspaceProblems },
});

const remove = createRoute({
  method: 'delete',
  path: `${base}/{accountId}`,
  tags: ['accounts'],
  summary: 'Remove an account; its unsent posts are cancelled',
  security: authenticated,
  request: { params: AccountParams },
  responses: { 200: jsonResponse(z.object({ cancelledTargets: z.number() }), 'Removed'), ...workspaceProblems },
});

/** Registers the account routes. */
export function registerAccountRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'accounts.read');
      return c.json({ items: await listAccounts(access.ctx) }, 200);
    })
    .openapi(connect, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'accounts.manage');
      return c.json(await connectAccount(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(reconnect, async (c) => {
      const { workspaceId, accountId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'accounts.manage');
      return c.json(await reconnectAccount(access.ctx, accountId, c.req.valid('json')), 200);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, accountId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'accounts.manage');
      return c.json(await removeAccount(access.ctx, accountId), 200);
    });
}
