/**
 * Daily rollups, the only tables dashboards and KPIs read:
 * - `analytics_post_rollups`: per published target, its latest counts (per count, the newest
 *   observation that has it: a network that stops returning reach after 30 days keeps the last reach it
 *   gave), its content type, its followers at publish time and its local day/weekday/hour;
 * - `analytics_account_daily`: per account and local day, followers at the end of the day, posts
 *   published that day and the sums of their counts, and the engagement that *happened* that day on
 *   any of the account's posts (`<count>_activity`, Sprout's profile view): each increase between two
 *   observations of a post counts on the day of the later observation; the first value a post ever
 *   had of a count counts on its publish day (engagement comes mostly right after publishing, and
 *   Herald cannot know when it happened before the first observation);
 * - `analytics_content_type_daily`: the same per content type.
 * Days are calendar days in the workspace's time zone. Everything here is derived: `refreshRollups`
 * rebuilds any range from account_metrics, post_metrics and post_targets, so it is safe to call again.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import {
  accountDataBounds,
  accountForRollups,
  accountObservationsBefore,
  followerSnapshots,
  observationsOfTargets,
  publishedTargets,
  publishTimesBefore,
  replaceDailyRollups,
  replacePostRollups,
  type AccountDailyRow,
  type ContentTypeDailyRow,
  type PostRollupRow,
  type PublishedTargetFacts,
} from '../repositories/analytics.repository';
import { contentTypes, metricColumn, postMetricNames, type ContentType, type MetricColumn } from './analytics-metrics';
import { dayRange, eachDay, localParts } from './local-time';

/** What to rebuild. */
export interface RefreshRollupsInput {
  accountId: string;
  /** Start (ISO instant or `YYYY-MM-DD` in the workspace zone); default: the account's first data. */
  from?: string;
  /** End, exclusive (ISO instant or `YYYY-MM-DD`, inclusive day); default: the account's last data. */
  to?: string;
  /** The clock, for `refreshed_at`. */
  now?: Date;
}

/** What a refresh rebuilt. */
export interface RefreshRollupsResult {
  accountId: string;
  timezone: string;
  /** Local days rebuilt (inclusive), null when the account has no data in the range. */
  fromDay: string | null;
  toDay: string | null;
  posts: number;
  days: number;
}

/** A snapshot counts for a post published up to this long before it, when none was taken before. */
const followersAfterPublishMs = 24 * 3_600_000;

const metricColumns = postMetricNames.map((m) => metricColumn[m]);

function isDay(v: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(v);
}

/**
 * The content type of a target without a stored one: poll, video, carousel, photo, link, or text,
 * from what Herald published (a repost cannot be told from the target and is never guessed).
 */
export function inferContentType(t: Pick<PublishedTargetFacts, 'extras' | 'link' | 'media' | 'videos'>): ContentType {
  let extras: { poll?: unknown } = {};
  try {
    extras = JSON.parse(t.extras || '{}') as { poll?: unknown };
  } catch {
    extras = {};
  }
  if (extras.poll) return 'poll';
  if (t.videos > 0) return 'video';
  if (t.media > 1) return 'carousel';
  if (t.media === 1) return 'photo';
  if (t.link) return 'link';
  return 'text';
}

/** Index of the last element `<= key` in a sorted array of strings (or -1). */
function lastAtOrBefore<T>(items: T[], key: string, at: (x: T) => string): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (at(items[mid]!) <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

type Activity = Record<`${MetricColumn}_activity`, number | null>;

/**
 * Engagement per local day over [fromDay, toDay] from every observation of the account's posts made
 * before the range ends. A count is null on a day when no post had it observed by the day's end.
 */
async function dailyActivity(db: Kysely<Database>, accountId: string, zone: string, days: string[], toIso: string): Promise<Map<string, Activity>> {
  const published = await publishTimesBefore(db, accountId, toIso);
  const observations = await accountObservationsBefore(db, accountId, toIso);
  const last = new Map<string, number>();
  const landed = new Map<string, number>();
  const firstSeen = new Map<MetricColumn, string>();
  for (const o of observations) {
    const publishedAt = published.get(o.target_id);
    if (!publishedAt) continue;
    for (const c of metricColumns) {
      const v = o[c];
      if (v === null) continue;
      if (!firstSeen.has(c)) firstSeen.set(c, o.observed_at);
      const key = `${o.target_id}|${c}`;
      const before = last.get(key);
      const day = before === undefined ? localParts(Date.parse(publishedAt), zone).day : localParts(Date.parse(o.observed_at), zone).day;
      const at = `${day}|${c}`;
      landed.set(at, (landed.get(at) ?? 0) + (before === undefined ? v : v - before));
      last.set(key, v);
    }
  }
  const out = new Map<string, Activity>();
  for (const day of days) {
    const end = dayRange(day, zone).end;
    const a: Record<string, number | null> = {};
    for (const c of metricColumns) {
      const sum = landed.get(`${day}|${c}`);
      const seen = firstSeen.get(c);
      a[`${c}_activity`] = sum !== undefined ? sum : seen !== undefined && seen < end ? 0 : null;
    }
    out.set(day, a as Activity);
  }
  return out;
}

type Sums = Record<`${MetricColumn}_sum`, number | null> & Record<`${MetricColumn}_posts`, number>;

function emptySums(): Sums {
  const out: Record<string, number | null> = {};
  for (const c of metricColumns) {
    out[`${c}_sum`] = null;
    out[`${c}_posts`] = 0;
  }
  return out as Sums;
}

function addTo(sums: Sums, post: PostRollupRow): void {
  const s = sums as Record<string, number | null>;
  for (const c of metricColumns) {
    const v = post[c];
    if (v === null) continue;
    s[`${c}_sum`] = (s[`${c}_sum`] ?? 0) + v;
    s[`${c}_posts`] = (s[`${c}_posts`] as number) + 1;
  }
}

/**
 * Rebuilds the rollups of one account over whole local days covering [from, to). Call it after
 * storing snapshots or observations: with the publish range of the posts observed, and — because
 * followers carry forward — from the time of a new snapshot up to now. Without `from` and `to` it
 * rebuilds the account's whole history (and drops every older row, e.g. after a time zone change).
 */
export async function refreshRollups(db: Kysely<Database>, input: RefreshRollupsInput): Promise<RefreshRollupsResult> {
  const account = await accountForRollups(db, input.accountId);
  if (!account) throw new Error(`refreshRollups: no account ${input.accountId}`);
  const zone = account.timezone;
  const bounds = await accountDataBounds(db, account.id);
  const empty: RefreshRollupsResult = { accountId: account.id, timezone: zone, fromDay: null, toDay: null, posts: 0, days: 0 };
  if (!bounds.first || !bounds.last) return empty;

  const firstDataDay = localParts(Date.parse(bounds.first), zone).day;
  const lastDataDay = localParts(Date.parse(bounds.last), zone).day;
  const wantFrom = input.from === undefined ? firstDataDay : isDay(input.from) ? input.from : localParts(Date.parse(input.from), zone).day;
  const wantTo = input.to === undefined ? lastDataDay : isDay(input.to) ? input.to : localParts(Date.parse(input.to) - 1, zone).day;
  // Days before the first data have nothing to show; days after the last are read as carried forward.
  const fromDay = wantFrom < firstDataDay ? firstDataDay : wantFrom;
  const toDay = wantTo > lastDataDay ? lastDataDay : wantTo;
  if (fromDay > toDay) return empty;
  const fromIso = dayRange(fromDay, zone).start;
  const toIso = dayRange(toDay, zone).end;
  const refreshedAt = (input.now ?? new Date()).toISOString();

  const targets = await publishedTargets(db, account.id, fromIso, toIso);
  const observations = await observationsOfTargets(db, targets.map((t) => t.id));
  const byTarget = new Map<string, typeof observations>();
  // Oldest first across chunks, so a later observation overwrites an earlier one below.
  observations.sort((a, b) => (a.observed_at < b.observed_at ? -1 : a.observed_at > b.observed_at ? 1 : a.id < b.id ? -1 : 1));
  for (const o of observations) {
    const list = byTarget.get(o.target_id) ?? [];
    list.push(o);
    byTarget.set(o.target_id, list);
  }
  const snapshots = await followerSnapshots(db, account.id);

  const posts: PostRollupRow[] = targets.map((t) => {
    const local = localParts(Date.parse(t.published_at), zone);
    let snap = lastAtOrBefore(snapshots, t.published_at, (s) => s.observed_at);
    if (snap < 0 && snapshots.length > 0 && Date.parse(snapshots[0]!.observed_at) - Date.parse(t.published_at) <= followersAfterPublishMs) snap = 0;
    const row: PostRollupRow = {
      target_id: t.id,
      workspace_id: account.workspace_id,
      account_id: account.id,
      network: t.network,
      content_type: t.content_type ?? inferContentType(t),
      published_at: t.published_at,
      timezone: zone,
      local_day: local.day,
      local_weekday: local.weekday,
      local_hour: local.hour,
      followers_at_publish: snap >= 0 ? snapshots[snap]!.followers : null,
      followers_observed_at: snap >= 0 ? snapshots[snap]!.observed_at : null,
      observed_at: null,
      views: null,
      reach: null,
      likes: null,
      comments: null,
      shares: null,
      quotes: null,
      saves: null,
      clicks: null,
      poll_votes: null,
      video_views: null,
      views_24h: null,
      refreshed_at: refreshedAt,
    };
    const dayAfter = new Date(Date.parse(t.published_at) + 24 * 3_600_000).toISOString();
    // Oldest first, so a later observation overwrites; a missing count never erases a known one.
    for (const o of byTarget.get(t.id) ?? []) {
      row.observed_at = o.observed_at;
      for (const c of metricColumns) if (o[c] !== null) row[c] = o[c];
      if (o.views !== null && o.observed_at <= dayAfter) row.views_24h = o.views;
    }
    return row;
  });

  const postsByDay = new Map<string, PostRollupRow[]>();
  for (const p of posts) {
    const list = postsByDay.get(p.local_day) ?? [];
    list.push(p);
    postsByDay.set(p.local_day, list);
  }
  const days: AccountDailyRow[] = [];
  const byType: ContentTypeDailyRow[] = [];
  const dayList = eachDay(fromDay, toDay);
  const activity = await dailyActivity(db, account.id, zone, dayList, toIso);
  for (const day of dayList) {
    const end = dayRange(day, zone).end;
    // Followers at the end of the day: the newest snapshot taken before the day ended.
    const snap = lastAtOrBefore(snapshots, end, (s) => s.observed_at);
    const s = snap >= 0 && snapshots[snap]!.observed_at === end ? snap - 1 : snap;
    const dayPosts = postsByDay.get(day) ?? [];
    const sums = emptySums();
    for (const p of dayPosts) addTo(sums, p);
    days.push({
      account_id: account.id,
      day,
      workspace_id: account.workspace_id,
      timezone: zone,
      followers: s >= 0 ? snapshots[s]!.followers : null,
      followers_observed_at: s >= 0 ? snapshots[s]!.observed_at : null,
      posts: dayPosts.length,
      ...sums,
      ...activity.get(day)!,
      refreshed_at: refreshedAt,
    });
    for (const type of contentTypes) {
      const ofType = dayPosts.filter((p) => p.content_type === type);
      if (ofType.length === 0) continue;
      const typeSums = emptySums();
      for (const p of ofType) addTo(typeSums, p);
      byType.push({ account_id: account.id, day, content_type: type, workspace_id: account.workspace_id, posts: ofType.length, ...typeSums, refreshed_at: refreshedAt });
    }
  }

  // A full rebuild also drops rows a former time zone left at the edges.
  const full = input.from === undefined && input.to === undefined;
  await db.transaction().execute(async (trx) => {
    await replacePostRollups(trx, account.id, full ? '' : fromIso, full ? '~' : toIso, posts);
    await replaceDailyRollups(trx, account.id, full ? '' : fromDay, full ? '~' : toDay, days, byType);
  });
  return { accountId: account.id, timezone: zone, fromDay, toDay, posts: posts.length, days: days.length };
}

