/**
 * The vocabulary analytics shares between the import format, the rollups and the KPI engine: which
 * per-post counts exist (and their column names) and which content types a post may have.
 */

/** Per-post counts, as named in the import format and in KPI definitions. */
export const postMetricNames = ['views', 'reach', 'likes', 'comments', 'shares', 'quotes', 'saves', 'clicks', 'pollVotes', 'videoViews'] as const;
export type PostMetricName = (typeof postMetricNames)[number];

/** Column of each count in post_metrics and the rollup tables. */
export const metricColumn = {
  views: 'views',
  reach: 'reach',
  likes: 'likes',
  comments: 'comments',
  shares: 'shares',
  quotes: 'quotes',
  saves: 'saves',
  clicks: 'clicks',
  pollVotes: 'poll_votes',
  videoViews: 'video_views',
} as const satisfies Record<PostMetricName, string>;
export type MetricColumn = (typeof metricColumn)[PostMetricName];

/** Counts of one post; null = the network gave none (never 0). */
export type PostCounts = Record<PostMetricName, number | null>;

/** Content types for "interaction by content type". */
export const contentTypes = ['text', 'photo', 'carousel', 'video', 'link', 'poll', 'repost'] as const;
export type ContentType = (typeof contentTypes)[number];

/**
 * Counts a KPI numerator may name: the per-post counts plus derived ones the rollups keep —
 * `views24h`, the views of the newest observation within 24 h of publishing (TGStat's ERR24).
 */
export const kpiCountNames = [...postMetricNames, 'views24h'] as const;
export type KpiCountName = (typeof kpiCountNames)[number];
export type KpiCounts = Record<KpiCountName, number | null>;

/** Counts with every metric missing. */
export function emptyCounts(): KpiCounts {
  return Object.fromEntries(kpiCountNames.map((m) => [m, null])) as KpiCounts;
}
