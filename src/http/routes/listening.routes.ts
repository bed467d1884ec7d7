/**
 * Listening routes: saved queries (CRUD and a syntax check), each query's stream of matches and its
 * volume over time, workspace-wide volume, spike alerts and their settings, and the testimonials
 * library. Message text is plain text: clients must render it as text.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import {
  checkListeningQuery,
  checkQuerySchema,
  createListeningQuery,
  createListeningQuerySchema,
  deleteListeningQuery,
  getListeningQuery,
  getListeningSettings,
  listListeningAlerts,
  listListeningMatches,
  listListeningQueries,
  listeningVolume,
  sentimentLabels,
  updateListeningQuery,
  updateListeningQuerySchema,
  updateListeningSettings,
  updateListeningSettingsSchema,
} from '../../use-cases/listening.use-case';
import {
  createTestimonial,
  createTestimonialSchema,
  deleteTestimonial,
  getTestimonial,
  listTestimonials,
  testimonialPermissions,
  updateTestimonial,
  updateTestimonialSchema,
} from '../../use-cases/testimonials.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';

const AlertSettingsSchema = z
  .object({
    enabled: z.boolean(),
    mode: z.enum(['all', 'negative']).openapi({ description: '`negative` counts only negative matches' }),
    k: z.number().openapi({ description: 'Alert when the window exceeds the baseline mean + k·σ' }),
    windowMinutes: z.number().int(),
    baselineWindows: z.number().int().openapi({ description: 'Windows of the same length before the last one' }),
    cooldownMinutes: z.number().int(),
    minCount: z.number().int().openapi({ description: 'The window must hold at least this many messages' }),
    flagInbox: z.boolean().openapi({ description: "Flag the alert's top messages for the inbox" }),
  })
  .openapi('ListeningAlertSettings');

const ListeningQuerySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    query: z.string(),
    normalized: z.string().openapi({ description: 'The query as Herald reads it, every operator written out' }),
    active: z.boolean(),
    alerts: AlertSettingsSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ListeningQuery');

const QueryNodeSchema = z.record(z.string(), z.unknown()).openapi('ListeningQueryAst', { description: 'word {value,prefix} | phrase {words} | field {field,value} | not {operand} | and/or {operands}' });
const QueryCheckSchema = z.object({ normalized: z.string(), ast: QueryNodeSchema }).openapi('ListeningQueryCheck');

const SentimentSchema = z.object({ label: z.string(), score: z.number(), lang: z.string() });
const ListeningMatchSchema = z
  .object({
    id: z.string(),
    queryId: z.string(),
    source: z.enum(['inbox', 'search']).openapi({ description: '`inbox`: an inbox message (messageId, accountId set); `search`: a public post found by network search (postId set)' }),
    messageId: z.string().nullable().openapi({ description: 'The inbox message (source inbox), else null' }),
    postId: z.string().nullable().openapi({ description: 'The found post (source search), else null' }),
    accountId: z.string().nullable().openapi({ description: 'The account whose inbox received it (source inbox), else null' }),
    network: z.string(),
    kind: z.string().openapi({ description: 'The inbox kind (comment, reply, mention, quote, dm) or `search`' }),
    author: z.object({ handle: z.string(), displayName: z.string().nullable(), followers: z.number().nullable() }),
    text: z.string().openapi({ description: 'Plain text as the network sent it; render as text, never as HTML' }),
    url: z.string().nullable(),
    lang: z.string().nullable(),
    sentiment: SentimentSchema,
    createdAt: z.string(),
    matchedAt: z.string(),
    deletedAt: z.string().nullable(),
  })
  .openapi('ListeningMatch');

const VolumeSchema = z
  .object({
    zone: z.string(),
    bucket: z.enum(['hour', 'day']),
    from: z.string(),
    to: z.string(),
    total: z.number().int(),
    buckets: z.array(
      z.object({
        start: z.string().openapi({ description: 'Local start in the workspace zone: YYYY-MM-DDTHH:00 or YYYY-MM-DD' }),
        count: z.number().int(),
        sentiment: z.object({ negative: z.number().int(), neutral: z.number().int(), positive: z.number().int() }).optional(),
      }),
    ),
  })
  .openapi('ListeningVolume');

const AlertSchema = z
  .object({
    id: z.string(),
    queryId: z.string().nullable(),
    scope: z.enum(['query', 'workspace']),
    mode: z.string(),
    windowStart: z.string(),
    windowEnd: z.string(),
    windowCount: z.number().int(),
    baselineMean: z.number(),
    baselineStdDev: z.number(),
    threshold: z.number(),
    k: z.number(),
    baselineWindows: z.number().int(),
    reason: z.string(),
    topMessageIds: z.array(z.string()),
    flaggedMessageIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .openapi('ListeningAlert');

const TestimonialSchema = z
  .object({
    id: z.string(),
    messageId: z.string().nullable(),
    text: z.string().openapi({ description: 'Plain text as written; render as text' }),
    author: z.object({ handle: z.string(), displayName: z.string().nullable() }),
    network: z.string(),
    url: z.string().nullable(),
    writtenAt: z.string(),
    permission: z.enum(testimonialPermissions),
    permissionUpdatedAt: z.string().nullable(),
    note: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Testimonial');

const SettingsSchema = z.object({ alerts: AlertSettingsSchema }).openapi('ListeningSettings');

const base = '/api/v1/workspaces/{workspaceId}/listening';
const QueryParams = WorkspaceParamsSchema.extend({ queryId: z.string().openapi({ param: { name: 'queryId', in: 'path' } }) }).strict();
const TestimonialParams = WorkspaceParamsSchema.extend({ testimonialId: z.string().openapi({ param: { name: 'testimonialId', in: 'path' } }) }).strict();

const MatchQuery = PageQuerySchema.extend({
  sentiment: z.enum(sentimentLabels).optional().openapi({ param: { name: 'sentiment', in: 'query' }, description: 'Only matches with this label' }),
}).strict();
const VolumeQuery = z
  .object({
    from: z.string().optional().openapi({ param: { name: 'from', in: 'query' }, description: 'ISO instant; default 7 days (hour) or 30 days (day) before `to`' }),
    to: z.string().optional().openapi({ param: { name: 'to', in: 'query' }, description: 'ISO instant; default now' }),
    bucket: z.enum(['hour', 'day']).default('hour').openapi({ param: { name: 'bucket', in: 'query' } }),
    bySentiment: z.enum(['true', 'false']).default('false').openapi({ param: { name: 'bySentiment', in: 'query' }, description: 'Split each bucket by sentiment label' }),
  })
  .strict();
const AlertQuery = PageQuerySchema.extend({
  queryId: z.string().optional().openapi({ param: { name: 'queryId', in: 'query' }, description: 'Only alerts of this query' }),
}).strict();
const TestimonialQuery = PageQuerySchema.extend({
  permission: z.enum(testimonialPermissions).optional().openapi({ param: { name: 'permission', in: 'query' } }),
}).strict();

const tags = ['listening'];

const listQueries = createRoute({ method: 'get', path: `${base}/queries`, tags, summary: 'Saved listening queries', security: authenticated, request: { params: WorkspaceParamsSchema, query: PageQuerySchema }, responses: { 200: jsonResponse(pageSchema(ListeningQuerySchema, 'ListeningQueryPage'), 'A page of queries'), ...workspaceProblems } });
const createQuery = createRoute({
  method: 'post',
  path: `${base}/queries`,
  tags,
  summary: 'Save a listening query (editors); it back-fills from recent inbox messages',
  description: 'Words and "exact phrases", AND / OR / NOT (upper case), -word, parentheses, word* (prefix), lang:ru, network:bluesky, from:handle, kind:mention. Syntax errors name the column.',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(createListeningQuerySchema) },
  responses: { 201: jsonResponse(ListeningQuerySchema, 'Saved'), ...workspaceProblems },
});
const checkQuery = createRoute({ method: 'post', path: `${base}/query-check`, tags, summary: 'Parse a query without saving it (its AST, or a 422 naming the column)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(checkQuerySchema) }, responses: { 200: jsonResponse(QueryCheckSchema, 'The query parses'), ...workspaceProblems } });
const readQuery = createRoute({ method: 'get', path: `${base}/queries/{queryId}`, tags, summary: 'One query', security: authenticated, request: { params: QueryParams }, responses: { 200: jsonResponse(ListeningQuerySchema, 'The query'), ...workspaceProblems } });
const patchQuery = createRoute({ method: 'patch', path: `${base}/queries/{queryId}`, tags, summary: 'Change a query (editors); new text starts its stream over', security: authenticated, request: { params: QueryParams, body: jsonBody(updateListeningQuerySchema) }, responses: { 200: jsonResponse(ListeningQuerySchema, 'Changed'), ...workspaceProblems } });
const removeQuery = createRoute({ method: 'delete', path: `${base}/queries/{queryId}`, tags, summary: 'Delete a query with its matches and alerts (editors)', security: authenticated, request: { params: QueryParams }, responses: { 204: { description: 'Deleted' }, ...workspaceProblems } });
const listMatches = createRoute({ method: 'get', path: `${base}/queries/{queryId}/matches`, tags, summary: "The query's stream (inbox and network-search matches), newest written first", security: authenticated, request: { params: QueryParams, query: MatchQuery }, responses: { 200: jsonResponse(pageSchema(ListeningMatchSchema, 'ListeningMatchPage'), 'A page of matches'), ...workspaceProblems } });
const queryVolume = createRoute({ method: 'get', path: `${base}/queries/{queryId}/volume`, tags, summary: "The query's matches per hour or day of the workspace's time zone", security: authenticated, request: { params: QueryParams, query: VolumeQuery }, responses: { 200: jsonResponse(VolumeSchema, 'The series'), ...workspaceProblems } });
const workspaceVolume = createRoute({ method: 'get', path: `${base}/volume`, tags, summary: 'Matches of all queries (each message once) per hour or day', security: authenticated, request: { params: WorkspaceParamsSchema, query: VolumeQuery }, responses: { 200: jsonResponse(VolumeSchema, 'The series'), ...workspaceProblems } });
const listAlerts = createRoute({ method: 'get', path: `${base}/alerts`, tags, summary: 'Spike alerts, newest first', security: authenticated, request: { params: WorkspaceParamsSchema, query: AlertQuery }, responses: { 200: jsonResponse(pageSchema(AlertSchema, 'ListeningAlertPage'), 'A page of alerts'), ...workspaceProblems } });
const readSettings = createRoute({ method: 'get', path: `${base}/settings`, tags, summary: 'Workspace-wide spike alert settings', security: authenticated, request: { params: WorkspaceParamsSchema }, responses: { 200: jsonResponse(SettingsSchema, 'The settings'), ...workspaceProblems } });
const patchSettings = createRoute({ method: 'patch', path: `${base}/settings`, tags, summary: 'Change workspace-wide spike alert settings (editors)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(updateListeningSettingsSchema) }, responses: { 200: jsonResponse(SettingsSchema, 'The settings'), ...workspaceProblems } });

const tBase = '/api/v1/workspaces/{workspaceId}/testimonials';
const tTags = ['testimonials'];
const listT = createRoute({ method: 'get', path: tBase, tags: tTags, summary: 'The testimonials library, newest first', security: authenticated, request: { params: WorkspaceParamsSchema, query: TestimonialQuery }, responses: { 200: jsonResponse(pageSchema(TestimonialSchema, 'TestimonialPage'), 'A page of testimonials'), ...workspaceProblems } });
const createT = createRoute({ method: 'post', path: tBase, tags: tTags, summary: 'Keep a positive inbox message as a testimonial (editors)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(createTestimonialSchema) }, responses: { 201: jsonResponse(TestimonialSchema, 'Kept'), ...workspaceProblems, ...problemResponses(409) } });
const readT = createRoute({ method: 'get', path: `${tBase}/{testimonialId}`, tags: tTags, summary: 'One testimonial', security: authenticated, request: { params: TestimonialParams }, responses: { 200: jsonResponse(TestimonialSchema, 'The testimonial'), ...workspaceProblems } });
const patchT = createRoute({ method: 'patch', path: `${tBase}/{testimonialId}`, tags: tTags, summary: "Change a testimonial's permission status or note (editors)", security: authenticated, request: { params: TestimonialParams, body: jsonBody(updateTestimonialSchema) }, responses: { 200: jsonResponse(TestimonialSchema, 'Changed'), ...workspaceProblems } });
const removeT = createRoute({ method: 'delete', path: `${tBase}/{testimonialId}`, tags: tTags, summary: 'Remove a testimonial from the library (editors)', security: authenticated, request: { params: TestimonialParams }, responses: { 204: { description: 'Removed' }, ...workspaceProblems } });

/** Registers the listening and testimonials routes. */
export function registerListeningRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(listQueries, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.read');
      return c.json(await listListeningQueries(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(createQuery, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.manage');
      return c.json(await createListeningQuery(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(checkQuery, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.read');
      const r = await checkListeningQuery(access.ctx, c.req.valid('json'));
      return c.json({ normalized: r.normalized, ast: r.ast as unknown as Record<string, unknown> }, 200);
    })
    .openapi(readQuery, async (c) => {
      const { workspaceId, queryId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'listening.read');
      return c.json(await getListeningQuery(access.ctx, queryId), 200);
    })
    .openapi(patchQuery, async (c) => {
      const { workspaceId, queryId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'listening.manage');
      return c.json(await updateListeningQuery(access.ctx, queryId, c.req.valid('json')), 200);
    })
    .openapi(removeQuery, async (c) => {
      const { workspaceId, queryId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'listening.manage');
      await deleteListeningQuery(access.ctx, queryId);
      return c.body(null, 204);
    })
    .openapi(listMatches, async (c) => {
      const { workspaceId, queryId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'listening.read');
      return c.json(await listListeningMatches(access.ctx, queryId, c.req.valid('query')), 200);
    })
    .openapi(queryVolume, async (c) => {
      const { workspaceId, queryId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'listening.read');
      const q = c.req.valid('query');
      return c.json(await listeningVolume(access.ctx, queryId, { from: q.from, to: q.to, bucket: q.bucket, bySentiment: q.bySentiment === 'true' }), 200);
    })
    .openapi(workspaceVolume, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.read');
      const q = c.req.valid('query');
      return c.json(await listeningVolume(access.ctx, null, { from: q.from, to: q.to, bucket: q.bucket, bySentiment: q.bySentiment === 'true' }), 200);
    })
    .openapi(listAlerts, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.read');
      return c.json(await listListeningAlerts(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(readSettings, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.read');
      return c.json(await getListeningSettings(access.ctx), 200);
    })
    .openapi(patchSettings, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.manage');
      return c.json(await updateListeningSettings(access.ctx, c.req.valid('json')), 200);
    })
    .openapi(listT, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'listening.read');
      return c.json(await listTestimonials(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(createT, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'testimonials.manage');
      return c.json(await createTestimonial(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(readT, async (c) => {
      const { workspaceId, testimonialId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'listening.read');
      return c.json(await getTestimonial(access.ctx, testimonialId), 200);
    })
    .openapi(patchT, async (c) => {
      const { workspaceId, testimonialId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'testimonials.manage');
      return c.json(await updateTestimonial(access.ctx, testimonialId, c.req.valid('json')), 200);
    })
    .openapi(removeT, async (c) => {
      const { workspaceId, testimonialId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'testimonials.manage');
      await deleteTestimonial(access.ctx, testimonialId);
      return c.body(null, 204);
    });
}
