/**
 * Campaigns: the campaign, its media plan (line items), actual spend and conversion entries (by hand
 * or imported from CSV/JSON), linked posts, the campaign KPIs with their inputs, and the campaign
 * report. Everyone who reads analytics reads them; editors and above change them (campaigns.manage).
 * Money is integer minor units plus the campaign's ISO 4217 currency.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { campaignStatuses } from '../../campaigns/campaign-tables';
import { planQuantities } from '../../campaigns/campaign-kpi-definitions';
import { reportFormats } from '../../use-cases/reports.use-case';
import {
  addLineItem,
  changeCampaign,
  changeLineItem,
  createCampaign,
  getCampaign,
  getCampaignReport,
  importCampaignEntries,
  linkCampaignPost,
  listWorkspaceCampaigns,
  recordConversions,
  recordSpend,
  removeCampaign,
  removeEntry,
  removeLineItem,
  unlinkCampaignPost,
} from '../../use-cases/campaigns.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { reportFileResponse, sendReportFile } from '../report-response';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { GoalProgressSchema } from '../presenters';

const money = (description: string) => z.number().openapi({ description: `${description}, in integer minor units (cents, öre, kopecks) of the campaign's currency`, example: 150000 });

const KpiDefinitionSchema = z
  .object({
    id: z.string().openapi({ example: 'campaign.roi' }),
    label: z.string(),
    vendor: z.string(),
    mirrors: z.string(),
    formula: z.enum(['roi', 'romi', 'cost_per_conversion', 'cost_per_mille', 'cost_per_click', 'plan_vs_actual']),
    unit: z.enum(['percent', 'money']),
    quantity: z.enum(planQuantities).optional(),
    missingRule: z.string(),
  })
  .openapi('CampaignKpiDefinition');

const KpiInputsSchema = z
  .object({
    currency: z.string(),
    formula: z.string().openapi({ description: 'The arithmetic with the actual numbers (money in major units)' }),
    numerator: z.number().nullable(),
    denominator: z.number().nullable(),
    spendMinor: z.number().nullable(),
    spendEntries: z.number().int(),
    revenueMinor: z.number().nullable(),
    conversions: z.number().nullable(),
    conversionEntries: z.number().int(),
    conversionEntriesWithoutValue: z.number().int(),
    marginBp: z.number().nullable(),
    postsCounted: z.number().int().nullable(),
    postsMissingCounts: z.number().int().nullable(),
    planned: z.number().nullable(),
    actual: z.number().nullable(),
    plannedBudgetFrom: z.enum(['line_items', 'campaign_budget']).nullable(),
    emptyReason: z.string().nullable(),
  })
  .openapi('CampaignKpiInputs');

const KpiSchema = z
  .object({ definition: KpiDefinitionSchema, value: z.number().nullable().openapi({ description: 'Percent, or major units of the currency for money KPIs; null = cannot be computed (see inputs.emptyReason)' }), inputs: KpiInputsSchema })
  .openapi('CampaignKpi');

const PlanActualSchema = z
  .object({
    budgetMinor: z.number().nullable(),
    spendMinor: z.number().nullable(),
    posts: z.number().nullable(),
    reach: z.number().nullable(),
    impressions: z.number().nullable(),
    clicks: z.number().nullable(),
    conversions: z.number().nullable(),
    revenueMinor: z.number().nullable(),
  })
  .openapi('CampaignPlanActual');

const SummaryFields = {
  id: z.string(),
  name: z.string(),
  objective: z.string().nullable(),
  startsOn: z.string(),
  endsOn: z.string(),
  currency: z.string(),
  budgetMinor: z.number().nullable(),
  status: z.enum(campaignStatuses),
  utmCampaign: z.string().nullable(),
  grossMarginPercent: z.number().nullable(),
  spendMinor: z.number().nullable(),
  revenueMinor: z.number().nullable(),
  conversions: z.number().nullable(),
  roi: z.number().nullable().openapi({ description: 'ROI in percent; null when spend or revenue is unknown or spend is 0' }),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
};
const SummarySchema = z.object(SummaryFields).openapi('CampaignSummary');

const SpendSchema = z
  .object({ id: z.string(), day: z.string(), amountMinor: z.number(), currency: z.string(), lineItemId: z.string().nullable(), source: z.enum(['manual', 'import']), note: z.string().nullable(), createdBy: z.string().nullable(), createdAt: z.string() })
  .openapi('CampaignSpendEntry');
const ConversionSchema = z
  .object({ id: z.string(), day: z.string(), count: z.number(), valueMinor: z.number().nullable(), currency: z.string(), lineItemId: z.string().nullable(), source: z.enum(['manual', 'import']), note: z.string().nullable(), createdBy: z.string().nullable(), createdAt: z.string() })
  .openapi('CampaignConversionEntry');

const LineItemSchema = z
  .object({
    id: z.string(),
    accountId: z.string().nullable(),
    network: z.string().nullable(),
    placement: z.string(),
    plannedBudgetMinor: z.number(),
    plannedPosts: z.number().nullable(),
    plannedReach: z.number().nullable(),
    plannedImpressions: z.number().nullable(),
    plannedClicks: z.number().nullable(),
    plannedConversions: z.number().nullable(),
    planned: PlanActualSchema,
    actual: PlanActualSchema,
    kpis: z.array(KpiSchema),
  })
  .openapi('CampaignLineItem');

const PostSchema = z
  .object({
    postId: z.string(),
    targetId: z.string(),
    accountId: z.string(),
    network: z.string(),
    state: z.string(),
    text: z.string(),
    url: z.string().nullable(),
    publishedAt: z.string().nullable(),
    linkedBy: z.array(z.enum(['manual', 'utm'])),
    impressions: z.number().nullable(),
    reach: z.number().nullable(),
    clicks: z.number().nullable(),
  })
  .openapi('CampaignPost');

const DetailSchema = z
  .object({
    ...SummaryFields,
    planned: PlanActualSchema,
    actual: PlanActualSchema,
    kpis: z.array(KpiSchema.extend({ goal: GoalProgressSchema }).openapi('CampaignKpiWithGoal')),
    lineItems: z.array(LineItemSchema),
    spendEntries: z.array(SpendSchema),
    conversionEntries: z.array(ConversionSchema),
    posts: z.array(PostSchema),
    linkedPostIds: z.array(z.string()),
  })
  .openapi('Campaign');

// Content rules (ranges, currencies, dates) live in the use case so the CLI and API say the same words.
const CampaignBodyFields = {
  name: z.string().openapi({ example: 'Spring launch' }),
  objective: z.string().nullable().optional(),
  startsOn: z.string().openapi({ example: '2026-03-01', description: 'First day, YYYY-MM-DD' }),
  endsOn: z.string().openapi({ example: '2026-03-31', description: 'Last day (inclusive), not before startsOn' }),
  currency: z.string().openapi({ example: 'SEK', description: 'ISO 4217 code' }),
  budgetMinor: money('Total budget').nullable().optional(),
  status: z.string().optional().openapi({ description: campaignStatuses.join(' | '), example: 'active' }),
  utmCampaign: z.string().nullable().optional().openapi({ description: 'Posts whose link carries utm_campaign=<this> belong to the campaign', example: 'spring-launch' }),
  grossMarginPercent: z.number().nullable().optional().openapi({ description: 'Gross margin 0–100 (at most 2 decimals), for ROMI', example: 40 }),
};
const CreateBody = z.object(CampaignBodyFields).strict().openapi('CreateCampaignRequest');
const UpdateBody = z
  .object({ ...CampaignBodyFields, name: CampaignBodyFields.name.optional(), startsOn: CampaignBodyFields.startsOn.optional(), endsOn: CampaignBodyFields.endsOn.optional(), currency: CampaignBodyFields.currency.optional() })
  .strict()
  .openapi('UpdateCampaignRequest');

const LineItemFields = {
  accountId: z.string().nullable().optional(),
  network: z.string().nullable().optional().openapi({ example: 'vk' }),
  placement: z.string().openapi({ example: 'Promoted post' }),
  plannedBudgetMinor: money('Planned budget'),
  currency: z.string().optional().openapi({ description: "Must be the campaign's currency when given" }),
  plannedPosts: z.number().nullable().optional(),
  plannedReach: z.number().nullable().optional(),
  plannedImpressions: z.number().nullable().optional(),
  plannedClicks: z.number().nullable().optional(),
  plannedConversions: z.number().nullable().optional(),
};
const LineItemBody = z.object(LineItemFields).strict().openapi('CampaignLineItemRequest');
const LineItemPatch = z.object({ ...LineItemFields, placement: LineItemFields.placement.optional(), plannedBudgetMinor: LineItemFields.plannedBudgetMinor.optional() }).strict().openapi('UpdateCampaignLineItemRequest');

const SpendBody = z
  .object({
    day: z.string().openapi({ example: '2026-03-05' }),
    amountMinor: money('Amount spent'),
    currency: z.string().openapi({ description: "The campaign's currency (checked, never converted)", example: 'SEK' }),
    lineItemId: z.string().nullable().optional(),
    note: z.string().nullable().optional(),
  })
  .strict()
  .openapi('CampaignSpendRequest');
const ConversionBody = z
  .object({
    day: z.string().openapi({ example: '2026-03-06' }),
    count: z.number().openapi({ example: 4 }),
    valueMinor: money('Revenue of these conversions').nullable().optional(),
    currency: z.string().optional().openapi({ description: 'Required with valueMinor: the campaign\'s currency' }),
    lineItemId: z.string().nullable().optional(),
    note: z.string().nullable().optional(),
  })
  .strict()
  .openapi('CampaignConversionRequest');
const ImportBody = z
  .object({
    format: z.enum(['csv', 'json']).openapi({ description: 'csv (header type,date,amount,count,value,currency,line_item,note) or json; see docs/analytics/campaigns.md' }),
    content: z.string().max(5_000_000).openapi({ description: 'The file as text' }),
  })
  .strict()
  .openapi('CampaignImportRequest');
const ImportReportSchema = z
  .object({ spend: z.object({ created: z.number().int(), unchanged: z.number().int() }), conversions: z.object({ created: z.number().int(), unchanged: z.number().int() }) })
  .openapi('CampaignImportReport');

const param = (name: string) => z.string().openapi({ param: { name, in: 'path' } });
const CampaignParams = WorkspaceParamsSchema.extend({ campaignId: param('campaignId') }).strict();
const LineParams = CampaignParams.extend({ lineItemId: param('lineItemId') }).strict();
const EntryParams = CampaignParams.extend({ entryId: param('entryId') }).strict();
const PostParams = CampaignParams.extend({ postId: param('postId') }).strict();
const base = '/api/v1/workspaces/{workspaceId}/campaigns';
const one = `${base}/{campaignId}`;
const tags = ['campaigns'];

const list = createRoute({ method: 'get', path: base, tags, summary: 'Campaigns with spend, revenue, conversions and ROI', security: authenticated, request: { params: WorkspaceParamsSchema }, responses: { 200: jsonResponse(z.object({ items: z.array(SummarySchema) }), 'Campaigns'), ...workspaceProblems } });
const create = createRoute({ method: 'post', path: base, tags, summary: 'Create a campaign (editors and above)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(CreateBody) }, responses: { 201: jsonResponse(DetailSchema, 'Created'), ...workspaceProblems, ...problemResponses(409) } });
const get = createRoute({ method: 'get', path: one, tags, summary: 'A campaign: KPIs with inputs, media plan vs actual, entries and posts', security: authenticated, request: { params: CampaignParams }, responses: { 200: jsonResponse(DetailSchema, 'Campaign'), ...workspaceProblems } });
const update = createRoute({ method: 'patch', path: one, tags, summary: 'Change a campaign (editors and above)', security: authenticated, request: { params: CampaignParams, body: jsonBody(UpdateBody) }, responses: { 200: jsonResponse(DetailSchema, 'Changed'), ...workspaceProblems, ...problemResponses(409) } });
const remove = createRoute({ method: 'delete', path: one, tags, summary: 'Delete a campaign with its plan, entries and the scheduled reports that mail it (editors and above)', security: authenticated, request: { params: CampaignParams }, responses: { 204: { description: 'Deleted' }, ...workspaceProblems } });
const addLine = createRoute({ method: 'post', path: `${one}/line-items`, tags, summary: 'Add a media-plan line (editors and above)', security: authenticated, request: { params: CampaignParams, body: jsonBody(LineItemBody) }, responses: { 201: jsonResponse(DetailSchema, 'The campaign with the new line'), ...workspaceProblems, ...problemResponses(409) } });
const patchLine = createRoute({ method: 'patch', path: `${one}/line-items/{lineItemId}`, tags, summary: 'Change a media-plan line (editors and above)', security: authenticated, request: { params: LineParams, body: jsonBody(LineItemPatch) }, responses: { 200: jsonResponse(DetailSchema, 'The campaign'), ...workspaceProblems } });
const deleteLine = createRoute({ method: 'delete', path: `${one}/line-items/{lineItemId}`, tags, summary: 'Remove a media-plan line; its entries stay with the campaign (editors and above)', security: authenticated, request: { params: LineParams }, responses: { 200: jsonResponse(DetailSchema, 'The campaign'), ...workspaceProblems } });
const addSpend = createRoute({ method: 'post', path: `${one}/spend`, tags, summary: 'Record money spent (editors and above)', security: authenticated, request: { params: CampaignParams, body: jsonBody(SpendBody) }, responses: { 201: jsonResponse(SpendSchema, 'Recorded'), ...workspaceProblems } });
const deleteSpend = createRoute({ method: 'delete', path: `${one}/spend/{entryId}`, tags, summary: 'Remove a spend entry (editors and above)', security: authenticated, request: { params: EntryParams }, responses: { 204: { description: 'Removed' }, ...workspaceProblems } });
const addConversions = createRoute({ method: 'post', path: `${one}/conversions`, tags, summary: 'Record conversions and their revenue (editors and above)', security: authenticated, request: { params: CampaignParams, body: jsonBody(ConversionBody) }, responses: { 201: jsonResponse(ConversionSchema, 'Recorded'), ...workspaceProblems } });
const deleteConversions = createRoute({ method: 'delete', path: `${one}/conversions/{entryId}`, tags, summary: 'Remove a conversion entry (editors and above)', security: authenticated, request: { params: EntryParams }, responses: { 204: { description: 'Removed' }, ...workspaceProblems } });
const importEntries = createRoute({ method: 'post', path: `${one}/import`, tags, summary: 'Import spend and conversion entries from CSV or JSON; all or nothing, re-import adds nothing (editors and above)', security: authenticated, request: { params: CampaignParams, body: jsonBody(ImportBody) }, responses: { 200: jsonResponse(ImportReportSchema, 'What was imported'), ...workspaceProblems } });
const putPost = createRoute({ method: 'put', path: `${one}/posts/{postId}`, tags, summary: 'Link a post to the campaign (editors and above)', security: authenticated, request: { params: PostParams }, responses: { 200: jsonResponse(DetailSchema, 'The campaign'), ...workspaceProblems } });
const deletePost = createRoute({ method: 'delete', path: `${one}/posts/{postId}`, tags, summary: 'Unlink a post linked by hand (editors and above)', security: authenticated, request: { params: PostParams }, responses: { 200: jsonResponse(DetailSchema, 'The campaign'), ...workspaceProblems } });
const report = createRoute({
  method: 'get',
  path: `${one}/report`,
  tags,
  summary: 'The campaign report as HTML, PDF, CSV or XLSX',
  security: authenticated,
  request: { params: CampaignParams, query: z.object({ format: z.string().optional().openapi({ param: { name: 'format', in: 'query' }, description: `${reportFormats.join(', ')} (default html)` }) }).strict() },
  responses: {
    200: reportFileResponse,
    ...workspaceProblems,
  },
});

/** Registers the campaign routes. */
export function registerCampaignRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'analytics.read');
      return c.json({ items: await listWorkspaceCampaigns(access.ctx) }, 200);
    })
    .openapi(create, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'campaigns.manage');
      return c.json(await createCampaign(access.ctx, c.req.valid('json') as Parameters<typeof createCampaign>[1]), 201);
    })
    .openapi(get, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      return c.json(await getCampaign(access.ctx, campaignId), 200);
    })
    .openapi(update, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await changeCampaign(access.ctx, campaignId, c.req.valid('json') as Parameters<typeof changeCampaign>[2]), 200);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      await removeCampaign(access.ctx, campaignId);
      return c.body(null, 204);
    })
    .openapi(addLine, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await addLineItem(access.ctx, campaignId, c.req.valid('json')), 201);
    })
    .openapi(patchLine, async (c) => {
      const { workspaceId, campaignId, lineItemId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await changeLineItem(access.ctx, campaignId, lineItemId, c.req.valid('json')), 200);
    })
    .openapi(deleteLine, async (c) => {
      const { workspaceId, campaignId, lineItemId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await removeLineItem(access.ctx, campaignId, lineItemId), 200);
    })
    .openapi(addSpend, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await recordSpend(access.ctx, campaignId, c.req.valid('json')), 201);
    })
    .openapi(deleteSpend, async (c) => {
      const { workspaceId, campaignId, entryId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      await removeEntry(access.ctx, campaignId, 'spend', entryId);
      return c.body(null, 204);
    })
    .openapi(addConversions, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await recordConversions(access.ctx, campaignId, c.req.valid('json')), 201);
    })
    .openapi(deleteConversions, async (c) => {
      const { workspaceId, campaignId, entryId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      await removeEntry(access.ctx, campaignId, 'conversions', entryId);
      return c.body(null, 204);
    })
    .openapi(importEntries, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      const body = c.req.valid('json');
      return c.json(await importCampaignEntries(access.ctx, campaignId, body.content, body.format), 200);
    })
    .openapi(putPost, async (c) => {
      const { workspaceId, campaignId, postId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await linkCampaignPost(access.ctx, campaignId, postId), 200);
    })
    .openapi(deletePost, async (c) => {
      const { workspaceId, campaignId, postId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'campaigns.manage');
      return c.json(await unlinkCampaignPost(access.ctx, campaignId, postId), 200);
    })
    .openapi(report, async (c) => {
      const { workspaceId, campaignId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      const file = await getCampaignReport(access.ctx, campaignId, c.req.valid('query').format);
      return sendReportFile(c, file);
    });
}
