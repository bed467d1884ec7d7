/**
 * Outgoing webhooks of a workspace (admins): list, create (secret shown once), delete.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { createWebhook, createWebhookSchema, deleteWebhook, listWebhooks, setWebhookActiveState } from '../../use-cases/webhooks.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const LastDeliverySchema = z
  .object({ status: z.enum(['pending', 'delivered', 'failed']), attempts: z.number(), statusCode: z.number().nullable(), error: z.string().nullable(), at: z.string() })
  .nullable()
  .openapi('WebhookLastDelivery');
const WebhookSchema = z
  .object({ id: z.string(), url: z.string(), events: z.array(z.string()), active: z.boolean(), createdAt: z.string(), lastDelivery: LastDeliverySchema })
  .openapi('Webhook');
const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().openapi({ description: 'Signing secret (HMAC-SHA256 over `t.body`); shown only in this response' }),
}).openapi('CreatedWebhook');
const WebhookParams = WorkspaceParamsSchema.extend({ webhookId: z.string().openapi({ param: { name: 'webhookId', in: 'path' } }) }).strict();
const base = '/api/v1/workspaces/{workspaceId}/webhooks';

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['webhooks'],
  summary: 'Webhooks of a workspace',
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(z.object({ items: z.array(WebhookSchema) }), 'Webhooks'), ...workspaceProblems },
});

const create = createRoute({
  method: 'post',
  path: base,
  tags: ['webhooks'],
  summary: 'Create a webhook; deliveries carry `x-herald-signature: t=<unix>,v1=<hex>`',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(createWebhookSchema) },
  responses: { 201: jsonResponse(CreatedWebhookSchema, 'Created; store the secret now'), ...workspaceProblems },
});

const patch = createRoute({
  method: 'patch',
  path: `${base}/{webhookId}`,
  tags: ['webhooks'],
  summary: 'Pause or resume a webhook',
  security: authenticated,
  request: { params: WebhookParams, body: jsonBody(z.object({ active: z.boolean() }).strict().openapi('UpdateWebhookRequest')) },
  responses: { 200: jsonResponse(WebhookSchema, 'Updated'), ...workspaceProblems },
});

const remove = createRoute({
  method: 'delete',
  path: `${base}/{webhookId}`,
  tags: ['webhooks'],
  summary: 'Delete a webhook',
  security: authenticated,
  request: { params: WebhookParams },
  responses: { 204: { description: 'Deleted' }, ...workspaceProblems },
});

/** Registers the webhook routes. */
export function registerWebhookRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'webhooks.manage');
      return c.json({ items: await listWebhooks(access.ctx) }, 200);
    })
    .openapi(create, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'webhooks.manage');
      return c.json(await createWebhook(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(patch, async (c) => {
      const { workspaceId, webhookId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'webhooks.manage');
      return c.json(await setWebhookActiveState(access.ctx, webhookId, c.req.valid('json').active), 200);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, webhookId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'webhooks.manage');
      await deleteWebhook(access.ctx, webhookId);
      return c.body(null, 204);
    });
}
