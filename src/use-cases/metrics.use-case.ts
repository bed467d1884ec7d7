/**
 * Reading collected metrics: an account's latest snapshot and its series, and the latest counts of
 * each published target of a post. A count the network did not give is null (never 0), so a chart
 * can tell "no data" from "nobody reacted".
 */
import { ValidationError, NotFoundError } from '../domain/errors';
import { isId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { accountMetricsSeries, latestPostMetrics, type AccountMetricsRow, type PostMetricsRow } from '../repositories/metrics.repository';
import { targetsOfPost } from '../repositories/post-targets.repository';
import { findPost } from '../repositories/posts.repository';
import type { UseCaseContext } from '../server/services';
import { policyActor } from './workspaces.use-case';

/** One account snapshot. */
export interface AccountSnapshotView {
  observedAt: string;
  followers: number | null;
  following: number | null;
  posts: number | null;
}

/** An account's metrics over a range. */
export interface AccountMetricsView {
  accountId: string;
  network: string;
  from: string;
  to: string;
  /** The newest snapshot in the range (null when none). */
  latest: AccountSnapshotView | null;
  /** Snapshots in the range, oldest first. */
  series: AccountSnapshotView[];
}

/** Counts of one post observation. */
export interface PostCountsView {
  observedAt: string;
  views: number | null;
  reach: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  quotes: number | null;
  saves: number | null;
  clicks: number | null;
  pollVotes: number | null;
  videoViews: number | null;
}

/** A post's latest counts per published target. */
export interface PostMetricsView {
  postId: string;
  items: Array<{ targetId: string; accountId: string; network: string; publishedAt: string | null; url: string | null; latest: PostCountsView | null }>;
}

const day = 24 * 3_600_000;
/** Snapshots one request returns at most (a daily series of more than ten years). */
const maxSeries = 4_000;

async function authorize(ctx: UseCaseContext): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'metrics.read');
}

function instant(value: string, field: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be a date (2026-03-29) or an ISO instant with an offset (2026-03-29T00:00:00Z)`, [{ path: field, code: 'invalid_instant', message: 'date or ISO instant expected' }]);
  return new Date(ms).toISOString();
}

function snapshot(r: AccountMetricsRow): AccountSnapshotView {
  return { observedAt: r.observed_at, followers: r.followers, following: r.following, posts: r.posts_count };
}

function counts(r: PostMetricsRow): PostCountsView {
  return {
    observedAt: r.observed_at,
    views: r.views,
    reach: r.reach,
    likes: r.likes,
    comments: r.comments,
    shares: r.shares,
    quotes: r.quotes,
    saves: r.saves,
    clicks: r.clicks,
    pollVotes: r.poll_votes,
    videoViews: r.video_views,
  };
}

/** An account's snapshots in [from, to) (default: the last 90 days) and the newest of them. */
export async function getAccountMetrics(ctx: UseCaseContext, accountId: string, range: { from?: string; to?: string } = {}): Promise<AccountMetricsView> {
  await authorize(ctx);
  const account = isId(accountId) ? await findAccount(ctx.db, ctx.workspaceId, accountId) : undefined;
  if (!account) throw new NotFoundError('Account');
  const to = range.to === undefined ? new Date(ctx.services.now().getTime() + 1).toISOString() : instant(range.to, 'to');
  const from = range.from === undefined ? new Date(Date.parse(to) - 90 * day).toISOString() : instant(range.from, 'from');
  if (from >= to) throw new ValidationError('from must be before to', [{ path: 'to', code: 'invalid_range', message: 'to must be after from' }]);
  const rows = await accountMetricsSeries(ctx.db, ctx.workspaceId, account.id, from, to, maxSeries);
  const series = rows.map(snapshot);
  return { accountId: account.id, network: account.network, from, to, latest: series[series.length - 1] ?? null, series };
}

/** The latest counts of each published target of a post. */
export async function getPostMetrics(ctx: UseCaseContext, postId: string): Promise<PostMetricsView> {
  await authorize(ctx);
  const post = isId(postId) ? await findPost(ctx.db, ctx.workspaceId, postId) : undefined;
  if (!post) throw new NotFoundError('Post');
  const targets = (await targetsOfPost(ctx.db, post.id)).filter((t) => t.published_at !== null || t.state === 'published');
  const latest = await latestPostMetrics(ctx.db, ctx.workspaceId, targets.map((t) => t.id));
  return {
    postId: post.id,
    items: targets.map((t) => {
      const m = latest.get(t.id);
      return { targetId: t.id, accountId: t.account_id, network: t.network, publishedAt: t.published_at, url: t.external_url, latest: m ? counts(m) : null };
    }),
  };
}
