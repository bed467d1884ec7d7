/**
 * Campaigns: a campaign with its media plan (line items), actual spend and conversion/revenue entries
 * (by hand or imported from CSV/JSON), posts linked by hand or by the campaign's UTM value, and the
 * campaign KPIs (ROI, ROMI, CPA, CPM, CPC, plan vs actual) with their inputs. Everyone who reads
 * analytics reads campaigns; editors and above change them (campaigns.manage). Every change records a
 * domain event in the same transaction.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isCalendarDay } from '../analytics/local-time';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import type { Executor } from '../jobs/job-queue';
import { assertCan } from '../policies/policy';
import { findAccount, listAccounts as listAccountRows } from '../repositories/accounts.repository';
import { deleteCampaignGoals, setCampaignGoalDates } from '../repositories/goals.repository';
import { deleteCampaignSchedules } from '../repositories/reports.repository';
import { findWorkspace } from '../repositories/workspaces.repository';
import { campaignReportModel } from '../reports/campaign-report';
import type { ReportModel } from '../reports/report-model';
import type { GoalProgress } from '../goals/goal-progress';
import { goalsForCampaignKpis } from './goals.use-case';
import { renderReport, reportFormats, type RenderedReport, type ReportFormat } from './reports.use-case';
import {
  campaignTotals,
  deleteCampaign,
  deleteEntry,
  deleteLineItem,
  findCampaign,
  findCampaignByName,
  findLineItem,
  insertCampaign,
  insertConversion,
  insertLineItem,
  insertSpend,
  linkedPostIds,
  linkPost,
  listCampaigns,
  listConversions,
  listLineItems,
  listSpend,
  targetsOfPosts,
  targetsWithUtmCampaign,
  unlinkPost,
  updateCampaign,
  updateLineItem,
  type CampaignRow,
  type CampaignTargetRow,
  type ConversionRow,
  type LineItemRow,
  type SpendRow,
} from '../repositories/campaigns.repository';
import { findPost } from '../repositories/posts.repository';
import type { UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { campaignStatuses, type CampaignStatus } from '../campaigns/campaign-tables';
import { evaluateCampaignKpi, evaluateCampaignKpis, type CampaignFigures, type CampaignKpiResult, type PostCountSum } from '../campaigns/campaign-kpis';
import { findCampaignKpiDefinition } from '../campaigns/campaign-kpi-definitions';
import { parseCampaignImport, type ImportedEntry } from '../campaigns/campaign-import';
import { isCurrency, maxMinorUnits } from '../campaigns/money';
import { policyActor } from './workspaces.use-case';

// ---- views --------------------------------------------------------------------------------------

/** A campaign in the list, with its totals and ROI. */
export interface CampaignSummaryView {
  id: string;
  name: string;
  objective: string | null;
  startsOn: string;
  endsOn: string;
  currency: string;
  budgetMinor: number | null;
  status: CampaignStatus;
  utmCampaign: string | null;
  grossMarginPercent: number | null;
  spendMinor: number | null;
  revenueMinor: number | null;
  conversions: number | null;
  /** ROI in percent (null: spend or revenue unknown, or spend 0). */
  roi: number | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Planned and actual quantities of a line item (or of the campaign). */
export interface PlanActual {
  budgetMinor: number | null;
  spendMinor: number | null;
  posts: number | null;
  reach: number | null;
  impressions: number | null;
  clicks: number | null;
  conversions: number | null;
  revenueMinor: number | null;
}

/** One media-plan line with its actual figures and KPIs. */
export interface LineItemView {
  id: string;
  accountId: string | null;
  network: string | null;
  placement: string;
  plannedBudgetMinor: number;
  plannedPosts: number | null;
  plannedReach: number | null;
  plannedImpressions: number | null;
  plannedClicks: number | null;
  plannedConversions: number | null;
  planned: PlanActual;
  actual: PlanActual;
  kpis: CampaignKpiResult[];
}

/** What spend and conversion entries have in common. */
interface EntryView {
  id: string;
  day: string;
  currency: string;
  lineItemId: string | null;
  source: 'manual' | 'import';
  note: string | null;
  createdBy: string | null;
  createdAt: string;
}

/** A spend entry. */
export interface SpendView extends EntryView {
  amountMinor: number;
}

/** A conversion entry. */
export interface ConversionView extends EntryView {
  count: number;
  valueMinor: number | null;
}

/** A post target of the campaign and how it came in. */
export interface CampaignPostView {
  postId: string;
  targetId: string;
  accountId: string;
  network: string;
  state: string;
  text: string;
  url: string | null;
  publishedAt: string | null;
  /** `manual` (linked by hand), `utm` (its link carries the campaign's UTM value), or both. */
  linkedBy: Array<'manual' | 'utm'>;
  impressions: number | null;
  reach: number | null;
  clicks: number | null;
}

/** A campaign KPI with the campaign's goal for it, if one is set. */
export interface CampaignKpiWithGoal extends CampaignKpiResult {
  goal: GoalProgress | null;
}

/** A whole campaign. */
export interface CampaignDetailView extends CampaignSummaryView {
  planned: PlanActual;
  actual: PlanActual;
  kpis: CampaignKpiWithGoal[];
  lineItems: LineItemView[];
  spendEntries: SpendView[];
  conversionEntries: ConversionView[];
  posts: CampaignPostView[];
  /** Post ids linked by hand (a linked post may have no targets yet). */
  linkedPostIds: string[];
}

/** What an import did. */
export interface CampaignImportReport {
  spend: { created: number; unchanged: number };
  conversions: { created: number; unchanged: number };
}

// ---- validation ---------------------------------------------------------------------------------

/** Limits a person can read in the error messages. */
export const campaignLimits = { nameMax: 120, objectiveMax: 1000, placementMax: 120, utmMax: 100, noteMax: 500, campaignsMax: 1000, lineItemsMax: 100 } as const;

type Problem = { path: string; code: string; message: string };

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors: Problem[] = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message }));
  throw new ValidationError(errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '), errors);
}

/** The fields a caller actually gave (an explicit `undefined` must not override a default). */
function given<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function invalid(path: string, code: string, message: string): never {
  throw new ValidationError(message, [{ path, code, message }]);
}

const day = (what: string) => z.string({ error: `${what} must be a calendar date like 2026-03-29` }).refine(isCalendarDay, { message: `${what} must be a calendar date like 2026-03-29` });
const minor = (what: string) =>
  z
    .number({ error: `${what} must be a whole number of minor units (cents, öre, kopecks)` })
    .int(`${what} must be a whole number of minor units (cents, öre, kopecks), not a fraction`)
    .min(0, `${what} cannot be negative`)
    .max(maxMinorUnits, `${what} is too large`);
const count = (what: string) => z.number({ error: `${what} must be a whole number` }).int(`${what} must be a whole number`).min(0, `${what} cannot be negative`).max(maxMinorUnits, `${what} is too large`);
const currency = z
  .string({ error: 'currency must be an ISO 4217 code such as SEK, RUB or EUR' })
  .transform((s) => s.trim().toUpperCase())
  .refine(isCurrency, { message: 'currency must be an ISO 4217 code such as SEK, RUB or EUR' });
const text = (what: string, max: number) => z.string({ error: `${what} must be text` }).transform((s) => s.trim()).pipe(z.string().max(max, `${what} is at most ${max} characters`));
const optionalText = (what: string, max: number) => z.union([z.null(), text(what, max)]).transform((s) => (s ? s : null));

const CampaignFields = z.object({
  name: text('name', campaignLimits.nameMax).pipe(z.string().min(1, 'Give the campaign a name')),
  objective: optionalText('objective', campaignLimits.objectiveMax),
  startsOn: day('startsOn'),
  endsOn: day('endsOn'),
  currency,
  budgetMinor: minor('budgetMinor').nullable(),
  status: z.enum(campaignStatuses, { error: `status must be one of ${campaignStatuses.join(', ')}` }),
  utmCampaign: z.union([
    z.null(),
    z
      .string({ error: 'utmCampaign must be text' })
      .transform((s) => s.trim())
      .pipe(z.string().max(campaignLimits.utmMax, `utmCampaign is at most ${campaignLimits.utmMax} characters`).regex(/^[^\s&#=]*$/, 'utmCampaign cannot contain spaces, &, # or =')),
  ]),
  grossMarginPercent: z
    .number({ error: 'grossMarginPercent must be a number from 0 to 100' })
    .min(0, 'grossMarginPercent must be from 0 to 100')
    .max(100, 'grossMarginPercent must be from 0 to 100')
    .refine((v) => Number.isInteger(Math.round(v * 100)) && Math.abs(Math.round(v * 100) - v * 100) < 1e-9, { message: 'grossMarginPercent has at most 2 decimals' })
    .nullable(),
});

/** A campaign's fields as a caller gives them (all optional on update): the view's own fields, typed as there. */
export type CampaignInput = Partial<Pick<CampaignSummaryView, 'name' | 'objective' | 'startsOn' | 'endsOn' | 'currency' | 'budgetMinor' | 'status' | 'utmCampaign' | 'grossMarginPercent'>>;

/** A media-plan line as a caller gives it (the currency only to check it is the campaign's). */
export type LineItemInput = Partial<
  Pick<LineItemView, 'accountId' | 'network' | 'placement' | 'plannedBudgetMinor' | 'plannedPosts' | 'plannedReach' | 'plannedImpressions' | 'plannedClicks' | 'plannedConversions'> & { currency: string }
>;

const LineItemFields = z.object({
  accountId: z.string().nullable(),
  network: z.union([z.null(), z.string().transform((s) => s.trim().toLowerCase()).pipe(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, 'network must be a network id such as vk or bluesky'))]),
  placement: text('placement', campaignLimits.placementMax).pipe(z.string().min(1, 'Say where the line runs (placement / format), e.g. "Stories"')),
  plannedBudgetMinor: minor('plannedBudgetMinor'),
  currency: currency.optional(),
  plannedPosts: count('plannedPosts').nullable(),
  plannedReach: count('plannedReach').nullable(),
  plannedImpressions: count('plannedImpressions').nullable(),
  plannedClicks: count('plannedClicks').nullable(),
  plannedConversions: count('plannedConversions').nullable(),
});

/** A spend entry as a caller gives it. */
export type SpendInput = Partial<Pick<SpendView, 'day' | 'amountMinor' | 'currency' | 'lineItemId' | 'note'>>;

/** A conversion entry as a caller gives it. */
export type ConversionInput = Partial<Pick<ConversionView, 'day' | 'count' | 'valueMinor' | 'currency' | 'lineItemId' | 'note'>>;

const SpendFields = z.object({
  day: day('day'),
  amountMinor: minor('amountMinor'),
  currency,
  lineItemId: z.string().nullable().optional(),
  note: optionalText('note', campaignLimits.noteMax).optional(),
});

const ConversionFields = z.object({
  day: day('day'),
  count: count('count'),
  valueMinor: minor('valueMinor').nullable().optional(),
  currency: currency.optional(),
  lineItemId: z.string().nullable().optional(),
  note: optionalText('note', campaignLimits.noteMax).optional(),
});

// ---- helpers ------------------------------------------------------------------------------------

async function authorize(ctx: UseCaseContext, action: 'analytics.read' | 'campaigns.manage'): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

const actorId = (ctx: UseCaseContext) => (ctx.actor.kind === 'user' ? ctx.actor.userId : null);

async function campaignOf(ctx: UseCaseContext, id: string, db: Executor = ctx.db): Promise<CampaignRow> {
  const row = isId(id) ? await findCampaign(db, ctx.workspaceId, id) : undefined;
  if (!row) throw new NotFoundError('Campaign');
  return row;
}

async function lineItemOf(ctx: UseCaseContext, campaignId: string, id: string): Promise<LineItemRow> {
  const row = isId(id) ? await findLineItem(ctx.db, ctx.workspaceId, campaignId, id) : undefined;
  if (!row) throw new NotFoundError('Line item');
  return row;
}

function event(ctx: UseCaseContext, db: Executor, type: string, subjectId: string, payload: Record<string, unknown>) {
  return recordEvent(ctx.services, db, { workspaceId: ctx.workspaceId, type, subjectId, actorId: actorId(ctx), payload });
}

function sameCurrency(given: string | undefined, campaign: CampaignRow, path: string): void {
  if (given !== undefined && given !== campaign.currency) {
    invalid(path, 'wrong_currency', `The campaign is in ${campaign.currency}, not ${given}: Herald does not convert currencies; record the amount in ${campaign.currency}`);
  }
}

const marginPercent = (bp: number | null) => (bp === null ? null : bp / 100);

function summary(r: CampaignRow, totals: { spend_minor: number | null; revenue_minor: number | null; conversions: number | null } | undefined): CampaignSummaryView {
  const spend = totals?.spend_minor ?? null;
  const revenue = totals?.revenue_minor ?? null;
  const roi = evaluateCampaignKpi(findCampaignKpiDefinition('campaign.roi')!, {
    ...emptyFigures(r.currency),
    spendMinor: spend,
    revenueMinor: revenue,
  }).value;
  return {
    id: r.id,
    name: r.name,
    objective: r.objective,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    currency: r.currency,
    budgetMinor: r.budget_minor === null ? null : Number(r.budget_minor),
    status: r.status,
    utmCampaign: r.utm_campaign,
    grossMarginPercent: marginPercent(r.margin_bp),
    spendMinor: spend,
    revenueMinor: revenue,
    conversions: totals?.conversions ?? null,
    roi,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function emptyFigures(currencyCode: string): CampaignFigures {
  const none: PostCountSum = { sum: null, postsCounted: 0, postsMissing: 0 };
  return {
    currency: currencyCode,
    spendMinor: null,
    spendEntries: 0,
    revenueMinor: null,
    conversions: null,
    conversionEntries: 0,
    conversionEntriesWithoutValue: 0,
    marginBp: null,
    plannedBudgetMinor: null,
    plannedBudgetFrom: null,
    planned: { posts: null, reach: null, impressions: null, clicks: null, conversions: null },
    postsPublished: 0,
    impressions: none,
    clicks: none,
    reach: none,
  };
}

/** Sum of the non-null values; null when every value is null (missing stays missing). */
function sumKnown(values: Array<number | null>): number | null {
  let out: number | null = null;
  for (const v of values) if (v !== null) out = (out ?? 0) + Number(v);
  return out;
}

function countSum(targets: CampaignTargetRow[], pick: (t: CampaignTargetRow) => number | null): PostCountSum {
  const published = targets.filter((t) => t.published_at !== null);
  const known = published.map(pick).filter((v): v is number => v !== null);
  return { sum: known.length ? known.reduce((a, b) => a + Number(b), 0) : null, postsCounted: known.length, postsMissing: published.length - known.length };
}

/** The utm_campaign values in a link or text (decoded; `+` is a space in query strings). */
export function utmCampaignValues(s: string | null): string[] {
  if (!s) return [];
  const out: string[] = [];
  for (const m of s.matchAll(/[?&]utm_campaign=([^&#\s"'<>]*)/g)) {
    try {
      out.push(decodeURIComponent(m[1]!.replace(/\+/g, ' ')));
    } catch {
      out.push(m[1]!);
    }
  }
  return out;
}

function figuresFor(
  currencyCode: string,
  marginBp: number | null,
  spend: SpendRow[],
  conversions: ConversionRow[],
  targets: CampaignTargetRow[] | null,
  planned: { budgetMinor: number | null; budgetFrom: CampaignFigures['plannedBudgetFrom']; lines: LineItemRow[] },
): CampaignFigures {
  const f = emptyFigures(currencyCode);
  f.marginBp = marginBp;
  f.spendEntries = spend.length;
  f.spendMinor = spend.length ? spend.reduce((a, s) => a + Number(s.amount_minor), 0) : null;
  f.conversionEntries = conversions.length;
  f.conversions = conversions.length ? conversions.reduce((a, c) => a + Number(c.count), 0) : null;
  f.revenueMinor = sumKnown(conversions.map((c) => (c.value_minor === null ? null : Number(c.value_minor))));
  f.conversionEntriesWithoutValue = conversions.filter((c) => c.value_minor === null).length;
  f.plannedBudgetMinor = planned.budgetMinor;
  f.plannedBudgetFrom = planned.budgetMinor === null ? null : planned.budgetFrom;
  f.planned = {
    posts: sumKnown(planned.lines.map((l) => l.planned_posts)),
    reach: sumKnown(planned.lines.map((l) => l.planned_reach)),
    impressions: sumKnown(planned.lines.map((l) => l.planned_impressions)),
    clicks: sumKnown(planned.lines.map((l) => l.planned_clicks)),
    conversions: sumKnown(planned.lines.map((l) => l.planned_conversions)),
  };
  if (targets === null) {
    // A line without an account or network cannot be told which posts are its own: unknown, not 0.
    f.postsPublished = null;
  } else {
    f.postsPublished = targets.filter((t) => t.published_at !== null).length;
    f.impressions = countSum(targets, (t) => t.views);
    f.clicks = countSum(targets, (t) => t.clicks);
    f.reach = countSum(targets, (t) => t.reach);
  }
  return f;
}

function planActual(f: CampaignFigures): { planned: PlanActual; actual: PlanActual } {
  return {
    planned: { budgetMinor: f.plannedBudgetMinor, spendMinor: f.plannedBudgetMinor, posts: f.planned.posts, reach: f.planned.reach, impressions: f.planned.impressions, clicks: f.planned.clicks, conversions: f.planned.conversions, revenueMinor: null },
    actual: { budgetMinor: null, spendMinor: f.spendMinor, posts: f.postsPublished, reach: f.reach.sum, impressions: f.impressions.sum, clicks: f.clicks.sum, conversions: f.conversions, revenueMinor: f.revenueMinor },
  };
}

/** The campaign's targets: posts linked by hand and posts whose link or text carries its UTM value. */
async function campaignTargets(ctx: UseCaseContext, c: CampaignRow): Promise<{ targets: CampaignPostView[]; rows: CampaignTargetRow[]; linked: string[] }> {
  const linked = await linkedPostIds(ctx.db, ctx.workspaceId, c.id);
  const manual = await targetsOfPosts(ctx.db, ctx.workspaceId, linked);
  const byUtm = c.utm_campaign ? (await targetsWithUtmCampaign(ctx.db, ctx.workspaceId)).filter((t) => [...utmCampaignValues(t.link), ...utmCampaignValues(t.text)].includes(c.utm_campaign!)) : [];
  const rows = new Map<string, { row: CampaignTargetRow; by: Set<'manual' | 'utm'> }>();
  for (const t of manual) rows.set(t.target_id, { row: t, by: new Set(['manual']) });
  for (const t of byUtm) {
    const had = rows.get(t.target_id);
    if (had) had.by.add('utm');
    else rows.set(t.target_id, { row: t, by: new Set(['utm']) });
  }
  const list = [...rows.values()].sort((a, b) => (a.row.published_at ?? '~').localeCompare(b.row.published_at ?? '~') || a.row.target_id.localeCompare(b.row.target_id));
  return {
    linked,
    rows: list.map((x) => x.row),
    targets: list.map(({ row: t, by }) => ({
      postId: t.post_id,
      targetId: t.target_id,
      accountId: t.account_id,
      network: t.network,
      state: t.state,
      text: t.text,
      url: t.external_url,
      publishedAt: t.published_at,
      linkedBy: (['manual', 'utm'] as const).filter((k) => by.has(k)),
      impressions: t.views === null ? null : Number(t.views),
      reach: t.reach === null ? null : Number(t.reach),
      clicks: t.clicks === null ? null : Number(t.clicks),
    })),
  };
}

const spendView = (c: CampaignRow) => (s: SpendRow): SpendView => ({ id: s.id, day: s.day, amountMinor: Number(s.amount_minor), currency: c.currency, lineItemId: s.line_item_id, source: s.source, note: s.note, createdBy: s.created_by, createdAt: s.created_at });
const conversionView = (c: CampaignRow) => (r: ConversionRow): ConversionView => ({
  id: r.id,
  day: r.day,
  count: Number(r.count),
  valueMinor: r.value_minor === null ? null : Number(r.value_minor),
  currency: c.currency,
  lineItemId: r.line_item_id,
  source: r.source,
  note: r.note,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

// ---- reading ------------------------------------------------------------------------------------

/** The workspace's campaigns with spend, revenue, conversions and ROI. */
export async function listWorkspaceCampaigns(ctx: UseCaseContext): Promise<CampaignSummaryView[]> {
  await authorize(ctx, 'analytics.read');
  const totals = await campaignTotals(ctx.db, ctx.workspaceId);
  return (await listCampaigns(ctx.db, ctx.workspaceId)).map((r) => summary(r, totals.get(r.id)));
}

/** A campaign with its plan vs actual, KPIs and inputs, line items, entries and posts. */
export async function getCampaign(ctx: UseCaseContext, id: string): Promise<CampaignDetailView> {
  await authorize(ctx, 'analytics.read');
  const c = await campaignOf(ctx, id);
  const [lines, spend, conversions, posts] = await Promise.all([
    listLineItems(ctx.db, ctx.workspaceId, c.id),
    listSpend(ctx.db, ctx.workspaceId, c.id),
    listConversions(ctx.db, ctx.workspaceId, c.id),
    campaignTargets(ctx, c),
  ]);
  const lineBudget = sumKnown(lines.map((l) => Number(l.planned_budget_minor)));
  const campaignBudget = c.budget_minor === null ? null : Number(c.budget_minor);
  const figures = figuresFor(c.currency, c.margin_bp, spend, conversions, posts.rows, {
    budgetMinor: lines.length ? lineBudget : campaignBudget,
    budgetFrom: lines.length ? 'line_items' : 'campaign_budget',
    lines,
  });
  const lineItems = lines.map((l): LineItemView => {
    const own = l.account_id ? posts.rows.filter((t) => t.account_id === l.account_id) : l.network ? posts.rows.filter((t) => t.network === l.network) : null;
    const lf = figuresFor(
      c.currency,
      c.margin_bp,
      spend.filter((s) => s.line_item_id === l.id),
      conversions.filter((x) => x.line_item_id === l.id),
      own,
      { budgetMinor: Number(l.planned_budget_minor), budgetFrom: 'line_items', lines: [l] },
    );
    return {
      id: l.id,
      accountId: l.account_id,
      network: l.network,
      placement: l.placement,
      plannedBudgetMinor: Number(l.planned_budget_minor),
      plannedPosts: l.planned_posts,
      plannedReach: l.planned_reach === null ? null : Number(l.planned_reach),
      plannedImpressions: l.planned_impressions === null ? null : Number(l.planned_impressions),
      plannedClicks: l.planned_clicks === null ? null : Number(l.planned_clicks),
      plannedConversions: l.planned_conversions === null ? null : Number(l.planned_conversions),
      ...planActual(lf),
      kpis: evaluateCampaignKpis(lf),
    };
  });
  const totals = { spend_minor: figures.spendMinor, revenue_minor: figures.revenueMinor, conversions: figures.conversions };
  const kpis = evaluateCampaignKpis(figures);
  const goals = await goalsForCampaignKpis(ctx, { id: c.id, from: c.starts_on, to: c.ends_on }, kpis.map((k) => ({ definitionId: k.definition.id, value: k.value })));
  return {
    ...summary(c, totals),
    ...planActual(figures),
    kpis: kpis.map((k) => ({ ...k, goal: goals.get(k.definition.id) ?? null })),
    lineItems,
    spendEntries: spend.map(spendView(c)),
    conversionEntries: conversions.map(conversionView(c)),
    posts: posts.targets,
    linkedPostIds: posts.linked,
  };
}

// ---- campaigns ----------------------------------------------------------------------------------

function checkRange(startsOn: string, endsOn: string): void {
  if (endsOn < startsOn) invalid('endsOn', 'invalid_range', `The campaign cannot end (${endsOn}) before it starts (${startsOn})`);
}

function marginBp(percent: number | null): number | null {
  return percent === null ? null : Math.round(percent * 100);
}

/** Creates a campaign (campaigns.manage). */
export async function createCampaign(ctx: UseCaseContext, input: CampaignInput): Promise<CampaignDetailView> {
  await authorize(ctx, 'campaigns.manage');
  const v = parse(CampaignFields, { objective: null, budgetMinor: null, status: 'planned', utmCampaign: null, grossMarginPercent: null, ...given(input) });
  checkRange(v.startsOn, v.endsOn);
  if (await findCampaignByName(ctx.db, ctx.workspaceId, v.name)) throw new ConflictError(`A campaign named "${v.name}" already exists in this workspace`);
  if ((await listCampaigns(ctx.db, ctx.workspaceId)).length >= campaignLimits.campaignsMax) throw new ConflictError(`A workspace holds at most ${campaignLimits.campaignsMax} campaigns`);
  const now = ctx.services.now().toISOString();
  const row: CampaignRow = {
    id: newId(),
    workspace_id: ctx.workspaceId,
    name: v.name,
    objective: v.objective,
    starts_on: v.startsOn,
    ends_on: v.endsOn,
    currency: v.currency,
    budget_minor: v.budgetMinor,
    status: v.status,
    utm_campaign: v.utmCampaign || null,
    margin_bp: marginBp(v.grossMarginPercent),
    created_by: actorId(ctx),
    created_at: now,
    updated_at: now,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertCampaign(trx, row);
    await event(ctx, trx, 'campaign.created', row.id, { campaignId: row.id, name: row.name, currency: row.currency, budgetMinor: row.budget_minor });
  });
  return getCampaign(ctx, row.id);
}

/** Changes a campaign's fields (campaigns.manage). The currency cannot change once money is recorded. */
export async function changeCampaign(ctx: UseCaseContext, id: string, input: CampaignInput): Promise<CampaignDetailView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, id);
  const v = parse(CampaignFields.partial(), input);
  checkRange(v.startsOn ?? c.starts_on, v.endsOn ?? c.ends_on);
  if (v.name !== undefined && v.name !== c.name) {
    const other = await findCampaignByName(ctx.db, ctx.workspaceId, v.name);
    if (other && other.id !== c.id) throw new ConflictError(`A campaign named "${v.name}" already exists in this workspace`);
  }
  if (v.currency !== undefined && v.currency !== c.currency) {
    const [lines, spend, conv] = await Promise.all([listLineItems(ctx.db, ctx.workspaceId, c.id), listSpend(ctx.db, ctx.workspaceId, c.id), listConversions(ctx.db, ctx.workspaceId, c.id)]);
    if (lines.length || spend.length || conv.some((x) => x.value_minor !== null)) {
      throw new ConflictError(`The campaign's amounts are recorded in ${c.currency}: its currency cannot change to ${v.currency}`);
    }
  }
  const patch: Partial<CampaignRow> = { updated_at: ctx.services.now().toISOString() };
  if (v.name !== undefined) patch.name = v.name;
  if (v.objective !== undefined) patch.objective = v.objective;
  if (v.startsOn !== undefined) patch.starts_on = v.startsOn;
  if (v.endsOn !== undefined) patch.ends_on = v.endsOn;
  if (v.currency !== undefined) patch.currency = v.currency;
  if (v.budgetMinor !== undefined) patch.budget_minor = v.budgetMinor;
  if (v.status !== undefined) patch.status = v.status;
  if (v.utmCampaign !== undefined) patch.utm_campaign = v.utmCampaign || null;
  if (v.grossMarginPercent !== undefined) patch.margin_bp = marginBp(v.grossMarginPercent);
  await ctx.db.transaction().execute(async (trx) => {
    await updateCampaign(trx, ctx.workspaceId, c.id, patch);
    // The campaign's goals run over its dates.
    if (patch.starts_on !== undefined || patch.ends_on !== undefined) await setCampaignGoalDates(trx, ctx.workspaceId, c.id, patch.starts_on ?? c.starts_on, patch.ends_on ?? c.ends_on, patch.updated_at ?? ctx.services.now().toISOString());
    await event(ctx, trx, 'campaign.updated', c.id, { campaignId: c.id, changed: Object.keys(patch).filter((k) => k !== 'updated_at') });
  });
  return getCampaign(ctx, c.id);
}

/**
 * Deletes a campaign with its plan, entries, post links, goals and the scheduled reports that mail it
 * (campaigns.manage): a schedule of a campaign that no longer exists could only fail every period.
 */
export async function removeCampaign(ctx: UseCaseContext, id: string): Promise<{ reportSchedulesRemoved: number; goalsRemoved: number }> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, id);
  return ctx.db.transaction().execute(async (trx) => {
    await deleteCampaign(trx, ctx.workspaceId, c.id);
    const reportSchedulesRemoved = await deleteCampaignSchedules(trx, ctx.workspaceId, c.id);
    const goalsRemoved = await deleteCampaignGoals(trx, ctx.workspaceId, c.id);
    await event(ctx, trx, 'campaign.deleted', c.id, { campaignId: c.id, name: c.name, reportSchedulesRemoved, goalsRemoved });
    return { reportSchedulesRemoved, goalsRemoved };
  });
}

// ---- media plan ---------------------------------------------------------------------------------

async function lineTarget(ctx: UseCaseContext, accountId: string | null | undefined, network: string | null | undefined): Promise<{ account_id: string | null; network: string | null }> {
  if (accountId) {
    const account = isId(accountId) ? await findAccount(ctx.db, ctx.workspaceId, accountId) : undefined;
    if (!account) invalid('accountId', 'unknown_account', 'accountId is not an account of this workspace');
    if (network && network !== account.network) invalid('network', 'network_mismatch', `The account is on ${account.network}, not ${network}`);
    return { account_id: account.id, network: account.network };
  }
  return { account_id: null, network: network ?? null };
}

/** Adds a line to the media plan (campaigns.manage). */
export async function addLineItem(ctx: UseCaseContext, campaignId: string, input: LineItemInput): Promise<CampaignDetailView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  const v = parse(LineItemFields, { accountId: null, network: null, plannedPosts: null, plannedReach: null, plannedImpressions: null, plannedClicks: null, plannedConversions: null, ...given(input) });
  sameCurrency(v.currency, c, 'currency');
  const where = await lineTarget(ctx, v.accountId, v.network);
  if ((await listLineItems(ctx.db, ctx.workspaceId, c.id)).length >= campaignLimits.lineItemsMax) throw new ConflictError(`A media plan holds at most ${campaignLimits.lineItemsMax} lines`);
  const row: LineItemRow = {
    id: newId(),
    campaign_id: c.id,
    workspace_id: ctx.workspaceId,
    ...where,
    placement: v.placement,
    planned_budget_minor: v.plannedBudgetMinor,
    planned_posts: v.plannedPosts,
    planned_reach: v.plannedReach,
    planned_impressions: v.plannedImpressions,
    planned_clicks: v.plannedClicks,
    planned_conversions: v.plannedConversions,
    created_at: ctx.services.now().toISOString(),
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertLineItem(trx, row);
    await event(ctx, trx, 'campaign.line_item.added', c.id, { campaignId: c.id, lineItemId: row.id, placement: row.placement, plannedBudgetMinor: row.planned_budget_minor });
  });
  return getCampaign(ctx, c.id);
}

/** Changes a line of the media plan (campaigns.manage). */
export async function changeLineItem(ctx: UseCaseContext, campaignId: string, lineItemId: string, input: LineItemInput): Promise<CampaignDetailView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  const l = await lineItemOf(ctx, c.id, lineItemId);
  const v = parse(LineItemFields.partial(), input);
  sameCurrency(v.currency, c, 'currency');
  const patch: Partial<LineItemRow> = {};
  if (v.accountId !== undefined || v.network !== undefined) Object.assign(patch, await lineTarget(ctx, v.accountId === undefined ? l.account_id : v.accountId, v.network === undefined ? (v.accountId === undefined ? l.network : null) : v.network));
  if (v.placement !== undefined) patch.placement = v.placement;
  if (v.plannedBudgetMinor !== undefined) patch.planned_budget_minor = v.plannedBudgetMinor;
  if (v.plannedPosts !== undefined) patch.planned_posts = v.plannedPosts;
  if (v.plannedReach !== undefined) patch.planned_reach = v.plannedReach;
  if (v.plannedImpressions !== undefined) patch.planned_impressions = v.plannedImpressions;
  if (v.plannedClicks !== undefined) patch.planned_clicks = v.plannedClicks;
  if (v.plannedConversions !== undefined) patch.planned_conversions = v.plannedConversions;
  await ctx.db.transaction().execute(async (trx) => {
    if (Object.keys(patch).length) await updateLineItem(trx, ctx.workspaceId, l.id, patch);
    await event(ctx, trx, 'campaign.line_item.changed', c.id, { campaignId: c.id, lineItemId: l.id, changed: Object.keys(patch) });
  });
  return getCampaign(ctx, c.id);
}

/** Removes a line of the media plan; its entries stay with the campaign (campaigns.manage). */
export async function removeLineItem(ctx: UseCaseContext, campaignId: string, lineItemId: string): Promise<CampaignDetailView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  const l = await lineItemOf(ctx, c.id, lineItemId);
  await ctx.db.transaction().execute(async (trx) => {
    await deleteLineItem(trx, ctx.workspaceId, c.id, l.id);
    await event(ctx, trx, 'campaign.line_item.removed', c.id, { campaignId: c.id, lineItemId: l.id });
  });
  return getCampaign(ctx, c.id);
}

// ---- spend and conversions ----------------------------------------------------------------------

async function lineIdOf(ctx: UseCaseContext, c: CampaignRow, lineItemId: string | null | undefined): Promise<string | null> {
  if (!lineItemId) return null;
  const l = isId(lineItemId) ? await findLineItem(ctx.db, ctx.workspaceId, c.id, lineItemId) : undefined;
  if (!l) invalid('lineItemId', 'unknown_line_item', 'lineItemId is not a line of this campaign\'s media plan');
  return l.id;
}

/** The columns a hand-recorded spend or conversion entry shares (the import sets its own source and key). */
async function manualEntry(ctx: UseCaseContext, c: CampaignRow, v: { day: string; lineItemId?: string | null; note?: string | null }) {
  return {
    id: newId(),
    campaign_id: c.id,
    workspace_id: ctx.workspaceId,
    line_item_id: await lineIdOf(ctx, c, v.lineItemId),
    day: v.day,
    source: 'manual' as const,
    note: v.note ?? null,
    import_key: null,
    created_by: actorId(ctx),
    created_at: ctx.services.now().toISOString(),
  };
}

/** Records money spent (campaigns.manage). */
export async function recordSpend(ctx: UseCaseContext, campaignId: string, input: SpendInput): Promise<SpendView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  const v = parse(SpendFields, input);
  sameCurrency(v.currency, c, 'currency');
  const row: SpendRow = { ...(await manualEntry(ctx, c, v)), amount_minor: v.amountMinor };
  await ctx.db.transaction().execute(async (trx) => {
    await insertSpend(trx, row);
    await event(ctx, trx, 'campaign.spend.recorded', c.id, { campaignId: c.id, entryId: row.id, day: row.day, amountMinor: row.amount_minor, currency: c.currency });
  });
  return spendView(c)(row);
}

/** Records conversions and their value (campaigns.manage). */
export async function recordConversions(ctx: UseCaseContext, campaignId: string, input: ConversionInput): Promise<ConversionView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  const v = parse(ConversionFields, input);
  if (v.valueMinor !== undefined && v.valueMinor !== null && v.currency === undefined) invalid('currency', 'required', `Give the currency of valueMinor (${c.currency})`);
  sameCurrency(v.currency, c, 'currency');
  const row: ConversionRow = { ...(await manualEntry(ctx, c, v)), count: v.count, value_minor: v.valueMinor ?? null };
  await ctx.db.transaction().execute(async (trx) => {
    await insertConversion(trx, row);
    await event(ctx, trx, 'campaign.conversions.recorded', c.id, { campaignId: c.id, entryId: row.id, day: row.day, count: row.count, valueMinor: row.value_minor, currency: c.currency });
  });
  return conversionView(c)(row);
}

/** Removes a spend or conversion entry (campaigns.manage). */
export async function removeEntry(ctx: UseCaseContext, campaignId: string, kind: 'spend' | 'conversions', entryId: string): Promise<void> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  const table = kind === 'spend' ? 'campaign_spend' : 'campaign_conversions';
  await ctx.db.transaction().execute(async (trx) => {
    const gone = isId(entryId) && (await deleteEntry(trx, table, ctx.workspaceId, c.id, entryId));
    if (!gone) throw new NotFoundError(kind === 'spend' ? 'Spend entry' : 'Conversion entry');
    await event(ctx, trx, `campaign.${kind}.removed`, c.id, { campaignId: c.id, entryId });
  });
}

/** A stable key of an imported entry's content; the n-th identical row of a file gets its own key. */
function importKey(e: ImportedEntry, lineItemId: string | null, occurrence: number): string {
  const parts = [e.kind, e.day, e.amountMinor, e.count, e.valueMinor, lineItemId, e.note, occurrence].map((p) => (p === null ? '' : String(p)));
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/**
 * Imports spend and conversion entries from CSV or JSON (campaigns.manage). Nothing is stored when
 * one row of the file is wrong; importing the same file again adds nothing.
 */
export async function importCampaignEntries(ctx: UseCaseContext, campaignId: string, content: string, format: string | undefined): Promise<CampaignImportReport> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  if (format !== 'csv' && format !== 'json') invalid('format', 'unknown_format', 'format must be csv or json');
  const { entries, problems } = parseCampaignImport(content, format, c.currency);
  const lines = await listLineItems(ctx.db, ctx.workspaceId, c.id);
  const lineIds = entries.map((e) => {
    if (!e.lineItem) return null;
    const l = lines.find((x) => x.id === e.lineItem) ?? lines.find((x) => x.placement.toLowerCase() === e.lineItem!.toLowerCase());
    if (!l) problems.push({ path: `${e.where}.lineItem`, message: `"${e.lineItem}" is neither the id nor the placement of a line of this campaign's media plan` });
    return l?.id ?? null;
  });
  if (problems.length) {
    const shown = problems.slice(0, 50);
    throw new ValidationError(`The file has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${shown.map((p) => `${p.path}: ${p.message}`).join('; ')}`, shown.map((p) => ({ ...p, code: 'invalid_entry' })));
  }
  const report: CampaignImportReport = { spend: { created: 0, unchanged: 0 }, conversions: { created: 0, unchanged: 0 } };
  const now = ctx.services.now().toISOString();
  const seen = new Map<string, number>();
  await ctx.db.transaction().execute(async (trx) => {
    for (const [i, e] of entries.entries()) {
      const lineItemId = lineIds[i] ?? null;
      const base = importKey(e, lineItemId, 0);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const common = { id: newId(), campaign_id: c.id, workspace_id: ctx.workspaceId, line_item_id: lineItemId, day: e.day, source: 'import' as const, note: e.note, import_key: importKey(e, lineItemId, n), created_by: actorId(ctx), created_at: now };
      if (e.kind === 'spend') {
        const created = await insertSpend(trx, { ...common, amount_minor: e.amountMinor ?? 0 });
        report.spend[created ? 'created' : 'unchanged'] += 1;
      } else {
        const created = await insertConversion(trx, { ...common, count: e.count ?? 0, value_minor: e.valueMinor });
        report.conversions[created ? 'created' : 'unchanged'] += 1;
      }
    }
    await event(ctx, trx, 'campaign.entries.imported', c.id, { campaignId: c.id, format, ...report });
  });
  return report;
}

// ---- posts --------------------------------------------------------------------------------------

/** Links a post of the workspace to the campaign (campaigns.manage). */
export async function linkCampaignPost(ctx: UseCaseContext, campaignId: string, postId: string): Promise<CampaignDetailView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  const post = isId(postId) ? await findPost(ctx.db, ctx.workspaceId, postId) : undefined;
  if (!post) throw new NotFoundError('Post');
  await ctx.db.transaction().execute(async (trx) => {
    if (await linkPost(trx, { campaign_id: c.id, post_id: post.id, workspace_id: ctx.workspaceId, created_at: ctx.services.now().toISOString() })) {
      await event(ctx, trx, 'campaign.post.linked', c.id, { campaignId: c.id, postId: post.id });
    }
  });
  return getCampaign(ctx, c.id);
}

/** Unlinks a post linked by hand (campaigns.manage). Posts matched by UTM value stay matched. */
export async function unlinkCampaignPost(ctx: UseCaseContext, campaignId: string, postId: string): Promise<CampaignDetailView> {
  await authorize(ctx, 'campaigns.manage');
  const c = await campaignOf(ctx, campaignId);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(isId(postId) && (await unlinkPost(trx, ctx.workspaceId, c.id, postId)))) throw new NotFoundError('Linked post');
    await event(ctx, trx, 'campaign.post.unlinked', c.id, { campaignId: c.id, postId });
  });
  return getCampaign(ctx, c.id);
}

// ---- report -------------------------------------------------------------------------------------

/** The campaign report (src/reports/campaign-report.ts) as HTML, PDF, CSV or XLSX (analytics.read). */
export async function getCampaignReport(ctx: UseCaseContext, campaignId: string, format: string | undefined): Promise<RenderedReport> {
  const f = format ?? 'html';
  if (!(reportFormats as readonly string[]).includes(f)) invalid('format', 'unknown_format', `format must be one of ${reportFormats.join(', ')}`);
  const { model } = await buildCampaignReport(ctx, campaignId);
  return renderReport(ctx, model, f as ReportFormat);
}

/**
 * The campaign report model (the campaign's figures as of now, over its own dates) and the campaign's
 * name; shared by the report download and scheduled report e-mails. NotFoundError for an unknown campaign.
 */
export async function buildCampaignReport(ctx: UseCaseContext, campaignId: string): Promise<{ model: ReportModel; campaignName: string }> {
  const detail = await getCampaign(ctx, campaignId);
  const ws = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!ws) throw new NotFoundError('Workspace');
  const handles = new Map((await listAccountRows(ctx.db, ctx.workspaceId)).map((a) => [a.id, `${a.network}:${a.handle}`]));
  const model = campaignReportModel(detail, { workspaceName: ws.name, timeZone: ws.timezone, generatedAt: ctx.services.now().toISOString(), accountHandles: handles });
  return { model, campaignName: detail.name };
}
