// @vitest-environment jsdom
/**
 * The analytics screen's Competitors tab against a real in-process Herald: a competitor added through
 * the form is looked up by the network's public-data capability (an in-process connector), collected
 * by the real collection job while Herald's clock moves, and compared side by side with the imported
 * own accounts for the dashboard's period and definition (query mapping, ER with its inputs, "—" where
 * there is nothing); its analysis shows network text as text and no unsafe link; removal asks first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import type { Connector, PublicPost } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { collectCompetitors } from '../../../src/competitors/competitor-collection';
import { importMetrics } from '../../../src/use-cases/analytics-import.use-case';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { blueskyValidatingTestConnector } from '../test-support/bluesky-test-connector';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { AnalyticsScreen } from '../screens/analytics';
import { benchmarkInputs } from './analytics-competitors';

configure({ asyncUtilTimeout: 8000 });

const fixture = readFileSync(join(process.cwd(), 'test/fixtures/analytics/stockholm-week.json'), 'utf8');
const plain = (s: string | null | undefined) => (s ?? '').replace(/\s/g, ' ');

let clock = Date.parse('2026-03-22T12:00:00Z');
let followers = 2000;
const lookups: string[] = [];
const rivalPosts: PublicPost[] = [
  { externalId: 'r2', url: 'javascript:alert(1)', createdAt: '2026-03-26T10:00:00Z', text: '<script>alert(2)</script> Big #sale', contentType: 'photo', hashtags: ['sale'], likes: 100, shares: 10, comments: 10, quotes: null, views: null },
  { externalId: 'r1', url: 'https://vk.com/wall-2002_1', createdAt: '2026-03-24T10:00:00Z', text: 'Hello #sale #spring', contentType: 'text', hashtags: ['sale', 'spring'], likes: 50, shares: 5, comments: 5, quotes: null, views: null },
];

/** A 'vk' connector whose public data answers in process (no network in a jsdom test). */
const vkWithPublicData = {
  ...blueskyValidatingTestConnector,
  id: 'vk',
  displayName: 'VK',
  publicData: {
    async lookup({ query }: { query: string }) {
      lookups.push(query);
      if (query !== 'rival' && query !== 'rival-1') throw new Error(`unexpected lookup ${query}`);
      return { externalId: 'rival-1', handle: 'rival', displayName: 'Rival <b>Co</b>', followers, serviceUrl: null, url: 'https://vk.com/rival' };
    },
    async posts() {
      return rivalPosts.filter((p) => Date.parse(p.createdAt) <= clock);
    },
  },
} as unknown as Connector<never, never>;

describe('Analytics: competitors tab (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  const requests: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([vkWithPublicData]), now: () => new Date(clock) } });
    owner = await t.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.services;
    await importMetrics({ actor: { kind: 'user', userId: owner.userId, via: 'session' }, workspaceId: owner.workspaceId, db: services.database.db, services }, fixture);
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

  const open = () => {
    window.history.replaceState(null, '', `/w/${owner.workspaceId}/analytics?from=2026-03-23&to=2026-03-29&tab=competitors`);
    return render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <AnalyticsScreen workspace={workspace} />
        </ApiProvider>
      </I18nextProvider>,
    );
  };
  const comparisonQueries = () =>
    requests
      .map((r) => new URL(r, 'http://x'))
      .filter((u) => u.pathname.endsWith('/competitors-comparison'))
      .map((u) => Object.fromEntries(u.searchParams));

  it('adds a competitor through the form, then compares it with the own accounts for the period and definition', async () => {
    open();
    const form = await screen.findByRole('form', { name: 'Add a competitor' });
    // No competitor yet: the own accounts alone, for the dashboard's period and the workspace default.
    await waitFor(() => expect(comparisonQueries()).toContainEqual({ from: '2026-03-23', to: '2026-03-29', definitionId: 'livedune.er.pooled' }));
    expect(screen.getByText(/No competitors yet/)).toBeTruthy();
    fireEvent.change(within(form).getByLabelText('Network'), { target: { value: 'vk' } });
    fireEvent.change(within(form).getByLabelText('Handle or profile link'), { target: { value: 'rival' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add a competitor' }));
    expect(await within(form).findByText('rival added; its public posts are collected from now on.')).toBeTruthy();
    expect(lookups).toEqual(['rival']);
    const list = await screen.findByRole('list', { name: 'Watched accounts' });
    // The display name from the network is text, not markup.
    expect(within(list).getByText(/Rival <b>Co<\/b> \(rival\)/)).toBeTruthy();
    expect(within(list).getByText('not collected yet')).toBeTruthy();

    // Collection: a follower snapshot before the period, then one on its last day with the posts.
    expect(await collectCompetitors(t.services, owner.workspaceId)).toMatchObject({ snapshots: 1 });
    clock = Date.parse('2026-03-29T12:00:00Z');
    followers = 2100;
    expect(await collectCompetitors(t.services, owner.workspaceId)).toMatchObject({ snapshots: 1, postsAdded: 2 });
  });

  it('shows the comparison with ER inputs, "—" where a row has nothing, and the analysis as inert text', async () => {
    open();
    const table = await screen.findByRole('table', { name: /^Side by side/ });
    const rival = await waitFor(() => {
      const row = table.querySelector('tr[data-row="competitor:rival"]');
      expect(row).not.toBeNull();
      return row!;
    });
    const cells = [...rival.querySelectorAll('td')].map((c) => plain(c.firstChild?.textContent ?? c.textContent));
    // Followers at the end 2,100; +100 is +5%; two posts in the period; 2 per 7 days = 2 per week.
    expect(cells[0]).toBe('2,100');
    expect(plain(rival.querySelectorAll('td')[1]!.textContent)).toContain('▲ 5%');
    expect(cells[2]).toBe('2');
    expect(cells[3]).toBe('2');
    // LiveDune pooled over the rival's posts: (60 + 120) / (2000 + 2000) × 100.
    const er = rival.querySelectorAll('td')[4]!;
    expect(plain(er.firstChild!.textContent)).toBe('4.5%');
    expect(plain(er.textContent)).toContain('180 / 4000 × 100');
    expect(plain(er.textContent)).toContain('likes + comments + shares + poll votes when present');
    // The own accounts, from the same engine as the dashboard (Telegram: t1 40 / 500; t2 has no forwards).
    const erOf = (row: string) => plain(table.querySelector(`tr[data-row="${row}"]`)!.querySelectorAll('td')[4]!.firstChild!.textContent);
    expect(erOf('own:acme')).toBe('8.68%');
    expect(erOf('own:acmechannel')).toBe('8%');

    // Another definition: a new request for it. ERR by reach: neither the rival nor the channel reports reach — "—", not 0.
    requests.length = 0;
    fireEvent.change(screen.getByLabelText('Engagement rate by'), { target: { value: 'err.reach.pooled' } });
    await waitFor(() => expect(comparisonQueries()).toEqual([{ from: '2026-03-23', to: '2026-03-29', definitionId: 'err.reach.pooled' }]));
    await waitFor(() => expect(erOf('own:acme')).toBe('4.57%'));
    expect(erOf('own:acmechannel')).toBe('—');
    expect(erOf('competitor:rival')).toBe('—');

    // The analysis: top posts as text, no javascript: link, no suspicion among two posts.
    fireEvent.click(screen.getByRole('button', { name: 'Details of rival' }));
    const analysis = await screen.findByRole('region', { name: 'Analysis of rival' });
    const top = await within(analysis).findByRole('list', { name: 'Top posts' });
    expect(plain(top.querySelector('li')!.textContent)).toMatch(/^<script>alert\(2\)<\/script> Big #salePhoto · engagement 120/);
    expect(analysis.querySelector('script')).toBeNull();
    expect(document.body.innerHTML).not.toMatch(/href="javascript:/i);
    expect(within(top).getAllByRole('link')).toHaveLength(1);
    expect(within(analysis).getByText('No post stands out.')).toBeTruthy();
    expect(plain(within(analysis).getByRole('table', { name: 'Hashtags' }).querySelector('tbody tr')!.textContent)).toBe('#sale2180');
  });

  it('asks before removing a competitor', async () => {
    open();
    const list = await screen.findByRole('list', { name: 'Watched accounts' });
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    fireEvent.click(within(list).getByRole('button', { name: 'Remove rival' }));
    expect(confirm).toHaveBeenCalledWith('Remove rival and everything collected about it?');
    expect(requests.some((r) => r.includes('/competitors/') && !r.includes('analysis'))).toBe(false);
    fireEvent.click(within(list).getByRole('button', { name: 'Remove rival' }));
    expect(await screen.findByText(/No competitors yet/)).toBeTruthy();
    const left = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/competitors`, undefined, owner)).json()) as { items: unknown[] };
    expect(left.items).toEqual([]);
    confirm.mockRestore();
  });

  it('reads ER inputs only when they have the engine’s shape', () => {
    expect(benchmarkInputs({ formula: '1 / 2 × 100', from: '2026-03-23', to: '2026-03-29', numerator: 1, denominator: 2, postsInPeriod: 1, postsCounted: 1 })).toMatchObject({ numerator: 1, denominator: 2, emptyReason: null });
    expect(benchmarkInputs({ formula: 3 })).toBeNull();
    expect(benchmarkInputs({ formula: 'x', from: 'a', to: 'b', numerator: 'many', postsInPeriod: 1, postsCounted: 1 })).toBeNull();
  });
});
