/**
 * The calendar's feed: a light list of the posts scheduled in a range (time, author, title, each
 * target's account, network and state). The calendar opens a post's details with GET /posts/{id}.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { targetStates } from '../../db/schema';
import type { AppServices } from '../../server/services';
import { listCalendar, maxCalendarRangeDays } from '../../use-cases/calendar.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonResponse, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';

/** Items are small, so a page may hold a whole busy month. */
export const maxCalendarPageLimit = 1000;

const CalendarItemSchema = z
  .object({
    id: z.string(),
    authorId: z.string(),
    scheduledAt: z.string(),
    title: z.string().openapi({ description: 'First line of the first non-empty target text, at most 100 characters' }),
    targets: z.array(z.object({ accountId: z.string(), network: z.string(), state: z.enum(targetStates) })),
  })
  .openapi('CalendarItem');

const CalendarQuery = PageQuerySchema.extend({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(maxCalendarPageLimit)
    .default(500)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 500, description: `Items per page (1–${maxCalendarPageLimit}).` }),
  // Required, but checked by the use case: the workspace access check answers first (404 for outsiders).
  from: z.string().optional().openapi({ param: { name: 'from', in: 'query' }, description: 'Required: posts scheduled at or after this ISO instant' }),
  to: z.string().optional().openapi({ param: { name: 'to', in: 'query' }, description: `Required: posts scheduled before this ISO instant (at most ${maxCalendarRangeDays} days after from)` }),
}).strict();

const feed = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/calendar',
  tags: ['posts'],
  summary: 'Posts scheduled in a range, with only what a calendar draws',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: CalendarQuery },
  responses: { 200: jsonResponse(pageSchema(CalendarItemSchema, 'CalendarPage'), 'A page of calendar items'), ...workspaceProblems },
});

/** Registers the calendar route. */
export function registerCalendarRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app.openapi(feed, async (c) => {
    const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'posts.read');
    return c.json(await listCalendar(access.ctx, c.req.valid('query')), 200);
  });
}
