// @vitest-environment jsdom
/**
 * The Campaigns screen and goals on the analytics dashboard against a real in-process Herald (SQLite)
 * holding the analytics fixture with a hostile post text: the list shows ROI; the campaign shows its
 * KPIs with the arithmetic, the media plan against actual, entries and posts (hostile text as text);
 * an editor records spend typed as "1 200,50" (stored as 120050 öre), a bad amount is explained and
 * nothing is sent; a viewer gets no forms and no edit or remove controls (Russian); an admin sets a
 * goal on the dashboard and the KPI card shows its progress; an editor edits a campaign (kept after a
 * reload; a currency change the API refuses because money was recorded meanwhile shows the API's
 * words, then the currency is read-only with the reason), edits a plan line and removes it (its
 * spend stays with the campaign); an admin sets a campaign goal (CPA at most), sees its target in the
 * campaign's currency, exact progress and state, changes it, sees a target the API refuses explained
 * in the API's words, and removes it; a viewer (Swedish) and an editor see a goal but no goal controls;
 * an editor creates a campaign; an editor deletes a campaign with spend and a goal after an in-page confirm (Cancel keeps it; the
 * spend and goal go with it, the list no longer shows it); a viewer has no delete button, and a delete
 * the API refuses shows its words.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import type { ReactNode } from 'react';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { importMetrics } from '../../../src/use-cases/analytics-import.use-case';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n, type Locale } from '../i18n/index';
import { CampaignsScreen } from './campaigns';
import { AnalyticsScreen } from './analytics';

configure({ asyncUtilTimeout: 10_000 });

const raw = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/analytics/stockholm-week.json'), 'utf8')) as { posts: Array<{ externalId: string; text: string }> };
raw.posts.find((p) => p.externalId === 'p5')!.text = '<img src=x onerror=alert(1)>Spring!';

describe('Campaigns screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let campaignId: string;
  let vkId: string;
  const posts: string[] = [];
  const changes: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false });
    owner = await t.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.services;
    const db = services.database.db;
    await importMetrics({ actor: { kind: 'user', userId: owner.userId, via: 'session' }, workspaceId: owner.workspaceId, db, services }, JSON.stringify(raw));
    vkId = (await db.selectFrom('accounts').select('id').where('workspace_id', '=', owner.workspaceId).where('handle', '=', 'acme').executeTakeFirstOrThrow()).id;
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const base = `/api/v1/workspaces/${owner.workspaceId}/campaigns`;
    const c = (await (await t.json('POST', base, { name: 'Spring launch', startsOn: '2026-03-23', endsOn: '2026-03-29', currency: 'SEK', grossMarginPercent: 40 }, owner)).json()) as { id: string };
    campaignId = c.id;
    await t.json('POST', `${base}/${c.id}/line-items`, { accountId: vkId, placement: 'Promoted post', plannedBudgetMinor: 300_000, plannedPosts: 2, plannedImpressions: 10_000 }, owner);
    const p5 = await db.selectFrom('post_targets').select('post_id').where('external_id', '=', 'p5').executeTakeFirstOrThrow();
    await t.json('PUT', `${base}/${c.id}/posts/${p5.post_id}`, undefined, owner);
    await t.json('POST', `${base}/${c.id}/spend`, { day: '2026-03-24', amountMinor: 150_000, currency: 'SEK' }, owner);
    await t.json('POST', `${base}/${c.id}/conversions`, { day: '2026-03-25', count: 6, valueMinor: 450_000, currency: 'SEK' }, owner);
    const original = t.request;
    t.request = (path, init, opts) => {
      if (init?.method === 'POST') posts.push(path);
      if (init?.method === 'PATCH' || init?.method === 'DELETE') changes.push(`${init.method} ${path}`);
      return original(path, init, opts);
    };
  });
  afterEach(() => {
    cleanup();
    posts.length = 0;
    changes.length = 0;
    window.history.replaceState(null, '', '/');
  });
  afterAll(async () => t.close());

  const open = (node: ReactNode, session: Pick<TestSession, 'cookie' | 'csrfToken'>, lng: Locale = 'en') =>
    render(
      <I18nextProvider i18n={createI18n(lng)}>
        <ApiProvider api={inProcessApi(t, session)}>{node}</ApiProvider>
      </I18nextProvider>,
    );

  it('lists campaigns with ROI and shows one with KPIs, plan vs actual and its posts as text; an editor records spend', async () => {
    const editor = await t.addUser(owner.workspaceId, 'editor');
    const { container } = open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, editor);
    // ROI (4 500.00 − 1 500.00) / 1 500.00 × 100 = 200
    const row = (await screen.findByRole('button', { name: 'Spring launch' })).closest('tr')!;
    expect(within(row).getByText('200 %')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Spring launch' }));
    await screen.findByRole('heading', { name: 'Spring launch' });
    expect(screen.getByTestId('campaign-roi').textContent).toBe('200 %');
    const kpis = screen.getByRole('region', { name: 'KPIs' });
    const roi = kpis.querySelector('[data-kpi="campaign.roi"]')!;
    expect(roi.textContent).toContain('(4500.00 − 1500.00) / 1500.00 × 100');
    // CPA 1 500.00 / 6 = 250.00 SEK; CPM 1 500.00 / 3 000 × 1000 = 500 SEK (p5 has 3 000 views)
    expect(kpis.querySelector('[data-kpi="campaign.cpa"] td')!.textContent).toMatch(/250[.,]00\s?kr|SEK\s?250\.00/);
    expect(kpis.querySelector('[data-kpi="campaign.cpm"]')!.textContent).toContain('1500.00 / 3000 × 1000');
    // No reach is planned: empty with the reason, never 0.
    expect(kpis.querySelector('[data-kpi="campaign.plan.reach"]')!.textContent).toContain('Empty because: No planned reach');
    const plan = screen.getByRole('region', { name: 'Media plan vs actual' });
    const line = within(plan).getByText('Promoted post').closest('tr')!;
    // The spend was not booked on the line: its spend and budget use are unknown ("—"), not 0.
    expect([...line.querySelectorAll('td:not(.campaign-row-actions)')].map((td) => td.textContent?.replace(/\u00a0/g, ' '))).toEqual(['SEK 3,000.00', '—', '—', '1 / 2', '3,000 / 10,000', '30 / —', '— / —']);
    const postsRegion = screen.getByRole('region', { name: 'Posts' });
    expect(within(postsRegion).getByText('<img src=x onerror=alert(1)>Spring!')).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();

    const spend = screen.getByRole('form', { name: 'Record spend' });
    fireEvent.change(within(spend).getByLabelText('Day'), { target: { value: '2026-03-26' } });
    fireEvent.change(within(spend).getByLabelText('Amount (SEK)'), { target: { value: '12.345' } });
    fireEvent.click(within(spend).getByRole('button', { name: 'Record spend' }));
    expect((await within(spend).findByRole('alert')).textContent).toBe('Amount: SEK has 2 decimals: "12.345" has 3');
    expect(posts.filter((p) => p.endsWith('/spend'))).toEqual([]);
    fireEvent.change(within(spend).getByLabelText('Amount (SEK)'), { target: { value: '1 200,50' } });
    fireEvent.click(within(spend).getByRole('button', { name: 'Record spend' }));
    await within(spend).findByText('Saved.');
    const stored = await t.services.database.db.selectFrom('campaign_spend').select(['amount_minor', 'created_by']).where('campaign_id', '=', campaignId).orderBy('day').execute();
    expect(stored.map((s) => Number(s.amount_minor))).toEqual([150_000, 120_050]);
    expect(stored[1]!.created_by).toBe(editor.userId);
    // ROI now (4 500.00 − 2 700.50) / 2 700.50 × 100 = 66.635808
    await waitFor(() => expect(screen.getByTestId('campaign-roi').textContent).toBe('66.635808 %'));

    // The editor takes the new entry back and unlinks the post.
    const entries = screen.getByRole('region', { name: 'Spend and conversions' });
    const newRow = (await within(entries).findByText(/1,200\.50/)).closest('tr')!;
    fireEvent.click(within(newRow).getByRole('button', { name: 'Remove entry' }));
    await waitFor(() => expect(screen.getByTestId('campaign-roi').textContent).toBe('200 %'));
    fireEvent.click(within(screen.getByRole('region', { name: 'Posts' })).getByRole('button', { name: 'Unlink post' }));
    await within(screen.getByRole('region', { name: 'Posts' })).findByText(/No posts belong to this campaign yet/);
    expect(await t.services.database.db.selectFrom('campaign_posts').select('post_id').where('campaign_id', '=', campaignId).execute()).toEqual([]);

    // Import from a file: the server's report, then the same file again adds nothing; a bad file is explained.
    const importForm = screen.getByRole('form', { name: 'Import spend and conversions' });
    const upload = (name: string, text: string) => {
      fireEvent.change(within(importForm).getByLabelText('CSV or JSON file'), { target: { files: [new File([text], name, { type: 'text/csv' })] } });
      fireEvent.click(within(importForm).getByRole('button', { name: 'Import' }));
    };
    upload('week.csv', 'type,date,amount,count,value,currency\nspend,2026-03-27,100.00,,,SEK\n');
    await within(importForm).findByText('Spend: 1 new, 0 already there. Conversions: 0 new, 0 already there.');
    upload('week.csv', 'type,date,amount,count,value,currency\nspend,2026-03-27,100.00,,,SEK\n');
    await within(importForm).findByText('Spend: 0 new, 1 already there. Conversions: 0 new, 0 already there.');
    upload('bad.csv', 'type,date,amount,currency\nspend,2026-03-27,-3,SEK\n');
    expect((await within(importForm).findByRole('alert')).textContent).toMatch(/row 2\.amount: an amount cannot be negative/);
  });

  it('gives a viewer the figures but no forms (Russian)', async () => {
    const viewer = await t.addUser(owner.workspaceId, 'viewer');
    window.history.replaceState(null, '', `/?campaign=${campaignId}`);
    open(<CampaignsScreen workspace={{ ...workspace, role: 'viewer' }} />, viewer, 'ru');
    await screen.findByRole('heading', { name: 'Spring launch' });
    expect(screen.getByRole('region', { name: 'Показатели' })).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Записать расход' })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Добавить строку плана' })).toBeNull();
    // No way to edit the campaign, change or remove a plan line, or remove an entry.
    for (const name of ['Изменить кампанию', 'Изменить строку', 'Удалить строку', 'Удалить запись']) expect(screen.queryByRole('button', { name }), name).toBeNull();
    expect(screen.queryByRole('form', { name: 'Изменить кампанию' })).toBeNull();
    expect(within(screen.getByRole('region', { name: 'Медиаплан и факт' })).getByText('Promoted post')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Таблица CSV' }).getAttribute('href')).toBe(`/api/v1/workspaces/${owner.workspaceId}/campaigns/${campaignId}/report?format=csv`);
  });

  it('shows the period\'s campaigns with ROI on the dashboard and lets an admin set a goal; the KPI shows its progress', async () => {
    window.history.replaceState(null, '', `/?account=${vkId}&from=2026-03-23&to=2026-03-29`);
    open(<AnalyticsScreen workspace={workspace} />, owner);
    // Campaigns overlapping the period show their ROI on the dashboard, as the campaigns API computes it.
    const listed = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/campaigns`, undefined, owner)).json()) as { items: Array<{ roi: number }> };
    const campaigns = await screen.findByRole('region', { name: 'Campaigns' });
    const link = await within(campaigns).findByRole('link', { name: 'Spring launch' });
    expect(link.getAttribute('href')).toBe(`/w/${owner.workspaceId}/campaigns?campaign=${campaignId}`);
    expect(link.closest('tr')!.lastElementChild!.textContent).toBe(`${new Intl.NumberFormat('en', { maximumFractionDigits: 6 }).format(listed.items[0]!.roi)} %`);
    const goals = await screen.findByRole('region', { name: 'Goals' });
    await within(goals).findByText('No goals for this account and period.');
    fireEvent.change(within(goals).getByLabelText('KPI'), { target: { value: 'livedune.er.pooled' } });
    fireEvent.change(within(goals).getByLabelText('Target'), { target: { value: '10' } });
    fireEvent.click(within(goals).getByRole('button', { name: 'Set goal' }));
    await within(goals).findByRole('button', { name: 'Remove goal' });
    // 8.681818 / 10 × 100 = 86.81818 → "86.82%" of the goal, not met
    // The card and the all-definitions table both show it.
    const shown = await screen.findAllByText('86.82% of the goal', { selector: 'p' }, { timeout: 10_000 });
    expect(shown.length).toBe(2);
    for (const el of shown) {
      const goal = el.closest('[data-goal]')!;
      expect(goal.textContent).toContain('Goal: at least 10%');
      expect(goal.textContent).toContain('Not met yet');
      expect(goal.querySelector('progress')?.getAttribute('value')).toBe('86.81818');
    }
    await expect(((await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/goals`, undefined, owner)).json() as Promise<{ items: Array<{ accountId: string }> }>).then((b) => b.items[0]?.accountId)).resolves.toBe(vkId);
  });
  // After the dashboard test: these campaigns lie outside its period and come after it in the list.
  it('lets an editor edit a campaign: kept after a reload; a refused currency change shows the API\'s words, then the currency is read-only', async () => {
    const editor = await t.addUser(owner.workspaceId, 'editor');
    const base = `/api/v1/workspaces/${owner.workspaceId}/campaigns`;
    const made = (await (await t.json('POST', base, { name: 'Autumn sale', startsOn: '2026-09-01', endsOn: '2026-09-30', currency: 'EUR', budgetMinor: 100_000 }, owner)).json()) as { id: string };
    window.history.replaceState(null, '', `/?campaign=${made.id}`);
    open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, editor);
    await screen.findByRole('heading', { name: 'Autumn sale' });
    const toggle = screen.getByRole('button', { name: 'Edit campaign' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    let form = screen.getByRole('form', { name: 'Edit campaign' });
    // Nothing is recorded yet: the currency may still change.
    expect((within(form).getByLabelText('Currency') as HTMLInputElement).readOnly).toBe(false);
    expect((within(form).getByLabelText('Budget (EUR)') as HTMLInputElement).value).toBe('1000.00');
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Autumn sale 2026' } });
    fireEvent.change(within(form).getByLabelText('Objective'), { target: { value: 'Leads' } });
    fireEvent.change(within(form).getByLabelText('Ends'), { target: { value: '2026-10-15' } });
    fireEvent.change(within(form).getByLabelText('Status'), { target: { value: 'active' } });
    fireEvent.change(within(form).getByLabelText('UTM campaign value'), { target: { value: 'autumn-26' } });
    fireEvent.change(within(form).getByLabelText('Gross margin, %'), { target: { value: '35.5' } });
    // A bad amount is explained and nothing is sent.
    fireEvent.change(within(form).getByLabelText('Budget (EUR)'), { target: { value: '12.345' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('Budget: EUR has 2 decimals: "12.345" has 3');
    expect(changes).toEqual([]);
    fireEvent.change(within(form).getByLabelText('Budget (EUR)'), { target: { value: '2 500,50' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByRole('heading', { name: 'Autumn sale 2026' });
    expect(screen.getByRole('status').textContent).toBe('Campaign saved.');
    expect(screen.queryByRole('form', { name: 'Edit campaign' })).toBeNull();
    expect(changes).toEqual([`PATCH ${base}/${made.id}`]);
    const stored = (await (await t.json('GET', `${base}/${made.id}`, undefined, owner)).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ name: 'Autumn sale 2026', objective: 'Leads', startsOn: '2026-09-01', endsOn: '2026-10-15', currency: 'EUR', budgetMinor: 250_050, status: 'active', utmCampaign: 'autumn-26', grossMarginPercent: 35.5 });

    // A fresh screen (a reload) shows the saved campaign and fills the form from it.
    cleanup();
    open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, editor);
    await screen.findByRole('heading', { name: 'Autumn sale 2026' });
    expect(screen.getByText(/2026-09-01 – 2026-10-15 · Active · EUR · Leads · utm_campaign=autumn-26/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Edit campaign' }));
    form = screen.getByRole('form', { name: 'Edit campaign' });
    expect((within(form).getByLabelText('Budget (EUR)') as HTMLInputElement).value).toBe('2500.50');
    expect((within(form).getByLabelText('Gross margin, %') as HTMLInputElement).value).toBe('35.5');
    expect((within(form).getByLabelText('Status') as HTMLSelectElement).value).toBe('active');

    // Someone records spend while the form is open; the currency change is then refused by the API (409).
    fireEvent.change(within(form).getByLabelText('Currency'), { target: { value: 'sek' } });
    expect((await t.json('POST', `${base}/${made.id}/spend`, { day: '2026-09-02', amountMinor: 5_000, currency: 'EUR' }, owner)).status).toBe(201);
    fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect((await within(form).findByRole('alert')).textContent).toBe("The campaign's amounts are recorded in EUR: its currency cannot change to SEK");
    // The campaign is read again: the currency is now shown read-only, with the reason.
    const currency = (await waitFor(() => {
      const input = within(form).getByLabelText('Currency') as HTMLInputElement;
      expect(input.readOnly).toBe(true);
      return input;
    })) as HTMLInputElement;
    expect(currency.value).toBe('EUR');
    expect(document.getElementById(currency.getAttribute('aria-describedby')!)!.textContent).toBe(
      'The currency stays EUR: the media plan, spend or conversion values are already recorded in it, and Herald never converts amounts.',
    );
    expect((await t.services.database.db.selectFrom('campaigns').select('currency').where('id', '=', made.id).executeTakeFirstOrThrow()).currency).toBe('EUR');
    // Other fields still save; the locked currency is not sent.
    changes.length = 0;
    fireEvent.change(within(form).getByLabelText('Objective'), { target: { value: 'Leads and sign-ups' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Campaign saved.');
    expect((await t.services.database.db.selectFrom('campaigns').select(['objective', 'currency']).where('id', '=', made.id).executeTakeFirstOrThrow())).toEqual({ objective: 'Leads and sign-ups', currency: 'EUR' });
  });

  it('lets an editor change a plan line and remove it; the spend booked on it stays with the campaign', async () => {
    const editor = await t.addUser(owner.workspaceId, 'editor');
    const base = `/api/v1/workspaces/${owner.workspaceId}/campaigns`;
    const made = (await (await t.json('POST', base, { name: 'Winter push', startsOn: '2026-12-01', endsOn: '2026-12-31', currency: 'SEK' }, owner)).json()) as { id: string };
    const withLine = (await (await t.json('POST', `${base}/${made.id}/line-items`, { accountId: vkId, placement: 'Stories', plannedBudgetMinor: 50_000, plannedPosts: 3 }, owner)).json()) as { lineItems: Array<{ id: string }> };
    const lineId = withLine.lineItems[0]!.id;
    expect((await t.json('POST', `${base}/${made.id}/spend`, { day: '2026-12-02', amountMinor: 10_000, currency: 'SEK', lineItemId: lineId }, owner)).status).toBe(201);
    window.history.replaceState(null, '', `/?campaign=${made.id}`);
    open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, editor);
    const plan = await screen.findByRole('region', { name: 'Media plan vs actual' });
    // The plan holds money in SEK: the currency is read-only from the start.
    fireEvent.click(screen.getByRole('button', { name: 'Edit campaign' }));
    expect((within(screen.getByRole('form', { name: 'Edit campaign' })).getByLabelText('Currency') as HTMLInputElement).readOnly).toBe(true);
    fireEvent.click(within(screen.getByRole('form', { name: 'Edit campaign' })).getByRole('button', { name: 'Cancel' }));

    const row = (await within(plan).findByText('Stories')).closest('tr')!;
    fireEvent.click(within(row).getByRole('button', { name: 'Edit line' }));
    const form = within(plan).getByRole('form', { name: 'Edit plan line "Stories"' });
    expect((within(form).getByLabelText('Planned budget (SEK)') as HTMLInputElement).value).toBe('500.00');
    expect((within(form).getByLabelText('Planned posts') as HTMLInputElement).value).toBe('3');
    expect((within(form).getByLabelText('Account') as HTMLSelectElement).value).toBe(vkId);
    fireEvent.change(within(form).getByLabelText('Placement / format'), { target: { value: 'Stories (video)' } });
    fireEvent.change(within(form).getByLabelText('Planned budget (SEK)'), { target: { value: 'lots' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save line' }));
    expect((await within(form).findByRole('alert')).textContent).toMatch(/^Planned budget: "lots" is not an amount/);
    expect(changes).toEqual([]);
    fireEvent.change(within(form).getByLabelText('Planned budget (SEK)'), { target: { value: '750,25' } });
    fireEvent.change(within(form).getByLabelText('Planned posts'), { target: { value: '' } });
    fireEvent.change(within(form).getByLabelText('Planned clicks'), { target: { value: '120' } });
    fireEvent.change(within(form).getByLabelText('Account'), { target: { value: '' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save line' }));
    await within(plan).findByText('Stories (video)');
    expect(within(plan).queryByRole('form', { name: /Edit plan line/ })).toBeNull();
    expect(changes).toEqual([`PATCH ${base}/${made.id}/line-items/${lineId}`]);
    const line = await t.services.database.db.selectFrom('campaign_line_items').selectAll().where('id', '=', lineId).executeTakeFirstOrThrow();
    expect({ placement: line.placement, budget: Number(line.planned_budget_minor), posts: line.planned_posts, clicks: line.planned_clicks, account: line.account_id }).toEqual({ placement: 'Stories (video)', budget: 75_025, posts: null, clicks: 120, account: null });
    // The row shows the new plan: budget, clicks planned, posts no longer planned.
    const changed = within(plan).getByText('Stories (video)').closest('tr')!;
    const cells = [...changed.querySelectorAll('td:not(.campaign-row-actions)')].map((td) => td.textContent?.replace(/\u00a0/g, ' '));
    expect(cells[0]).toBe('SEK 750.25');
    expect(cells[5]).toMatch(/ \/ 120$/);

    fireEvent.click(within(changed).getByRole('button', { name: 'Remove line' }));
    await within(plan).findByText('The media plan has no lines yet.');
    expect(await t.services.database.db.selectFrom('campaign_line_items').select('id').where('campaign_id', '=', made.id).execute()).toEqual([]);
    // The spend booked on the line is still the campaign's.
    const spend = await t.services.database.db.selectFrom('campaign_spend').select(['amount_minor', 'line_item_id']).where('campaign_id', '=', made.id).execute();
    expect(spend.map((x) => [Number(x.amount_minor), x.line_item_id])).toEqual([[10_000, null]]);
    const entries = screen.getByRole('region', { name: 'Spend and conversions' });
    expect(within(entries).getByText('SEK 100.00')).toBeTruthy();
  });

  it('lets an editor create a campaign (the fields the edit form shares, without status)', async () => {
    const editor = await t.addUser(owner.workspaceId, 'editor');
    open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, editor);
    const form = await screen.findByRole('form', { name: 'New campaign' });
    expect(within(form).queryByLabelText('Status')).toBeNull();
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Harvest fair' } });
    fireEvent.change(within(form).getByLabelText('Objective'), { target: { value: 'Footfall' } });
    fireEvent.change(within(form).getByLabelText('Starts'), { target: { value: '2026-08-01' } });
    fireEvent.change(within(form).getByLabelText('Ends'), { target: { value: '2026-08-31' } });
    fireEvent.change(within(form).getByLabelText('Currency'), { target: { value: 'sek' } });
    fireEvent.change(within(form).getByLabelText('Budget'), { target: { value: '1 000,25' } });
    fireEvent.change(within(form).getByLabelText('UTM campaign value'), { target: { value: 'harvest' } });
    fireEvent.change(within(form).getByLabelText('Gross margin, %'), { target: { value: '20' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create campaign' }));
    await screen.findByRole('heading', { name: 'Harvest fair' });
    const id = new URLSearchParams(window.location.search).get('campaign')!;
    const stored = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/campaigns/${id}`, undefined, owner)).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ name: 'Harvest fair', objective: 'Footfall', startsOn: '2026-08-01', endsOn: '2026-08-31', currency: 'SEK', budgetMinor: 100_025, status: 'planned', utmCampaign: 'harvest', grossMarginPercent: 20 });
  });

  // Deleting: a campaign of its own with a spend entry and a goal, so what goes with it can be checked.
  const deletable = async (name: string) => {
    const base = `/api/v1/workspaces/${owner.workspaceId}/campaigns`;
    const made = (await (await t.json('POST', base, { name, startsOn: '2026-07-01', endsOn: '2026-07-31', currency: 'SEK' }, owner)).json()) as { id: string };
    expect((await t.json('POST', `${base}/${made.id}/spend`, { day: '2026-07-02', amountMinor: 20_000, currency: 'SEK' }, owner)).status).toBe(201);
    expect((await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/goals`, { campaignId: made.id, definitionId: 'campaign.cpa', target: 100, direction: 'at_most' }, owner)).status).toBe(201);
    return made.id;
  };
  const leftOf = async (id: string) => {
    const db = t.services.database.db;
    return {
      campaigns: (await db.selectFrom('campaigns').select('id').where('id', '=', id).execute()).length,
      spend: (await db.selectFrom('campaign_spend').select('id').where('campaign_id', '=', id).execute()).length,
      goals: (await db.selectFrom('goals').select('id').where('campaign_id', '=', id).execute()).length,
    };
  };

  it('lets an editor delete a campaign after an in-page confirm naming it; Cancel keeps it; its spend and goal go with it and the list no longer shows it', async () => {
    const id = await deletable('Summer clearance');
    const editor = await t.addUser(owner.workspaceId, 'editor');
    window.history.replaceState(null, '', `/?campaign=${id}`);
    open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, editor);
    await screen.findByRole('heading', { name: 'Summer clearance' });
    expect(await leftOf(id)).toEqual({ campaigns: 1, spend: 1, goals: 1 });

    const toggle = screen.getByRole('button', { name: 'Delete campaign' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    let confirm = screen.getByRole('form', { name: 'Delete campaign' });
    expect(within(confirm).getByText('Delete the campaign "Summer clearance"?')).toBeTruthy();
    expect(within(confirm).getByText(/media plan, spend and conversion entries, goals and scheduled report e-mails are deleted with it/)).toBeTruthy();
    // Cancel: nothing sent, the campaign stays.
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form', { name: 'Delete campaign' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Summer clearance' })).toBeTruthy();
    expect(changes).toEqual([]);
    expect(await leftOf(id)).toEqual({ campaigns: 1, spend: 1, goals: 1 });

    fireEvent.click(screen.getByRole('button', { name: 'Delete campaign' }));
    confirm = screen.getByRole('form', { name: 'Delete campaign' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    // Back on the list, which no longer shows it.
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Summer clearance' })).toBeNull());
    await screen.findByRole('button', { name: 'Spring launch' });
    expect(screen.queryByRole('button', { name: 'Summer clearance' })).toBeNull();
    expect(window.location.search).toBe('');
    expect(changes).toEqual([`DELETE /api/v1/workspaces/${owner.workspaceId}/campaigns/${id}`]);
    expect(await leftOf(id)).toEqual({ campaigns: 0, spend: 0, goals: 0 });
    expect((await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/campaigns/${id}`, undefined, owner)).status).toBe(404);
  });

  it('gives a viewer no delete button; a delete the API refuses shows its words and keeps the campaign', async () => {
    const id = await deletable('Summer keep');
    const viewer = await t.addUser(owner.workspaceId, 'viewer');
    window.history.replaceState(null, '', `/?campaign=${id}`);
    open(<CampaignsScreen workspace={{ ...workspace, role: 'viewer' }} />, viewer);
    await screen.findByRole('heading', { name: 'Summer keep' });
    expect(screen.queryByRole('button', { name: 'Delete campaign' })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Delete campaign' })).toBeNull();

    // A page that still believes the user is an editor (the role was lowered meanwhile): the API's 403, in its words.
    cleanup();
    const refused = await t.json('DELETE', `/api/v1/workspaces/${owner.workspaceId}/campaigns/${id}`, undefined, viewer);
    expect(refused.status).toBe(403);
    const detail = ((await refused.json()) as { detail: string }).detail;
    expect(detail).toBeTruthy();
    open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, viewer);
    await screen.findByRole('heading', { name: 'Summer keep' });
    fireEvent.click(screen.getByRole('button', { name: 'Delete campaign' }));
    const confirm = screen.getByRole('form', { name: 'Delete campaign' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    expect((await within(confirm).findByRole('alert')).textContent).toBe(detail);
    expect(screen.getByRole('heading', { name: 'Summer keep' })).toBeTruthy();
    expect(await leftOf(id)).toEqual({ campaigns: 1, spend: 1, goals: 1 });
  });

  // Campaign goals, on a campaign of their own outside the dashboard test's period.
  // Hand arithmetic (SEK): spend 1 800.00; 8 conversions worth 6 000.00 → CPA 1 800.00 / 8 = 225.00.
  // - CPA at most 200: 200 / 225 × 100 = 88.888888… → 88.888889 %, not met.
  // - changed to at most 250: 250 / 225 × 100 = 111.111111 %, met (the bar stops at 100).
  // - CPA at most 300 (viewer): 300 / 225 × 100 = 133.333333 %, met.
  const goalCampaign = async (name: string) => {
    const base = `/api/v1/workspaces/${owner.workspaceId}/campaigns`;
    const made = (await (await t.json('POST', base, { name, startsOn: '2026-06-01', endsOn: '2026-06-30', currency: 'SEK' }, owner)).json()) as { id: string };
    expect((await t.json('POST', `${base}/${made.id}/spend`, { day: '2026-06-02', amountMinor: 180_000, currency: 'SEK' }, owner)).status).toBe(201);
    expect((await t.json('POST', `${base}/${made.id}/conversions`, { day: '2026-06-03', count: 8, valueMinor: 600_000, currency: 'SEK' }, owner)).status).toBe(201);
    return made.id;
  };
  const goalCell = (id: string) => screen.getByRole('region', { name: /^(KPIs|Nyckeltal|Показатели)$/ }).querySelector(`[data-kpi="${id}"] [data-goal]`);
  const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ');
  const storedGoals = (id: string) => t.services.database.db.selectFrom('goals').select(['id', 'definition_id', 'target', 'direction', 'from_day', 'to_day']).where('campaign_id', '=', id).execute();

  it('lets an admin set, change and remove a campaign goal; the KPI shows target, exact progress and state; a refused target shows the API\'s words', async () => {
    const id = await goalCampaign('Goal push');
    const admin = await t.addUser(owner.workspaceId, 'admin');
    window.history.replaceState(null, '', `/?campaign=${id}`);
    open(<CampaignsScreen workspace={{ ...workspace, role: 'admin' }} />, admin);
    await screen.findByRole('heading', { name: 'Goal push' });
    expect(goalCell('campaign.cpa')).toBeNull();
    const form = screen.getByRole('form', { name: 'Set goal' });
    fireEvent.change(within(form).getByLabelText('KPI'), { target: { value: 'campaign.cpa' } });
    fireEvent.change(within(form).getByLabelText('Direction'), { target: { value: 'at_most' } });
    fireEvent.change(within(form).getByLabelText('Target (SEK)'), { target: { value: '200' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Set goal' }));
    await waitFor(() => expect(goalCell('campaign.cpa')).not.toBeNull());
    let cell = goalCell('campaign.cpa')!;
    expect(plain(cell.textContent)).toContain('Goal: at most SEK 200.00');
    expect(cell.textContent).toContain('88.888889 % of the goal');
    expect(cell.textContent).toContain('Not met yet');
    expect(cell.querySelector('progress')?.getAttribute('value')).toBe('88.888889');
    // The value beside it is the one the goal is measured against.
    expect(plain(screen.getByRole('region', { name: 'KPIs' }).querySelector('[data-kpi="campaign.cpa"] td')!.textContent)).toBe('SEK 225.00');
    expect(posts.filter((p) => p.endsWith('/goals'))).toEqual([`/api/v1/workspaces/${owner.workspaceId}/goals`]);
    let stored = await storedGoals(id);
    expect(stored.map((g) => ({ ...g, target: Number(g.target) }))).toEqual([{ id: cell.getAttribute('data-goal'), definition_id: 'campaign.cpa', target: 200, direction: 'at_most', from_day: '2026-06-01', to_day: '2026-06-30' }]);

    // Setting the CPA goal again changes it (one goal per KPI, not a second one behind it).
    fireEvent.change(within(form).getByLabelText('KPI'), { target: { value: 'campaign.cpa' } });
    fireEvent.change(within(form).getByLabelText('Direction'), { target: { value: 'at_most' } });
    fireEvent.change(within(form).getByLabelText('Target (SEK)'), { target: { value: '250' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Set goal' }));
    await waitFor(() => expect(goalCell('campaign.cpa')!.textContent).toContain('111.111111 % of the goal'));
    cell = goalCell('campaign.cpa')!;
    expect(plain(cell.textContent)).toContain('Goal: at most SEK 250.00');
    expect(cell.textContent).toContain('Goal met');
    expect(cell.querySelector('progress')?.getAttribute('value')).toBe('100');
    expect(changes).toEqual([`PATCH /api/v1/workspaces/${owner.workspaceId}/goals/${stored[0]!.id}`]);
    stored = await storedGoals(id);
    expect(stored.map((g) => [g.definition_id, Number(g.target), g.direction])).toEqual([['campaign.cpa', 250, 'at_most']]);

    // A target the API refuses (more than 10^12): its words, nothing stored.
    fireEvent.change(within(form).getByLabelText('KPI'), { target: { value: 'campaign.roi' } });
    fireEvent.change(within(form).getByLabelText('Target (%)'), { target: { value: '1e13' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Set goal' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('target: target is too large');
    expect((await storedGoals(id)).map((g) => g.definition_id)).toEqual(['campaign.cpa']);
    expect(goalCell('campaign.roi')).toBeNull();

    changes.length = 0;
    fireEvent.click(within(goalCell('campaign.cpa') as HTMLElement).getByRole('button', { name: 'Remove goal' }));
    await waitFor(() => expect(goalCell('campaign.cpa')).toBeNull());
    expect(changes).toEqual([`DELETE /api/v1/workspaces/${owner.workspaceId}/goals/${stored[0]!.id}`]);
    expect(await storedGoals(id)).toEqual([]);
  });

  it('shows a viewer (Swedish) and an editor the campaign goal with its progress, but no goal controls', async () => {
    const id = await goalCampaign('Goal watch');
    const created = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/goals`, { campaignId: id, definitionId: 'campaign.cpa', target: 300, direction: 'at_most' }, owner);
    expect(created.status).toBe(201);
    const viewer = await t.addUser(owner.workspaceId, 'viewer');
    window.history.replaceState(null, '', `/?campaign=${id}`);
    open(<CampaignsScreen workspace={{ ...workspace, role: 'viewer' }} />, viewer, 'sv');
    await screen.findByRole('heading', { name: 'Goal watch' });
    const cell = await waitFor(() => goalCell('campaign.cpa')!);
    expect(plain(cell.textContent)).toContain('Mål: högst 300,00 kr');
    expect(plain(cell.textContent)).toContain('133,333333 % av målet');
    expect(cell.textContent).toContain('Målet nått');
    expect(cell.querySelector('progress')?.getAttribute('value')).toBe('100');
    expect(screen.queryByRole('form', { name: 'Sätt mål' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Ta bort mål' })).toBeNull();
    expect(screen.getByText('Bara administratörer och ägare sätter mål.')).toBeTruthy();

    cleanup();
    const editor = await t.addUser(owner.workspaceId, 'editor');
    open(<CampaignsScreen workspace={{ ...workspace, role: 'editor' }} />, editor);
    await screen.findByRole('heading', { name: 'Goal watch' });
    expect(await waitFor(() => goalCell('campaign.cpa')!.textContent)).toContain('133.333333 % of the goal');
    expect(screen.queryByRole('form', { name: 'Set goal' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Remove goal' })).toBeNull();
    expect(screen.getByText('Only admins and owners set goals.')).toBeTruthy();
  });
});
