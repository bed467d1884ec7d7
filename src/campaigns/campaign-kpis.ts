/**
 * Evaluates the campaign KPI definitions over a campaign's figures (or one media-plan line's). Pure:
 * no database, no clock. Every value comes with its inputs — spend, revenue, conversions, counts, the
 * plan and the arithmetic with the actual numbers — so a person can redo it. Money inputs are integer
 * minor units; money values are major units of the campaign's currency rounded to 6 decimals.
 */
import { roundKpi } from '../analytics/kpi-engine';
import { campaignKpiDefinitions, type CampaignKpiDefinition, type PlanQuantity } from './campaign-kpi-definitions';
import { currencyExponent, minorToDecimal } from './money';

/** A count summed over the campaign's published posts (null: no post had it). */
export interface PostCountSum {
  sum: number | null;
  postsCounted: number;
  /** Published posts whose network did not give the count. */
  postsMissing: number;
}

/** What campaign KPIs are computed from. */
export interface CampaignFigures {
  currency: string;
  /** Sum of spend entries (minor units); null when there is none. */
  spendMinor: number | null;
  spendEntries: number;
  /** Sum of the conversion entries' values (minor units); null when no entry has a value. */
  revenueMinor: number | null;
  /** Sum of the conversion entries' counts; null when there is no entry. */
  conversions: number | null;
  conversionEntries: number;
  conversionEntriesWithoutValue: number;
  /** Gross margin in basis points (ROMI); null when not set. */
  marginBp: number | null;
  /** Planned budget (minor units) and where it came from. */
  plannedBudgetMinor: number | null;
  plannedBudgetFrom: 'line_items' | 'campaign_budget' | null;
  /** Planned quantities (sum over the line items that give them; null when none does). */
  planned: Record<Exclude<PlanQuantity, 'spend'>, number | null>;
  /** Published posts (targets) of the campaign; null when they cannot be told (a plan line without account or network). */
  postsPublished: number | null;
  impressions: PostCountSum;
  clicks: PostCountSum;
  reach: PostCountSum;
}

/** How a campaign KPI value was computed: the figures it used, as in {@link CampaignFigures}, and the arithmetic. */
export interface CampaignKpiInputs
  extends Pick<CampaignFigures, 'currency' | 'spendMinor' | 'spendEntries' | 'revenueMinor' | 'conversions' | 'conversionEntries' | 'conversionEntriesWithoutValue' | 'marginBp' | 'plannedBudgetFrom'> {
  /** The arithmetic with the actual numbers, e.g. `(2000.00 − 1500.00) / 1500.00 × 100`. */
  formula: string;
  /** Numerator and denominator as used (money in minor units). */
  numerator: number | null;
  denominator: number | null;
  /** Posts the count came from and posts left out for a missing count (CPM, CPC, reach/impressions/clicks plans). */
  postsCounted: number | null;
  postsMissingCounts: number | null;
  /** Plan vs actual: the planned and actual quantity (money in minor units). */
  planned: number | null;
  actual: number | null;
  emptyReason: string | null;
}

/** One evaluated campaign KPI. */
export interface CampaignKpiResult {
  definition: CampaignKpiDefinition;
  value: number | null;
  inputs: CampaignKpiInputs;
}

/** Thin-space-free plain numbers keep the formula copy-pasteable into a calculator. */
const money = (minor: number, currency: string) => minorToDecimal(minor, currency);

/** Evaluates one definition. */
export function evaluateCampaignKpi(def: CampaignKpiDefinition, f: CampaignFigures): CampaignKpiResult {
  const scale = 10 ** currencyExponent(f.currency);
  const inputs: CampaignKpiInputs = {
    currency: f.currency,
    formula: '',
    numerator: null,
    denominator: null,
    spendMinor: f.spendMinor,
    spendEntries: f.spendEntries,
    revenueMinor: f.revenueMinor,
    conversions: f.conversions,
    conversionEntries: f.conversionEntries,
    conversionEntriesWithoutValue: f.conversionEntriesWithoutValue,
    marginBp: f.marginBp,
    postsCounted: null,
    postsMissingCounts: null,
    planned: null,
    actual: null,
    plannedBudgetFrom: null,
    emptyReason: null,
  };
  const empty = (reason: string): CampaignKpiResult => ({ definition: def, value: null, inputs: { ...inputs, emptyReason: reason } });
  const done = (value: number): CampaignKpiResult => ({ definition: def, value: roundKpi(value), inputs });
  const spend = f.spendMinor;

  switch (def.formula) {
    case 'roi':
    case 'romi': {
      if (spend === null) return empty('No spend recorded: spend is unknown');
      if (f.revenueMinor === null) return empty('No revenue recorded: no conversion entry has a value');
      if (spend === 0) return empty('Spend is 0: the return on nothing spent is undefined');
      const rev = f.revenueMinor;
      inputs.denominator = spend;
      if (def.formula === 'roi') {
        inputs.numerator = rev - spend;
        inputs.formula = `(${money(rev, f.currency)} − ${money(spend, f.currency)}) / ${money(spend, f.currency)} × 100`;
        return done(((rev - spend) * 100) / spend);
      }
      if (f.marginBp === null) return empty('The campaign has no gross margin: ROMI needs it');
      // Basis points keep the margin an integer: rev × bp / 10 000 is the gross profit.
      inputs.numerator = (rev * f.marginBp) / 10_000 - spend;
      inputs.formula = `(${money(rev, f.currency)} × ${f.marginBp / 100}% − ${money(spend, f.currency)}) / ${money(spend, f.currency)} × 100`;
      return done((rev * f.marginBp - spend * 10_000) / (spend * 100));
    }
    case 'cost_per_conversion':
    case 'cost_per_mille':
    case 'cost_per_click': {
      if (spend === null) return empty('No spend recorded: spend is unknown');
      inputs.numerator = spend;
      if (def.formula === 'cost_per_conversion') {
        if (f.conversions === null) return empty('No conversions recorded');
        if (f.conversions === 0) return empty('0 conversions: the cost per conversion is undefined');
        inputs.denominator = f.conversions;
        inputs.formula = `${money(spend, f.currency)} / ${f.conversions}`;
        return done(spend / f.conversions / scale);
      }
      const count = def.formula === 'cost_per_mille' ? f.impressions : f.clicks;
      const what = def.formula === 'cost_per_mille' ? 'impressions' : 'clicks';
      inputs.postsCounted = count.postsCounted;
      inputs.postsMissingCounts = count.postsMissing;
      if (count.sum === null) return empty(f.postsPublished === 0 ? 'The campaign has no published posts' : `No published post of the campaign has ${what}`);
      if (count.sum === 0) return empty(`0 ${what}: the cost is undefined`);
      inputs.denominator = count.sum;
      if (def.formula === 'cost_per_mille') {
        inputs.formula = `${money(spend, f.currency)} / ${count.sum} × 1000`;
        return done((spend * 1000) / count.sum / scale);
      }
      inputs.formula = `${money(spend, f.currency)} / ${count.sum}`;
      return done(spend / count.sum / scale);
    }
    case 'plan_vs_actual': {
      const q = def.quantity ?? 'spend';
      let planned: number | null;
      let actual: number | null;
      let shown: (n: number) => string = String;
      if (q === 'spend') {
        planned = f.plannedBudgetMinor;
        actual = spend;
        inputs.plannedBudgetFrom = f.plannedBudgetFrom;
        shown = (n) => money(n, f.currency);
      } else if (q === 'posts') {
        planned = f.planned.posts;
        actual = f.postsPublished;
      } else if (q === 'conversions') {
        planned = f.planned.conversions;
        actual = f.conversions;
      } else {
        planned = f.planned[q];
        actual = f[q].sum;
        inputs.postsCounted = f[q].postsCounted;
        inputs.postsMissingCounts = f[q].postsMissing;
      }
      inputs.planned = planned;
      inputs.actual = actual;
      if (planned === null) return empty(`No planned ${q}`);
      if (planned === 0) return empty(`Planned ${q} is 0`);
      if (actual === null) return empty(`Actual ${q} is unknown`);
      inputs.numerator = actual;
      inputs.denominator = planned;
      inputs.formula = `${shown(actual)} / ${shown(planned)} × 100`;
      return done((actual * 100) / planned);
    }
    default: {
      const unknown: never = def.formula;
      throw new Error(`unknown campaign KPI formula ${String(unknown)}`);
    }
  }
}

/** Every campaign KPI definition over the figures. */
export function evaluateCampaignKpis(f: CampaignFigures): CampaignKpiResult[] {
  return campaignKpiDefinitions.map((d) => evaluateCampaignKpi(d, f));
}
