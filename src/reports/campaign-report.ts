/**
 * The campaign report template: one campaign's KPIs (ROI, ROMI, CPA, CPM, CPC, plan vs actual) with
 * the arithmetic behind each, the media plan against what happened per line, the spend and conversion
 * entries, and the campaign's posts. Pure: built from the campaign view, rendered by the shared
 * HTML/PDF/CSV/XLSX renderers (so CSV/XLSX get the same formula-injection neutralisation as every
 * other report). Missing values stay missing (null → "—" / empty cell), never 0.
 */
import type { CampaignDetailView, LineItemView } from '../use-cases/campaigns.use-case';
import type { CampaignKpiResult } from '../campaigns/campaign-kpis';
import { minorToMajor } from '../campaigns/money';
import type { Cell, ReportModel, ReportSection } from './report-model';

/** Longest post text shown in the posts table. */
const textMax = 200;

const major = (minor: number | null, currency: string): Cell => (minor === null ? null : minorToMajor(minor, currency));
const kpi = (list: CampaignKpiResult[], id: string) => list.find((k) => k.definition.id === id)?.value ?? null;

function kpiRows(list: CampaignKpiResult[]): Cell[][] {
  return list.map((k) => [k.definition.label, k.value, k.definition.unit === 'money' ? k.inputs.currency : '%', k.value === null ? null : k.inputs.formula, k.inputs.emptyReason]);
}

function lineLabel(l: LineItemView, handles: Map<string, string>): string {
  const where = l.accountId ? (handles.get(l.accountId) ?? l.network ?? '') : (l.network ?? '');
  return where ? `${l.placement} (${where})` : l.placement;
}

/** The report model of one campaign. */
export function campaignReportModel(c: CampaignDetailView, ctx: { workspaceName: string; timeZone: string; generatedAt: string; accountHandles: Map<string, string> }): ReportModel {
  const cur = c.currency;
  const planBars = c.kpis.filter((k) => k.definition.formula === 'plan_vs_actual').map((k) => ({ label: k.definition.label.replace(': actual vs plan', ''), value: k.value }));
  const summary: ReportSection = {
    heading: c.name,
    note: [c.objective, `${c.startsOn} – ${c.endsOn}`, `status ${c.status}`, `money in ${cur}`, c.utmCampaign ? `utm_campaign=${c.utmCampaign}` : null].filter(Boolean).join(' · '),
    charts: [{ kind: 'bars', title: 'Actual as % of plan', unit: '%', bars: planBars }],
    tables: [
      {
        id: 'campaign-kpis',
        title: 'Campaign KPIs',
        columns: ['KPI', 'Value', 'Unit', 'Calculation', 'Why empty'],
        rows: kpiRows(c.kpis),
      },
      {
        id: 'campaign-totals',
        title: 'Plan and actual',
        columns: ['Figure', 'Planned', 'Actual'],
        rows: [
          [`Budget / spend (${cur})`, major(c.planned.budgetMinor, cur), major(c.actual.spendMinor, cur)],
          ['Posts', c.planned.posts, c.actual.posts],
          ['Reach', c.planned.reach, c.actual.reach],
          ['Impressions', c.planned.impressions, c.actual.impressions],
          ['Clicks', c.planned.clicks, c.actual.clicks],
          ['Conversions', c.planned.conversions, c.actual.conversions],
          [`Revenue (${cur})`, null, major(c.actual.revenueMinor, cur)],
        ],
      },
    ],
  };
  const plan: ReportSection = {
    heading: 'Media plan vs actual',
    charts: [{ kind: 'bars', title: `Spend per line (${cur})`, unit: ` ${cur}`, bars: c.lineItems.map((l) => ({ label: l.placement, value: major(l.actual.spendMinor, cur) as number | null })) }],
    tables: [
      {
        id: 'media-plan-budget',
        title: `Media plan: budget and costs (${cur})`,
        columns: ['Line', 'Planned budget', 'Spend', 'Budget used %', 'CPM', 'CPC', 'CPA'],
        rows: c.lineItems.map((l) => [
          lineLabel(l, ctx.accountHandles),
          major(l.plannedBudgetMinor, cur),
          major(l.actual.spendMinor, cur),
          kpi(l.kpis, 'campaign.plan.spend'),
          kpi(l.kpis, 'campaign.cpm'),
          kpi(l.kpis, 'campaign.cpc'),
          kpi(l.kpis, 'campaign.cpa'),
        ]),
      },
      {
        id: 'media-plan-delivery',
        title: 'Media plan: delivery',
        columns: ['Line', 'Planned posts', 'Posts', 'Planned impressions', 'Impressions', 'Planned clicks', 'Clicks', 'Planned conversions', 'Conversions'],
        rows: c.lineItems.map((l) => [
          lineLabel(l, ctx.accountHandles),
          l.plannedPosts,
          l.actual.posts,
          l.plannedImpressions,
          l.actual.impressions,
          l.plannedClicks,
          l.actual.clicks,
          l.plannedConversions,
          l.actual.conversions,
        ]),
      },
    ],
  };
  const lineName = new Map(c.lineItems.map((l) => [l.id, l.placement]));
  const entries: ReportSection = {
    heading: 'Spend and conversions',
    charts: [],
    tables: [
      { id: 'spend', title: `Spend (${cur})`, columns: ['Day', 'Amount', 'Line', 'Source', 'Note'], rows: c.spendEntries.map((s) => [s.day, major(s.amountMinor, cur), s.lineItemId ? (lineName.get(s.lineItemId) ?? null) : null, s.source, s.note]) },
      { id: 'conversions', title: `Conversions and revenue (${cur})`, columns: ['Day', 'Conversions', 'Value', 'Line', 'Source', 'Note'], rows: c.conversionEntries.map((x) => [x.day, x.count, major(x.valueMinor, cur), x.lineItemId ? (lineName.get(x.lineItemId) ?? null) : null, x.source, x.note]) },
    ],
  };
  const posts: ReportSection = {
    heading: 'Campaign posts',
    note: 'Posts linked by hand and posts whose link carries the campaign\'s UTM value; counts are the newest observed.',
    charts: [],
    tables: [
      {
        id: 'campaign-posts',
        title: 'Posts',
        columns: ['Published', 'Account', 'Text', 'Impressions', 'Reach', 'Clicks', 'Linked by', 'URL'],
        rows: c.posts.map((p) => [
          p.publishedAt,
          ctx.accountHandles.get(p.accountId) ?? p.network,
          p.text.length > textMax ? `${p.text.slice(0, textMax - 1)}…` : p.text,
          p.impressions,
          p.reach,
          p.clicks,
          p.linkedBy.join(', '),
          p.url,
        ]),
      },
    ],
  };
  return {
    template: 'campaign',
    title: 'Campaign report',
    workspaceName: ctx.workspaceName,
    period: { from: c.startsOn, to: c.endsOn, days: Math.round((Date.parse(`${c.endsOn}T00:00:00Z`) - Date.parse(`${c.startsOn}T00:00:00Z`)) / 86_400_000) + 1 },
    timeZone: ctx.timeZone,
    generatedAt: ctx.generatedAt,
    sections: [summary, plan, entries, posts],
  };
}
