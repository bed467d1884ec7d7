/**
 * The KPI engine: evaluates KPI definitions (kpi-definitions.ts) over rollup rows of one account and
 * period. Pure: no database, no clock. Every value comes with its inputs — the actual numerator,
 * denominator, posts and days it was computed from — so a person can redo the arithmetic.
 */
import type { KpiCounts } from './analytics-metrics';
import type { CountSet, GrowthKpiDefinition, KpiDefinition, RatioKpiDefinition } from './kpi-definitions';
import { addDays, dayStartMs, daysInclusive, eachDay, localParts } from './local-time';

/** One published post as the rollups describe it. */
export interface KpiPost {
  targetId: string;
  network: string;
  contentType: string;
  publishedAt: string;
  followersAtPublish: number | null;
  counts: KpiCounts;
}

/** A follower count and when it was observed. */
export interface FollowerReading {
  followers: number;
  observedAt: string;
}

/** What the engine needs for one account and period. */
export interface KpiEngineInput {
  /** The workspace's zone (the rollups' days and the `daily_followers` series are in it). */
  workspaceTimeZone: string;
  /** First and last calendar day of the period (inclusive). */
  fromDay: string;
  toDay: string;
  /** Posts published from a day before the period to a day after it (each definition cuts its own days). */
  posts: KpiPost[];
  /** Posts published before the period end, newest first (for "last N posts"). */
  recentPosts: KpiPost[];
  /** Followers at the end of a workspace day (carried forward), or null before the first snapshot. */
  followersAt(day: string): FollowerReading | null;
  /** The account's network (picks the count set of activity definitions). */
  network: string;
  /** Engagement that happened on a workspace day (null counts: not known by then; null: no such day). */
  activityOn(day: string): Partial<KpiCounts> | null;
}

/** How a value was computed. */
export interface KpiInputs {
  timeZone: string;
  from: string;
  to: string;
  /** Human arithmetic, e.g. `(1 200 / 48 000) × 100`. */
  formula: string;
  numerator: number | null;
  denominator: number | null;
  /** Posts published in the period. */
  postsInPeriod: number;
  /** Posts the value is computed from. */
  postsCounted: number;
  /** Posts left out because a required count was missing. */
  postsMissingCounts: number;
  /** Posts left out because the denominator was missing or 0. */
  postsMissingDenominator: number;
  /** For mean/median/per-day aggregations: the values averaged (their sum) and how many. */
  sumOfValues: number | null;
  valuesCounted: number | null;
  /** For per-day and activity aggregations: calendar days of the period and days left out. */
  days: number | null;
  daysMissingFollowers: number | null;
  /** Days left out because a required count (or the denominator's count) was not known. */
  daysMissingCounts: number | null;
  /** For follower growth. */
  startFollowers: FollowerReading | null;
  endFollowers: FollowerReading | null;
  /** Why the value is empty, when it is. */
  emptyReason: string | null;
}

/** One computed KPI. */
export interface KpiResult {
  definitionId: string;
  /** Rounded to 6 decimals. */
  value: number | null;
  /** Unrounded, for comparisons (a change between two rounded values would drift). */
  exact: number | null;
  inputs: KpiInputs;
}

/** Values are rounded to 6 decimals, the precision the CLI and API print. */
export function roundKpi(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** The zone a definition buckets days in. */
export function definitionZone(def: KpiDefinition, workspaceTimeZone: string): string {
  return def.timeZone === 'workspace' ? workspaceTimeZone : def.timeZone;
}

function countSetFor(def: RatioKpiDefinition, network: string): CountSet {
  return (def.numerator.byNetwork && Object.prototype.hasOwnProperty.call(def.numerator.byNetwork, network) ? def.numerator.byNetwork[network] : undefined) ?? def.numerator.default;
}

/** A post's numerator under a definition, or null when a required count is missing. */
export function postNumerator(def: RatioKpiDefinition, post: KpiPost): number | null {
  const set = countSetFor(def, post.network);
  let total = 0;
  for (const m of set.required) {
    const v = post.counts[m];
    if (v === null) return null;
    total += v;
  }
  for (const m of set.optional ?? []) total += post.counts[m] ?? 0;
  return total;
}

/** A post's denominator under a definition (null when missing; 0 is returned as is). */
export function postDenominator(def: RatioKpiDefinition, post: KpiPost, input: Pick<KpiEngineInput, 'followersAt' | 'workspaceTimeZone'>): number | null {
  switch (def.denominator) {
    case 'followers_at_publish':
      return post.followersAtPublish;
    case 'daily_followers':
      return input.followersAt(localParts(Date.parse(post.publishedAt), definitionZone(def, input.workspaceTimeZone)).day)?.followers ?? null;
    case 'reach':
      return post.counts.reach;
    case 'impressions':
    case 'views':
      return post.counts.views;
  }
}

/** A post's own ratio (×100) under a definition, or why it has none. */
export function postRatio(def: RatioKpiDefinition, post: KpiPost, input: Pick<KpiEngineInput, 'followersAt' | 'workspaceTimeZone'>): { numerator: number; denominator: number; value: number } | 'missing_counts' | 'missing_denominator' {
  const numerator = postNumerator(def, post);
  if (numerator === null) return 'missing_counts';
  const denominator = postDenominator(def, post, input);
  if (denominator === null || denominator <= 0) return 'missing_denominator';
  return { numerator, denominator, value: (numerator / denominator) * 100 };
}

function blankInputs(zone: string, from: string, to: string): KpiInputs {
  return {
    timeZone: zone,
    from,
    to,
    formula: '',
    numerator: null,
    denominator: null,
    postsInPeriod: 0,
    postsCounted: 0,
    postsMissingCounts: 0,
    postsMissingDenominator: 0,
    sumOfValues: null,
    valuesCounted: null,
    days: null,
    daysMissingFollowers: null,
    daysMissingCounts: null,
    startFollowers: null,
    endFollowers: null,
    emptyReason: null,
  };
}

/** The posts a definition sees: published within the period's days in its zone. */
function postsInPeriod(def: KpiDefinition, input: KpiEngineInput): KpiPost[] {
  const zone = definitionZone(def, input.workspaceTimeZone);
  const start = dayStartMs(input.fromDay, zone);
  const end = dayStartMs(addDays(input.toDay, 1), zone);
  return input.posts.filter((p) => {
    const t = Date.parse(p.publishedAt);
    return t >= start && t < end;
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (v: number) => String(roundKpi(v));

function evaluateRatio(def: RatioKpiDefinition, input: KpiEngineInput): KpiResult {
  const zone = definitionZone(def, input.workspaceTimeZone);
  const inputs = blankInputs(zone, input.fromDay, input.toDay);
  const period = postsInPeriod(def, input);
  inputs.postsInPeriod = period.length;
  const result = (value: number | null, emptyReason?: string): KpiResult => {
    if (value === null) inputs.emptyReason = emptyReason ?? 'no data';
    return { definitionId: def.id, value: value === null ? null : roundKpi(value), exact: value, inputs };
  };

  if (def.aggregation === 'activity_pooled' || def.aggregation === 'activity_per_day') {
    const set = countSetFor(def, input.network);
    const days = eachDay(input.fromDay, input.toDay);
    inputs.days = days.length;
    inputs.daysMissingCounts = 0;
    if (def.aggregation === 'activity_per_day') inputs.daysMissingFollowers = 0;
    let numerator = 0;
    let denominator = 0;
    let sum = 0;
    let counted = 0;
    const parts: string[] = [];
    for (const day of days) {
      const a = input.activityOn(day);
      let n: number | null = 0;
      for (const m of set.required) {
        const v = a?.[m];
        if (v === null || v === undefined) {
          n = null;
          break;
        }
        n += v;
      }
      if (n === null) {
        inputs.daysMissingCounts += 1;
        continue;
      }
      for (const m of set.optional ?? []) n += a?.[m] ?? 0;
      if (def.aggregation === 'activity_pooled') {
        const d = def.denominator === 'reach' ? a?.reach : a?.views;
        if (d === null || d === undefined) {
          inputs.daysMissingCounts += 1;
          continue;
        }
        numerator += n;
        denominator += d;
        counted += 1;
        if (n !== 0 || d !== 0) parts.push(`${n}/${d}`);
      } else {
        const f = input.followersAt(day);
        if (!f || f.followers <= 0) {
          inputs.daysMissingFollowers = (inputs.daysMissingFollowers ?? 0) + 1;
          continue;
        }
        numerator += n;
        sum += (n / f.followers) * 100;
        counted += 1;
        if (n !== 0) parts.push(`${n}/${f.followers}`);
      }
    }
    inputs.valuesCounted = counted;
    inputs.numerator = numerator;
    if (def.aggregation === 'activity_pooled') {
      inputs.denominator = denominator;
      inputs.formula = `(${parts.join(' + ') || '0'}) → ${numerator} / ${denominator} × 100`;
      if (counted === 0) return result(null, 'no day of the period has the counts this definition needs');
      if (denominator <= 0) return result(null, 'no impressions happened in the period');
      return result((numerator / denominator) * 100);
    }
    inputs.sumOfValues = roundKpi(sum);
    inputs.formula = `(${parts.join(' + ') || '0'}) × 100 / ${counted} days`;
    if (counted === 0) return result(null, 'no day of the period has the counts and a follower count');
    return result(sum / counted);
  }

  if (def.aggregation === 'per_day') {
    const days = eachDay(input.fromDay, input.toDay);
    const byDay = new Map<string, { numerator: number; posts: number }>();
    for (const p of period) {
      const n = postNumerator(def, p);
      if (n === null) {
        inputs.postsMissingCounts += 1;
        continue;
      }
      const day = localParts(Date.parse(p.publishedAt), zone).day;
      const cur = byDay.get(day) ?? { numerator: 0, posts: 0 };
      cur.numerator += n;
      cur.posts += 1;
      byDay.set(day, cur);
    }
    let sum = 0;
    let dayCount = 0;
    let numerator = 0;
    const parts: string[] = [];
    inputs.daysMissingFollowers = 0;
    for (const day of days) {
      const f = input.followersAt(day);
      const d = byDay.get(day) ?? { numerator: 0, posts: 0 };
      if (!f || f.followers <= 0) {
        inputs.daysMissingFollowers += 1;
        inputs.postsMissingDenominator += d.posts;
        continue;
      }
      sum += (d.numerator / f.followers) * 100;
      numerator += d.numerator;
      inputs.postsCounted += d.posts;
      dayCount += 1;
      if (d.posts > 0) parts.push(`${d.numerator}/${f.followers}`);
    }
    inputs.days = days.length;
    inputs.numerator = numerator;
    inputs.sumOfValues = roundKpi(sum);
    inputs.valuesCounted = dayCount;
    inputs.formula = `(${parts.length ? parts.join(' + ') : '0'}) × 100 / ${dayCount} days`;
    if (dayCount === 0) return result(null, 'no day of the period has a follower count');
    return result(sum / dayCount);
  }

  const source = def.aggregation === 'median_last_n' ? input.recentPosts.filter((p) => Date.parse(p.publishedAt) < dayStartMs(addDays(input.toDay, 1), zone)) : period;
  const eligible: Array<{ numerator: number; denominator: number; value: number }> = [];
  const limit = def.aggregation === 'median_last_n' ? (def.lastN ?? 20) : Number.POSITIVE_INFINITY;
  for (const p of source) {
    if (eligible.length >= limit) break;
    const r = postRatio(def, p, input);
    if (r === 'missing_counts') inputs.postsMissingCounts += 1;
    else if (r === 'missing_denominator') inputs.postsMissingDenominator += 1;
    else eligible.push(r);
  }
  inputs.postsCounted = eligible.length;
  if (eligible.length === 0) return result(null, period.length === 0 && def.aggregation !== 'median_last_n' ? 'no posts in the period' : 'no post has every count this definition needs');
  const numerator = eligible.reduce((s, e) => s + e.numerator, 0);
  const denominator = eligible.reduce((s, e) => s + e.denominator, 0);
  inputs.numerator = numerator;
  inputs.denominator = denominator;
  if (def.aggregation === 'pooled') {
    inputs.formula = `${numerator} / ${denominator} × 100`;
    return result((numerator / denominator) * 100);
  }
  const values = eligible.map((e) => e.value);
  inputs.valuesCounted = values.length;
  inputs.sumOfValues = roundKpi(values.reduce((s, v) => s + v, 0));
  if (def.aggregation === 'mean_per_post') {
    inputs.formula = `mean of ${values.length} post values (${eligible.map((e) => `${e.numerator}/${e.denominator}`).join(', ')}) × 100`;
    return result(values.reduce((s, v) => s + v, 0) / values.length);
  }
  inputs.formula = `median of the last ${values.length} post values (${values.map(fmt).join(', ')})`;
  return result(median(values));
}

function evaluateGrowth(def: GrowthKpiDefinition, input: KpiEngineInput): KpiResult {
  const zone = definitionZone(def, input.workspaceTimeZone);
  const inputs = blankInputs(zone, input.fromDay, input.toDay);
  const start = input.followersAt(addDays(input.fromDay, -1));
  const end = input.followersAt(input.toDay);
  inputs.startFollowers = start;
  inputs.endFollowers = end;
  const days = daysInclusive(input.fromDay, input.toDay);
  inputs.days = days;
  const out = (value: number | null, reason?: string): KpiResult => {
    if (value === null) inputs.emptyReason = reason ?? 'no data';
    return { definitionId: def.id, value: value === null ? null : roundKpi(value), exact: value, inputs };
  };
  if (!start) return out(null, `no follower count before ${input.fromDay}`);
  if (!end) return out(null, `no follower count by the end of ${input.toDay}`);
  inputs.numerator = end.followers - start.followers;
  inputs.denominator = start.followers;
  switch (def.mode) {
    case 'absolute':
      inputs.formula = `${end.followers} − ${start.followers}`;
      return out(end.followers - start.followers);
    case 'percent':
      if (start.followers <= 0) return out(null, 'no followers at the start');
      inputs.formula = `(${end.followers} − ${start.followers}) / ${start.followers} × 100`;
      return out(((end.followers - start.followers) / start.followers) * 100);
    case 'weekly_compound':
      if (start.followers <= 0) return out(null, 'no followers at the start');
      inputs.formula = `((${end.followers} / ${start.followers})^(7 / ${days}) − 1) × 100`;
      return out((Math.pow(end.followers / start.followers, 7 / days) - 1) * 100);
  }
}

/** Evaluates one definition. */
export function evaluateKpi(def: KpiDefinition, input: KpiEngineInput): KpiResult {
  return def.formula === 'ratio' ? evaluateRatio(def, input) : evaluateGrowth(def, input);
}
