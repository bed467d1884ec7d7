/**
 * Hand-computed fixtures (test/fixtures/analytics/README.md shows the arithmetic) loaded through the
 * import use case `herald import metrics` calls, then every KPI definition asserted to the printed
 * decimal, on SQLite and PostgreSQL. The workspace is in Europe/Stockholm and the period ends on the
 * day summer time starts (2026-03-29), so day bucketing across DST is part of every number.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { createTestServices, type TestServices } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';
import { importMetrics } from '../../src/use-cases/analytics-import.use-case';
import { getBestTimes, getKpis, setDefaultKpiDefinition, type KpisView } from '../../src/use-cases/analytics.use-case';
import { kpiDefinitions } from '../../src/analytics/kpi-definitions';
import { refreshRollups } from '../../src/analytics/rollups';
import type { UseCaseContext } from '../../src/server/services';

const fixture = readFileSync(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url), 'utf8');

/** Expected values for acme-vk over 2026-03-23 … 2026-03-29 (README.md, "Current period"). */
const vkWeek: Record<string, number | null> = {
  'livedune.er.pooled': 8.681818,
  'livedune.er.weighted': 8.568182,
  'livedune.er.dynamics': 5.636364,
  'popsters.er-post': 7.460674,
  'popsters.er-view': 2.675,
  'popsters.er-day': 4.18961,
  'popsters.love-rate': 4.684685,
  'popsters.talk-rate': 0.966292,
  'sprout.er-impressions': 3.381818,
  'sprout.er-impressions.profile': 3.653061,
  'napoleoncat.er-daily': 3.93658,
  'tgstat.err': 203.603604,
  'tgstat.err24': 38.095238,
  'err.reach.mean': 4.377778,
  'err.reach.pooled': 4.571429,
  'followers.growth.absolute': 250,
  'followers.growth.percent': 25,
  'followers.growth.weekly-compound': 25,
};

/** acme-vk over the previous period 2026-03-16 … 2026-03-22: only p0 (README.md, "Previous period"). */
const vkPreviousWeek: Record<string, number | null> = {
  'livedune.er.pooled': 4.040404,
  'livedune.er.weighted': 4.040404,
  'livedune.er.dynamics': 4.040404,
  'popsters.er-post': 4.040404,
  'popsters.er-view': 4,
  'popsters.er-day': 0.577201,
  'popsters.love-rate': 3.030303,
  'popsters.talk-rate': 0.505051,
  'sprout.er-impressions': 4,
  'sprout.er-impressions.profile': 4,
  'napoleoncat.er-daily': 1.010101,
  'tgstat.err': 101.010101,
  'tgstat.err24': null,
  'err.reach.mean': 4.444444,
  'err.reach.pooled': 4.444444,
  'followers.growth.absolute': 10,
  'followers.growth.percent': 1.010101,
  'followers.growth.weekly-compound': 1.010101,
};

function values(view: KpisView): Record<string, number | null> {
  return Object.fromEntries(view.kpis.map((k) => [k.definition.id, k.value]));
}

function kpi(view: KpisView, id: string) {
  const k = view.kpis.find((x) => x.definition.id === id);
  if (!k) throw new Error(`no KPI ${id}`);
  return k;
}

describe.each(dialects())('KPI fixtures through the import (%s)', (dialect) => {
  let services: TestServices;
  let ctx: UseCaseContext;
  let vk: string;
  let tg: string;
  beforeAll(async () => {
    services = await createTestServices(dialect, { initQueue: false });
    const db = services.database.db;
    const owner = await createUser({ db, services }, { email: 'analyst@example.com', name: 'Analyst', password: 'long enough pw', owner: true, timezone: 'Europe/Stockholm' });
    ctx = { actor: { kind: 'user', userId: owner.user.id, via: 'session' }, workspaceId: owner.workspace!.id, db, services };
    await importMetrics(ctx, fixture);
    const accounts = await db.selectFrom('accounts').select(['id', 'handle']).where('workspace_id', '=', ctx.workspaceId).execute();
    vk = accounts.find((a) => a.handle === 'acme')!.id;
    tg = accounts.find((a) => a.handle === 'acmechannel')!.id;
  });
  afterAll(async () => {
    await services?.close();
  });

  it('every definition has a hand-computed value for the current and the previous week', async () => {
    const view = await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-29' });
    expect(Object.keys(vkWeek).sort()).toEqual(kpiDefinitions.map((d) => d.id).sort());
    expect(values(view)).toEqual(vkWeek);
    expect(view.previousPeriod).toEqual({ from: '2026-03-16', to: '2026-03-22', days: 7 });
    expect(Object.fromEntries(view.kpis.map((k) => [k.definition.id, k.previous.value]))).toEqual(vkPreviousWeek);
    expect(view.timeZone).toBe('Europe/Stockholm');
    expect(kpi(view, 'livedune.er.pooled').change).toEqual({ absolute: 4.641414, percent: 114.875 });
  });

  it('returns the inputs each value was computed from', async () => {
    const view = await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-29' });
    const pooled = kpi(view, 'livedune.er.pooled');
    expect(pooled.inputs).toMatchObject({ numerator: 382, denominator: 4400, postsInPeriod: 5, postsCounted: 4, postsMissingCounts: 1, postsMissingDenominator: 0, formula: '382 / 4400 × 100', emptyReason: null });
    expect(pooled.definition.vendor).toBe('LiveDune');
    // p3's reach is missing: ERR by reach leaves it out instead of dividing by 0 or counting 0.
    expect(kpi(view, 'err.reach.mean').inputs).toMatchObject({ postsCounted: 3, postsMissingCounts: 1, postsMissingDenominator: 1, valuesCounted: 3, numerator: 320, denominator: 7000 });
    // p4 has no comment count: left out of Talk Rate, but its likes count for Love Rate.
    expect(kpi(view, 'popsters.talk-rate').inputs).toMatchObject({ numerator: 43, denominator: 4450, postsCounted: 4, postsMissingCounts: 1 });
    expect(kpi(view, 'popsters.love-rate').inputs).toMatchObject({ numerator: 260, denominator: 5550, postsCounted: 5, postsMissingCounts: 0 });
    // p4's views come from its first observation: a later observation without views does not erase them.
    expect(kpi(view, 'tgstat.err').inputs).toMatchObject({ numerator: 11300, denominator: 5550, postsCounted: 5 });
    // Only p1 and p4 were observed within 24 h of publishing.
    expect(kpi(view, 'tgstat.err24').inputs).toMatchObject({ numerator: 800, denominator: 2100, postsCounted: 2, postsMissingCounts: 3 });
    expect(kpi(view, 'tgstat.err24').previous).toMatchObject({ value: null, inputs: { postsInPeriod: 1, postsMissingCounts: 1, emptyReason: 'no post has every count this definition needs' } });
    expect(kpi(view, 'tgstat.err24').change).toEqual({ absolute: null, percent: null });
    expect(kpi(view, 'popsters.er-day').inputs).toMatchObject({ days: 7, valuesCounted: 7, daysMissingFollowers: 0, numerator: 332, postsCounted: 4, postsMissingCounts: 1, sumOfValues: 29.327273 });
    // Engagement that happened in the week, on any post (Sprout's profile view, NapoleonCat's daily ER).
    expect(kpi(view, 'sprout.er-impressions.profile').inputs).toMatchObject({
      numerator: 358, denominator: 9800, days: 7, valuesCounted: 7, daysMissingCounts: 0,
      formula: '(21/500 + 162/6000 + 6/300 + 19/0 + 150/3000) → 358 / 9800 × 100',
    });
    expect(kpi(view, 'napoleoncat.er-daily').inputs).toMatchObject({ numerator: 318, sumOfValues: 27.556061, valuesCounted: 7, daysMissingCounts: 0, daysMissingFollowers: 0 });
    // 16, 17 and 19 March: nothing observed yet (p0's first observation came on the 20th) → left out, not 0.
    expect(kpi(view, 'napoleoncat.er-daily').previous.inputs).toMatchObject({ valuesCounted: 4, daysMissingCounts: 3, numerator: 40 });
    expect(kpi(view, 'livedune.er.dynamics').inputs).toMatchObject({ valuesCounted: 5, postsCounted: 5, postsMissingCounts: 1 });
    const growth = kpi(view, 'followers.growth.absolute').inputs;
    expect(growth.startFollowers).toEqual({ followers: 1000, observedAt: '2026-03-22T21:00:00.000Z' });
    // 22:30 UTC on 29 March is 00:30 on the 30th in Stockholm (summer time): not the 29th's count.
    expect(growth.endFollowers).toEqual({ followers: 1250, observedAt: '2026-03-29T21:30:00.000Z' });
  });

  it('buckets days in the workspace zone across the DST change', async () => {
    // p1 (23:30 UTC on the 22nd) is Monday 00:30 in Stockholm; p6 (22:15 UTC on the 29th) is Monday 30th.
    const monday = await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-23' });
    expect(kpi(monday, 'livedune.er.pooled')).toMatchObject({ value: 5, inputs: { numerator: 50, denominator: 1000, postsInPeriod: 1 } });
    const nextMonday = await getKpis(ctx, { accountId: vk, from: '2026-03-30', to: '2026-03-30' });
    expect(kpi(nextMonday, 'livedune.er.pooled').inputs).toMatchObject({ postsInPeriod: 1, numerator: 1200, denominator: 1250 });
    const best = await getBestTimes(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-29' });
    expect(best.timeZone).toBe('Europe/Stockholm');
    expect(best.cells).toEqual([
      { weekday: 1, hour: 0, posts: 1, postsCounted: 1, value: 5 },
      { weekday: 3, hour: 13, posts: 1, postsCounted: 1, value: 13.636364 },
      { weekday: 3, hour: 17, posts: 1, postsCounted: 1, value: 5.636364 },
      { weekday: 5, hour: 9, posts: 1, postsCounted: 0, value: null },
      // 09:00 UTC on the first summer-time Sunday is 11:00 in Stockholm.
      { weekday: 7, hour: 11, posts: 1, postsCounted: 1, value: 10 },
    ]);
    expect(best.best.map((c) => `${c.weekday}@${c.hour}`)).toEqual(['3@13', '7@11', '3@17']);
  });

  it('weekly compound growth over two weeks differs from plain growth', async () => {
    const view = await getKpis(ctx, { accountId: vk, from: '2026-03-16', to: '2026-03-29' });
    expect(kpi(view, 'followers.growth.weekly-compound')).toMatchObject({ value: 12.366644, inputs: { days: 14, formula: '((1250 / 990)^(7 / 14) − 1) × 100' } });
    expect(kpi(view, 'followers.growth.percent').value).toBe(26.262626);
  });

  it('uses each network\'s reaction set and leaves a value empty, never 0, when no post qualifies', async () => {
    const view = await getKpis(ctx, { accountId: tg, from: '2026-03-23', to: '2026-03-29' });
    // Telegram: reactions + forwards required, comments optional (t1 counts without comments, t2 lacks forwards).
    expect(kpi(view, 'livedune.er.pooled')).toMatchObject({ value: 8, inputs: { numerator: 40, denominator: 500, postsCounted: 1, postsMissingCounts: 1 } });
    expect(kpi(view, 'tgstat.err')).toMatchObject({ value: 160, inputs: { numerator: 1600, denominator: 1000 } });
    // Telegram never gave comments here: activity definitions that require them stay empty.
    expect(kpi(view, 'napoleoncat.er-daily')).toMatchObject({ value: null, inputs: { daysMissingCounts: 7 } });
    const erPost = kpi(view, 'popsters.er-post');
    expect(erPost.value).toBeNull();
    expect(erPost.inputs.emptyReason).toBe('no post has every count this definition needs');
    expect(kpi(view, 'followers.growth.absolute').value).toBe(0);
    // Nothing before the account's first snapshot: growth is unknown, not 0.
    const early = await getKpis(ctx, { accountId: tg, from: '2026-03-10', to: '2026-03-19' });
    expect(kpi(early, 'followers.growth.absolute')).toMatchObject({ value: null, inputs: { emptyReason: 'no follower count before 2026-03-10' } });
    expect(kpi(early, 'livedune.er.pooled')).toMatchObject({ value: null, inputs: { emptyReason: 'no posts in the period', postsInPeriod: 0 } });
  });

  it('interaction by content type uses the workspace default definition', async () => {
    let view = await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-29' });
    expect(view.defaultDefinitionId).toBe('livedune.er.pooled');
    expect(view.byContentType.map((c) => [c.contentType, c.posts, c.value])).toEqual([
      ['carousel', 1, 10],
      ['photo', 1, 5],
      ['poll', 1, 5.636364],
      ['text', 1, null],
      ['video', 1, 13.636364],
    ]);
    await setDefaultKpiDefinition(ctx, 'popsters.er-view');
    view = await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-29' });
    expect(view.defaultDefinitionId).toBe('popsters.er-view');
    expect(view.byContentType.find((c) => c.contentType === 'video')?.value).toBe(3);
    await expect(setDefaultKpiDefinition(ctx, 'followers.growth.absolute')).rejects.toThrow(/cannot be the default/);
    await setDefaultKpiDefinition(ctx, 'livedune.er.pooled');
  });

  it('after the workspace moves to another time zone the rollups are rebuilt in it before any KPI is read', async () => {
    const { updateWorkspace } = await import('../../src/use-cases/workspaces.use-case');
    await updateWorkspace(ctx, { timezone: 'UTC' });
    try {
      // In UTC p1 (23:30 on the 22nd) is no longer on Monday the 23rd, and the day ends at 24:00 UTC.
      const monday = await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-23' });
      expect(monday.timeZone).toBe('UTC');
      expect(kpi(monday, 'livedune.er.pooled').inputs).toMatchObject({ postsInPeriod: 0, timeZone: 'UTC' });
      // In UTC the 1300 snapshot (22:30 on the 29th) is the 29th's end-of-day count.
      const week = await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-29' });
      expect(kpi(week, 'followers.growth.absolute').inputs.endFollowers).toEqual({ followers: 1300, observedAt: '2026-03-29T22:30:00.000Z' });
      const zones = await services.database.db.selectFrom('analytics_account_daily').select('timezone').where('account_id', '=', vk).groupBy('timezone').execute();
      expect(zones).toEqual([{ timezone: 'UTC' }]);
    } finally {
      await updateWorkspace(ctx, { timezone: 'Europe/Stockholm' });
      await getKpis(ctx, { accountId: vk, from: '2026-03-23', to: '2026-03-29' });
    }
  });

  it('rollups hold per-day followers and sums; refreshRollups rebuilds them identically', async () => {
    const db = services.database.db;
    const read = () => db.selectFrom('analytics_account_daily').select(['day', 'followers', 'posts', 'likes_sum', 'likes_posts', 'comments_sum', 'comments_posts']).where('account_id', '=', vk).orderBy('day').execute();
    const before = await read();
    expect(before.find((d) => d.day === '2026-03-25')).toEqual({ day: '2026-03-25', followers: 1100, posts: 2, likes_sum: 110, likes_posts: 2, comments_sum: 22, comments_posts: 2 });
    expect(before.find((d) => d.day === '2026-03-27')).toEqual({ day: '2026-03-27', followers: 1100, posts: 1, likes_sum: 20, likes_posts: 1, comments_sum: null, comments_posts: 0 });
    expect(before.find((d) => d.day === '2026-03-29')?.followers).toBe(1250);
    expect(before.find((d) => d.day === '2026-03-30')?.followers).toBe(1300);
    const types = await db.selectFrom('analytics_content_type_daily').select(['day', 'content_type', 'posts']).where('account_id', '=', vk).where('day', '=', '2026-03-25').orderBy('content_type').execute();
    expect(types).toEqual([
      { day: '2026-03-25', content_type: 'poll', posts: 1 },
      { day: '2026-03-25', content_type: 'video', posts: 1 },
    ]);
    const r = await refreshRollups(db, { accountId: vk, from: '2026-03-25', to: '2026-03-27' });
    expect(r).toMatchObject({ fromDay: '2026-03-25', toDay: '2026-03-27', posts: 3, days: 3, timezone: 'Europe/Stockholm' });
    expect(await read()).toEqual(before);
  });
});
