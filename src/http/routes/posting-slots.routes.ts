/**
 * The queue: weekly posting slots per account, and the next free slot for a set of accounts (what the
 * composer's "add to queue" schedules at).
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { addPostingSlot, listPostingSlots, nextFreeSlot, removePostingSlot, replacePostingSlots } from '../../use-cases/posting-slots.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const SlotSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    weekday: z.number().int().openapi({ description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
    time: z.string().openapi({ description: '`HH:mm` in the workspace time zone', example: '09:30' }),
  })
  .openapi('PostingSlot');

const SlotInput = z
  .object({ weekday: z.number().int().openapi({ description: '1 = Monday … 7 = Sunday' }), time: z.string().openapi({ example: '09:30' }) })
  .strict()
  .openapi('PostingSlotInput');

const ReplaceBody = z.object({ slots: z.array(SlotInput) }).strict().openapi('ReplacePostingSlotsRequest');

const SlotTimeSchema = z
  .object({
    at: z.string().openapi({ description: 'UTC instant' }),
    date: z.string().openapi({ description: '`YYYY-MM-DD` in `timezone`' }),
    time: z.string().openapi({ description: '`HH:mm` in `timezone`' }),
    timezone: z.string(),
  })
  .openapi('SlotTime');

const NextSchema = z
  .object({
    next: SlotTimeSchema.nullable().openapi({ description: 'Earliest slot all the accounts share and none has taken (null: none in the next 8 weeks)' }),
    accounts: z.array(z.object({ accountId: z.string(), next: SlotTimeSchema.nullable() })),
  })
  .openapi('NextFreeSlot');

const AccountParams = WorkspaceParamsSchema.extend({ accountId: z.string().openapi({ param: { name: 'accountId', in: 'path' } }) }).strict();
const SlotParams = AccountParams.extend({ slotId: z.string().openapi({ param: { name: 'slotId', in: 'path' } }) }).strict();
const base = '/api/v1/workspaces/{workspaceId}/accounts/{accountId}/slots';

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['queue'],
  summary: "An account's weekly posting slots",
  security: authenticated,
  request: { params: AccountParams },
  responses: { 200: jsonResponse(z.object({ items: z.array(SlotSchema) }), 'Slots by weekday and time'), ...workspaceProblems },
});

const replace = createRoute({
  method: 'put',
  path: base,
  tags: ['queue'],
  summary: "Replace an account's weekly posting slots (editors and above)",
  security: authenticated,
  request: { params: AccountParams, body: jsonBody(ReplaceBody) },
  responses: { 200: jsonResponse(z.object({ items: z.array(SlotSchema) }), 'The new slots'), ...workspaceProblems },
});

const add = createRoute({
  method: 'post',
  path: base,
  tags: ['queue'],
  summary: 'Add one posting slot (an existing one is returned as is)',
  security: authenticated,
  request: { params: AccountParams, body: jsonBody(SlotInput) },
  responses: { 201: jsonResponse(SlotSchema, 'The slot'), ...workspaceProblems },
});

const remove = createRoute({
  method: 'delete',
  path: `${base}/{slotId}`,
  tags: ['queue'],
  summary: 'Remove one posting slot',
  security: authenticated,
  request: { params: SlotParams },
  responses: { 204: { description: 'Removed' }, ...workspaceProblems },
});

const next = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/queue/next',
  tags: ['queue'],
  summary: 'The next free posting slot for a set of accounts',
  description: 'A slot is free for an account when none of its targets in review, approved, scheduled or later is scheduled in that minute.',
  security: authenticated,
  request: {
    params: WorkspaceParamsSchema,
    query: z
      // Optional here so the workspace access check answers first; the use case requires at least one.
      .object({ accountIds: z.string().max(2000).optional().openapi({ param: { name: 'accountIds', in: 'query' }, description: 'Comma-separated account ids (at least one)' }) })
      .strict(),
  },
  responses: { 200: jsonResponse(NextSchema, 'The next free slot'), ...workspaceProblems },
});

/** Registers the posting-slot routes. */
export function registerPostingSlotRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const { workspaceId, accountId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'slots.read');
      return c.json({ items: await listPostingSlots(access.ctx, accountId) }, 200);
    })
    .openapi(replace, async (c) => {
      const { workspaceId, accountId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'slots.manage');
      return c.json({ items: await replacePostingSlots(access.ctx, accountId, c.req.valid('json')) }, 200);
    })
    .openapi(add, async (c) => {
      const { workspaceId, accountId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'slots.manage');
      return c.json(await addPostingSlot(access.ctx, accountId, c.req.valid('json')), 201);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, accountId, slotId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'slots.manage');
      await removePostingSlot(access.ctx, accountId, slotId);
      return c.body(null, 204);
    })
    .openapi(next, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'slots.read');
      const accountIds = (c.req.valid('query').accountIds ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      return c.json(await nextFreeSlot(access.ctx, { accountIds }), 200);
    });
}
