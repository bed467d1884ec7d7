/**
 * Competitors: add a public account by network and handle (or profile link), list, remove; the
 * analysis of one competitor (followers over time, posts per week, ER by the workspace's definition
 * with its inputs, top posts, content-type mix, hashtags, posting hours, promoted-post suspicions with
 * their evidence) and the side-by-side comparison with the workspace's own accounts.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { addCompetitor, analyseCompetitor, compareCompetitors, listWorkspaceCompetitors, removeCompetitor } from '../../use-cases/competitors.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const CompetitorSchema = z
  .object({
    id: z.string(),
    network: z.string(),
    externalId: z.string(),
    handle: z.string(),
    displayName: z.string().nullable(),
    profileUrl: z.string().nullable(),
    followers: z.number().nullable(),
    createdAt: z.string(),
    collectedAt: z.string().nullable().openapi({ description: 'Last successful collection' }),
    lastError: z.string().nullable().openapi({ description: 'Why the last collection failed (cleared by a success)' }),
  })
  .openapi('Competitor');

const AddBody = z
  .object({
    network: z.string().min(1).openapi({ example: 'bluesky' }),
    handle: z.string().max(500).openapi({ example: 'alice.bsky.social', description: 'Handle (`@user@server` on Mastodon) or profile link' }),
  })
  .strict()
  .openapi('AddCompetitorRequest');

const Reading = z.object({ followers: z.number(), observedAt: z.string() }).nullable();
const Inputs = z.record(z.string(), z.unknown()).openapi({ description: 'The KPI engine inputs (see KpiInputs)' });
const SummarySchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string(), days: z.number().int() }),
    followers: z.object({
      start: Reading,
      end: Reading,
      change: z.number().nullable(),
      changePercent: z.number().nullable(),
      byDay: z.array(z.object({ day: z.string(), followers: z.number().nullable() })),
    }),
    posts: z.number().int(),
    reposts: z.number().int(),
    postsPerWeek: z.number(),
    er: z.object({ definitionId: z.string(), value: z.number().nullable(), inputs: Inputs }),
    engagementPerPost: z.number().nullable(),
    topPosts: z.array(
      z.object({
        id: z.string(),
        url: z.string().nullable(),
        text: z.string(),
        publishedAt: z.string(),
        contentType: z.string(),
        engagement: z.number(),
        likes: z.number().nullable(),
        shares: z.number().nullable(),
        comments: z.number().nullable(),
        quotes: z.number().nullable(),
        views: z.number().nullable(),
      }),
    ),
    contentMix: z.array(z.object({ contentType: z.string(), posts: z.number().int(), share: z.number(), engagementPerPost: z.number().nullable() })),
    hashtags: z.array(z.object({ tag: z.string(), posts: z.number().int(), engagement: z.number() })),
    postingHours: z.array(z.object({ weekday: z.number().int(), hour: z.number().int(), posts: z.number().int() })),
  })
  .openapi('BenchmarkSummary');

const SuspicionSchema = z.object({
  postId: z.string(),
  url: z.string().nullable(),
  text: z.string(),
  publishedAt: z.string(),
  engagementAt24h: z.number(),
  at24hObservedAt: z.string(),
  engagementLater: z.number(),
  laterObservedAt: z.string(),
  gainedAfter24h: z.number(),
  shareAfter24h: z.number(),
  excessOverMedian: z.number(),
  evidence: z.string(),
});

const AnalysisSchema = z
  .object({
    competitor: CompetitorSchema,
    timeZone: z.string(),
    definition: z.object({ id: z.string(), label: z.string() }),
    summary: SummarySchema,
    followersApproximated: z.object({ posts: z.number().int(), firstSnapshotAt: z.string().nullable() }).openapi({
      description: 'Posts published before the first follower snapshot: their ER divides by that first count',
    }),
    promotion: z.object({
      norm: z.object({ posts: z.number().int(), median: z.number(), mad: z.number(), threshold: z.number() }).nullable(),
      judgedPosts: z.number().int(),
      notJudgedPosts: z.number().int(),
      suspicions: z.array(SuspicionSchema).openapi({ description: 'Promoted-post SUSPICIONS: engagement after the first 24 h far above this account\'s norm' }),
    }),
  })
  .openapi('CompetitorAnalysis');

const ComparisonSchema = z
  .object({
    timeZone: z.string(),
    definition: z.object({ id: z.string(), label: z.string() }),
    period: z.object({ from: z.string(), to: z.string(), days: z.number().int() }),
    rows: z.array(z.object({ kind: z.enum(['own', 'competitor']), id: z.string(), network: z.string(), handle: z.string(), summary: SummarySchema })),
  })
  .openapi('CompetitorComparison');

const PeriodQuery = z
  .object({
    from: z.string().optional().openapi({ param: { name: 'from', in: 'query' }, description: 'First day `YYYY-MM-DD` (workspace zone; default 29 days before `to`)' }),
    to: z.string().optional().openapi({ param: { name: 'to', in: 'query' }, description: 'Last day, inclusive (default today)' }),
    definitionId: z.string().optional().openapi({ param: { name: 'definitionId', in: 'query' }, description: 'An engagement-rate definition (default: the workspace default)' }),
  })
  .strict();
const CompareQuery = PeriodQuery.extend({
  accountIds: z.string().optional().openapi({ param: { name: 'accountIds', in: 'query' }, description: 'Comma-separated own account ids (default: every account)' }),
}).strict();

const CompetitorParams = WorkspaceParamsSchema.extend({ competitorId: z.string().openapi({ param: { name: 'competitorId', in: 'path' } }) }).strict();
const base = '/api/v1/workspaces/{workspaceId}/competitors';

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['competitors'],
  summary: "The workspace's competitors",
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(z.object({ items: z.array(CompetitorSchema) }), 'Competitors'), ...workspaceProblems },
});

const add = createRoute({
  method: 'post',
  path: base,
  tags: ['competitors'],
  summary: 'Add a public account as a competitor (editors and above)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(AddBody) },
  responses: { 201: jsonResponse(CompetitorSchema, 'Added'), ...workspaceProblems, ...problemResponses(409) },
});

const remove = createRoute({
  method: 'delete',
  path: `${base}/{competitorId}`,
  tags: ['competitors'],
  summary: 'Remove a competitor and its collected data (editors and above)',
  security: authenticated,
  request: { params: CompetitorParams },
  responses: { 204: { description: 'Removed' }, ...workspaceProblems },
});

const analysis = createRoute({
  method: 'get',
  path: `${base}/{competitorId}/analysis`,
  tags: ['competitors'],
  summary: "A competitor's followers, posting, ER, top posts, mixes, hours and promoted-post suspicions",
  security: authenticated,
  request: { params: CompetitorParams, query: PeriodQuery },
  responses: { 200: jsonResponse(AnalysisSchema, 'Analysis'), ...workspaceProblems },
});

const comparison = createRoute({
  method: 'get',
  path: `${base}-comparison`,
  tags: ['competitors'],
  summary: 'Own accounts and competitors side by side',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: CompareQuery },
  responses: { 200: jsonResponse(ComparisonSchema, 'Comparison'), ...workspaceProblems },
});

/** Registers the competitor routes. */
export function registerCompetitorRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'competitors.read');
      return c.json({ items: await listWorkspaceCompetitors(access.ctx) }, 200);
    })
    .openapi(add, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'competitors.manage');
      return c.json(await addCompetitor(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, competitorId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'competitors.manage');
      await removeCompetitor(access.ctx, competitorId);
      return c.body(null, 204);
    })
    .openapi(analysis, async (c) => {
      const { workspaceId, competitorId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'competitors.read');
      const view = await analyseCompetitor(access.ctx, competitorId, c.req.valid('query'));
      return c.json({ ...view, summary: { ...view.summary, er: { ...view.summary.er, inputs: { ...view.summary.er.inputs } } } }, 200);
    })
    .openapi(comparison, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'competitors.read');
      const q = c.req.valid('query');
      const accountIds = q.accountIds ? q.accountIds.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const view = await compareCompetitors(access.ctx, { from: q.from, to: q.to, definitionId: q.definitionId, accountIds });
      return c.json({ ...view, rows: view.rows.map((r) => ({ ...r, summary: { ...r.summary, er: { ...r.summary.er, inputs: { ...r.summary.er.inputs } } } })) }, 200);
    });
}
