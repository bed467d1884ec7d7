/**
 * Campaign KPI definitions as data: ROI, ROMI, CPA, CPM, CPC and plan vs actual. Each card names
 * what it mirrors, its formula and its missing-value rule, like the account KPI definitions
 * (src/analytics/kpi-definitions.ts); campaign-kpis.ts evaluates them over a campaign's figures.
 */

/** What a campaign KPI is computed from. */
export type CampaignKpiFormula =
  | 'roi'
  | 'romi'
  | 'cost_per_conversion'
  | 'cost_per_mille'
  | 'cost_per_click'
  | 'plan_vs_actual';

/** The planned/actual quantities plan-vs-actual KPIs compare. */
export const planQuantities = ['spend', 'posts', 'reach', 'impressions', 'clicks', 'conversions'] as const;
/** One plan quantity. */
export type PlanQuantity = (typeof planQuantities)[number];

/** One campaign KPI card. */
export interface CampaignKpiDefinition {
  id: string;
  label: string;
  vendor: string;
  mirrors: string;
  formula: CampaignKpiFormula;
  /** `percent`, or `money` (the campaign's currency, major units). */
  unit: 'percent' | 'money';
  /** For plan_vs_actual. */
  quantity?: PlanQuantity;
  missingRule: string;
}

const spendKnownRule = 'Spend is the sum of the campaign\'s spend entries; without any entry spend is unknown (not 0) and the value is empty.';
const spendRule = `${spendKnownRule} A spend of 0 makes the value undefined (empty), never infinite or 0.`;
const revenueRule = 'Revenue is the sum of the values of the conversion entries; entries with only a count add no revenue and are listed. Without any entry that has a value, revenue is unknown and the value is empty.';
const postCountRule = 'Impressions, clicks and reach are the newest counts of the campaign\'s published posts (linked by hand or by UTM value); a post whose network did not give the count is left out and listed, never read as 0. With no post having the count the value is empty.';

/** Every campaign KPI, in display order. */
export const campaignKpiDefinitions: readonly CampaignKpiDefinition[] = [
  {
    id: 'campaign.roi',
    label: 'ROI',
    vendor: 'Herald',
    mirrors: 'Return on investment = (revenue − spend) / spend × 100.',
    formula: 'roi',
    unit: 'percent',
    missingRule: `${spendRule} ${revenueRule}`,
  },
  {
    id: 'campaign.romi',
    label: 'ROMI',
    vendor: 'Herald',
    mirrors: 'Return on marketing investment = (revenue × gross margin − spend) / spend × 100: the gross profit the campaign brought, not its turnover. Needs the campaign\'s gross margin.',
    formula: 'romi',
    unit: 'percent',
    missingRule: `${spendRule} ${revenueRule} Without a gross margin on the campaign the value is empty.`,
  },
  {
    id: 'campaign.cpa',
    label: 'CPA',
    vendor: 'Herald',
    mirrors: 'Cost per action (conversion) = spend / conversions.',
    formula: 'cost_per_conversion',
    unit: 'money',
    missingRule: `${spendKnownRule} Conversions are the sum of the conversion entries' counts; with no entry, or 0 conversions, the value is empty.`,
  },
  {
    id: 'campaign.cpm',
    label: 'CPM',
    vendor: 'Herald',
    mirrors: 'Cost per mille = spend / impressions × 1000 (impressions: the views count Herald keeps per post).',
    formula: 'cost_per_mille',
    unit: 'money',
    missingRule: `${spendKnownRule} ${postCountRule} 0 impressions make the value empty.`,
  },
  {
    id: 'campaign.cpc',
    label: 'CPC',
    vendor: 'Herald',
    mirrors: 'Cost per click = spend / clicks.',
    formula: 'cost_per_click',
    unit: 'money',
    missingRule: `${spendKnownRule} ${postCountRule} 0 clicks make the value empty.`,
  },
  ...planQuantities.map(
    (quantity): CampaignKpiDefinition => ({
      id: `campaign.plan.${quantity}`,
      label: `${quantity[0]!.toUpperCase()}${quantity.slice(1)}: actual vs plan`,
      vendor: 'Herald',
      mirrors:
        quantity === 'spend'
          ? 'Budget used = actual spend / planned budget × 100; the planned budget is the sum of the media plan\'s line items, or the campaign budget when the plan has no line items.'
          : `Actual ${quantity} / planned ${quantity} × 100; planned is the sum over the media plan's line items that give it.`,
      formula: 'plan_vs_actual',
      unit: 'percent',
      quantity,
      missingRule:
        quantity === 'spend'
          ? `${spendKnownRule} Without a plan (or a plan of 0) the value is empty.`
          : quantity === 'posts'
            ? 'Actual posts are the campaign\'s published posts (one per account it went to). Without a planned number (or a plan of 0) the value is empty.'
            : quantity === 'conversions'
              ? 'Actual conversions are the sum of the conversion entries; with no entry they are unknown and the value is empty. Without a planned number (or a plan of 0) the value is empty.'
              : `${postCountRule} Without a planned number (or a plan of 0) the value is empty.`,
    }),
  ),
];

/** A campaign KPI definition by id. */
export function findCampaignKpiDefinition(id: string): CampaignKpiDefinition | undefined {
  return campaignKpiDefinitions.find((d) => d.id === id);
}
