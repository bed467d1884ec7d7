// @vitest-environment jsdom
/**
 * The analytics dashboard against a real in-process Herald (SQLite) holding the hand-computed
 * Stockholm fixture (test/fixtures/analytics/README.md has the arithmetic), loaded through the same
 * import use case as `herald import metrics`: the screen's account and period become the API's query
 * (days for KPIs, the zone's instants across the DST change for the inbox and follower series),
 * "how is this calculated" shows the API's inputs, missing values are "—" and never 0, numbers and
 * dates follow the language, and an admin's pick becomes the workspace default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { importMetrics } from '../../../src/use-cases/analytics-import.use-case';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n, type Locale } from '../i18n/index';
import { addDays, dayInZone } from '../components/kpi-format';
import { AnalyticsScreen } from './analytics';

// Two cores shared by many test runs: give the in-process server time to answer.
configure({ asyncUtilTimeout: 8000 });

// The jsdom environment gives modules web URLs, so the fixture is found from the repository root (vitest's cwd).
const fixture = readFileSync(join(process.cwd(), 'test/fixtures/analytics/stockholm-week.json'), 'utf8');
/** Intl puts narrow/no-break spaces in grouped numbers and before "%": compare with plain spaces. */
const plain = (s: string | null | undefined) => (s ?? '').replace(/\s/g, ' ');

describe('Analytics screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let vkId: string;
  const requests: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false });
    owner = await t.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.services;
    const ctx = { actor: { kind: 'user' as const, userId: owner.userId, via: 'session' as const }, workspaceId: owner.workspaceId, db: services.database.db, services };
    await importMetrics(ctx, fixture);
    vkId = (await services.database.db.selectFrom('accounts').select('id').where('workspace_id', '=', owner.workspaceId).where('handle', '=', 'acme').executeTakeFirstOrThrow()).id;
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const original = t.request;
    t.request = (path, init, opts) => {
      requests.push(path);
      return original(path, init, opts);
    };
  });
  afterEach(() => {
    cleanup();
    requests.length = 0;
  });
  afterAll(async () => t.close());

  const open = (search: string, lng: Locale = 'en') => {
    window.history.replaceState(null, '', `/w/${owner.workspaceId}/analytics${search}`);
    return render(
      <I18nextProvider i18n={createI18n(lng)}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <AnalyticsScreen workspace={workspace} />
        </ApiProvider>
      </I18nextProvider>,
    );
  };
  /** The query of the requests to a path ending in `suffix`. */
  const queriesTo = (suffix: string) =>
    requests
      .map((r) => new URL(r, 'http://x'))
      .filter((u) => u.pathname.endsWith(suffix))
      .map((u) => Object.fromEntries(u.searchParams));
  const card = (name: string) => screen.getByRole('article', { name });
  const section = (name: string) => screen.getByRole('region', { name });

  it('asks the API for the account and period: days for KPIs, Stockholm instants across the DST change for the inbox and followers', async () => {
    open(`?account=${vkId}&from=2026-03-23&to=2026-03-29`);
    await screen.findByRole('article', { name: 'Engagement' });
    await waitFor(() => expect(queriesTo('/inbox-metrics')).toHaveLength(2));
    expect(queriesTo('/analytics/kpis')).toEqual([{ accountId: vkId, from: '2026-03-23', to: '2026-03-29' }]);
    await waitFor(() => expect(queriesTo('/analytics/best-times')).toEqual([{ accountId: vkId, from: '2026-03-23', to: '2026-03-29' }]));
    // Monday 23rd starts at 00:00 CET (23:00 UTC the day before); the day after Sunday 29th starts in summer time.
    expect(queriesTo(`/accounts/${vkId}/metrics`)).toEqual([{ from: '2026-03-22T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' }]);
    expect(queriesTo('/inbox-metrics')).toEqual(
      expect.arrayContaining([
        { accountId: vkId, from: '2026-03-22T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' },
        { accountId: vkId, from: '2026-03-15T23:00:00.000Z', to: '2026-03-22T23:00:00.000Z' },
      ]),
    );
    expect(plain(screen.getByText(/^March 23, 2026 – March 29, 2026/).textContent)).toContain('(Europe/Stockholm)');

    // A period typed into the form, then a quick period (yesterday in the workspace's zone is the last day).
    requests.length = 0;
    const filters = screen.getByRole('form', { name: 'Dashboard filters' });
    fireEvent.change(within(filters).getByLabelText('From'), { target: { value: '2026-03-16' } });
    fireEvent.change(within(filters).getByLabelText('To'), { target: { value: '2026-03-22' } });
    fireEvent.click(within(filters).getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(queriesTo('/analytics/kpis')).toEqual([{ accountId: vkId, from: '2026-03-16', to: '2026-03-22' }]));
    expect(window.location.search).toBe(`?account=${vkId}&from=2026-03-16&to=2026-03-22`);
    requests.length = 0;
    fireEvent.click(within(filters).getByRole('button', { name: 'Last 7 days' }));
    const yesterday = addDays(dayInZone(Date.now(), 'Europe/Stockholm'), -1);
    await waitFor(() => expect(queriesTo('/analytics/kpis')).toEqual([{ accountId: vkId, from: addDays(yesterday, -6), to: yesterday }]));
  });

  it('shows each value with its change and the API’s inputs under “How is this calculated”', async () => {
    open(`?account=${vkId}&from=2026-03-23&to=2026-03-29`);
    const engagement = await screen.findByRole('article', { name: 'Engagement' });
    // LiveDune ER pooled (the default): 382 / 4400 × 100; the week before only p0: 40 / 990 × 100.
    expect(plain(engagement.querySelector('.kpi-value')!.textContent)).toBe('8.68%');
    expect(plain(within(engagement).getByText(/^▲/).textContent)).toBe('▲ 114.9%');
    expect(within(engagement).getByText('up 114.9%')).toBeTruthy();
    expect(plain(within(engagement).getByText(/^previous:/).textContent)).toBe('previous: 4.04%');

    const how = engagement.querySelector('details.kpi-how')!;
    fireEvent.click(within(how as HTMLElement).getByText('How is this calculated'));
    const facts = (term: string, nth = 0) => {
      const dt = [...how.querySelectorAll('dt')].filter((d) => d.textContent === term)[nth];
      return plain(dt?.nextElementSibling?.textContent);
    };
    expect(facts('Definition')).toBe('ER (pooled) livedune.er.pooled');
    expect(facts('Mirrors')).toBe('LiveDune');
    // VK's reaction set for LiveDune, in words.
    expect(facts('Numerator')).toBe('likes + comments + shares + poll votes when present');
    expect(facts('Denominator')).toBe('followers at the time of publishing');
    expect(facts('Days start in')).toBe('the workspace time zone (Europe/Stockholm)');
    expect(facts('Arithmetic')).toBe('382 / 4400 × 100');
    expect(facts('Numerator', 1)).toBe('382');
    expect(facts('Denominator', 1)).toBe('4,400');
    expect(facts('Posts in the period')).toBe('5');
    expect(facts('Posts counted')).toBe('4');
    // p4 has no comment count: left out, and said so.
    expect(facts('Left out: a count is missing')).toBe('1');
    // The previous period's own inputs follow.
    expect(facts('Arithmetic', 1)).toBe('40 / 990 × 100');

    // Follower growth shows the readings it compares.
    const growth = card('Follower growth');
    expect(growth.querySelector('.kpi-value')!.textContent).toBe('+250');
    const growthHow = growth.querySelector('details')!;
    expect(plain(growthHow.textContent)).toContain('Followers at the start1,000 (observed');
    expect(plain(growthHow.textContent)).toContain('Followers at the end1,250 (observed');

    // Reach: err.reach.pooled with the reach it divided by.
    expect(plain(section('Reach').textContent)).toContain('reach of counted posts: 7,000');
    // Interaction by content type, by the default definition: video p2 150 / 1100.
    const video = section('Interaction by content type').querySelector('tr[data-content-type="video"]')!;
    expect(plain(video.textContent)).toMatch(/^Video113\.64%/);
    // Best time: Wednesday 13:00 (p2), from the API's heatmap.
    const best = await within(section('Best time to post')).findByRole('list', { name: 'Best times' });
    expect(plain(best.querySelector('li')!.textContent)).toMatch(/^Wednesday 1:00 PM: 13\.64% · 1 post · 1 of 1 counted/);
    expect(plain(section('Best time to post').querySelector('td[data-cell="3-13"]')!.textContent)).toBe('13.6%');
    // Followers over time: the week's snapshots (Monday 00:00 to the next Monday 00:00 in Stockholm) as a table.
    await waitFor(() => expect(section('Audience growth').querySelectorAll('.analytics-chart-table tbody tr')).toHaveLength(3));
    const snapshots = [...section('Audience growth').querySelectorAll('.analytics-chart-table tbody tr')].map((r) => plain(r.textContent));
    expect(snapshots).toEqual(['Mar 25, 2026, 11:00 AM1,100', 'Mar 28, 2026, 11:30 PM1,200', 'Mar 29, 2026, 11:30 PM1,250']);
  });

  it('shows “—”, never 0, where the API has no value', async () => {
    open(`?account=${vkId}&from=2025-01-06&to=2025-01-12`);
    const engagement = await screen.findByRole('article', { name: 'Engagement' });
    expect(engagement.querySelector('.kpi-value')!.textContent).toBe('—');
    expect(within(engagement).getByText('no comparison')).toBeTruthy();
    expect(within(engagement).getByText('previous: —')).toBeTruthy();
    fireEvent.click(within(engagement).getByText('How is this calculated'));
    const how = plain(engagement.querySelector('details')!.textContent);
    expect(how).toContain('Numerator—');
    expect(how).toContain('Why there is no value');
    // Every definition in the table: "—", not a single 0.
    const rows = [...section('Every definition').querySelectorAll('tbody tr')];
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const cells = [...row.querySelectorAll('td')].map((c) => c.textContent);
      expect(cells[1], row.getAttribute('data-kpi') ?? '').toBe('—');
      expect(cells[2], row.getAttribute('data-kpi') ?? '').toBe('—');
    }
    // No inbox messages: no response rate (not 0%).
    const rate = await screen.findByRole('article', { name: 'Response rate' });
    expect(rate.querySelector('.kpi-value')!.textContent).toBe('—');
    expect(within(section('Interaction by content type')).getByText('No posts in this period.')).toBeTruthy();
    expect(await within(section('Best time to post')).findByText('No posts in this period.')).toBeTruthy();
  });

  it('shows the share of negative reactions: negative ÷ labelled messages of the period, with its inputs', async () => {
    const db = t.services.database.db;
    const account = await db.selectFrom('accounts').select(['id', 'network']).where('id', '=', vkId).executeTakeFirstOrThrow();
    let n = 0;
    const row = (at: string, label: 'negative' | 'neutral' | 'positive' | null) => {
      n += 1;
      return { id: `0190c7e2-1b2c-7d3e-8f40-${String(n).padStart(12, '0')}`, workspace_id: owner.workspaceId, account_id: account.id, network: account.network, external_id: `neg-${n}`, kind: 'comment' as const, parent_external_id: null, root_external_id: null, target_id: null, author_external_id: 'a', author_handle: 'a', author_name: null, author_followers: null, text: `message ${n}`, url: null, lang: 'en', network_created_at: at, received_at: at, edited_at: null, deleted_at: null, thread_key: `neg-${n}`, sentiment_label: label, sentiment_score: label === null ? null : 0, sentiment_lang: label === null ? null : 'en', search_text: null, sla_due_at: null, first_response_at: null, first_response_by: null, resolved_at: null, status_changed_at: null };
    };
    // Week of 2 Feb 2026: 1 negative of 4 labelled (plus one unlabelled); the week before: 1 of 2.
    await db.insertInto('inbox_messages').values([row('2026-02-03T10:00:00.000Z', 'negative'), row('2026-02-03T11:00:00.000Z', 'neutral'), row('2026-02-04T10:00:00.000Z', 'neutral'), row('2026-02-05T10:00:00.000Z', 'positive'), row('2026-02-05T12:00:00.000Z', null), row('2026-01-27T10:00:00.000Z', 'negative'), row('2026-01-28T10:00:00.000Z', 'positive')]).execute();
    open(`?account=${vkId}&from=2026-02-02&to=2026-02-08`);
    const negative = await screen.findByRole('article', { name: 'Negative reactions' });
    await waitFor(() => expect(plain(negative.querySelector('.kpi-value')!.textContent)).toBe('25%'));
    expect(plain(within(negative).getByText(/^previous:/).textContent)).toBe('previous: 50%');
    fireEvent.click(within(negative).getByText('How is this calculated'));
    const how = negative.querySelector('details.kpi-how')!;
    expect(how.textContent).toContain('Messages labelled negative ÷ messages with a sentiment label');
    const facts = (term: string, nth = 0) => plain([...how.querySelectorAll('dt')].filter((d) => d.textContent === term)[nth]?.nextElementSibling?.textContent);
    expect(facts('Labelled negative')).toBe('1');
    expect(facts('Messages with a sentiment label')).toBe('4');
    expect(facts('Without a label (not counted)')).toBe('1');
    expect(facts('Messages with a sentiment label', 1)).toBe('2');
  });

  it('formats numbers and dates per language (Russian and Swedish)', async () => {
    open(`?account=${vkId}&from=2026-03-23&to=2026-03-29`, 'ru');
    let engagement = await screen.findByRole('article', { name: 'Вовлечённость' });
    expect(plain(engagement.querySelector('.kpi-value')!.textContent)).toBe('8,68 %');
    expect(within(engagement).getByText('рост на 114,9 %')).toBeTruthy();
    expect(plain(screen.getByText(/^23 марта 2026 г\. – 29 марта 2026 г\./).textContent)).toContain('(Europe/Stockholm)');
    let how = engagement.querySelector('details')!;
    expect(plain(how.textContent)).toContain('Знаменатель4 400');
    expect(plain(how.textContent)).toContain('лайки + комментарии + репосты + голоса в опросе, если есть');
    // The definition card's own texts come translated from the API (src/analytics/kpi-definition-texts.ts).
    expect(plain(how.querySelector('dd')!.textContent)).toBe('ER (общий) livedune.er.pooled');
    expect(how.querySelector('q')!.getAttribute('lang')).toBe('ru');
    expect(how.querySelector('q')!.textContent).toMatch(/^ER = \(сумма реакций за период/);
    expect(plain(how.textContent)).toContain('отсутствующий счётчик никогда не считается нулём');
    expect(plain(section('Рост аудитории').textContent)).toContain('+250');
    cleanup();

    open(`?account=${vkId}&from=2026-03-23&to=2026-03-29`, 'sv');
    engagement = await screen.findByRole('article', { name: 'Engagemang' });
    expect(plain(engagement.querySelector('.kpi-value')!.textContent)).toBe('8,68 %');
    expect(within(engagement).getByText('upp 114,9 %')).toBeTruthy();
    expect(screen.getByText(/^23 mars 2026 – 29 mars 2026/)).toBeTruthy();
    how = engagement.querySelector('details')!;
    expect(plain(how.textContent)).toContain('Nämnare4 400');
    expect(plain(how.querySelector('dd')!.textContent)).toBe('ER (sammanslagen) livedune.er.pooled');
    expect(how.querySelector('q')!.getAttribute('lang')).toBe('sv');
    expect(plain(how.textContent)).toContain('ett saknat antal läses aldrig som 0');
    const best = await within(section('Bästa tid att publicera')).findByRole('list', { name: 'Bästa tider' });
    expect(plain(best.querySelector('li')!.textContent)).toMatch(/^onsdag 13:00: 13,64 % · 1 inlägg/);
  });

  it('moves between Dashboard and Competitors with the arrow keys and keeps the tab in the address', async () => {
    open(`?account=${vkId}&from=2026-03-23&to=2026-03-29`);
    await screen.findByRole('article', { name: 'Engagement' });
    const dashboardTab = screen.getByRole('tab', { name: 'Dashboard' });
    expect(dashboardTab.getAttribute('aria-selected')).toBe('true');
    dashboardTab.focus();
    fireEvent.keyDown(dashboardTab, { key: 'ArrowRight' });
    const competitorsTab = screen.getByRole('tab', { name: 'Competitors' });
    expect(competitorsTab.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(competitorsTab);
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('analytics-tab-competitors');
    expect(await screen.findByRole('table', { name: 'Side by side (March 23, 2026 – March 29, 2026)' })).toBeTruthy();
    await waitFor(() => expect(window.location.search).toBe(`?account=${vkId}&from=2026-03-23&to=2026-03-29&tab=competitors`));
    fireEvent.keyDown(competitorsTab, { key: 'Home' });
    expect(await screen.findByRole('article', { name: 'Engagement' })).toBeTruthy();
    await waitFor(() => expect(window.location.search).toBe(`?account=${vkId}&from=2026-03-23&to=2026-03-29`));
  });

  it('switches the engagement definition and lets an admin make it the workspace default', async () => {
    open(`?account=${vkId}&from=2026-03-23&to=2026-03-29`);
    const pick = (await screen.findByLabelText('Engagement definition')) as HTMLSelectElement;
    expect(pick.selectedOptions[0]!.textContent).toMatch(/\(workspace default\)/);
    fireEvent.change(pick, { target: { value: 'popsters.er-post' } });
    // Popsters ER post: 332 / 4450 × 100, from the same answer (no new request for the value).
    const engagement = screen.getByRole('article', { name: 'Engagement' });
    expect(plain(engagement.querySelector('.kpi-value')!.textContent)).toBe('7.46%');
    expect(plain(engagement.textContent)).toContain('332 / 4450 × 100');
    fireEvent.click(screen.getByRole('button', { name: 'Make it the workspace default' }));
    expect(await screen.findByText('Saved as the workspace default.')).toBeTruthy();
    const saved = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/analytics/definitions`, undefined, owner)).json()) as { defaultDefinitionId: string };
    expect(saved.defaultDefinitionId).toBe('popsters.er-post');
    // Content types follow the new default once the dashboard reloads.
    await waitFor(() => expect(plain(section('Interaction by content type').querySelector('caption')!.textContent)).toBe('By ERpost'));
  });
});
