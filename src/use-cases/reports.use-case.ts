/**
 * Reports: builds a report model from the analytics, competitor and inbox figures (monthly SMM,
 * competitor and inbox/SLA templates; the campaign report is per campaign, built in
 * campaigns.use-case.ts from src/reports/campaign-report.ts) and renders it as HTML, PDF (Chromium), CSV or XLSX; white-label branding; and the
 * weekly/monthly e-mail schedules. Reading needs analytics.read; branding and schedules reports.manage.
 */
import { NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan, type Action } from '../policies/policy';
import { findAccount, listAccounts } from '../repositories/accounts.repository';
import { findCampaign } from '../repositories/campaigns.repository';
import { deleteSchedule, findBranding, findSchedule, insertSchedule, listDeliveries, listSchedules, saveBranding, updateSchedule, type ScheduleRow } from '../repositories/reports.repository';
import { findWorkspace } from '../repositories/workspaces.repository';
import type { UseCaseContext } from '../server/services';
import { addDays, dayStartMs, daysInclusive, isCalendarDay, localParts } from '../analytics/local-time';
import { reportTemplates, type ReportModel, type ReportSection, type ReportTemplate, reportTables } from '../reports/report-model';
import { defaultBranding, renderReportHtml, type ReportBranding } from '../reports/report-html';
import { reportToCsv } from '../reports/report-csv';
import { reportToXlsx } from '../reports/report-xlsx';
import { htmlToPdf } from '../reports/report-pdf';
import { getBestTimes, getKpis } from './analytics.use-case';
import { compareCompetitors } from './competitors.use-case';
import { inboxMetrics } from './inbox-workflow.use-case';
import { policyActor } from './workspaces.use-case';

/** What to report on. */
export interface ReportQuery {
  template?: string;
  /** Account ids (monthly: one section set each; empty = every live account). */
  accountIds?: string[];
  from?: string;
  to?: string;
}

/** Output formats. */
export const reportFormats = ['html', 'pdf', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** A rendered report file. */
export interface RenderedReport {
  body: Buffer;
  contentType: string;
  filename: string;
}

/** Most accounts one report covers. */
const maxAccounts = 20;
/** Longest report period. */
const maxDays = 366;
/** Longest post text shown in a report table. */
const textMax = 200;
/** Largest logo accepted (decoded bytes). */
export const maxLogoBytes = 256 * 1024;

async function authorize(ctx: UseCaseContext, action: Action): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

function invalid(path: string, code: string, message: string): never {
  throw new ValidationError(message, [{ path, code, message }]);
}

/** The last full calendar month before `now` in `zone`. */
export function previousMonth(nowMs: number, zone: string): { from: string; to: string } {
  const today = localParts(nowMs, zone).day;
  const firstThis = `${today.slice(0, 7)}-01`;
  const to = addDays(firstThis, -1);
  return { from: `${to.slice(0, 7)}-01`, to };
}

/** The last full ISO week (Monday–Sunday) before `now` in `zone`. */
export function previousWeek(nowMs: number, zone: string): { from: string; to: string } {
  const local = localParts(nowMs, zone);
  const mondayThis = addDays(local.day, -(local.weekday - 1));
  return { from: addDays(mondayThis, -7), to: addDays(mondayThis, -1) };
}

function resolveTemplate(t: string | undefined): ReportTemplate {
  if (t === undefined) invalid('template', 'required', `template is required: one of ${reportTemplates.join(', ')}`);
  if (t === 'campaign') invalid('template', 'per_campaign', 'The campaign report is per campaign: GET /api/v1/workspaces/{workspaceId}/campaigns/{campaignId}/report (or herald campaigns report)');
  if (!(reportTemplates as readonly string[]).includes(t)) invalid('template', 'unknown_template', `Unknown template "${t}": use one of ${reportTemplates.join(', ')}`);
  return t as ReportTemplate;
}

function resolvePeriod(q: ReportQuery, zone: string, nowMs: number): { from: string; to: string; days: number } {
  for (const f of ['from', 'to'] as const) {
    const v = q[f];
    if (v !== undefined && !isCalendarDay(v)) invalid(f, 'invalid_date', `${f} must be a calendar date like 2026-03-29, got "${v}"`);
  }
  const def = previousMonth(nowMs, zone);
  const to = q.to ?? (q.from ? addDays(q.from, daysInclusive(def.from, def.to) - 1) : def.to);
  const from = q.from ?? (q.to ? `${q.to.slice(0, 7)}-01` : def.from);
  if (from > to) invalid('to', 'invalid_range', 'to must be on or after from');
  const days = daysInclusive(from, to);
  if (days > maxDays) invalid('from', 'range_too_long', `A report may cover at most ${maxDays} days`);
  return { from, to, days };
}

async function accountsOf(ctx: UseCaseContext, ids: string[] | undefined) {
  if (ids && ids.length > maxAccounts) invalid('accountIds', 'too_many', `At most ${maxAccounts} accounts per report`);
  if (ids?.length) {
    const out = [];
    for (const id of ids) {
      const a = isId(id) ? await findAccount(ctx.db, ctx.workspaceId, id) : undefined;
      if (!a || a.removed_at !== null) throw new NotFoundError('Account');
      out.push(a);
    }
    return out;
  }
  return (await listAccounts(ctx.db, ctx.workspaceId)).filter((a) => a.removed_at === null).slice(0, maxAccounts);
}

const clip = (s: string) => (s.length > textMax ? `${s.slice(0, textMax)}…` : s);
const unitLabel: Record<string, string> = { percent: '%', followers: 'followers', percent_per_week: '% per week' };

async function monthlySections(ctx: UseCaseContext, accounts: Awaited<ReturnType<typeof accountsOf>>, period: { from: string; to: string }): Promise<ReportSection[]> {
  const sections: ReportSection[] = [];
  if (accounts.length === 0) return [{ heading: 'No accounts', note: 'The workspace has no connected accounts to report on.', charts: [], tables: [] }];
  const comparison = await compareCompetitors(ctx, { from: period.from, to: period.to, accountIds: accounts.map((a) => a.id) });
  for (const a of accounts) {
    const name = `@${a.handle} (${a.network})`;
    const slug = `${a.network}-${a.handle}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40);
    const kpis = await getKpis(ctx, { accountId: a.id, from: period.from, to: period.to });
    const best = await getBestTimes(ctx, { accountId: a.id, from: period.from, to: period.to });
    const own = comparison.rows.find((r) => r.kind === 'own' && r.id === a.id)?.summary;
    sections.push({
      heading: `${name}: KPIs`,
      note: `Compared with the previous period ${kpis.previousPeriod.from} – ${kpis.previousPeriod.to}. Missing values are shown as — (never 0).`,
      charts: [{ kind: 'line', title: `Followers by day, ${name}`, points: (own?.followers.byDay ?? []).map((d) => ({ label: d.day, value: d.followers })) }],
      tables: [
        {
          id: `kpis-${slug}`,
          title: `KPIs ${name}`,
          columns: ['KPI', 'Definition', 'Value', 'Unit', 'Previous period', 'Change', 'Change %'],
          rows: kpis.kpis.map((k) => [k.definition.label, k.definition.id, k.value, unitLabel[k.definition.unit] ?? k.definition.unit, k.previous.value, k.change.absolute, k.change.percent]),
        },
      ],
    });
    sections.push({
      heading: `${name}: top posts`,
      note: `By engagement (likes + shares + comments + quotes); up to 10.`,
      charts: [],
      tables: [
        {
          id: `top-posts-${slug}`,
          title: `Top posts ${name}`,
          columns: ['Published', 'Type', 'Text', 'Likes', 'Shares', 'Comments', 'Quotes', 'Views', 'Engagement', 'Link'],
          rows: (own?.topPosts ?? []).slice(0, 10).map((p) => [p.publishedAt.slice(0, 16).replace('T', ' '), p.contentType, clip(p.text), p.likes, p.shares, p.comments, p.quotes, p.views, p.engagement, p.url]),
        },
      ],
    });
    sections.push({
      heading: `${name}: content types and best times`,
      note: `Interaction by content type under ${kpis.defaultDefinitionId}; best times by ${best.definitionId} in ${best.timeZone}.`,
      charts: [
        { kind: 'bars', title: `Interaction by content type (${kpis.defaultDefinitionId})`, unit: ' %', bars: kpis.byContentType.map((c) => ({ label: c.contentType, value: c.value })) },
        { kind: 'heatmap', title: `Best time to post (${best.definitionId})`, cells: best.cells },
      ],
      tables: [
        { id: `content-types-${slug}`, title: `Content types ${name}`, columns: ['Content type', 'Posts', 'Definition', 'Value'], rows: kpis.byContentType.map((c) => [c.contentType, c.posts, c.definitionId, c.value]) },
        { id: `best-times-${slug}`, title: `Best times ${name}`, columns: ['Weekday (1 = Monday)', 'Hour', 'Posts', 'Posts counted', 'Value'], rows: best.best.map((c) => [c.weekday, c.hour, c.posts, c.postsCounted, c.value]) },
      ],
    });
  }
  return sections;
}

async function competitorSections(ctx: UseCaseContext, accounts: Awaited<ReturnType<typeof accountsOf>>, period: { from: string; to: string }): Promise<ReportSection[]> {
  const c = await compareCompetitors(ctx, { from: period.from, to: period.to, accountIds: accounts.map((a) => a.id) });
  const label = (r: (typeof c.rows)[number]) => `${r.kind === 'own' ? 'Own' : 'Competitor'} @${r.handle} (${r.network})`;
  const competitors = c.rows.filter((r) => r.kind === 'competitor');
  return [
    {
      heading: 'Own accounts and competitors',
      note: competitors.length ? `Engagement rate by ${c.definition.label} (${c.definition.id}).` : 'No competitors are watched in this workspace yet.',
      charts: [{ kind: 'bars', title: `Engagement rate (${c.definition.id})`, unit: ' %', bars: c.rows.map((r) => ({ label: `@${r.handle}`, value: r.summary.er.value })) }],
      tables: [
        {
          id: 'comparison',
          title: 'Comparison',
          columns: ['Kind', 'Handle', 'Network', 'Followers at end', 'Follower change', 'Change %', 'Posts', 'Posts per week', 'ER', 'Engagement per post'],
          rows: c.rows.map((r) => [r.kind, r.handle, r.network, r.summary.followers.end?.followers ?? null, r.summary.followers.change, r.summary.followers.changePercent, r.summary.posts, r.summary.postsPerWeek, r.summary.er.value, r.summary.engagementPerPost]),
        },
      ],
    },
    {
      heading: 'Competitors: top posts and content mix',
      charts: [],
      tables: [
        {
          id: 'competitor-top-posts',
          title: 'Top posts (3 per account)',
          columns: ['Account', 'Published', 'Type', 'Text', 'Engagement', 'Link'],
          rows: c.rows.flatMap((r) => r.summary.topPosts.slice(0, 3).map((p) => [label(r), p.publishedAt.slice(0, 16).replace('T', ' '), p.contentType, clip(p.text), p.engagement, p.url])),
        },
        {
          id: 'content-mix',
          title: 'Content mix',
          columns: ['Account', 'Content type', 'Posts', 'Share', 'Engagement per post'],
          rows: c.rows.flatMap((r) => r.summary.contentMix.map((m) => [label(r), m.contentType, m.posts, m.share, m.engagementPerPost])),
        },
      ],
    },
  ];
}

async function inboxSections(ctx: UseCaseContext, accounts: Awaited<ReturnType<typeof accountsOf>>, period: { from: string; to: string }, zone: string): Promise<ReportSection[]> {
  const from = new Date(dayStartMs(period.from, zone)).toISOString();
  const to = new Date(dayStartMs(addDays(period.to, 1), zone)).toISOString();
  const all = await inboxMetrics(ctx, { from, to });
  const per = [];
  for (const a of accounts) per.push({ a, m: await inboxMetrics(ctx, { from, to, accountId: a.id }) });
  const row = (name: string, m: typeof all) => [name, m.received, m.responded, m.responseRate === null ? null : Math.round(m.responseRate * 10_000) / 100, m.firstResponse.meanMinutes, m.firstResponse.medianMinutes, m.resolution.medianMinutes, m.breached, m.breachRate === null ? null : Math.round(m.breachRate * 10_000) / 100];
  return [
    {
      heading: 'Inbox and response SLA',
      note: `First-response target: ${all.firstResponseTargetMinutes} business minutes. Times are business minutes of the workspace's hours.`,
      charts: [{ kind: 'bars', title: 'Response rate by account', unit: ' %', bars: per.map(({ a, m }) => ({ label: `@${a.handle}`, value: m.responseRate === null ? null : Math.round(m.responseRate * 10_000) / 100 })) }],
      tables: [
        {
          id: 'inbox-sla',
          title: 'Inbox and SLA',
          columns: ['Scope', 'Received', 'Responded', 'Response rate %', 'First response mean (min)', 'First response median (min)', 'Resolution median (min)', 'Breached', 'Breach rate %'],
          rows: [row('All accounts', all), ...per.map(({ a, m }) => row(`@${a.handle} (${a.network})`, m))],
        },
      ],
    },
  ];
}

const titles: Record<ReportTemplate, string> = { monthly: 'SMM report', competitors: 'Competitor report', inbox: 'Inbox and SLA report' };

/** Builds a report's model (analytics.read). */
export async function buildReport(ctx: UseCaseContext, q: ReportQuery): Promise<ReportModel> {
  await authorize(ctx, 'analytics.read');
  const template = resolveTemplate(q.template);
  const ws = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!ws) throw new NotFoundError('Workspace');
  const now = ctx.services.now();
  const period = resolvePeriod(q, ws.timezone, now.getTime());
  const accounts = await accountsOf(ctx, q.accountIds);
  const sections =
    template === 'monthly' ? await monthlySections(ctx, accounts, period) : template === 'competitors' ? await competitorSections(ctx, accounts, period) : await inboxSections(ctx, accounts, period, ws.timezone);
  return { template, title: titles[template], workspaceName: ws.name, period, timeZone: ws.timezone, generatedAt: now.toISOString(), sections };
}

/** The workspace's branding as applied to reports (Herald's defaults until it sets its own). */
export async function brandingOf(ctx: Pick<UseCaseContext, 'db' | 'workspaceId'>): Promise<ReportBranding> {
  const row = await findBranding(ctx.db, ctx.workspaceId);
  if (!row) return defaultBranding;
  return { agencyName: row.agency_name, primaryColor: row.primary_color, accentColor: row.accent_color, logo: row.logo_mime && row.logo_base64 ? { mime: row.logo_mime, base64: row.logo_base64 } : null };
}

/** Renders a model in one format. */
export async function renderReport(ctx: Pick<UseCaseContext, 'db' | 'workspaceId' | 'services'>, model: ReportModel, format: ReportFormat): Promise<RenderedReport> {
  const base = `${model.template}-report-${model.period.from}-${model.period.to}`;
  if (format === 'csv') return { body: Buffer.from(reportToCsv(reportTables(model)), 'utf8'), contentType: 'text/csv; charset=utf-8', filename: `${base}.csv` };
  if (format === 'xlsx') return { body: await reportToXlsx(reportTables(model), { title: model.title, creator: 'Herald' }), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `${base}.xlsx` };
  const html = renderReportHtml(model, await brandingOf(ctx));
  if (format === 'html') return { body: Buffer.from(html, 'utf8'), contentType: 'text/html; charset=utf-8', filename: `${base}.html` };
  return { body: await htmlToPdf(html, ctx.services.config.chromiumPath ?? '/usr/bin/chromium'), contentType: 'application/pdf', filename: `${base}.pdf` };
}

/**
 * Checks a report choice as `getReport` would — template, format, period, accounts, permission —
 * without building it: the web preview asks this first (to show a refusal in words) and then lets its
 * frame load the report, so the report is built once per preview instead of twice.
 */
export async function checkReportQuery(ctx: UseCaseContext, q: ReportQuery, format: string | undefined): Promise<void> {
  await authorize(ctx, 'analytics.read');
  resolveTemplate(q.template);
  if (format !== undefined && !(reportFormats as readonly string[]).includes(format)) invalid('format', 'unknown_format', `format must be one of ${reportFormats.join(', ')}`);
  const ws = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!ws) throw new NotFoundError('Workspace');
  resolvePeriod(q, ws.timezone, ctx.services.now().getTime());
  await accountsOf(ctx, q.accountIds);
}

/** Builds and renders a report (analytics.read). */
export async function getReport(ctx: UseCaseContext, q: ReportQuery, format: string | undefined): Promise<RenderedReport> {
  const f = format ?? 'html';
  if (!(reportFormats as readonly string[]).includes(f)) invalid('format', 'unknown_format', `format must be one of ${reportFormats.join(', ')}`);
  return renderReport(ctx, await buildReport(ctx, q), f as ReportFormat);
}

// ---- branding -----------------------------------------------------------------------------------

/** Branding as the API shows it (the logo as a data: URL). */
export interface BrandingView {
  agencyName: string | null;
  primaryColor: string;
  accentColor: string;
  logoDataUrl: string | null;
}

function brandingView(b: ReportBranding): BrandingView {
  return { agencyName: b.agencyName, primaryColor: b.primaryColor, accentColor: b.accentColor, logoDataUrl: b.logo ? `data:${b.logo.mime};base64,${b.logo.base64}` : null };
}

/** The workspace's branding (analytics.read). */
export async function getBranding(ctx: UseCaseContext): Promise<BrandingView> {
  await authorize(ctx, 'analytics.read');
  return brandingView(await brandingOf(ctx));
}

/** The image type from the file's own magic bytes (the declared type is not trusted). */
function sniffImage(bytes: Buffer): 'image/png' | 'image/jpeg' | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

const colour = /^#[0-9a-f]{6}$/i;

/**
 * Sets the branding (reports.manage). `logoBase64`: a PNG or JPEG of at most 256 KiB, checked by its
 * bytes; null removes the logo; absent keeps it.
 */
export async function updateBranding(ctx: UseCaseContext, input: { agencyName?: string | null; primaryColor?: string; accentColor?: string; logoBase64?: string | null }): Promise<BrandingView> {
  await authorize(ctx, 'reports.manage');
  const current = await brandingOf(ctx);
  for (const f of ['primaryColor', 'accentColor'] as const) {
    const v = input[f];
    if (v !== undefined && !colour.test(v)) invalid(f, 'invalid_colour', `${f} must be a colour like #1f4e79`);
  }
  if (input.agencyName && input.agencyName.length > 120) invalid('agencyName', 'too_long', 'agencyName may be at most 120 characters');
  let logo = current.logo;
  if (input.logoBase64 === null) logo = null;
  else if (input.logoBase64 !== undefined) {
    const cleaned = input.logoBase64.replace(/^data:[^;,]*;base64,/, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cleaned) || cleaned.length % 4 !== 0) invalid('logoBase64', 'invalid_base64', 'logoBase64 must be base64-encoded image bytes');
    if (cleaned.length > Math.ceil(maxLogoBytes / 3) * 4) invalid('logoBase64', 'too_large', `The logo may be at most ${maxLogoBytes / 1024} KiB`);
    const bytes = Buffer.from(cleaned, 'base64');
    if (bytes.length > maxLogoBytes) invalid('logoBase64', 'too_large', `The logo may be at most ${maxLogoBytes / 1024} KiB`);
    const mime = sniffImage(bytes);
    if (!mime) invalid('logoBase64', 'unsupported_type', 'The logo must be a PNG or JPEG image');
    logo = { mime, base64: bytes.toString('base64') };
  }
  const next: ReportBranding = {
    agencyName: input.agencyName === undefined ? current.agencyName : input.agencyName?.trim() || null,
    primaryColor: input.primaryColor?.toLowerCase() ?? current.primaryColor,
    accentColor: input.accentColor?.toLowerCase() ?? current.accentColor,
    logo,
  };
  await saveBranding(ctx.db, { workspace_id: ctx.workspaceId, agency_name: next.agencyName, primary_color: next.primaryColor, accent_color: next.accentColor, logo_mime: next.logo?.mime ?? null, logo_base64: next.logo?.base64 ?? null, updated_at: ctx.services.now().toISOString() });
  return brandingView(next);
}

// ---- schedules ----------------------------------------------------------------------------------

/** A schedule as the API shows it. */
export interface ScheduleView {
  id: string;
  template: ScheduleTemplate;
  accountIds: string[];
  /** The campaign a `campaign` schedule mails; null for the other templates. */
  campaignId: string | null;
  frequency: 'weekly' | 'monthly';
  recipients: string[];
  paused: boolean;
  createdAt: string;
  deliveries: Array<{ period: string; status: string; sentAt: string | null; error: string | null }>;
}

/** Input of a schedule. */
export interface ScheduleInput {
  template?: string;
  accountIds?: string[];
  /** Required with template `campaign` (a campaign of this workspace); not allowed with the others. */
  campaignId?: string | null;
  frequency?: 'weekly' | 'monthly';
  recipients?: string[];
  paused?: boolean;
}

/** Templates a schedule may mail: the account/period templates and the per-campaign report. */
export const scheduleTemplates = [...reportTemplates, 'campaign'] as const;
export type ScheduleTemplate = (typeof scheduleTemplates)[number];

const email = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const maxRecipients = 20;

async function scheduleView(ctx: UseCaseContext, r: ScheduleRow): Promise<ScheduleView> {
  const deliveries = await listDeliveries(ctx.db, r.id, 12);
  return {
    id: r.id,
    template: r.template as ScheduleTemplate,
    accountIds: JSON.parse(r.account_ids) as string[],
    campaignId: r.campaign_id,
    frequency: r.frequency,
    recipients: JSON.parse(r.recipients) as string[],
    paused: r.paused === 1,
    createdAt: r.created_at,
    deliveries: deliveries.map((d) => ({ period: d.period_key, status: d.status, sentAt: d.sent_at, error: d.error })),
  };
}

/**
 * The schedule's template and campaign after applying `input` to `current` (the stored row, if any).
 * Unlike the ad-hoc render route (which answers `per_campaign`), a schedule may name `campaign` with
 * the campaign to mail; moving a schedule to another template drops its campaign.
 */
async function resolveScheduleCampaign(ctx: UseCaseContext, input: ScheduleInput, current?: ScheduleRow): Promise<{ template: ScheduleTemplate; campaignId: string | null }> {
  const template = input.template ?? current?.template;
  if (template === undefined) invalid('template', 'required', `template is required: one of ${scheduleTemplates.join(', ')}`);
  if (template !== 'campaign') {
    const known = resolveTemplate(template);
    if (input.campaignId != null) invalid('campaignId', 'campaign_not_allowed', `Only the campaign template names a campaign; the ${known} report covers accounts, so leave campaignId out`);
    return { template: known, campaignId: null };
  }
  const campaignId = input.campaignId !== undefined ? input.campaignId : (current?.template === 'campaign' ? current.campaign_id : null);
  if (campaignId == null) invalid('campaignId', 'required', 'The campaign template needs campaignId: the campaign whose report is mailed');
  // A campaign of another workspace is answered like one that does not exist, so ids are not probed.
  if (!(isId(campaignId) && (await findCampaign(ctx.db, ctx.workspaceId, campaignId)))) invalid('campaignId', 'unknown_campaign', 'There is no such campaign in this workspace');
  const accountIds = input.accountIds ?? (current ? (JSON.parse(current.account_ids) as string[]) : []);
  if (accountIds.length > 0) invalid('accountIds', 'campaign_accounts', "The campaign report covers the campaign's own posts and accounts: leave accountIds empty");
  return { template: 'campaign', campaignId };
}

async function checkScheduleInput(ctx: UseCaseContext, input: ScheduleInput): Promise<void> {
  if (input.recipients !== undefined) {
    if (input.recipients.length === 0) invalid('recipients', 'required', 'At least one recipient is needed');
    if (input.recipients.length > maxRecipients) invalid('recipients', 'too_many', `At most ${maxRecipients} recipients`);
    const bad = input.recipients.find((r) => !email.test(r) || r.length > 254);
    if (bad !== undefined) invalid('recipients', 'invalid_email', `"${bad.slice(0, 80)}" is not an e-mail address`);
  }
  if (input.accountIds !== undefined) await accountsOf(ctx, input.accountIds);
}

/** The workspace's schedules (analytics.read). */
export async function listReportSchedules(ctx: UseCaseContext): Promise<{ items: ScheduleView[] }> {
  await authorize(ctx, 'analytics.read');
  const rows = await listSchedules(ctx.db, ctx.workspaceId);
  const items = [];
  for (const r of rows) items.push(await scheduleView(ctx, r));
  return { items };
}

/** Adds a schedule (reports.manage); template `campaign` mails one campaign's report (campaignId). */
export async function createReportSchedule(ctx: UseCaseContext, input: ScheduleInput): Promise<ScheduleView> {
  await authorize(ctx, 'reports.manage');
  if (input.template === undefined) invalid('template', 'required', `template is required: one of ${reportTemplates.join(', ')}`);
  if (input.frequency === undefined) invalid('frequency', 'required', 'frequency is required: weekly or monthly');
  if (input.recipients === undefined) invalid('recipients', 'required', 'At least one recipient is needed');
  const { template, campaignId } = await resolveScheduleCampaign(ctx, input);
  await checkScheduleInput(ctx, input);
  const now = ctx.services.now().toISOString();
  const id = newId();
  await insertSchedule(ctx.db, {
    id,
    workspace_id: ctx.workspaceId,
    template,
    campaign_id: campaignId,
    account_ids: JSON.stringify(input.accountIds ?? []),
    frequency: input.frequency,
    recipients: JSON.stringify(input.recipients.map((r) => r.trim())),
    paused: input.paused ? 1 : 0,
    created_by: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
    created_at: now,
    updated_at: now,
  });
  return scheduleView(ctx, (await findSchedule(ctx.db, ctx.workspaceId, id))!);
}

async function scheduleOf(ctx: UseCaseContext, id: string): Promise<ScheduleRow> {
  const r = isId(id) ? await findSchedule(ctx.db, ctx.workspaceId, id) : undefined;
  if (!r) throw new NotFoundError('Report schedule');
  return r;
}

/** Changes a schedule (reports.manage). */
export async function updateReportSchedule(ctx: UseCaseContext, id: string, input: ScheduleInput): Promise<ScheduleView> {
  await authorize(ctx, 'reports.manage');
  const current = await scheduleOf(ctx, id);
  const { template, campaignId } = await resolveScheduleCampaign(ctx, input, current);
  await checkScheduleInput(ctx, input);
  await updateSchedule(ctx.db, ctx.workspaceId, id, {
    template,
    campaign_id: campaignId,
    ...(input.accountIds !== undefined ? { account_ids: JSON.stringify(input.accountIds) } : {}),
    ...(input.frequency !== undefined ? { frequency: input.frequency } : {}),
    ...(input.recipients !== undefined ? { recipients: JSON.stringify(input.recipients.map((r) => r.trim())) } : {}),
    ...(input.paused !== undefined ? { paused: input.paused ? 1 : 0 } : {}),
    updated_at: ctx.services.now().toISOString(),
  });
  return scheduleView(ctx, await scheduleOf(ctx, id));
}

/** Removes a schedule (reports.manage). */
export async function deleteReportSchedule(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'reports.manage');
  await scheduleOf(ctx, id);
  await deleteSchedule(ctx.db, ctx.workspaceId, id);
}
