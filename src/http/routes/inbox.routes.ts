/**
 * The inbox of a workspace: messages ingested from the networks (newest first, filtered) and replies
 * through the account's connector. Message text is plain text: clients must render it as text.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { getInboxMessage, inboxKinds, listInboxMessages, replyInputSchema, replyToInboxMessage } from '../../use-cases/inbox.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';

const InboxMessageSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    network: z.string(),
    externalId: z.string(),
    kind: z.enum(inboxKinds),
    parentExternalId: z.string().nullable(),
    rootExternalId: z.string().nullable(),
    targetId: z.string().nullable().openapi({ description: 'Our post target the conversation belongs to, when known' }),
    postId: z.string().nullable(),
    author: z.object({ externalId: z.string(), handle: z.string(), displayName: z.string().nullable(), followers: z.number().nullable() }),
    text: z.string().openapi({ description: 'Plain text as the network sent it; render as text, never as HTML' }),
    url: z.string().nullable(),
    lang: z.string().nullable(),
    createdAt: z.string().openapi({ description: 'When the network says it was written' }),
    receivedAt: z.string(),
    editedAt: z.string().nullable(),
    deletedAt: z.string().nullable().openapi({ description: 'Set when the network reported it deleted' }),
  })
  .openapi('InboxMessage');

const InboxReplySchema = z.object({ messageId: z.string(), externalId: z.string(), url: z.string().nullable(), sentAt: z.string() }).openapi('InboxReply');

const ListQuery = PageQuerySchema.extend({
  accountId: z.string().optional().openapi({ param: { name: 'accountId', in: 'query' }, description: 'Only messages to this account' }),
  network: z.string().optional().openapi({ param: { name: 'network', in: 'query' }, description: 'Only messages from this network' }),
  kind: z.enum(inboxKinds).optional().openapi({ param: { name: 'kind', in: 'query' } }),
  since: z.string().optional().openapi({ param: { name: 'since', in: 'query' }, description: 'Only messages written at or after this ISO instant' }),
}).strict();

const MessageParams = WorkspaceParamsSchema.extend({ messageId: z.string().openapi({ param: { name: 'messageId', in: 'path' } }) }).strict();
const base = '/api/v1/workspaces/{workspaceId}/inbox-messages';

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['inbox'],
  summary: 'Comments, replies and mentions received by the accounts, newest first',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: ListQuery },
  responses: { 200: jsonResponse(pageSchema(InboxMessageSchema, 'InboxMessagePage'), 'A page of messages'), ...workspaceProblems },
});

const read = createRoute({
  method: 'get',
  path: `${base}/{messageId}`,
  tags: ['inbox'],
  summary: 'One message',
  security: authenticated,
  request: { params: MessageParams },
  responses: { 200: jsonResponse(InboxMessageSchema, 'The message'), ...workspaceProblems },
});

const reply = createRoute({
  method: 'post',
  path: `${base}/{messageId}/reply`,
  tags: ['inbox'],
  summary: 'Reply to a message on its network, threaded under it (editors and above)',
  security: authenticated,
  request: { params: MessageParams, body: jsonBody(replyInputSchema) },
  responses: { 201: jsonResponse(InboxReplySchema, 'Sent'), ...workspaceProblems, ...problemResponses(409, 429, 502) },
});

/** Registers the inbox routes. */
export function registerInboxRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.read');
      return c.json(await listInboxMessages(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(read, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.read');
      return c.json(await getInboxMessage(access.ctx, messageId), 200);
    })
    .openapi(reply, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.reply');
      return c.json(await replyToInboxMessage(access.ctx, messageId, c.req.valid('json')), 201);
    });
}
