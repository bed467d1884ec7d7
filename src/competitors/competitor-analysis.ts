/**
 * Benchmark figures for one account over a period — a competitor's (from its public posts and
 * snapshots) or an own account's (from the analytics rollups), computed by the same code so the two
 * compare side by side: followers over time, posting frequency, ER by a KPI definition (the analytics
 * KPI engine, with its inputs), top posts, content-type mix, hashtags and posting hours (weekday × hour
 * in the workspace zone). Pure: no database, no clock.
 */
import { emptyCounts, type KpiCounts } from '../analytics/analytics-metrics';
import type { KpiDefinition } from '../analytics/kpi-definitions';
import { evaluateKpi, roundKpi, type FollowerReading, type KpiInputs, type KpiPost } from '../analytics/kpi-engine';
import { addDays, dayStartMs, daysInclusive, eachDay, localParts } from '../analytics/local-time';

/** One post of the benchmarked account. */
export interface BenchmarkPost {
  id: string;
  url: string | null;
  text: string;
  publishedAt: string;
  contentType: string;
  hashtags: string[];
  counts: KpiCounts;
  /** Followers at publishing (null = unknown). */
  followersAtPublish: number | null;
}

/** Everything the figures are computed from. */
export interface BenchmarkInput {
  network: string;
  zone: string;
  from: string;
  to: string;
  /** Posts published from two days before `from` to three days after `to` (definitions cut their own days). */
  posts: BenchmarkPost[];
  /** Posts published before the period end, newest first (for "last N posts" definitions). */
  recentPosts: BenchmarkPost[];
  /** Followers at the end of a day in `zone` (carried forward; null before the first count). */
  followersAt(day: string): FollowerReading | null;
  /** Engagement that happened on a day (see the KPI engine); null = unknown. */
  activityOn(day: string): Partial<KpiCounts> | null;
}

/** Likes + shares + comments (+ quotes) of a post; null when the network gave none of them. */
export function engagementOf(c: Pick<KpiCounts, 'likes' | 'shares' | 'comments' | 'quotes'>): number | null {
  const parts = [c.likes, c.shares, c.comments, c.quotes].filter((v): v is number => v !== null);
  return parts.length ? parts.reduce((s, v) => s + v, 0) : null;
}

/** The figures for one account. */
export interface BenchmarkSummary {
  period: { from: string; to: string; days: number };
  followers: {
    start: FollowerReading | null;
    end: FollowerReading | null;
    change: number | null;
    changePercent: number | null;
    /** End-of-day followers of every day of the period (null before the first count). */
    byDay: Array<{ day: string; followers: number | null }>;
  };
  /** Own posts (reposts not counted) published in the period. */
  posts: number;
  reposts: number;
  postsPerWeek: number;
  er: { definitionId: string; value: number | null; inputs: KpiInputs };
  /** Mean engagement (likes + shares + comments + quotes) of posts that have counts. */
  engagementPerPost: number | null;
  topPosts: Array<{ id: string; url: string | null; text: string; publishedAt: string; contentType: string; engagement: number; likes: number | null; shares: number | null; comments: number | null; quotes: number | null; views: number | null }>;
  contentMix: Array<{ contentType: string; posts: number; share: number; engagementPerPost: number | null }>;
  hashtags: Array<{ tag: string; posts: number; engagement: number }>;
  /** Posts per weekday (1 = Monday) × hour in the workspace zone; only cells with posts. */
  postingHours: Array<{ weekday: number; hour: number; posts: number }>;
}

function kpiPost(network: string, p: BenchmarkPost): KpiPost {
  return { targetId: p.id, network, contentType: p.contentType, publishedAt: p.publishedAt, followersAtPublish: p.followersAtPublish, counts: p.counts };
}

/** The figures of one account over [from, to] under `definition` (a ratio definition gives the ER). */
export function benchmark(input: BenchmarkInput, definition: KpiDefinition, opts: { topPosts?: number; hashtags?: number } = {}): BenchmarkSummary {
  const start = dayStartMs(input.from, input.zone);
  const end = dayStartMs(addDays(input.to, 1), input.zone);
  const inPeriod = input.posts.filter((p) => {
    const t = Date.parse(p.publishedAt);
    return t >= start && t < end;
  });
  const own = inPeriod.filter((p) => p.contentType !== 'repost');
  const days = daysInclusive(input.from, input.to);

  const startF = input.followersAt(addDays(input.from, -1));
  const endF = input.followersAt(input.to);
  const change = startF && endF ? endF.followers - startF.followers : null;
  const byDay = eachDay(input.from, input.to).map((day) => ({ day, followers: input.followersAt(day)?.followers ?? null }));

  // Reposts are someone else's posts: the ER and the mixes count the account's own posts.
  const kpiPosts = input.posts.filter((p) => p.contentType !== 'repost').map((p) => kpiPost(input.network, p));
  const recent = input.recentPosts.filter((p) => p.contentType !== 'repost').map((p) => kpiPost(input.network, p));
  const er = evaluateKpi(definition, {
    workspaceTimeZone: input.zone,
    fromDay: input.from,
    toDay: input.to,
    posts: kpiPosts,
    recentPosts: recent,
    followersAt: input.followersAt,
    network: input.network,
    activityOn: input.activityOn,
  });

  const withEngagement = own.map((p) => ({ p, e: engagementOf(p.counts) }));
  const counted = withEngagement.filter((x): x is { p: BenchmarkPost; e: number } => x.e !== null);
  const mean = (xs: number[]) => (xs.length ? roundKpi(xs.reduce((s, v) => s + v, 0) / xs.length) : null);

  const topPosts = [...counted]
    .sort((a, b) => b.e - a.e || a.p.publishedAt.localeCompare(b.p.publishedAt))
    .slice(0, opts.topPosts ?? 10)
    .map(({ p, e }) => ({ id: p.id, url: p.url, text: p.text, publishedAt: p.publishedAt, contentType: p.contentType, engagement: e, likes: p.counts.likes, shares: p.counts.shares, comments: p.counts.comments, quotes: p.counts.quotes, views: p.counts.views }));

  const types = new Map<string, { posts: number; engagement: number[] }>();
  for (const { p, e } of withEngagement) {
    const t = types.get(p.contentType) ?? { posts: 0, engagement: [] };
    t.posts += 1;
    if (e !== null) t.engagement.push(e);
    types.set(p.contentType, t);
  }
  const contentMix = [...types.entries()]
    .map(([contentType, t]) => ({ contentType, posts: t.posts, share: roundKpi(t.posts / own.length), engagementPerPost: mean(t.engagement) }))
    .sort((a, b) => b.posts - a.posts || a.contentType.localeCompare(b.contentType));

  const tags = new Map<string, { posts: number; engagement: number }>();
  for (const { p, e } of withEngagement) {
    for (const raw of new Set(p.hashtags.map((h) => h.toLowerCase()))) {
      const t = tags.get(raw) ?? { posts: 0, engagement: 0 };
      t.posts += 1;
      t.engagement += e ?? 0;
      tags.set(raw, t);
    }
  }
  const hashtags = [...tags.entries()]
    .map(([tag, t]) => ({ tag, ...t }))
    .sort((a, b) => b.posts - a.posts || b.engagement - a.engagement || a.tag.localeCompare(b.tag))
    .slice(0, opts.hashtags ?? 30);

  const cells = new Map<string, { weekday: number; hour: number; posts: number }>();
  for (const p of own) {
    const l = localParts(Date.parse(p.publishedAt), input.zone);
    const key = `${l.weekday}|${l.hour}`;
    const c = cells.get(key) ?? { weekday: l.weekday, hour: l.hour, posts: 0 };
    c.posts += 1;
    cells.set(key, c);
  }

  return {
    period: { from: input.from, to: input.to, days },
    followers: { start: startF, end: endF, change, changePercent: change !== null && startF && startF.followers > 0 ? roundKpi((change / startF.followers) * 100) : null, byDay },
    posts: own.length,
    reposts: inPeriod.length - own.length,
    postsPerWeek: roundKpi((own.length / days) * 7),
    er: { definitionId: definition.id, value: er.value, inputs: er.inputs },
    engagementPerPost: mean(counted.map((x) => x.e)),
    topPosts,
    contentMix,
    hashtags,
    postingHours: [...cells.values()].sort((a, b) => a.weekday - b.weekday || a.hour - b.hour),
  };
}

/** A follower series from snapshots (oldest first): the newest count taken before a day's end. */
export function followerSeriesFromSnapshots(snapshots: Array<{ observedAt: string; followers: number }>, zone: string): (day: string) => FollowerReading | null {
  const sorted = [...snapshots].sort((a, b) => a.observedAt.localeCompare(b.observedAt));
  return (day) => {
    const endMs = dayStartMs(addDays(day, 1), zone);
    let found: (typeof sorted)[number] | undefined;
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (Date.parse(sorted[mid]!.observedAt) < endMs) {
        found = sorted[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found ? { followers: found.followers, observedAt: found.observedAt } : null;
  };
}

/**
 * Followers at publishing from snapshots: the newest at or before it, else the first within 24 h
 * after; with `approximate`, else the earliest snapshot at all (a competitor's older posts predate
 * the first snapshot Herald could take) — `approximated` says so.
 */
export function followersAtPublish(snapshots: Array<{ observedAt: string; followers: number }>, publishedAt: string, approximate: boolean): { followers: number | null; approximated: boolean } {
  const t = Date.parse(publishedAt);
  let before: (typeof snapshots)[number] | undefined;
  let after: (typeof snapshots)[number] | undefined;
  for (const s of snapshots) {
    const at = Date.parse(s.observedAt);
    if (at <= t) {
      if (!before || at >= Date.parse(before.observedAt)) before = s;
    } else if (!after || at < Date.parse(after.observedAt)) after = s;
  }
  if (before) return { followers: before.followers, approximated: false };
  if (after && Date.parse(after.observedAt) - t <= 24 * 3_600_000) return { followers: after.followers, approximated: false };
  if (after && approximate) return { followers: after.followers, approximated: true };
  return { followers: null, approximated: false };
}

/**
 * Engagement that happened per local day from observations (as the analytics rollups count it): an
 * increase between two observations of a post lands on the later one's day; a post's first observed
 * values land on its publish day. A count is known (0 when nothing happened) from the first day any
 * value of it landed on.
 */
export function activityFromObservations(
  posts: Array<{ id: string; publishedAt: string }>,
  observations: Array<{ postId: string; observedAt: string; counts: Partial<KpiCounts> }>,
  zone: string,
): (day: string) => Partial<KpiCounts> | null {
  const published = new Map(posts.map((p) => [p.id, p.publishedAt]));
  const names = ['likes', 'shares', 'comments', 'quotes', 'views'] as const;
  const byDay = new Map<string, Partial<KpiCounts>>();
  const firstDay = new Map<string, string>();
  const last = new Map<string, number>();
  const sorted = [...observations].sort((a, b) => a.observedAt.localeCompare(b.observedAt));
  for (const o of sorted) {
    const pub = published.get(o.postId);
    if (!pub) continue;
    for (const n of names) {
      const v = o.counts[n];
      if (v === null || v === undefined) continue;
      const key = `${o.postId}|${n}`;
      const prev = last.get(key);
      const day = localParts(Date.parse(prev === undefined ? pub : o.observedAt), zone).day;
      const delta = prev === undefined ? v : v - prev;
      last.set(key, v);
      const d = byDay.get(day) ?? {};
      d[n] = (d[n] ?? 0) + delta;
      byDay.set(day, d);
      const f = firstDay.get(n);
      if (!f || day < f) firstDay.set(n, day);
    }
  }
  return (day) => {
    const out: Partial<KpiCounts> = { ...emptyCounts() };
    let any = false;
    for (const n of names) {
      const f = firstDay.get(n);
      if (f && day >= f) {
        out[n] = byDay.get(day)?.[n] ?? 0;
        any = true;
      }
    }
    return any ? out : null;
  };
}
