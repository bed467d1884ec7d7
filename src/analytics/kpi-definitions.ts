/**
 * KPI definitions as data. Each one names the vendor definition it mirrors (see
 * docs/analytics/kpi-definitions.md) and keeps its parts independent: which counts make the numerator
 * (per network), what it is divided by, how posts or days are aggregated, and in which time zone days
 * are bucketed. The engine (kpi-engine.ts) interprets them; no code branches on a definition id or a
 * network id.
 */
import type { KpiCountName } from './analytics-metrics';

/**
 * What a post's value is divided by:
 * - `followers_at_publish`: the newest follower snapshot at or before publishing (or the first one
 *   within 24 h after, when none was taken before);
 * - `daily_followers`: followers at the end of the post's (or the bucket's) local day;
 * - `reach`: the post's reach;
 * - `impressions` / `views`: the post's views count — Herald stores a network's impressions or views
 *   (X impressions, Instagram views, Telegram views) in one `views` count.
 */
export type KpiDenominator = 'followers_at_publish' | 'daily_followers' | 'reach' | 'impressions' | 'views';

/**
 * How values are combined over the period:
 * - `pooled`: sum of numerators / sum of denominators over the eligible posts;
 * - `mean_per_post`: mean of each eligible post's ratio;
 * - `median_last_n`: median of the ratios of the last N eligible posts published up to the period end;
 * - `per_day`: for each calendar day of the period, that day's posts' numerator / that day's
 *   followers; the mean over the calendar days (days without posts count as 0);
 * - `activity_pooled`: engagement that happened during the period on any post (whatever its publish
 *   date): the days' numerator activity summed / the days' denominator activity summed;
 * - `activity_per_day`: for each calendar day, that day's numerator activity / that day's followers;
 *   the mean over the days.
 */
export type KpiAggregation = 'pooled' | 'mean_per_post' | 'median_last_n' | 'per_day' | 'activity_pooled' | 'activity_per_day';

/** The counts that make a numerator: all `required` must be present; `optional` add when present. */
export interface CountSet {
  required: KpiCountName[];
  optional?: KpiCountName[];
}

/** Fields every definition card has. */
interface KpiDefinitionBase {
  /** Stable id, e.g. `livedune.er.pooled`. */
  id: string;
  label: string;
  /** The tool whose published definition this mirrors (or `Herald`). */
  vendor: string;
  /** The vendor's definition, restated. */
  mirrors: string;
  /** `workspace` (the workspace's zone) or an IANA zone: where calendar days start. */
  timeZone: 'workspace' | string;
  /** How missing values are treated, for the "how is this calculated" card. */
  missingRule: string;
}

/** A ratio KPI: counts over a denominator, ×100. */
export interface RatioKpiDefinition extends KpiDefinitionBase {
  formula: 'ratio';
  unit: 'percent';
  numerator: { default: CountSet; byNetwork?: Record<string, CountSet> };
  denominator: KpiDenominator;
  aggregation: KpiAggregation;
  /** For `median_last_n`. */
  lastN?: number;
}

/** Follower growth between the end of the day before the period and the end of its last day. */
export interface GrowthKpiDefinition extends KpiDefinitionBase {
  formula: 'follower_growth';
  unit: 'followers' | 'percent' | 'percent_per_week';
  mode: 'absolute' | 'percent' | 'weekly_compound';
}

export type KpiDefinition = RatioKpiDefinition | GrowthKpiDefinition;

/**
 * LiveDune's reactions by network (Instagram likes + comments + saves; VK and OK add reposts and poll
 * votes; Telegram emoji reactions, comments and reposts). Other networks: likes + comments + shares.
 * Poll votes exist only on polls and Telegram comments only where a discussion group is linked, so
 * they count when present instead of excluding every other post.
 */
const liveduneReactions: RatioKpiDefinition['numerator'] = {
  default: { required: ['likes', 'comments', 'shares'] },
  byNetwork: {
    instagram: { required: ['likes', 'comments', 'saves'] },
    vk: { required: ['likes', 'comments', 'shares'], optional: ['pollVotes'] },
    ok: { required: ['likes', 'comments', 'shares'], optional: ['pollVotes'] },
    telegram: { required: ['likes', 'shares'], optional: ['comments'] },
  },
};

/** Popsters: likes + shares + comments. */
const popstersReactions: RatioKpiDefinition['numerator'] = { default: { required: ['likes', 'shares', 'comments'] } };

const strictPostRule =
  'A post counts only when every required count of its network and its denominator are present (and the denominator is above 0); a missing count is never read as 0 — such posts are left out and listed as excluded.';
const perDayRule =
  'Every calendar day of the period counts; a day without posts counts as 0. A post counts in its day only when every required count is present. A day whose follower count is unknown (before the first snapshot) is left out of the mean.';
const activityRule =
  'Engagement is the increase of each count between two observations of a post, on the day of the later one; the first value a post ever had counts on its publish day. A day counts only when every required count and the denominator are known by its end (0 when known and unchanged); unknown days are left out, never read as 0.';
const growthRule = 'Needs a follower count at the end of the day before the period and at the end of its last day (the newest snapshot before each moment); without either the value is empty, never 0.';

/** The missing-value rules by name: their Russian and Swedish texts (kpi-definition-texts.ts) key on these names. */
export const kpiMissingRules = { strictPost: strictPostRule, perDay: perDayRule, activity: activityRule, growth: growthRule } as const;

/** Every definition Herald ships, in display order. */
export const kpiDefinitions: readonly KpiDefinition[] = [
  {
    id: 'livedune.er.pooled',
    label: 'ER (pooled)',
    vendor: 'LiveDune',
    mirrors: 'ER = (sum of reactions over the period / number of posts) / followers × 100, "pooled" aggregation. With a follower count per post this is sum of reactions / sum of followers at publish time.',
    formula: 'ratio',
    unit: 'percent',
    numerator: liveduneReactions,
    denominator: 'followers_at_publish',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'livedune.er.weighted',
    label: 'ER (weighted)',
    vendor: 'LiveDune',
    mirrors: 'ER "weighted" aggregation: the mean of each post\'s ER = reactions / followers at publish time × 100.',
    formula: 'ratio',
    unit: 'percent',
    numerator: liveduneReactions,
    denominator: 'followers_at_publish',
    aggregation: 'mean_per_post',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'livedune.er.dynamics',
    label: 'ER dynamics (median of last 20 posts)',
    vendor: 'LiveDune',
    mirrors: '"ER dynamics" = median ER of the last 20 posts (up to the end of the period), ER = reactions / followers at publish time × 100.',
    formula: 'ratio',
    unit: 'percent',
    numerator: liveduneReactions,
    denominator: 'followers_at_publish',
    aggregation: 'median_last_n',
    lastN: 20,
    timeZone: 'workspace',
    missingRule: `${strictPostRule} The last 20 posts are the last 20 eligible ones.`,
  },
  {
    id: 'popsters.er-post',
    label: 'ERpost',
    vendor: 'Popsters',
    mirrors: 'ERpost = (likes + shares + comments) / followers × 100; the average is pooled: sum over the period / followers / N posts. Followers are those of the post\'s day (end of day).',
    formula: 'ratio',
    unit: 'percent',
    numerator: popstersReactions,
    denominator: 'daily_followers',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'popsters.er-view',
    label: 'ERview',
    vendor: 'Popsters',
    mirrors: 'ERview = (likes + shares + comments) / views × 100, only where views exist; the average is the mean of per-post ERview.',
    formula: 'ratio',
    unit: 'percent',
    numerator: popstersReactions,
    denominator: 'views',
    aggregation: 'mean_per_post',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'popsters.er-day',
    label: 'ERday',
    vendor: 'Popsters',
    mirrors: 'ERday = (that day\'s likes + shares + comments) / followers × 100 for the posts published that day; the average divides by the calendar days of the period, not by days with posts.',
    formula: 'ratio',
    unit: 'percent',
    numerator: popstersReactions,
    denominator: 'daily_followers',
    aggregation: 'per_day',
    timeZone: 'workspace',
    missingRule: perDayRule,
  },
  {
    id: 'popsters.love-rate',
    label: 'Love Rate',
    vendor: 'Popsters',
    mirrors: 'Love Rate = likes / followers × 100, per post divided by N posts (pooled).',
    formula: 'ratio',
    unit: 'percent',
    numerator: { default: { required: ['likes'] } },
    denominator: 'daily_followers',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'popsters.talk-rate',
    label: 'Talk Rate',
    vendor: 'Popsters',
    mirrors: 'Talk Rate = comments / followers × 100, per post divided by N posts (pooled).',
    formula: 'ratio',
    unit: 'percent',
    numerator: { default: { required: ['comments'] } },
    denominator: 'daily_followers',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'sprout.er-impressions',
    label: 'Engagement rate (per impression)',
    vendor: 'Sprout Social',
    mirrors:
      'Engagement rate (per impression) = (reactions + comments + shares + post link clicks + other post clicks) / impressions × 100, post report view: engagement on posts published in the period. Clicks count where the network reports them.',
    formula: 'ratio',
    unit: 'percent',
    numerator: { default: { required: ['likes', 'comments', 'shares'], optional: ['clicks'] } },
    denominator: 'impressions',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'sprout.er-impressions.profile',
    label: 'Engagement rate (per impression), profile view',
    vendor: 'Sprout Social',
    mirrors:
      'Engagement rate (per impression) as in the profile report: engagement that happened in the period, whatever the post\'s publish date — (reactions + comments + shares + clicks) / impressions × 100 over the increases observed on each day.',
    formula: 'ratio',
    unit: 'percent',
    numerator: { default: { required: ['likes', 'comments', 'shares'], optional: ['clicks'] } },
    denominator: 'impressions',
    aggregation: 'activity_pooled',
    timeZone: 'workspace',
    missingRule: activityRule,
  },
  {
    id: 'napoleoncat.er-daily',
    label: 'Daily ER (mean of days)',
    vendor: 'NapoleonCat',
    mirrors: 'Daily ER = that day\'s interactions (reactions + comments + shares on any post) / that day\'s followers × 100; a multi-day ER is the mean of the daily ERs.',
    formula: 'ratio',
    unit: 'percent',
    numerator: { default: { required: ['likes', 'comments', 'shares'] } },
    denominator: 'daily_followers',
    aggregation: 'activity_per_day',
    timeZone: 'workspace',
    missingRule: `${activityRule} A day whose follower count is unknown is left out of the mean.`,
  },
  {
    id: 'tgstat.err',
    label: 'ERR (TGStat)',
    vendor: 'TGStat',
    mirrors:
      'ERR = average views per post / subscribers × 100 over the period (TGStat uses the last 30 days), deleted posts excluded. Telegram views are not unique, so ERR can exceed 100%. Not the same metric as "ERR by reach".',
    formula: 'ratio',
    unit: 'percent',
    numerator: { default: { required: ['views'] } },
    denominator: 'daily_followers',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'tgstat.err24',
    label: 'ERR24 (TGStat)',
    vendor: 'TGStat',
    mirrors: 'ERR24 = ERR counting only the views in the first 24 h after publishing: views at 24 h per post / subscribers × 100 (pooled).',
    formula: 'ratio',
    unit: 'percent',
    numerator: { default: { required: ['views24h'] } },
    denominator: 'daily_followers',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: `${strictPostRule} Views at 24 h come from the newest observation within 24 h of publishing; a post first observed later has none.`,
  },
  {
    id: 'err.reach.mean',
    label: 'ERR by reach (mean of posts)',
    vendor: 'LiveDune / Popsters',
    mirrors: 'ERR = reactions / reach × 100; the average is the mean of per-post ERR.',
    formula: 'ratio',
    unit: 'percent',
    numerator: liveduneReactions,
    denominator: 'reach',
    aggregation: 'mean_per_post',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'err.reach.pooled',
    label: 'ERR by reach (pooled)',
    vendor: 'LiveDune / Popsters',
    mirrors: 'ERR = reactions / reach × 100; the average is the sum of reactions / the sum of the posts\' reach (not unique reach, which networks do not give per period).',
    formula: 'ratio',
    unit: 'percent',
    numerator: liveduneReactions,
    denominator: 'reach',
    aggregation: 'pooled',
    timeZone: 'workspace',
    missingRule: strictPostRule,
  },
  {
    id: 'followers.growth.absolute',
    label: 'Follower growth',
    vendor: 'Herald',
    mirrors: 'Followers at the end of the period minus followers at the end of the day before it.',
    formula: 'follower_growth',
    unit: 'followers',
    mode: 'absolute',
    timeZone: 'workspace',
    missingRule: growthRule,
  },
  {
    id: 'followers.growth.percent',
    label: 'Follower growth (%)',
    vendor: 'Herald',
    mirrors: '(end − start) / start × 100, start = followers at the end of the day before the period, end = at the end of its last day.',
    formula: 'follower_growth',
    unit: 'percent',
    mode: 'percent',
    timeZone: 'workspace',
    missingRule: growthRule,
  },
  {
    id: 'followers.growth.weekly-compound',
    label: 'Follower growth (weekly compound)',
    vendor: 'Fanpage Karma',
    mirrors: '"Growth" = average weekly compound growth rate, not end minus start: ((end / start)^(7 / days) − 1) × 100 with days = calendar days of the period.',
    formula: 'follower_growth',
    unit: 'percent_per_week',
    mode: 'weekly_compound',
    timeZone: 'workspace',
    missingRule: growthRule,
  },
];

/** The definition a workspace shows as "the" engagement rate until it picks another. */
export const builtInDefaultDefinitionId = 'livedune.er.pooled';

/** A definition by id. */
export function findKpiDefinition(id: string): KpiDefinition | undefined {
  return kpiDefinitions.find((d) => d.id === id);
}

/** Definitions a workspace may pick as its default engagement rate (the ratio ones). */
export function defaultableDefinitions(): RatioKpiDefinition[] {
  return kpiDefinitions.filter((d): d is RatioKpiDefinition => d.formula === 'ratio');
}
