/**
 * Campaign KPIs and goal progress on hand-computed fixtures, asserted to the last decimal:
 * spend 1 500.00 + 2 500.50 = 4 000.50 SEK; conversions 7 (5 000.00) + 5 (3 250.25) + 2 (no value)
 * = 14, revenue 8 250.25 SEK; margin 40 %; impressions 12 000 + 8 000 (a third post without views is
 * left out); clicks 150 + 50; plan 3 000.00 + 2 000.00 SEK, 4 posts, 25 000 impressions, 400 clicks,
 * 20 conversions, no reach.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCampaignKpis, type CampaignFigures } from '../../src/campaigns/campaign-kpis';
import { currencyExponent, isCurrency, minorToDecimal, parseMoney } from '../../src/campaigns/money';
import { parseCampaignImport, parseCsv } from '../../src/campaigns/campaign-import';
import { goalProgress, pickCampaignGoal, pickGoal, type GoalInput } from '../../src/goals/goal-progress';
import { utmCampaignValues } from '../../src/use-cases/campaigns.use-case';

const figures: CampaignFigures = {
  currency: 'SEK',
  spendMinor: 150_000 + 250_050,
  spendEntries: 2,
  revenueMinor: 500_000 + 325_025,
  conversions: 7 + 5 + 2,
  conversionEntries: 3,
  conversionEntriesWithoutValue: 1,
  marginBp: 4000,
  plannedBudgetMinor: 300_000 + 200_000,
  plannedBudgetFrom: 'line_items',
  planned: { posts: 4, reach: null, impressions: 25_000, clicks: 400, conversions: 20 },
  postsPublished: 3,
  impressions: { sum: 20_000, postsCounted: 2, postsMissing: 1 },
  clicks: { sum: 200, postsCounted: 2, postsMissing: 1 },
  reach: { sum: null, postsCounted: 0, postsMissing: 3 },
};

const byId = (f: CampaignFigures) => Object.fromEntries(evaluateCampaignKpis(f).map((k) => [k.definition.id, k]));

describe('campaign KPIs', () => {
  it('computes ROI, ROMI, CPA, CPM, CPC and plan vs actual to the last decimal, with inputs', () => {
    const k = byId(figures);
    // (825 025 − 400 050) / 400 050 × 100 = 106.2304711…
    expect(k['campaign.roi']!.value).toBe(106.230471);
    expect(k['campaign.roi']!.inputs).toMatchObject({ numerator: 424_975, denominator: 400_050, formula: '(8250.25 − 4000.50) / 4000.50 × 100', conversionEntriesWithoutValue: 1, emptyReason: null });
    // (825 025 × 0.40 − 400 050) / 400 050 × 100 = −70 040 / 400 050 × 100 = −17.5078115…
    expect(k['campaign.romi']!.value).toBe(-17.507812);
    expect(k['campaign.romi']!.inputs).toMatchObject({ numerator: -70_040, denominator: 400_050, formula: '(8250.25 × 40% − 4000.50) / 4000.50 × 100' });
    // 4 000.50 / 14 = 285.75 SEK
    expect(k['campaign.cpa']!.value).toBe(285.75);
    expect(k['campaign.cpa']!.inputs).toMatchObject({ numerator: 400_050, denominator: 14, formula: '4000.50 / 14' });
    // 4 000.50 / 20 000 × 1000 = 200.025 SEK
    expect(k['campaign.cpm']!.value).toBe(200.025);
    expect(k['campaign.cpm']!.inputs).toMatchObject({ denominator: 20_000, postsCounted: 2, postsMissingCounts: 1, formula: '4000.50 / 20000 × 1000' });
    // 4 000.50 / 200 = 20.0025 SEK
    expect(k['campaign.cpc']!.value).toBe(20.0025);
    expect(k['campaign.plan.spend']!.value).toBe(80.01);
    expect(k['campaign.plan.spend']!.inputs).toMatchObject({ planned: 500_000, actual: 400_050, plannedBudgetFrom: 'line_items', formula: '4000.50 / 5000.00 × 100' });
    expect(k['campaign.plan.posts']!.value).toBe(75);
    expect(k['campaign.plan.impressions']!.value).toBe(80);
    expect(k['campaign.plan.clicks']!.value).toBe(50);
    expect(k['campaign.plan.conversions']!.value).toBe(70);
    expect(k['campaign.plan.reach']).toMatchObject({ value: null, inputs: { emptyReason: 'No planned reach' } });
    for (const d of Object.values(k)) expect(d.definition.missingRule.length).toBeGreaterThan(20);
  });

  it('keeps missing data missing: no spend, spend 0, no revenue, no margin, no counts', () => {
    const none = byId({ ...figures, spendMinor: null, spendEntries: 0 });
    for (const id of ['campaign.roi', 'campaign.romi', 'campaign.cpa', 'campaign.cpm', 'campaign.cpc', 'campaign.plan.spend']) expect(none[id]!.value, id).toBeNull();
    expect(none['campaign.roi']!.inputs.emptyReason).toBe('No spend recorded: spend is unknown');
    const zero = byId({ ...figures, spendMinor: 0 });
    expect(zero['campaign.roi']).toMatchObject({ value: null, inputs: { emptyReason: 'Spend is 0: the return on nothing spent is undefined' } });
    expect(zero['campaign.cpa']!.value).toBe(0);
    const noRevenue = byId({ ...figures, revenueMinor: null });
    expect(noRevenue['campaign.roi']!.inputs.emptyReason).toMatch(/No revenue recorded/);
    expect(byId({ ...figures, marginBp: null })['campaign.romi']!.inputs.emptyReason).toMatch(/gross margin/);
    expect(byId({ ...figures, conversions: 0 })['campaign.cpa']!.value).toBeNull();
    expect(byId({ ...figures, impressions: { sum: null, postsCounted: 0, postsMissing: 3 } })['campaign.cpm']!.inputs.emptyReason).toBe('No published post of the campaign has impressions');
    expect(byId({ ...figures, postsPublished: null })['campaign.plan.posts']!.value).toBeNull();
  });

  it('uses each currency\'s own minor units (JPY has none, KWD three)', () => {
    const jpy = byId({ ...figures, currency: 'JPY', spendMinor: 400_050 });
    expect(jpy['campaign.cpa']!.value).toBe(28_575);
    expect(jpy['campaign.cpa']!.inputs.formula).toBe('400050 / 14');
    const kwd = byId({ ...figures, currency: 'KWD', spendMinor: 400_050 });
    expect(kwd['campaign.cpa']!.value).toBe(28.575);
  });
});

describe('money', () => {
  it('parses decimal text exactly into minor units and refuses what is not money', () => {
    expect(parseMoney('1234.50', 'SEK')).toBe(123_450);
    expect(parseMoney('1 234,5', 'SEK')).toBe(123_450);
    expect(parseMoney('0.07', 'EUR')).toBe(7);
    expect(parseMoney('1500', 'JPY')).toBe(1500);
    expect(parseMoney('1.5', 'JPY')).toBe('JPY has 0 decimals: "1.5" has 1');
    expect(parseMoney('1.005', 'SEK')).toMatch(/SEK has 2 decimals/);
    expect(parseMoney('-5', 'SEK')).toMatch(/cannot be negative/);
    expect(parseMoney('1e3', 'SEK')).toMatch(/is not an amount/);
    expect(minorToDecimal(123_450, 'SEK')).toBe('1234.50');
    expect(minorToDecimal(5, 'SEK')).toBe('0.05');
    expect(minorToDecimal(1234, 'KWD')).toBe('1.234');
    expect([isCurrency('SEK'), isCurrency('sek'), isCurrency('XYZ'), currencyExponent('RUB')]).toEqual([true, false, false, 2]);
  });
});

describe('import formats', () => {
  it('reads CSV (quoted cells, CRLF) and JSON into minor units, and lists every problem', () => {
    expect(parseCsv('a,"b ""q"", c"\r\n1,2\n')).toEqual([['a', 'b "q", c'], ['1', '2']]);
    const csv = 'type,date,amount,count,value,currency,line_item,note\r\nspend,2026-03-02,1500.00,,,SEK,Stories,"week 1, boosted"\r\nconversion,2026-03-03,,7,5000,SEK,,\r\n';
    const ok = parseCampaignImport(csv, 'csv', 'SEK');
    expect(ok.problems).toEqual([]);
    expect(ok.entries.map((e) => [e.kind, e.day, e.amountMinor, e.count, e.valueMinor, e.lineItem, e.note])).toEqual([
      ['spend', '2026-03-02', 150_000, null, null, 'Stories', 'week 1, boosted'],
      ['conversion', '2026-03-03', null, 7, 500_000, null, null],
    ]);
    const bad = parseCampaignImport('type,date,amount,currency\nspend,2026-02-30,-5,SEK\nspend,2026-03-01,10.999,SEK\nspend,2026-03-01,10,EUR\nrefund,2026-03-01,1,SEK\n', 'csv', 'SEK');
    expect(bad.problems.map((p) => p.path)).toEqual(['row 2.date', 'row 2.amount', 'row 3.amount', 'row 4.currency', 'row 5.type']);
    expect(bad.problems[3]!.message).toBe('the campaign is in SEK, this entry is in EUR: Herald does not convert currencies');
    const json = parseCampaignImport(JSON.stringify({ version: 1, currency: 'SEK', spend: [{ date: '2026-03-02', amount: '99.95' }], conversions: [{ date: '2026-03-02', count: 2, value: null }] }), 'json', 'SEK');
    expect(json.entries.map((e) => [e.amountMinor, e.count, e.valueMinor])).toEqual([[9995, null, null], [null, 2, null]]);
    expect(parseCampaignImport(JSON.stringify({ version: 1, spend: [{ date: '2026-03-02', amount: '1', amout: 2 }] }), 'json', 'SEK').problems[0]!.path).toBe('spend.0');
  });

  it('finds utm_campaign values in links and text', () => {
    expect(utmCampaignValues('https://x.test/a?utm_source=vk&utm_campaign=spring%20launch&x=1')).toEqual(['spring launch']);
    expect(utmCampaignValues('see https://x.test/?utm_campaign=spring-launch2 and ?utm_campaign=spring+launch')).toEqual(['spring-launch2', 'spring launch']);
    expect(utmCampaignValues(null)).toEqual([]);
  });
});

describe('goal progress', () => {
  const g = (over: Partial<GoalInput>): GoalInput => ({ id: 'g', accountId: null, campaignId: null, definitionId: 'livedune.er.pooled', target: 10, direction: 'at_least', from: '2026-03-23', to: '2026-03-29', createdAt: '2026-03-01T00:00:00Z', ...over });
  const period = { from: '2026-03-23', to: '2026-03-29' };

  it('measures progress both ways, to the last decimal', () => {
    // 8.681818 / 10 × 100 = 86.81818; gap 8.681818 − 10 = −1.318182
    expect(goalProgress(g({}), 8.681818, period)).toMatchObject({ met: false, progressPercent: 86.81818, gap: -1.318182, periodMatches: true, scope: 'workspace' });
    // at most 3: 3 / 8.681818 × 100 = 34.554975…
    expect(goalProgress(g({ direction: 'at_most', target: 3 }), 8.681818, period)).toMatchObject({ met: false, progressPercent: 34.554975, gap: 5.681818 });
    expect(goalProgress(g({ direction: 'at_most', target: 9 }), 8.681818, period)).toMatchObject({ met: true });
    expect(goalProgress(g({ target: 0 }), 5, period)).toMatchObject({ met: true, progressPercent: null });
    expect(goalProgress(g({}), null, period)).toMatchObject({ met: null, progressPercent: null, gap: null });
  });

  it("prefers the account's own goal, then the exact period, then the larger overlap", () => {
    const ws = g({ id: 'ws' });
    const own = g({ id: 'own', accountId: 'A', from: '2026-03-01', to: '2026-03-31' });
    const month = g({ id: 'month', from: '2026-03-01', to: '2026-03-31' });
    expect(pickGoal([ws, own, month], 'A', 'livedune.er.pooled', period)?.id).toBe('own');
    expect(pickGoal([month, ws], 'B', 'livedune.er.pooled', period)?.id).toBe('ws');
    expect(pickGoal([own], 'B', 'livedune.er.pooled', period)).toBeNull();
    expect(pickGoal([g({ from: '2026-04-01', to: '2026-04-30' })], 'A', 'livedune.er.pooled', period)).toBeNull();
    expect(pickGoal([ws], 'A', 'popsters.er-post', period)).toBeNull();
    // A campaign's goal never applies to an account's dashboard, even for the same definition id.
    expect(pickGoal([g({ id: 'camp', campaignId: 'C' })], 'A', 'livedune.er.pooled', period)).toBeNull();
  });

  it("takes a campaign's newest goal of the KPI, and says it is a campaign goal", () => {
    const old = g({ id: 'old', campaignId: 'C', definitionId: 'campaign.cpa', direction: 'at_most', target: 600, createdAt: '2026-03-01T00:00:00Z' });
    const newer = g({ id: 'newer', campaignId: 'C', definitionId: 'campaign.cpa', direction: 'at_most', target: 450, createdAt: '2026-03-02T00:00:00Z' });
    const other = g({ id: 'other', campaignId: 'D', definitionId: 'campaign.cpa', createdAt: '2026-03-03T00:00:00Z' });
    expect(pickCampaignGoal([old, newer, other], 'C', 'campaign.cpa')?.id).toBe('newer');
    expect(pickCampaignGoal([old, newer, other], 'C', 'campaign.roi')).toBeNull();
    expect(pickCampaignGoal([g({})], 'C', 'livedune.er.pooled')).toBeNull();
    // CPA 500 against at most 450: 450 / 500 × 100 = 90 %, not met, 50 over.
    expect(goalProgress(newer, 500, period)).toMatchObject({ scope: 'campaign', campaignId: 'C', met: false, progressPercent: 90, gap: 50 });
  });
});
