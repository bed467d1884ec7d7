/**
 * Campaigns and goals over HTTP on SQLite and PostgreSQL, on the Stockholm analytics fixture:
 * a campaign with a two-line media plan, posts linked by id and by UTM value, spend by hand and by
 * CSV import, conversions with and without value — every KPI asserted to the last decimal against the
 * hand arithmetic below; bad input (negative money, wrong currency, end before start, fractions, bad
 * import rows) is a 4xx and stores nothing; roles; tenant isolation; goals on the dashboard; events in
 * the same transaction; the campaign report as CSV (formula cells neutralised) and HTML.
 *
 * Hand arithmetic (SEK, minor units = öre):
 * - posts: VK p2 (views 5000, reach 3000, clicks none) and p5 (3000, 2500, 30) linked by id; Telegram
 *   t1 (views 900, no reach, no clicks) by utm_campaign=spring → impressions 8 900 (3 posts), clicks 30
 *   (1 post, 2 missing), reach 5 500 (2 posts, 1 missing);
 * - spend 1 500.00 (VK line, by hand) + 500.50 (Telegram line, imported) = 2 000.50 SEK;
 * - conversions 7 worth 5 000.00 + 3 without value = 10, revenue 5 000.00 SEK;
 * - ROI (500 000 − 200 050) / 200 050 × 100 = 149.937516; CPA 2 000.50 / 10 = 200.05;
 *   CPM 2 000.50 / 8 900 × 1000 = 224.775281; CPC 2 000.50 / 30 = 66.683333;
 *   budget used 2 000.50 / 5 000.00 = 40.01 %; posts 3 / 3 planned = 100 %;
 * - VK line: spend 1 500.00 / 3 000.00 = 50 %, impressions 8 000 / 10 000 = 80 %, CPM 1 500.00 / 8 000 × 1000 = 187.5;
 *   Telegram line: 500.50 / 2 000.00 = 25.025 %.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { importMetrics } from '../../src/use-cases/analytics-import.use-case';
import { createUser } from '../../src/use-cases/users.use-case';

const fixture = readFileSync(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url), 'utf8');

interface Kpi {
  definition: { id: string; unit: string; missingRule: string };
  value: number | null;
  inputs: Record<string, unknown> & { formula: string; emptyReason: string | null };
}
interface Campaign {
  id: string;
  name: string;
  currency: string;
  spendMinor: number | null;
  revenueMinor: number | null;
  conversions: number | null;
  roi: number | null;
  kpis: Kpi[];
  planned: Record<string, number | null>;
  actual: Record<string, number | null>;
  lineItems: Array<{ id: string; placement: string; network: string | null; actual: Record<string, number | null>; kpis: Kpi[] }>;
  spendEntries: Array<{ id: string; amountMinor: number; source: string }>;
  conversionEntries: Array<{ id: string; count: number; valueMinor: number | null }>;
  posts: Array<{ postId: string; network: string; linkedBy: string[]; impressions: number | null; clicks: number | null }>;
}
interface Problem {
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}
const kpi = (c: { kpis: Kpi[] }, id: string) => c.kpis.find((k) => k.definition.id === id)!;

describe.each(dialects())('campaigns and goals over HTTP (%s)', (dialect) => {
  const t = useTestApp(dialect);
  let n = 0;

  /** A fresh organisation with the Stockholm fixture imported. */
  async function seeded() {
    n += 1;
    const services = t.current.services;
    const db = services.database.db;
    // One app per dialect: each test gets its own organisation and workspace, in Stockholm time.
    const email = `camp-owner-${n}@example.com`;
    const created = await createUser({ db, services }, { email, name: `Owner ${n}`, password: 'owner password is long', owner: true });
    const owner = { ...(await t.current.login(email, 'owner password is long')), workspaceId: created.workspace!.id };
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${owner.workspaceId}`, { timezone: 'Europe/Stockholm' }, owner)).status).toBe(200);
    await importMetrics({ actor: { kind: 'user', userId: owner.userId, via: 'session' }, workspaceId: owner.workspaceId, db, services }, fixture);
    const accounts = await db.selectFrom('accounts').select(['id', 'handle', 'network']).where('workspace_id', '=', owner.workspaceId).execute();
    const vk = accounts.find((a) => a.network === 'vk')!;
    const tg = accounts.find((a) => a.network === 'telegram')!;
    const targets = await db.selectFrom('post_targets').select(['id', 'post_id', 'external_id']).where('workspace_id', '=', owner.workspaceId).execute();
    const post = (ext: string) => targets.find((x) => x.external_id === ext)!;
    return { owner, db, vk, tg, post, base: `/api/v1/workspaces/${owner.workspaceId}` };
  }

  it('computes the campaign KPIs from plan, spend, conversions and linked posts to the last decimal', async () => {
    const { owner, db, vk, post, base } = await seeded();
    const call = (method: string, path: string, body?: unknown) => t.current.json(method, `${base}${path}`, body, owner);
    // The composer stored t1's link with the campaign's UTM tags.
    await db.updateTable('post_targets').set({ link: 'https://acme.test/spring?utm_source=telegram&utm_medium=social&utm_campaign=spring' }).where('id', '=', post('t1').id).execute();

    const created = await call('POST', '/campaigns', { name: 'Spring launch', objective: 'Sales', startsOn: '2026-03-23', endsOn: '2026-03-29', currency: 'sek', budgetMinor: 600_000, utmCampaign: 'spring', grossMarginPercent: 40 });
    expect(created.status).toBe(201);
    let c = (await created.json()) as Campaign;
    expect(c).toMatchObject({ currency: 'SEK', spendMinor: null, roi: null });
    // No spend yet: every money KPI is empty, never 0; the plan falls back to the campaign budget.
    expect(kpi(c, 'campaign.roi')).toMatchObject({ value: null, inputs: { emptyReason: 'No spend recorded: spend is unknown' } });
    expect(kpi(c, 'campaign.plan.spend').inputs).toMatchObject({ planned: 600_000, plannedBudgetFrom: 'campaign_budget' });
    // The UTM value already brings in t1.
    expect(c.posts.map((p) => [p.network, p.linkedBy])).toEqual([['telegram', ['utm']]]);

    const vkLine = await call('POST', `/campaigns/${c.id}/line-items`, { accountId: vk.id, placement: 'Promoted post', plannedBudgetMinor: 300_000, currency: 'SEK', plannedPosts: 2, plannedImpressions: 10_000, plannedClicks: 100 });
    expect(vkLine.status).toBe(201);
    c = (await vkLine.json()) as Campaign;
    expect((await call('POST', `/campaigns/${c.id}/line-items`, { network: 'telegram', placement: 'Channel post', plannedBudgetMinor: 200_000, plannedPosts: 1, plannedConversions: 20 })).status).toBe(201);
    for (const ext of ['p2', 'p5']) expect((await call('PUT', `/campaigns/${c.id}/posts/${post(ext).post_id}`)).status).toBe(200);
    // Linking twice is harmless.
    expect((await call('PUT', `/campaigns/${c.id}/posts/${post('p5').post_id}`)).status).toBe(200);
    const vkLineId = c.lineItems[0]!.id;
    const spend = await call('POST', `/campaigns/${c.id}/spend`, { day: '2026-03-24', amountMinor: 150_000, currency: 'SEK', lineItemId: vkLineId, note: '=HYPERLINK("http://evil.test")' });
    expect(spend.status).toBe(201);
    expect(await spend.json()).toMatchObject({ amountMinor: 150_000, currency: 'SEK', source: 'manual' });
    const csv = 'type,date,amount,count,value,currency,line_item,note\r\nspend,2026-03-26,500.50,,,SEK,Channel post,\r\nconversion,2026-03-27,,7,5000.00,SEK,,\r\nconversion,2026-03-28,,3,,,,\r\n';
    const imported = await call('POST', `/campaigns/${c.id}/import`, { format: 'csv', content: csv });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toEqual({ spend: { created: 1, unchanged: 0 }, conversions: { created: 2, unchanged: 0 } });
    // Importing the same file again adds nothing.
    expect(await (await call('POST', `/campaigns/${c.id}/import`, { format: 'csv', content: csv })).json()).toEqual({ spend: { created: 0, unchanged: 1 }, conversions: { created: 0, unchanged: 2 } });

    const viewer = await t.current.addUser(owner.workspaceId, 'viewer');
    c = (await (await t.current.json('GET', `${base}/campaigns/${c.id}`, undefined, viewer)).json()) as Campaign;
    expect(c).toMatchObject({ spendMinor: 200_050, revenueMinor: 500_000, conversions: 10, roi: 149.937516 });
    expect(kpi(c, 'campaign.roi')).toMatchObject({ value: 149.937516, inputs: { numerator: 299_950, denominator: 200_050, formula: '(5000.00 − 2000.50) / 2000.50 × 100', conversionEntriesWithoutValue: 1 } });
    // ROMI: (500 000 × 0.4 − 200 050) / 200 050 × 100 = −50 / 200 050 × 100 = −0.024994
    expect(kpi(c, 'campaign.romi')).toMatchObject({ value: -0.024994, inputs: { numerator: -50, emptyReason: null } });
    expect(kpi(c, 'campaign.cpa')).toMatchObject({ value: 200.05, inputs: { formula: '2000.50 / 10' } });
    expect(kpi(c, 'campaign.cpm')).toMatchObject({ value: 224.775281, inputs: { denominator: 8900, postsCounted: 3, postsMissingCounts: 0 } });
    expect(kpi(c, 'campaign.cpc')).toMatchObject({ value: 66.683333, inputs: { denominator: 30, postsCounted: 1, postsMissingCounts: 2 } });
    expect(kpi(c, 'campaign.plan.spend')).toMatchObject({ value: 40.01, inputs: { planned: 500_000, plannedBudgetFrom: 'line_items' } });
    expect(kpi(c, 'campaign.plan.posts').value).toBe(100);
    expect(kpi(c, 'campaign.plan.impressions').value).toBe(89);
    expect(kpi(c, 'campaign.plan.clicks').value).toBe(30);
    expect(kpi(c, 'campaign.plan.conversions').value).toBe(50);
    expect(kpi(c, 'campaign.plan.reach')).toMatchObject({ value: null, inputs: { emptyReason: 'No planned reach' } });
    expect(c.actual).toMatchObject({ spendMinor: 200_050, posts: 3, impressions: 8900, clicks: 30, reach: 5500, conversions: 10, revenueMinor: 500_000 });
    expect(c.posts.map((p) => [p.network, p.linkedBy.join('+'), p.impressions, p.clicks])).toEqual([
      ['telegram', 'utm', 900, null],
      ['vk', 'manual', 5000, null],
      ['vk', 'manual', 3000, 30],
    ]);
    const [vkItem, tgItem] = c.lineItems;
    expect(vkItem!.actual).toMatchObject({ spendMinor: 150_000, posts: 2, impressions: 8000, clicks: 30 });
    expect(kpi(vkItem!, 'campaign.plan.spend').value).toBe(50);
    expect(kpi(vkItem!, 'campaign.plan.impressions').value).toBe(80);
    expect(kpi(vkItem!, 'campaign.cpm').value).toBe(187.5);
    expect(kpi(vkItem!, 'campaign.cpa').value).toBeNull();
    expect(tgItem).toMatchObject({ network: 'telegram', actual: { spendMinor: 50_050, posts: 1 } });
    expect(kpi(tgItem!, 'campaign.plan.spend').value).toBe(25.025);

    // ROMI once the margin makes gross profit: 45 % → (225 000 − 200 050) / 200 050 × 100 = 12.471882
    const withMargin = (await (await call('PATCH', `/campaigns/${c.id}`, { grossMarginPercent: 45 })).json()) as Campaign;
    expect(kpi(withMargin, 'campaign.romi')).toMatchObject({ value: 12.471882, inputs: { numerator: 24_950 } });

    // The list shows the same totals.
    const list = (await (await t.current.json('GET', `${base}/campaigns`, undefined, viewer)).json()) as { items: Campaign[] };
    expect(list.items).toMatchObject([{ id: c.id, spendMinor: 200_050, revenueMinor: 500_000, conversions: 10, roi: 149.937516 }]);

    // Events were written with the changes.
    const types = (await db.selectFrom('events').select('type').where('workspace_id', '=', owner.workspaceId).where('type', 'like', 'campaign.%').orderBy('id').execute()).map((e) => e.type);
    expect(types).toEqual(['campaign.created', 'campaign.line_item.added', 'campaign.line_item.added', 'campaign.post.linked', 'campaign.post.linked', 'campaign.spend.recorded', 'campaign.entries.imported', 'campaign.entries.imported', 'campaign.updated']);
    // Each event names the campaign and who acted.
    const spendEvent = await db.selectFrom('events').selectAll().where('workspace_id', '=', owner.workspaceId).where('type', '=', 'campaign.spend.recorded').executeTakeFirstOrThrow();
    expect(spendEvent).toMatchObject({ subject_id: c.id, actor_id: owner.userId });
    expect(JSON.parse(spendEvent.payload)).toMatchObject({ campaignId: c.id, amountMinor: 150_000, currency: 'SEK' });

    // The campaign report: CSV with the KPI table and neutralised formula text; HTML with the report CSP.
    const report = await t.current.json('GET', `${base}/campaigns/${c.id}/report?format=csv`, undefined, viewer);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-disposition')).toBe('attachment; filename="campaign-report-2026-03-23-2026-03-29.csv"');
    const text = await report.text();
    expect(text).toContain('ROI,149.937516,%,(5000.00 − 2000.50) / 2000.50 × 100,');
    expect(text).toContain(`2026-03-24,1500,Promoted post,manual,"'=HYPERLINK(""http://evil.test"")"`);
    expect(text).not.toMatch(/,=HYPERLINK/);
    const html = await t.current.json('GET', `${base}/campaigns/${c.id}/report`, undefined, viewer);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await html.text()).toContain('Media plan vs actual');
    const xlsx = await t.current.json('GET', `${base}/campaigns/${c.id}/report?format=xlsx`, undefined, viewer);
    expect(xlsx.status).toBe(200);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    expect((await t.current.json('GET', `${base}/campaigns/${c.id}/report?format=doc`, undefined, viewer)).status).toBe(422);
    const pdf = await t.current.json('GET', `${base}/campaigns/${c.id}/report?format=pdf`, undefined, viewer);
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    // Changing and removing a plan line: its entries stay with the campaign, without a line.
    const tgLineId = c.lineItems[1]!.id;
    const changed = (await (await call('PATCH', `/campaigns/${c.id}/line-items/${tgLineId}`, { plannedBudgetMinor: 100_100 })).json()) as Campaign;
    // 500.50 / 1 001.00 = 50 %
    expect(kpi(changed.lineItems[1]!, 'campaign.plan.spend').value).toBe(50);
    expect((await call('PATCH', `/campaigns/${c.id}/line-items/${tgLineId}`, { plannedBudgetMinor: -1 })).status).toBe(422);
    const withoutLine = (await (await call('DELETE', `/campaigns/${c.id}/line-items/${tgLineId}`)).json()) as Campaign;
    expect(withoutLine.lineItems.map((l) => l.placement)).toEqual(['Promoted post']);
    expect(withoutLine.spendMinor).toBe(200_050);
    expect((await call('DELETE', `/campaigns/${c.id}/line-items/${tgLineId}`)).status).toBe(404);
    const conversionId = withoutLine.conversionEntries.find((x) => x.valueMinor === null)!.id;
    expect((await call('DELETE', `/campaigns/${c.id}/conversions/${conversionId}`)).status).toBe(204);
    expect(((await (await call('GET', `/campaigns/${c.id}`)).json()) as Campaign).conversions).toBe(7);

    // Removing an entry and unlinking a post change the figures; unknown ones are 404.
    const spendId = c.spendEntries.find((s) => s.source === 'manual')!.id;
    expect((await call('DELETE', `/campaigns/${c.id}/spend/${spendId}`)).status).toBe(204);
    expect((await call('DELETE', `/campaigns/${c.id}/spend/${spendId}`)).status).toBe(404);
    const after = (await (await call('DELETE', `/campaigns/${c.id}/posts/${post('p2').post_id}`)).json()) as Campaign;
    expect(after).toMatchObject({ spendMinor: 50_050, actual: { posts: 2, impressions: 3900 } });
    expect((await call('DELETE', `/campaigns/${c.id}/posts/${post('p2').post_id}`)).status).toBe(404);
    expect((await call('DELETE', `/campaigns/${c.id}`)).status).toBe(204);
    expect((await call('GET', `/campaigns/${c.id}`)).status).toBe(404);
    for (const table of ['campaign_spend', 'campaign_conversions', 'campaign_posts', 'campaign_line_items'] as const) {
      expect((await db.selectFrom(table).select('workspace_id').where('workspace_id', '=', owner.workspaceId).execute()).length, table).toBe(0);
    }
  });

  it('refuses bad input with a readable 4xx and stores nothing', async () => {
    const { owner, db, base } = await seeded();
    const call = (method: string, path: string, body?: unknown) => t.current.json(method, `${base}${path}`, body, owner);
    const problem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      return (await res.json()) as Problem;
    };
    const good = { name: 'Autumn', startsOn: '2026-09-01', endsOn: '2026-09-30', currency: 'SEK', budgetMinor: 100_000 };
    expect((await problem(await call('POST', '/campaigns', { ...good, endsOn: '2026-08-31' }), 422)).detail).toBe('The campaign cannot end (2026-08-31) before it starts (2026-09-01)');
    expect((await problem(await call('POST', '/campaigns', { ...good, budgetMinor: -1 }), 422)).detail).toMatch(/budgetMinor: budgetMinor cannot be negative/);
    expect((await problem(await call('POST', '/campaigns', { ...good, budgetMinor: 10.5 }), 422)).detail).toMatch(/whole number of minor units/);
    expect((await problem(await call('POST', '/campaigns', { ...good, currency: 'XYZ' }), 422)).detail).toMatch(/ISO 4217/);
    expect((await problem(await call('POST', '/campaigns', { ...good, startsOn: '2026-02-30' }), 422)).detail).toMatch(/startsOn must be a calendar date/);
    expect((await problem(await call('POST', '/campaigns', { ...good, name: '  ' }), 422)).detail).toMatch(/Give the campaign a name/);
    expect((await problem(await call('POST', '/campaigns', { ...good, status: 'running' }), 422)).detail).toMatch(/status must be one of planned, active/);
    expect((await problem(await call('POST', '/campaigns', { ...good, grossMarginPercent: 140 }), 422)).detail).toMatch(/from 0 to 100/);
    expect((await problem(await call('POST', '/campaigns', { ...good, budget: 5 }), 422)).errors?.length).toBeGreaterThan(0);
    expect(await db.selectFrom('campaigns').select('id').where('workspace_id', '=', owner.workspaceId).execute()).toEqual([]);

    const c = (await (await call('POST', '/campaigns', good)).json()) as Campaign;
    expect((await problem(await call('POST', '/campaigns', good), 409)).detail).toBe('A campaign named "Autumn" already exists in this workspace');
    expect((await problem(await call('PATCH', `/campaigns/${c.id}`, { endsOn: '2026-08-01' }), 422)).detail).toMatch(/cannot end/);
    expect((await problem(await call('POST', `/campaigns/${c.id}/spend`, { day: '2026-09-02', amountMinor: -500, currency: 'SEK' }), 422)).detail).toMatch(/amountMinor cannot be negative/);
    expect((await problem(await call('POST', `/campaigns/${c.id}/spend`, { day: '2026-09-02', amountMinor: 500, currency: 'EUR' }), 422)).detail).toBe(
      'The campaign is in SEK, not EUR: Herald does not convert currencies; record the amount in SEK',
    );
    expect((await problem(await call('POST', `/campaigns/${c.id}/spend`, { day: 'yesterday', amountMinor: 500, currency: 'SEK' }), 422)).errors?.[0]?.path).toBe('day');
    expect((await problem(await call('POST', `/campaigns/${c.id}/spend`, { day: '2026-09-02', amountMinor: 500, currency: 'SEK', lineItemId: '0190c7e2-1b2c-7d3e-8f40-1234567890ab' }), 422)).errors?.[0]?.path).toBe('lineItemId');
    expect((await problem(await call('POST', `/campaigns/${c.id}/conversions`, { day: '2026-09-02', count: 3, valueMinor: 900 }), 422)).detail).toMatch(/Give the currency of valueMinor \(SEK\)/);
    expect((await problem(await call('POST', `/campaigns/${c.id}/conversions`, { day: '2026-09-02', count: -3 }), 422)).detail).toMatch(/count cannot be negative/);
    expect((await problem(await call('POST', `/campaigns/${c.id}/line-items`, { placement: 'Stories', plannedBudgetMinor: -1 }), 422)).detail).toMatch(/cannot be negative/);
    expect((await problem(await call('POST', `/campaigns/${c.id}/line-items`, { placement: 'Stories', plannedBudgetMinor: 1, currency: 'RUB' }), 422)).detail).toMatch(/not RUB/);
    const badFile = 'type,date,amount,currency\nspend,2026-09-02,100.00,SEK\nspend,2026-09-03,-5,SEK\nspend,2026-09-04,1.234,SEK\n';
    const bad = await problem(await call('POST', `/campaigns/${c.id}/import`, { format: 'csv', content: badFile }), 422);
    expect(bad.detail).toMatch(/^The file has 2 problems: row 3.amount: an amount cannot be negative/);
    expect(bad.errors?.map((e) => e.path)).toEqual(['row 3.amount', 'row 4.amount']);
    expect((await problem(await call('POST', `/campaigns/${c.id}/import`, { format: 'json', content: '{"version":1,"spend":[{"date":"2026-09-02","amount":"5","lineItem":"Nope"}]}' }), 422)).detail).toMatch(/"Nope" is neither the id nor the placement/);
    expect((await call('POST', `/campaigns/${c.id}/import`, { format: 'xml', content: '<x/>' })).status).toBe(422);
    for (const table of ['campaign_spend', 'campaign_conversions', 'campaign_line_items'] as const) {
      expect((await db.selectFrom(table).select('id').where('workspace_id', '=', owner.workspaceId).execute()).length, table).toBe(0);
    }
    // The currency cannot change once amounts are recorded in it.
    expect((await call('POST', `/campaigns/${c.id}/spend`, { day: '2026-09-02', amountMinor: 500, currency: 'SEK' })).status).toBe(201);
    expect((await problem(await call('PATCH', `/campaigns/${c.id}`, { currency: 'EUR' }), 409)).detail).toMatch(/recorded in SEK/);

    // Goals: unknown definition, end before start, bad direction.
    const goal = { definitionId: 'livedune.er.pooled', target: 5, direction: 'at_least', from: '2026-03-01', to: '2026-03-31' };
    expect((await problem(await call('POST', '/goals', { ...goal, definitionId: 'er.magic' }), 422)).detail).toMatch(/definitionId must be a KPI definition id/);
    expect((await problem(await call('POST', '/goals', { ...goal, to: '2026-02-01' }), 422)).detail).toBe('The goal cannot end (2026-02-01) before it starts (2026-03-01)');
    expect((await problem(await call('POST', '/goals', { ...goal, direction: 'above' }), 422)).detail).toMatch(/at_least or at_most/);
    expect((await problem(await call('POST', '/goals', { ...goal, accountId: 'nope' }), 422)).errors?.[0]?.path).toBe('accountId');
    expect(await db.selectFrom('goals').select('id').where('workspace_id', '=', owner.workspaceId).execute()).toEqual([]);
  });

  it('shows goals with progress on the dashboard; roles and tenants are respected', async () => {
    const { owner, vk, tg, post, base } = await seeded();
    const admin = await t.current.addUser(owner.workspaceId, 'admin');
    const editor = await t.current.addUser(owner.workspaceId, 'editor');
    const contributor = await t.current.addUser(owner.workspaceId, 'contributor');
    const viewer = await t.current.addUser(owner.workspaceId, 'viewer');
    const goal = { definitionId: 'livedune.er.pooled', target: 10, direction: 'at_least', from: '2026-03-23', to: '2026-03-29' };
    for (const who of [editor, contributor, viewer]) expect((await t.current.json('POST', `${base}/goals`, goal, who)).status).toBe(403);
    const wsGoal = await t.current.json('POST', `${base}/goals`, goal, admin);
    expect(wsGoal.status).toBe(201);
    expect(await wsGoal.json()).toMatchObject({ scope: 'workspace', definitionLabel: 'ER (pooled)', target: 10 });

    const kpis = async (accountId: string) =>
      ((await (await t.current.json('GET', `${base}/analytics/kpis?accountId=${accountId}&from=2026-03-23&to=2026-03-29`, undefined, viewer)).json()) as {
        kpis: Array<{ definition: { id: string }; value: number | null; previous: { value: number | null }; goal: Record<string, unknown> | null }>;
      }).kpis;
    const pooled = (await kpis(vk.id)).find((k) => k.definition.id === 'livedune.er.pooled')!;
    // 382 / 4400 × 100 = 8.681818; progress 8.681818 / 10 × 100 = 86.81818
    expect(pooled).toMatchObject({ value: 8.681818, goal: { scope: 'workspace', target: 10, met: false, progressPercent: 86.81818, gap: -1.318182, periodMatches: true } });
    expect((await kpis(vk.id)).find((k) => k.definition.id === 'popsters.er-post')!.goal).toBeNull();
    // The account's own goal wins over the workspace goal for that account only.
    const own = (await (await t.current.json('POST', `${base}/goals`, { ...goal, accountId: vk.id, target: 8, from: '2026-03-01', to: '2026-03-31' }, owner)).json()) as { id: string };
    expect((await kpis(vk.id)).find((k) => k.definition.id === 'livedune.er.pooled')!.goal).toMatchObject({ goalId: own.id, scope: 'account', met: true, progressPercent: 108.522725, periodMatches: false });
    expect((await kpis(tg.id)).find((k) => k.definition.id === 'livedune.er.pooled')!.goal).toMatchObject({ scope: 'workspace' });
    const listed = (await (await t.current.json('GET', `${base}/goals?accountId=${tg.id}`, undefined, viewer)).json()) as { items: Array<{ scope: string }> };
    expect(listed.items.map((g) => g.scope)).toEqual(['workspace']);
    expect((await t.current.json('PATCH', `${base}/goals/${own.id}`, { direction: 'at_most' }, admin)).status).toBe(200);
    expect((await kpis(vk.id)).find((k) => k.definition.id === 'livedune.er.pooled')!.goal).toMatchObject({ met: false, progressPercent: 92.146599 });
    expect((await t.current.json('DELETE', `${base}/goals/${own.id}`, undefined, editor)).status).toBe(403);
    expect((await t.current.json('DELETE', `${base}/goals/${own.id}`, undefined, admin)).status).toBe(204);

    // Campaigns: everyone reads, editors and up write.
    const c = (await (await t.current.json('POST', `${base}/campaigns`, { name: 'Team', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' }, editor)).json()) as Campaign;
    for (const who of [contributor, viewer]) {
      expect((await t.current.json('GET', `${base}/campaigns/${c.id}`, undefined, who)).status).toBe(200);
      expect((await t.current.json('POST', `${base}/campaigns`, { name: 'x', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' }, who)).status).toBe(403);
      expect((await t.current.json('POST', `${base}/campaigns/${c.id}/spend`, { day: '2026-03-02', amountMinor: 1, currency: 'EUR' }, who)).status).toBe(403);
      expect((await t.current.json('DELETE', `${base}/campaigns/${c.id}`, undefined, who)).status).toBe(403);
    }

    // Another organisation sees neither the campaign nor the goals, and cannot link its posts into ours.
    const stranger = await createUser({ db: t.current.services.database.db, services: t.current.services }, { email: `stranger-${n}@example.com`, name: 'S', password: 'stranger password long', owner: true });
    const s = { ...(await t.current.login(`stranger-${n}@example.com`, 'stranger password long')), workspaceId: stranger.workspace!.id };
    const theirBase = `/api/v1/workspaces/${s.workspaceId}`;
    expect((await t.current.json('GET', `${base}/campaigns/${c.id}`, undefined, s)).status).toBe(404);
    expect((await t.current.json('GET', `${theirBase}/campaigns/${c.id}`, undefined, s)).status).toBe(404);
    expect((await t.current.json('POST', `${theirBase}/campaigns/${c.id}/spend`, { day: '2026-03-02', amountMinor: 1, currency: 'EUR' }, s)).status).toBe(404);
    expect(((await (await t.current.json('GET', `${theirBase}/campaigns`, undefined, s)).json()) as { items: unknown[] }).items).toEqual([]);
    expect(((await (await t.current.json('GET', `${theirBase}/goals`, undefined, s)).json()) as { items: unknown[] }).items).toEqual([]);
    const theirs = (await (await t.current.json('POST', `${theirBase}/campaigns`, { name: 'Theirs', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' }, s)).json()) as Campaign;
    expect((await t.current.json('PUT', `${theirBase}/campaigns/${theirs.id}/posts/${post('p2').post_id}`, undefined, s)).status).toBe(404);
    expect((await t.current.json('POST', `${theirBase}/campaigns/${theirs.id}/line-items`, { accountId: vk.id, placement: 'x', plannedBudgetMinor: 1 }, s)).status).toBe(422);
    expect((await t.current.json('POST', `${theirBase}/goals`, { ...goal, accountId: vk.id }, s)).status).toBe(422);
  });
});
