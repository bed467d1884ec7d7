/**
 * The pure parts: local days across DST (including a zone whose midnight falls in the gap), the
 * engine's aggregations on small hand-made inputs (median of an even count, zero and missing
 * denominators, optional counts, a definition bucketing in its own zone), and content type inference.
 */
import { describe, expect, it } from 'vitest';
import { addDays, dayRange, dayStartMs, daysInclusive, isCalendarDay, localParts } from '../../src/analytics/local-time';
import { evaluateKpi, type KpiEngineInput, type KpiPost } from '../../src/analytics/kpi-engine';
import { findKpiDefinition, kpiDefinitions, type RatioKpiDefinition } from '../../src/analytics/kpi-definitions';
import { emptyCounts, type PostCounts } from '../../src/analytics/analytics-metrics';
import { inferContentType } from '../../src/analytics/rollups';
import { hashtagsIn } from '../../src/analytics/import-format';

describe('local days', () => {
  it('Stockholm: the spring-forward day has 23 hours and the fall-back day 25', () => {
    expect(dayRange('2026-03-29', 'Europe/Stockholm')).toEqual({ start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' });
    expect(dayRange('2026-10-25', 'Europe/Stockholm')).toEqual({ start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z' });
    expect(localParts(Date.parse('2026-03-29T22:15:00Z'), 'Europe/Stockholm')).toEqual({ day: '2026-03-30', weekday: 1, hour: 0 });
    expect(localParts(Date.parse('2026-03-29T00:59:59Z'), 'Europe/Stockholm')).toEqual({ day: '2026-03-29', weekday: 7, hour: 1 });
    expect(localParts(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Stockholm')).toEqual({ day: '2026-03-29', weekday: 7, hour: 3 });
  });

  it('a zone whose midnight is skipped starts the day at 01:00', () => {
    // America/Santiago moved clocks from 24:00 to 01:00 on 2026-09-06.
    const start = dayStartMs('2026-09-06', 'America/Santiago');
    expect(new Date(start).toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(localParts(start, 'America/Santiago')).toMatchObject({ day: '2026-09-06', hour: 1 });
    expect(localParts(start - 1000, 'America/Santiago').day).toBe('2026-09-05');
  });

  it('calendar arithmetic', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysInclusive('2026-03-23', '2026-03-29')).toBe(7);
    expect(daysInclusive('2026-03-29', '2026-03-23')).toBe(0);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-3-1')).toBe(false);
  });
});

function post(id: string, publishedAt: string, counts: Partial<PostCounts>, followersAtPublish: number | null = 1000, network = 'bluesky'): KpiPost {
  return { targetId: id, network, contentType: 'text', publishedAt, followersAtPublish, counts: { ...emptyCounts(), ...counts } };
}

function input(posts: KpiPost[], extra: Partial<KpiEngineInput> = {}): KpiEngineInput {
  return {
    workspaceTimeZone: 'UTC',
    fromDay: '2026-05-01',
    toDay: '2026-05-04',
    posts,
    recentPosts: [...posts].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1)),
    followersAt: () => ({ followers: 1000, observedAt: '2026-04-30T00:00:00.000Z' }),
    network: 'bluesky',
    activityOn: () => null,
    ...extra,
  };
}

const def = (id: string) => findKpiDefinition(id)!;

describe('KPI engine', () => {
  it('ids are unique and every ratio definition names a vendor and its missing-value rule', () => {
    expect(new Set(kpiDefinitions.map((d) => d.id)).size).toBe(kpiDefinitions.length);
    for (const d of kpiDefinitions) {
      expect(d.vendor).not.toBe('');
      expect(d.missingRule.length).toBeGreaterThan(20);
    }
  });

  it('median of an even number of posts is the mean of the middle two', () => {
    const posts = [
      post('a', '2026-05-01T10:00:00Z', { likes: 10, comments: 0, shares: 0 }),
      post('b', '2026-05-02T10:00:00Z', { likes: 20, comments: 0, shares: 0 }),
      post('c', '2026-05-03T10:00:00Z', { likes: 40, comments: 0, shares: 0 }),
      post('d', '2026-05-04T10:00:00Z', { likes: 80, comments: 0, shares: 0 }),
    ];
    // Values 1, 2, 4, 8 (%) → (2 + 4) / 2.
    expect(evaluateKpi(def('livedune.er.dynamics'), input(posts)).value).toBe(3);
    const last2: RatioKpiDefinition = { ...(def('livedune.er.dynamics') as RatioKpiDefinition), lastN: 2 };
    // The last two posts are d and c: (4 + 8) / 2.
    expect(evaluateKpi(last2, input(posts))).toMatchObject({ value: 6, inputs: { valuesCounted: 2 } });
  });

  it('a zero or missing denominator leaves the post out; optional counts add only when present', () => {
    const posts = [
      post('a', '2026-05-01T10:00:00Z', { likes: 10, comments: 1, shares: 1, views: 0 }),
      post('b', '2026-05-01T11:00:00Z', { likes: 10, comments: 1, shares: 1 }),
      post('c', '2026-05-01T12:00:00Z', { likes: 10, comments: 2, shares: 3, views: 100, clicks: 5 }),
    ];
    const r = evaluateKpi(def('sprout.er-impressions'), input(posts));
    expect(r).toMatchObject({ value: 20, inputs: { numerator: 20, denominator: 100, postsCounted: 1, postsMissingDenominator: 2, postsMissingCounts: 0 } });
  });

  it('per-day aggregation skips days without a follower count and counts days without posts as 0', () => {
    const posts = [post('a', '2026-05-02T10:00:00Z', { likes: 30, comments: 10, shares: 10 }), post('b', '2026-05-04T10:00:00Z', { likes: 5, comments: 5, shares: 0 })];
    const followersAt = (day: string) => (day < '2026-05-02' ? null : { followers: 500, observedAt: '2026-05-02T00:00:00.000Z' });
    // 1 May unknown; 2 May 50/500 = 10 %; 3 May 0; 4 May 10/500 = 2 % → 12 / 3 days.
    expect(evaluateKpi(def('popsters.er-day'), input(posts, { followersAt }))).toMatchObject({ value: 4, inputs: { days: 4, valuesCounted: 3, daysMissingFollowers: 1, numerator: 60 } });
  });

  it('a definition in its own zone cuts the period in that zone', () => {
    // 23:30 UTC on 4 May is 5 May in Tokyo: inside a UTC period ending on the 4th, outside a Tokyo one;
    // 20:00 UTC on 30 April is outside in UTC, 1 May in Tokyo.
    const posts = [post('late', '2026-05-04T23:30:00Z', { likes: 10, comments: 0, shares: 0 }), post('early', '2026-04-30T20:00:00Z', { likes: 20, comments: 0, shares: 0 })];
    const utc = evaluateKpi(def('livedune.er.pooled'), input(posts));
    expect(utc).toMatchObject({ value: 1, inputs: { postsInPeriod: 1, numerator: 10 } });
    const tokyo: RatioKpiDefinition = { ...(def('livedune.er.pooled') as RatioKpiDefinition), timeZone: 'Asia/Tokyo' };
    expect(evaluateKpi(tokyo, input(posts))).toMatchObject({ value: 2, inputs: { timeZone: 'Asia/Tokyo', postsInPeriod: 1, numerator: 20 } });
  });

  it('growth is empty without a start count and 0 only when the count did not move', () => {
    const none = evaluateKpi(def('followers.growth.percent'), input([], { followersAt: () => null }));
    expect(none).toMatchObject({ value: null, inputs: { emptyReason: 'no follower count before 2026-05-01' } });
    expect(evaluateKpi(def('followers.growth.absolute'), input([])).value).toBe(0);
  });
});

describe('content type of posts published by Herald', () => {
  const base = { extras: '{}', link: null, media: 0, videos: 0 };
  it('is told from the poll, media and link', () => {
    expect(inferContentType({ ...base, extras: '{"poll":{"options":["a","b"]}}', media: 1 })).toBe('poll');
    expect(inferContentType({ ...base, media: 2, videos: 1 })).toBe('video');
    expect(inferContentType({ ...base, media: 3 })).toBe('carousel');
    expect(inferContentType({ ...base, media: 1 })).toBe('photo');
    expect(inferContentType({ ...base, link: 'https://example.com' })).toBe('link');
    expect(inferContentType(base)).toBe('text');
  });
});

describe('hashtags found in an imported text', () => {
  it('takes #words in any script, once each, and not URL fragments or HTML entities', () => {
    expect(hashtagsIn('Visit https://example.com/#top and #Spring, #spring #Весна #Spring &#39; end#no')).toEqual(['Spring', 'spring', 'Весна']);
  });
});
