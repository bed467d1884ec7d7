/**
 * Analytics: every KPI of an account over a period with its definition card and inputs ("how is this
 * calculated"), the previous period for comparison and interaction by content type; the
 * best-time-to-post heatmap; and the definition cards with the workspace's default. Values a
 * definition cannot compute are null with `inputs.emptyReason`, never 0.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { kpiCountNames } from '../../analytics/analytics-metrics';
import type { KpiDefinition } from '../../analytics/kpi-definitions';
import { kpiDefinitionTranslations } from '../../analytics/kpi-definition-texts';
import { getBestTimes, getKpis, listKpiDefinitions, setDefaultKpiDefinition, type DefinitionsView, type KpisView } from '../../use-cases/analytics.use-case';
import type { AppEnv } from '../env';
import { GoalProgressSchema } from '../presenters';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const Metric = z.enum(kpiCountNames);
const CountSetSchema = z.object({ required: z.array(Metric), optional: z.array(Metric).optional() }).openapi('KpiCountSet');

const DefinitionTextsSchema = z.object({ label: z.string(), mirrors: z.string(), missingRule: z.string() }).openapi('KpiDefinitionTexts');
const DefinitionSchema = z
  .object({
    id: z.string().openapi({ example: 'livedune.er.pooled' }),
    label: z.string(),
    vendor: z.string().openapi({ description: 'The tool whose published definition this mirrors' }),
    mirrors: z.string().openapi({ description: "The vendor's definition, restated" }),
    formula: z.enum(['ratio', 'follower_growth']),
    unit: z.enum(['percent', 'followers', 'percent_per_week']),
    numerator: z.object({ default: CountSetSchema, byNetwork: z.record(z.string(), CountSetSchema).optional() }).optional(),
    denominator: z.enum(['followers_at_publish', 'daily_followers', 'reach', 'impressions', 'views']).optional(),
    aggregation: z.enum(['pooled', 'mean_per_post', 'median_last_n', 'per_day', 'activity_pooled', 'activity_per_day']).optional(),
    lastN: z.number().int().optional(),
    mode: z.enum(['absolute', 'percent', 'weekly_compound']).optional(),
    timeZone: z.string().openapi({ description: '`workspace` or an IANA zone: where calendar days start' }),
    missingRule: z.string(),
    translations: z
      .object({ ru: DefinitionTextsSchema, sv: DefinitionTextsSchema })
      .openapi({ description: 'label, mirrors and missingRule in the other UI languages (the fields above are English)' }),
  })
  .openapi('KpiDefinition');

const Reading = z.object({ followers: z.number(), observedAt: z.string() }).nullable();
const InputsSchema = z
  .object({
    timeZone: z.string(),
    from: z.string(),
    to: z.string(),
    formula: z.string().openapi({ description: 'The arithmetic with the actual numbers' }),
    numerator: z.number().nullable(),
    denominator: z.number().nullable(),
    postsInPeriod: z.number().int(),
    postsCounted: z.number().int(),
    postsMissingCounts: z.number().int(),
    postsMissingDenominator: z.number().int(),
    sumOfValues: z.number().nullable(),
    valuesCounted: z.number().int().nullable(),
    days: z.number().int().nullable(),
    daysMissingFollowers: z.number().int().nullable(),
    daysMissingCounts: z.number().int().nullable(),
    startFollowers: Reading,
    endFollowers: Reading,
    emptyReason: z.string().nullable(),
  })
  .openapi('KpiInputs');

const Period = z.object({ from: z.string(), to: z.string(), days: z.number().int() });
const KpisSchema = z
  .object({
    accountId: z.string(),
    network: z.string(),
    handle: z.string(),
    timeZone: z.string(),
    period: Period,
    previousPeriod: Period,
    defaultDefinitionId: z.string(),
    kpis: z.array(
      z.object({
        definition: DefinitionSchema,
        value: z.number().nullable(),
        inputs: InputsSchema,
        previous: z.object({ value: z.number().nullable(), inputs: InputsSchema }),
        change: z.object({ absolute: z.number().nullable(), percent: z.number().nullable() }),
        goal: GoalProgressSchema,
      }),
    ),
    byContentType: z.array(z.object({ contentType: z.string(), posts: z.number().int(), definitionId: z.string(), value: z.number().nullable(), inputs: InputsSchema })),
  })
  .openapi('AccountKpis');

const Cell = z.object({ weekday: z.number().int(), hour: z.number().int(), posts: z.number().int(), postsCounted: z.number().int(), value: z.number().nullable() });
const BestTimesSchema = z
  .object({ accountId: z.string(), timeZone: z.string(), period: Period, definitionId: z.string(), cells: z.array(Cell), best: z.array(Cell) })
  .openapi('BestTimes');

const DefinitionsSchema = z.object({ defaultDefinitionId: z.string(), definitions: z.array(DefinitionSchema) }).openapi('KpiDefinitions');

// Optional in the schema so a missing account is answered after the workspace check (404 before 422).
const PeriodQuerySchema = z
  .object({
    accountId: z.string().optional().openapi({ param: { name: 'accountId', in: 'query' }, description: 'The account to analyse (required)' }),
    from: z.string().optional().openapi({ param: { name: 'from', in: 'query' }, description: 'First day, `YYYY-MM-DD` in the workspace time zone (default: 30 days before `to`)', example: '2026-03-01' }),
    to: z.string().optional().openapi({ param: { name: 'to', in: 'query' }, description: 'Last day, inclusive (default: yesterday)', example: '2026-03-31' }),
  })
  .strict();

const kpis = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/analytics/kpis',
  tags: ['analytics'],
  summary: 'Every KPI definition for an account over a period, with inputs and the previous period',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: PeriodQuerySchema },
  responses: { 200: jsonResponse(KpisSchema, 'KPIs'), ...workspaceProblems },
});

const bestTimes = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/analytics/best-times',
  tags: ['analytics'],
  summary: 'Weekday × hour heatmap of an account\'s engagement (workspace time zone)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: PeriodQuerySchema },
  responses: { 200: jsonResponse(BestTimesSchema, 'Heatmap'), ...workspaceProblems },
});

const definitions = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/analytics/definitions',
  tags: ['analytics'],
  summary: 'KPI definition cards and the workspace default',
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(DefinitionsSchema, 'Definitions'), ...workspaceProblems },
});

const SettingsBody = z
  .object({ defaultDefinitionId: z.string().min(1).openapi({ example: 'popsters.er-post', description: 'An engagement-rate (ratio) definition id' }) })
  .strict()
  .openapi('AnalyticsSettingsRequest');

const settings = createRoute({
  method: 'put',
  path: '/api/v1/workspaces/{workspaceId}/analytics/settings',
  tags: ['analytics'],
  summary: "Set the workspace's default engagement definition (admins and owners)",
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(SettingsBody) },
  responses: { 200: jsonResponse(DefinitionsSchema, 'Definitions with the new default'), ...workspaceProblems },
});

function presentDefinitions(view: DefinitionsView): z.infer<typeof DefinitionsSchema> {
  return { defaultDefinitionId: view.defaultDefinitionId, definitions: view.definitions.map(card) };
}

/** A definition as its card: plain JSON (copied, so callers never share the built-in objects). */
function card(d: KpiDefinition): z.infer<typeof DefinitionSchema> {
  return { ...(JSON.parse(JSON.stringify(d)) as Omit<z.infer<typeof DefinitionSchema>, 'translations'>), translations: kpiDefinitionTranslations(d) };
}

/** The KPI view as the API shows it. */
export function presentKpis(view: KpisView): z.infer<typeof KpisSchema> {
  return { ...view, kpis: view.kpis.map((k) => ({ ...k, definition: card(k.definition) })) };
}

/** Registers the analytics routes. */
export function registerAnalyticsRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(kpis, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      return c.json(presentKpis(await getKpis(access.ctx, c.req.valid('query'))), 200);
    })
    .openapi(bestTimes, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      return c.json(await getBestTimes(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(definitions, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      return c.json(presentDefinitions(await listKpiDefinitions(access.ctx)), 200);
    })
    .openapi(settings, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'workspace.update');
      return c.json(presentDefinitions(await setDefaultKpiDefinition(access.ctx, c.req.valid('json').defaultDefinitionId)), 200);
    });
}
