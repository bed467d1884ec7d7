/**
 * Collected metrics: an account's snapshots (followers, following, posts) and a post's latest counts
 * per published target. Counts a network does not give are null, never 0.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { getAccountMetrics, getPostMetrics } from '../../use-cases/metrics.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonResponse, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const count = z.number().nullable();
const SnapshotSchema = z.object({ observedAt: z.string(), followers: count, following: count, posts: count }).openapi('AccountSnapshot');
const AccountMetricsSchema = z
  .object({ accountId: z.string(), network: z.string(), from: z.string(), to: z.string(), latest: SnapshotSchema.nullable(), series: z.array(SnapshotSchema) })
  .openapi('AccountMetrics');
const PostCountsSchema = z
  .object({
    observedAt: z.string(),
    views: count,
    reach: count,
    likes: count,
    comments: count,
    shares: count,
    quotes: count,
    saves: count,
    clicks: count,
    pollVotes: count,
    videoViews: count,
  })
  .openapi('PostCounts');
const PostMetricsSchema = z
  .object({
    postId: z.string(),
    items: z.array(
      z.object({ targetId: z.string(), accountId: z.string(), network: z.string(), publishedAt: z.string().nullable(), url: z.string().nullable(), latest: PostCountsSchema.nullable() }),
    ),
  })
  .openapi('PostMetrics');

const AccountParams = WorkspaceParamsSchema.extend({ accountId: z.string().openapi({ param: { name: 'accountId', in: 'path' } }) }).strict();
const PostParams = WorkspaceParamsSchema.extend({ postId: z.string().openapi({ param: { name: 'postId', in: 'path' } }) }).strict();
const RangeQuery = z
  .object({
    from: z.string().optional().openapi({ param: { name: 'from', in: 'query' }, description: 'Start (date or ISO instant; default 90 days before `to`)' }),
    to: z.string().optional().openapi({ param: { name: 'to', in: 'query' }, description: 'End, exclusive (default now)' }),
  })
  .strict();

const accountMetrics = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/accounts/{accountId}/metrics',
  tags: ['metrics'],
  summary: "An account's latest snapshot and its series over a range",
  security: authenticated,
  request: { params: AccountParams, query: RangeQuery },
  responses: { 200: jsonResponse(AccountMetricsSchema, 'Snapshots'), ...workspaceProblems },
});

const postMetrics = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/posts/{postId}/metrics',
  tags: ['metrics'],
  summary: 'The latest counts of each published target of a post',
  security: authenticated,
  request: { params: PostParams },
  responses: { 200: jsonResponse(PostMetricsSchema, 'Latest counts per target'), ...workspaceProblems },
});

/** Registers the metrics routes. */
export function registerMetricsRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(accountMetrics, async (c) => {
      const { workspaceId, accountId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'metrics.read');
      return c.json(await getAccountMetrics(access.ctx, accountId, c.req.valid('query')), 200);
    })
    .openapi(postMetrics, async (c) => {
      const { workspaceId, postId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'metrics.read');
      return c.json(await getPostMetrics(access.ctx, postId), 200);
    });
}
