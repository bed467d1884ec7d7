// @vitest-environment jsdom
/**
 * The composer's best-time hint against a real in-process Herald (SQLite) holding the hand-computed
 * Stockholm fixture (test/fixtures/analytics/README.md). The hint looks at a year of history, so
 * acme's best slot is Monday 00:00 (p6, published 2026-03-29T22:15Z = Monday 00:15 CEST, just after
 * the fixture's week; within the week alone it is Wednesday 13:00, as the analytics screen test
 * shows) and "Use" fills the next Monday 00:00 in Stockholm, across the DST change; exactly at the
 * slot means next week.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, configure, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { importMetrics } from '../../../src/use-cases/analytics-import.use-case';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Account } from '../api/types';
import { createI18n, type Locale } from '../i18n/index';
import { BestTimeSuggestion, nextOccurrence, type ScheduleSlot } from './best-time-suggestion';

configure({ asyncUtilTimeout: 8000 });

const fixture = readFileSync(join(process.cwd(), 'test/fixtures/analytics/stockholm-week.json'), 'utf8');
const plain = (s: string | null | undefined) => (s ?? '').replace(/\s/g, ' ');

describe('Best time suggestion (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let accounts: Account[];
  const requests: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false });
    owner = await t.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.services;
    const ctx = { actor: { kind: 'user' as const, userId: owner.userId, via: 'session' as const }, workspaceId: owner.workspaceId, db: services.database.db, services };
    await importMetrics(ctx, fixture);
    // An account with no posts at all: the API answers an empty heatmap.
    await importMetrics(ctx, JSON.stringify({ version: 1, accounts: [{ ref: 'quiet', network: 'telegram', handle: 'quietchannel', externalId: '-100999' }], posts: [], followerSnapshots: [], observations: [] }));
    accounts = ((await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/accounts`, undefined, owner)).json()) as { items: Account[] }).items;
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

  const account = (handle: string) => accounts.find((a) => a.handle === handle)!;
  const open = (a: Account, nowIso: string, used: ScheduleSlot[], lng: Locale = 'en') =>
    render(
      <I18nextProvider i18n={createI18n(lng)}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <BestTimeSuggestion workspaceId={owner.workspaceId} account={a} onUse={(s) => used.push(s)} now={() => Date.parse(nowIso)} />
        </ApiProvider>
      </I18nextProvider>,
    );

  it('shows the account\'s best slot of the last year and fills the next Monday 00:00 in Stockholm, across the DST change', async () => {
    const used: ScheduleSlot[] = [];
    // Thursday 26 March 2026, 11:00 in Stockholm (CET); the clocks go forward on Sunday 29 March.
    open(account('acme'), '2026-03-26T10:00:00Z', used);
    const note = await screen.findByRole('note', { name: 'Best time to post' });
    expect(plain(note.textContent)).toContain('Best time for acme (from its own posts): Monday 12:00 AM');
    const q = new URL(requests.find((r) => r.includes('/analytics/best-times'))!, 'http://x').searchParams;
    expect(Object.fromEntries(q)).toEqual({ accountId: account('acme').id, from: '2025-03-26' });
    // The hint is the API's own top cell for the same query.
    const direct = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/analytics/best-times?accountId=${account('acme').id}&from=2025-03-26`, undefined, owner)).json()) as { best: { weekday: number; hour: number }[] };
    expect(direct.best[0]).toMatchObject({ weekday: 1, hour: 0 });
    fireEvent.click(screen.getByRole('button', { name: 'Schedule for the next Monday 12:00 AM' }));
    expect(used).toEqual([{ date: '2026-03-30', time: '00:00', timezone: 'Europe/Stockholm' }]);
  });

  it('in Swedish, and exactly at the slot it fills next week', async () => {
    const used: ScheduleSlot[] = [];
    // Monday 30 March 2026, 00:00 in Stockholm (CEST = UTC+2).
    open(account('acme'), '2026-03-29T22:00:00Z', used, 'sv');
    const note = await screen.findByRole('note', { name: 'Bästa tid att publicera' });
    expect(plain(note.textContent)).toContain('Bästa tid för acme (utifrån kontots egna inlägg): måndag 0:00');
    fireEvent.click(screen.getByRole('button', { name: 'Schemalägg till nästa måndag 0:00' }));
    expect(used).toEqual([{ date: '2026-04-06', time: '00:00', timezone: 'Europe/Stockholm' }]);
  });

  it('nextOccurrence works on the wall clock: at or after the hour means next week, the hour is kept over DST', () => {
    // Wednesday 25 March 2026 13:00 CET exactly: next week, which is CEST.
    expect(nextOccurrence(3, 13, 'Europe/Stockholm', Date.parse('2026-03-25T12:00:00Z'))).toEqual({ date: '2026-04-01', time: '13:00', timezone: 'Europe/Stockholm' });
    // Saturday 23:30 in Stockholm: Sunday 09:00 is the next morning (the day of the autumn change).
    expect(nextOccurrence(7, 9, 'Europe/Stockholm', Date.parse('2026-10-24T22:30:00Z'))).toEqual({ date: '2026-10-25', time: '09:00', timezone: 'Europe/Stockholm' });
    // 09:59Z on Sunday 22 March is 23:59 that Sunday in UTC+14: the zone's day counts, not UTC's.
    expect(nextOccurrence(1, 0, 'Pacific/Kiritimati', Date.parse('2026-03-22T09:59:00Z'))).toEqual({ date: '2026-03-23', time: '00:00', timezone: 'Pacific/Kiritimati' });
  });

  it('shows nothing for an account without history (no error)', async () => {
    const used: ScheduleSlot[] = [];
    const quiet = account('quietchannel');
    const direct = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/analytics/best-times?accountId=${quiet.id}&from=2025-03-26`, undefined, owner)).json()) as { best: unknown[] };
    expect(direct.best).toEqual([]);
    const { container } = open(quiet, '2026-03-26T10:00:00Z', used);
    await waitFor(() => expect(requests.some((r) => r.includes(`accountId=${quiet.id}`))).toBe(true));
    await new Promise((r) => setTimeout(r, 300));
    expect(container.textContent).toBe('');
    expect(screen.queryByRole('alert')).toBeNull();
    // The telegram channel does have history: its own slot, Tuesday 10:00, not acme's.
    cleanup();
    open(account('acmechannel'), '2026-03-26T10:00:00Z', used);
    expect(plain((await screen.findByRole('note', { name: 'Best time to post' })).textContent)).toContain('Best time for acmechannel (from its own posts): Tuesday 10:00 AM');
  });
});
